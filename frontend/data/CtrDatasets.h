//===- CtrDatasets.h - Criteo and MovieLens as CTR and DIN/DIEN datasets --===//
//
// The data sets the CTR models train on, each as train/valid/test
// TabularDatasets (see TabularBatch for a batch's layout):
//
//   auto criteo = data::criteo("data/criteo-kaggle-sample");
//   auto ctr = data::movielens_ctr("data/movielens-latest-small");
//   auto din = data::movielens_sequences(
//       "data/movielens-latest-small",
//       data::MovieLensSequenceOptions().negative_history(true));
//   auto loader = data::make_data_loader(din.train, ...);
//
// criteo: the Kaggle DAC sample, `head8k.{train,dev,test}.tsv` (7,200 / 409
// / 391 rows): label, dense I1..I13 (log1p by default), categorical C1..C26
// through vocabularies fitted on train; valid and test values train lacks
// map to the OOV id 0.
//
// movielens_ctr: every rating of ml-latest-small's `ratings.csv` (100,836)
// is a row, label = rating >= threshold (48,580 positives at 4.0). Features:
// categorical user_id, item_id (movieId), cate_id (the movie's full genre
// set, "Action|Crime"), hour and weekday of the UTC timestamp ("0".."23",
// "Mon".."Sun"); the id list genres (the movie's single genres, padded to
// 10, the most any movie has). The rows are shuffled with the seed and cut
// into train/valid/test by the fractions (each part keeps the file's
// order); vocabularies are fitted on train.
//
// movielens_sequences: DIN/DIEN samples built from `ratings.csv` with the
// DIN paper's protocol. Each user's ratings sorted by (timestamp, movieId)
// are b1..bn (every rating is a click: no threshold). "Predict b(k+1) from
// b1..bk" goes to train for k = 1..n-3, "predict b(n-1) from b1..b(n-2)" to
// valid and "predict bn from b1..b(n-1)" to test: a user with n = 3 gives
// only valid and test, n = 2 only test, n = 1 nothing (ml-latest-small's
// users all have 20 or more). Each positive row (label 1) is followed by a
// negative (label 0) with the same history and an item drawn uniformly from
// the movies the user never rated. Columns: categorical user_id, item_id,
// cate_id; id lists hist_item_id, hist_cate_id (the last max_history items
// and their categories, oldest first, padded with 0 at the end) and, with
// negative_history(true), neg_hist_item_id, neg_hist_cate_id for DIEN's
// auxiliary loss: position t holds an item the user never rated (one drawn
// per user and step, so the samples of a user agree) and its category.
// With all 610 users: 198,012 train rows, 1,220 valid, 1,220 test.
//
// Ids of movielens_sequences do not depend on the split or max_users: the
// item vocabulary holds every movie of `ratings.csv` (9,724; the movieId as
// text), the category vocabulary every genre set (951), the user vocabulary
// every user (610), each numbered from 1 by descending number of ratings,
// ties by ascending movieId / genre text / userId. item_id, hist_item_id
// and neg_hist_item_id share one Vocabulary (the same pointer in
// vocabularies(), as read_csv's share_vocabulary), cate_id, hist_cate_id and
// neg_hist_cate_id another; the three splits share them all.
//
// Randomness (the movielens_ctr split, the negatives) comes from xoshiro256**
// seeded through splitmix64, as RandomSampler's, so a seed gives the same
// data on every platform. The negatives are drawn user by user in userId
// order: max_users(N) gives a prefix of the rows of all users.
//
// Errors are dlc::Error naming the file, line (and column) and the problem,
// ending with the caller's line: `movielens_ctr:
// ml/ratings.csv:17:3: column 1 ("movieId"): expected an integer, got "x"
// (main.cpp:12)`.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DATA_CTRDATASETS_H
#define DLC_FRONTEND_DATA_CTRDATASETS_H

#include "frontend/Tensor.h"
#include "frontend/data/Csv.h"
#include "frontend/data/TabularDataset.h"

#include <array>
#include <cstdint>
#include <string>

namespace dlc::data {

/// A data set's three parts.
struct CtrSplits {
  TabularDataset train;
  TabularDataset valid;
  TabularDataset test;
};

/// The seed the MovieLens loaders use unless told otherwise (the one of the
/// shared collection's build_seq.py).
inline constexpr uint64_t kCtrDefaultSeed = 20240521;

/// How criteo() reads the files: chainable setters and getters of the same
/// name.
struct CriteoOptions {
  /// The training file in the directory ("head8k.train.tsv").
  CriteoOptions &train_file(std::string value) {
    train_file_ = std::move(value);
    return *this;
  }
  /// The validation file ("head8k.dev.tsv").
  CriteoOptions &valid_file(std::string value) {
    valid_file_ = std::move(value);
    return *this;
  }
  /// The test file ("head8k.test.tsv").
  CriteoOptions &test_file(std::string value) {
    test_file_ = std::move(value);
    return *this;
  }
  /// What to do to I1..I13 (Log1p: log(1 + max(x, 0))).
  CriteoOptions &dense_transform(DenseTransform value) {
    dense_transform_ = value;
    return *this;
  }
  /// C1..C26 values seen fewer times in train map to the OOV id 0 (2).
  /// With 7,200 rows most values are seen once: at 2, 13% of train's fields
  /// go to the OOV id, as many as the dev and test fields whose value train
  /// never saw (13%), so the OOV embedding is trained on rare values like
  /// the unseen ones it stands for at evaluation (at 1 it is never trained);
  /// the 26 tables shrink from 34,469 to 10,000 rows, dropping embeddings
  /// that one example each could not train.
  CriteoOptions &min_count(int64_t value) {
    min_count_ = value;
    return *this;
  }

  const std::string &train_file() const { return train_file_; }
  const std::string &valid_file() const { return valid_file_; }
  const std::string &test_file() const { return test_file_; }
  DenseTransform dense_transform() const { return dense_transform_; }
  int64_t min_count() const { return min_count_; }

  std::string train_file_ = "head8k.train.tsv";
  std::string valid_file_ = "head8k.dev.tsv";
  std::string test_file_ = "head8k.test.tsv";
  DenseTransform dense_transform_ = DenseTransform::Log1p;
  int64_t min_count_ = 2;
};

/// How movielens_ctr() builds its table.
struct MovieLensCtrOptions {
  /// The ratings file in the directory ("ratings.csv").
  MovieLensCtrOptions &ratings_file(std::string value) {
    ratings_file_ = std::move(value);
    return *this;
  }
  /// The movies file ("movies.csv").
  MovieLensCtrOptions &movies_file(std::string value) {
    movies_file_ = std::move(value);
    return *this;
  }
  /// A rating at least this is a positive (4.0).
  MovieLensCtrOptions &threshold(double value) {
    threshold_ = value;
    return *this;
  }
  /// The seed of the split (kCtrDefaultSeed).
  MovieLensCtrOptions &seed(uint64_t value) {
    seed_ = value;
    return *this;
  }
  /// The shares of the rows for train, valid and test (0.8, 0.1, 0.1):
  /// non-negative, summing to 1. Train gets round(rows * train), valid
  /// round(rows * valid), test the rest.
  MovieLensCtrOptions &fractions(double train, double valid, double test) {
    fractions_ = {train, valid, test};
    return *this;
  }
  /// Values seen fewer times in train map to the OOV id 0 (1).
  MovieLensCtrOptions &min_count(int64_t value) {
    min_count_ = value;
    return *this;
  }

  const std::string &ratings_file() const { return ratings_file_; }
  const std::string &movies_file() const { return movies_file_; }
  double threshold() const { return threshold_; }
  uint64_t seed() const { return seed_; }
  const std::array<double, 3> &fractions() const { return fractions_; }
  int64_t min_count() const { return min_count_; }

  std::string ratings_file_ = "ratings.csv";
  std::string movies_file_ = "movies.csv";
  double threshold_ = 4.0;
  uint64_t seed_ = kCtrDefaultSeed;
  std::array<double, 3> fractions_ = {0.8, 0.1, 0.1};
  int64_t min_count_ = 1;
};

/// How movielens_sequences() builds its samples.
struct MovieLensSequenceOptions {
  /// The ratings file in the directory ("ratings.csv").
  MovieLensSequenceOptions &ratings_file(std::string value) {
    ratings_file_ = std::move(value);
    return *this;
  }
  /// The movies file ("movies.csv").
  MovieLensSequenceOptions &movies_file(std::string value) {
    movies_file_ = std::move(value);
    return *this;
  }
  /// The seed of the negatives (kCtrDefaultSeed).
  MovieLensSequenceOptions &seed(uint64_t value) {
    seed_ = value;
    return *this;
  }
  /// The most recent items a history keeps, and the padded length of the
  /// id lists (50).
  MovieLensSequenceOptions &max_history(int64_t value) {
    max_history_ = value;
    return *this;
  }
  /// Whether to add neg_hist_item_id and neg_hist_cate_id (false).
  MovieLensSequenceOptions &negative_history(bool value) {
    negative_history_ = value;
    return *this;
  }
  /// Only the first N users by userId (0: all), for quick tests.
  MovieLensSequenceOptions &max_users(int64_t value) {
    max_users_ = value;
    return *this;
  }

  const std::string &ratings_file() const { return ratings_file_; }
  const std::string &movies_file() const { return movies_file_; }
  uint64_t seed() const { return seed_; }
  int64_t max_history() const { return max_history_; }
  bool negative_history() const { return negative_history_; }
  int64_t max_users() const { return max_users_; }

  std::string ratings_file_ = "ratings.csv";
  std::string movies_file_ = "movies.csv";
  uint64_t seed_ = kCtrDefaultSeed;
  int64_t max_history_ = 50;
  bool negative_history_ = false;
  int64_t max_users_ = 0;
};

/// The Criteo Kaggle sample in `dir` (data/criteo-kaggle-sample/). Columns
/// "I1".."I13" (dense), "C1".."C26" (categorical), label "label".
CtrSplits criteo(const std::string &dir,
                 const CriteoOptions &options = CriteoOptions(),
                 Loc loc = Loc::current());

/// MovieLens ml-latest-small in `dir` (data/movielens-latest-small/) as a
/// CTR table: categorical "user_id", "item_id", "cate_id", "hour",
/// "weekday"; id list "genres"; label "label".
CtrSplits
movielens_ctr(const std::string &dir,
              const MovieLensCtrOptions &options = MovieLensCtrOptions(),
              Loc loc = Loc::current());

/// MovieLens ml-latest-small in `dir` as DIN/DIEN behaviour sequences:
/// categorical "user_id", "item_id", "cate_id"; id lists "hist_item_id",
/// "hist_cate_id" (and "neg_hist_item_id", "neg_hist_cate_id"); label
/// "label".
CtrSplits movielens_sequences(
    const std::string &dir,
    const MovieLensSequenceOptions &options = MovieLensSequenceOptions(),
    Loc loc = Loc::current());

} // namespace dlc::data

#endif // DLC_FRONTEND_DATA_CTRDATASETS_H
