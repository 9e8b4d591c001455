//===- CtrDatasetsTest.cpp - criteo, movielens_ctr, movielens_sequences ---===//
//
// The counts were computed independently of the loaders: awk and Python
// over the bundled files, and for movielens_ctr's split a Python
// re-implementation of the seeded shuffle (xoshiro256** through splitmix64,
// Lemire's bounded draw, Fisher-Yates). The DIN protocol is checked row by
// row against ratings.csv read here, and its test split against the shared
// collection's build_seq.py output. Small files in a temporary directory
// cover every error message.
//
//===----------------------------------------------------------------------===//

#include "frontend/data/CtrDatasets.h"
#include "DataTestUtil.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

using namespace dlc;
using namespace dlc::test;

namespace {

/// `variable`: the directory holding `relative` (found as DLC_DATA_FILE
/// finds it; the test skips when it is nowhere).
#define DLC_DATA_DIR(variable, relative)                                       \
  DLC_DATA_FILE(variable##File, relative);                                     \
  std::string variable =                                                       \
      std::filesystem::path(variable##File).parent_path().string()

std::vector<size_t> allRows(const data::TabularDataset &dataset) {
  std::vector<size_t> rows(dataset.num_rows());
  std::iota(rows.begin(), rows.end(), size_t(0));
  return rows;
}

int64_t positives(data::TabularDataset &dataset) {
  return static_cast<int64_t>(
      dataset.get_batch(allRows(dataset)).target.sum().item<double>());
}

/// How many ids of categorical column `column` are the OOV id.
int64_t oovIds(data::TabularDataset &dataset, size_t column) {
  std::vector<int64_t> ids =
      longs(dataset.get_batch(allRows(dataset)).categorical);
  size_t width = dataset.categorical_names().size();
  int64_t zeros = 0;
  for (size_t r = 0; r < dataset.num_rows(); ++r)
    zeros += ids[r * width + column] == 0;
  return zeros;
}

template <typename F>
double millisecondsOf(F &&f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

//===----------------------------------------------------------------------===//
// criteo
//===----------------------------------------------------------------------===//

TEST(Criteo, SplitsCountsAndColumns) {
  DLC_DATA_DIR(dir, "criteo-kaggle-sample/head8k.train.tsv");
  std::optional<data::CtrSplits> splits;
  double ms = millisecondsOf([&] { splits = data::criteo(dir); });
  std::cout << "[   INFO   ] criteo: 8,000 rows in " << ms << " ms\n";

  // awk -F'\t' '{n++; p += $1} END {print n, p}'
  EXPECT_EQ(splits->train.num_rows(), 7200u);
  EXPECT_EQ(splits->valid.num_rows(), 409u);
  EXPECT_EQ(splits->test.num_rows(), 391u);
  EXPECT_EQ(positives(splits->train), 1549);
  EXPECT_EQ(positives(splits->valid), 93);
  EXPECT_EQ(positives(splits->test), 86);

  data::TabularDataset &train = splits->train;
  EXPECT_EQ(train.label_name(), std::optional<std::string>("label"));
  ASSERT_EQ(train.dense_names().size(), 13u);
  ASSERT_EQ(train.categorical_names().size(), 26u);
  EXPECT_EQ(train.dense_names().front(), "I1");
  EXPECT_EQ(train.dense_names().back(), "I13");
  EXPECT_EQ(train.categorical_names().front(), "C1");
  EXPECT_EQ(train.categorical_names().back(), "C26");
  EXPECT_EQ(train.column_names().size(), 40u);
  EXPECT_TRUE(train.sequence_names().empty());
  EXPECT_EQ(train.packed_width(), 39);

  // min_count 2 (Python: values seen at least twice in train, plus OOV).
  std::vector<int64_t> sizes = {78,  280,  511, 663, 35, 9,   1195, 46, 4,
                                822, 1008, 530, 907, 23, 864, 596,  10, 592,
                                197, 5,    553, 8,   13, 583, 35,   433};
  EXPECT_EQ(train.vocab_sizes(), sizes);
  EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), int64_t(0)), 10000);
  EXPECT_EQ(splits->valid.vocab_sizes(), sizes);
  EXPECT_EQ(&splits->test.vocabulary("C3"), &train.vocabulary("C3"));
  EXPECT_EQ(train.vocabulary("C3").min_count(), 2);
  // C3's most frequent value in train: d032c263 (346 times).
  EXPECT_EQ(train.vocabulary("C3").value(1), "d032c263");
  EXPECT_EQ(train.vocabulary("C3").count(1), 346);

  // The first row: 0, I = 1 1 5 0 1382 4 15 2 181 1 2 <empty> 2, log1p.
  data::TabularBatch first = train.get_batch({0});
  std::vector<double> expected;
  for (double x : {1, 1, 5, 0, 1382, 4, 15, 2, 181, 1, 2, 0, 2})
    expected.push_back(std::log1p(x));
  expectTensor(first.dense, {1, 13}, kFloat, expected);
  expectTensor(first.target, {1}, kFloat, {0});
  // `data`: the 13 dense values, then the 26 ids.
  std::vector<double> packed = doubles(first.data);
  std::vector<int64_t> ids = longs(first.categorical);
  ASSERT_EQ(packed.size(), 39u);
  for (size_t k = 0; k < 13; ++k)
    EXPECT_FLOAT_EQ(packed[k], expected[k]);
  for (size_t k = 0; k < 26; ++k)
    EXPECT_EQ(packed[13 + k], static_cast<double>(ids[k]));
  EXPECT_EQ(ids[0], train.vocabulary("C1").id("68fd1e64"));
}

TEST(Criteo, ValidAndTestMapUnseenValuesToOov) {
  DLC_DATA_DIR(dir, "criteo-kaggle-sample/head8k.train.tsv");
  data::CtrSplits splits = data::criteo(dir);
  // Python: fields whose value train saw fewer than twice.
  int64_t trainOov = 0, validOov = 0, testOov = 0;
  for (size_t c = 0; c < 26; ++c) {
    trainOov += oovIds(splits.train, c);
    validOov += oovIds(splits.valid, c);
    testOov += oovIds(splits.test, c);
  }
  EXPECT_EQ(trainOov, 24469);
  EXPECT_EQ(validOov, 1789);
  EXPECT_EQ(testOov, 1732);
  EXPECT_EQ(oovIds(splits.valid, 2), 231); // C3
  int64_t rare = 0;
  for (const std::string &name : splits.train.categorical_names())
    rare += splits.train.vocabulary(name).count(data::Vocabulary::kOovId);
  EXPECT_EQ(rare, trainOov);

  // Every dev id is train's id of the field's text (0 when train lacks it).
  std::ifstream file(dir + "/head8k.dev.tsv");
  std::vector<int64_t> ids =
      longs(splits.valid.get_batch(allRows(splits.valid)).categorical);
  std::string line;
  for (size_t r = 0; std::getline(file, line); ++r) {
    std::vector<std::string> fields;
    std::stringstream stream(line);
    for (std::string field; std::getline(stream, field, '\t');)
      fields.push_back(field);
    fields.resize(40);
    for (size_t c = 0; c < 26; ++c)
      ASSERT_EQ(ids[r * 26 + c],
                splits.train.vocabulary("C" + std::to_string(c + 1))
                    .id(fields[14 + c]))
          << "row " << r << " C" << c + 1;
  }
}

TEST(Criteo, Options) {
  DLC_DATA_DIR(dir, "criteo-kaggle-sample/head8k.train.tsv");
  data::CtrSplits raw =
      data::criteo(dir, data::CriteoOptions()
                            .dense_transform(data::DenseTransform::None)
                            .min_count(1)
                            .valid_file("head8k.test.tsv")
                            .test_file("head8k.dev.tsv"));
  expectTensor(raw.train.get_batch({0}).dense, {1, 13}, kFloat,
               {1, 1, 5, 0, 1382, 4, 15, 2, 181, 1, 2, 0, 2});
  std::vector<int64_t> sizes = raw.train.vocab_sizes();
  EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), int64_t(0)), 34469);
  EXPECT_EQ(raw.valid.num_rows(), 391u);
  EXPECT_EQ(raw.test.num_rows(), 409u);
  EXPECT_EQ(data::CriteoOptions().min_count(), 2);
  EXPECT_EQ(data::CriteoOptions().train_file(), "head8k.train.tsv");
  EXPECT_EQ(data::CriteoOptions().dense_transform(),
            data::DenseTransform::Log1p);
}

TEST(CriteoErrors, FilesAndRows) {
  EXPECT_DLC_ERROR(data::criteo("/nonexistent"),
                   "criteo: read_csv: cannot open "
                   "/nonexistent/head8k.train.tsv: No such file or directory");
  TempFile train("0\t1\t2\n", "head8k.train.tsv");
  EXPECT_DLC_ERROR(data::criteo(train.directory),
                   "/head8k.train.tsv:1: expected 40 fields, got 3");
  std::string row = "1\tx1";
  for (int i = 2; i < 40; ++i)
    row += "\t";
  TempFile bad(row + "\n", "head8k.train.tsv");
  EXPECT_DLC_ERROR(data::criteo(bad.directory),
                   "/head8k.train.tsv:1:3: column 1 (\"I1\"): expected a "
                   "number, got \"x1\"");
  EXPECT_DLC_ERROR(
      data::criteo(bad.directory, data::CriteoOptions().min_count(-1)),
      "criteo: read_csv: " + bad.path +
          ": min_count must be non-negative, got -1");
}

//===----------------------------------------------------------------------===//
// MovieLens, read here for the reference
//===----------------------------------------------------------------------===//

struct Rating {
  int64_t user, movie;
  double rating;
  int64_t timestamp;
};

/// ratings.csv, naively: four comma-separated numbers a line.
std::vector<Rating> readRatings(const std::string &path) {
  std::ifstream file(path);
  std::vector<Rating> ratings;
  std::string line;
  std::getline(file, line);
  while (std::getline(file, line)) {
    Rating r;
    char comma;
    std::stringstream(line) >> r.user >> comma >> r.movie >> comma >>
        r.rating >> comma >> r.timestamp;
    ratings.push_back(r);
  }
  return ratings;
}

/// movies.csv: movieId -> genres (the last field; titles may hold commas).
std::map<int64_t, std::string> readGenres(const std::string &path) {
  std::ifstream file(path);
  std::map<int64_t, std::string> genres;
  std::string line;
  std::getline(file, line);
  while (std::getline(file, line))
    genres[std::stoll(line.substr(0, line.find(',')))] =
        line.substr(line.rfind(',') + 1);
  return genres;
}

/// Each user's movies by (timestamp, movieId), users by userId.
std::map<int64_t, std::vector<int64_t>>
sortedSequences(const std::vector<Rating> &ratings) {
  std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> events;
  for (const Rating &r : ratings)
    events[r.user].emplace_back(r.timestamp, r.movie);
  std::map<int64_t, std::vector<int64_t>> sequences;
  for (auto &[user, list] : events) {
    std::sort(list.begin(), list.end());
    for (auto [timestamp, movie] : list)
      sequences[user].push_back(movie);
  }
  return sequences;
}

//===----------------------------------------------------------------------===//
// movielens_ctr
//===----------------------------------------------------------------------===//

TEST(MovieLensCtr, SplitCountsVocabulariesAndOov) {
  DLC_DATA_DIR(dir, "movielens-latest-small/ratings.csv");
  std::optional<data::CtrSplits> splits;
  double ms = millisecondsOf([&] { splits = data::movielens_ctr(dir); });
  std::cout << "[   INFO   ] movielens_ctr: 100,836 ratings in " << ms
            << " ms\n";
  data::TabularDataset &train = splits->train;
  // Python (the same seeded shuffle): rows and ratings >= 4 per part.
  EXPECT_EQ(train.num_rows(), 80669u);
  EXPECT_EQ(splits->valid.num_rows(), 10084u);
  EXPECT_EQ(splits->test.num_rows(), 10083u);
  EXPECT_EQ(positives(train), 38811);
  EXPECT_EQ(positives(splits->valid), 4898);
  EXPECT_EQ(positives(splits->test), 4871);
  EXPECT_EQ(38811 + 4898 + 4871, 48580); // awk: $3 >= 4

  EXPECT_EQ(train.categorical_names(),
            (std::vector<std::string>{"user_id", "item_id", "cate_id", "hour",
                                      "weekday"}));
  EXPECT_EQ(train.sequence_names(), (std::vector<std::string>{"genres"}));
  EXPECT_TRUE(train.dense_names().empty());
  // Fitted on train: 610 users, 9,003 movies, 921 genre sets, 24 hours,
  // 7 days, 20 genres (each plus OOV).
  EXPECT_EQ(train.vocab_sizes(), (std::vector<int64_t>{611, 9004, 922, 25, 8}));
  EXPECT_EQ(train.sequence_vocab_sizes(), (std::vector<int64_t>{21}));
  EXPECT_EQ(train.sequence_lengths(), (std::vector<int64_t>{10}));
  EXPECT_EQ(splits->test.sequence_lengths(), (std::vector<int64_t>{10}));
  EXPECT_EQ(train.packed_width(), 15);
  EXPECT_EQ(&splits->valid.vocabulary("item_id"), &train.vocabulary("item_id"));
  // In train, user 414 has the most ratings (2,152), movie 356 (257).
  EXPECT_EQ(train.vocabulary("user_id").value(1), "414");
  EXPECT_EQ(train.vocabulary("user_id").count(1), 2152);
  EXPECT_EQ(train.vocabulary("item_id").value(1), "356");
  EXPECT_EQ(train.vocabulary("item_id").count(1), 257);
  EXPECT_EQ(train.vocabulary("hour").value(1), "20");
  EXPECT_EQ(train.vocabulary("hour").count(1), 5224);

  // Train has no OOV ids; valid and test have movies and genre sets train
  // never saw (Python: 404 and 12, 394 and 20), and no new users, hours,
  // days or genres.
  for (size_t c = 0; c < 5; ++c)
    EXPECT_EQ(oovIds(train, c), 0) << c;
  EXPECT_EQ(oovIds(splits->valid, 0), 0);
  EXPECT_EQ(oovIds(splits->valid, 1), 404);
  EXPECT_EQ(oovIds(splits->valid, 2), 12);
  EXPECT_EQ(oovIds(splits->test, 1), 394);
  EXPECT_EQ(oovIds(splits->test, 2), 20);
  EXPECT_EQ(oovIds(splits->test, 3) + oovIds(splits->test, 4), 0);
}

TEST(MovieLensCtr, RowsAndPackedLayout) {
  DLC_DATA_DIR(dir, "movielens-latest-small/ratings.csv");
  data::CtrSplits splits = data::movielens_ctr(dir);
  // Train's first row is ratings.csv's first: 1,1,4.0,964982703, a Sunday
  // at 18:45 UTC; movie 1 is Adventure|Animation|Children|Comedy|Fantasy.
  data::TabularBatch batch = splits.train.get_batch({0});
  expectTensor(batch.target, {1}, kFloat, {1});
  std::vector<int64_t> ids = longs(batch.categorical);
  const data::TabularDataset &train = splits.train;
  EXPECT_EQ(train.vocabulary("user_id").value(ids[0]), "1");
  EXPECT_EQ(train.vocabulary("item_id").value(ids[1]), "1");
  EXPECT_EQ(train.vocabulary("cate_id").value(ids[2]),
            "Adventure|Animation|Children|Comedy|Fantasy");
  EXPECT_EQ(train.vocabulary("hour").value(ids[3]), "18");
  EXPECT_EQ(train.vocabulary("weekday").value(ids[4]), "Sun");
  std::vector<int64_t> genres;
  for (const char *genre :
       {"Adventure", "Animation", "Children", "Comedy", "Fantasy"})
    genres.push_back(train.vocabulary("genres").id(genre));
  genres.resize(10, 0);
  expectTensor(batch.sequences[0], {1, 10}, kLong,
               std::vector<double>(genres.begin(), genres.end()));
  expectTensor(batch.sequence_lengths[0], {1}, kLong, {5});
  // `data`: the 5 ids, then the genres padded to 10.
  std::vector<double> packed = doubles(batch.data);
  ASSERT_EQ(packed.size(), 15u);
  for (size_t k = 0; k < 5; ++k)
    EXPECT_EQ(packed[k], static_cast<double>(ids[k]));
  for (size_t k = 0; k < 10; ++k)
    EXPECT_EQ(packed[5 + k], static_cast<double>(genres[k]));

  // Valid's first row is ratings.csv's fifth: 1,50,5.0,964982931.
  data::TabularBatch valid = splits.valid.get_batch({0});
  expectTensor(valid.target, {1}, kFloat, {1});
  EXPECT_EQ(train.vocabulary("item_id").value(longs(valid.categorical)[1]),
            "50");
}

TEST(MovieLensCtr, SeedFractionsThresholdMinCount) {
  DLC_DATA_DIR(dir, "movielens-latest-small/ratings.csv");
  data::CtrSplits a = data::movielens_ctr(dir);
  data::CtrSplits b = data::movielens_ctr(dir);
  std::vector<size_t> rows = allRows(a.valid);
  EXPECT_EQ(doubles(a.valid.get_batch(rows).data),
            doubles(b.valid.get_batch(rows).data));

  // Another seed, another split (Python: 38,903 / 4,841 / 4,836).
  data::CtrSplits other =
      data::movielens_ctr(dir, data::MovieLensCtrOptions().seed(7));
  EXPECT_EQ(other.train.num_rows(), 80669u);
  EXPECT_EQ(positives(other.train), 38903);
  EXPECT_EQ(positives(other.valid), 4841);
  EXPECT_EQ(positives(other.test), 4836);
  // Its train starts with ratings 3, 4, 8 (0-based), not 1, 2, 3.
  EXPECT_EQ(other.train.vocabulary("item_id").value(
                longs(other.train.get_batch({0}).categorical)[1]),
            "6");

  data::CtrSplits halves = data::movielens_ctr(
      dir, data::MovieLensCtrOptions().fractions(0.5, 0.25, 0.25));
  EXPECT_EQ(halves.train.num_rows(), 50418u);
  EXPECT_EQ(halves.valid.num_rows(), 25209u);
  EXPECT_EQ(halves.test.num_rows(), 25209u);

  // The split does not depend on the threshold: 81,763 ratings >= 3.
  data::CtrSplits three =
      data::movielens_ctr(dir, data::MovieLensCtrOptions().threshold(3.0));
  EXPECT_EQ(positives(three.train) + positives(three.valid) +
                positives(three.test),
            81763);

  // 5,715 movies have two train ratings or more; the other 3,288 train
  // ratings hold the OOV id.
  data::CtrSplits frequent =
      data::movielens_ctr(dir, data::MovieLensCtrOptions().min_count(2));
  EXPECT_EQ(frequent.train.vocab_sizes()[1], 5716);
  EXPECT_EQ(oovIds(frequent.train, 1), 3288);
  EXPECT_EQ(frequent.train.vocabulary("item_id").count(0), 3288);
}

//===----------------------------------------------------------------------===//
// movielens_sequences
//===----------------------------------------------------------------------===//

/// What the rows of a movielens_sequences part must be, rebuilt from the
/// files read here.
struct Protocol {
  std::map<int64_t, std::vector<int64_t>> sequences;
  std::map<int64_t, std::string> genres;
  size_t maxUsers = 0;
  size_t maxHistory = 50;

  /// Checks every row of `part` (0 train, 1 valid, 2 test) through the ids
  /// of its vocabularies.
  void expect(data::TabularDataset &part, int index, bool negatives) const {
    const data::Vocabulary &users = part.vocabulary("user_id");
    const data::Vocabulary &items = part.vocabulary("item_id");
    const data::Vocabulary &cates = part.vocabulary("cate_id");
    auto itemId = [&](int64_t movie) {
      return items.id(std::to_string(movie));
    };
    // The category id of an item id, through the files read here.
    auto cateOf = [&](int64_t item) {
      return cates.id(genres.at(std::stoll(std::string(items.value(item)))));
    };
    int64_t cachedUser = -1;
    std::vector<int64_t> itemIds, cateIds;
    std::set<int64_t> rated;
    // The (user, target position) of each pair of rows, in order.
    std::vector<std::pair<int64_t, size_t>> expected;
    size_t count = 0;
    for (const auto &[user, sequence] : sequences) {
      if (maxUsers > 0 && count++ == maxUsers)
        break;
      size_t n = sequence.size();
      for (size_t t = 1; t < n; ++t)
        if ((t + 1 == n ? 2 : t + 2 == n ? 1 : 0) == index)
          expected.emplace_back(user, t);
    }
    ASSERT_EQ(part.num_rows(), 2 * expected.size());
    size_t listCount = negatives ? 4 : 2;
    ASSERT_EQ(part.sequence_names().size(), listCount);
    constexpr size_t kChunk = 8192;
    for (size_t start = 0; start < part.num_rows(); start += kChunk) {
      std::vector<size_t> rows(std::min(kChunk, part.num_rows() - start));
      std::iota(rows.begin(), rows.end(), start);
      data::TabularBatch batch = part.get_batch(rows);
      std::vector<double> labels = doubles(batch.target);
      std::vector<int64_t> ids = longs(batch.categorical);
      std::vector<std::vector<int64_t>> lists, lengths;
      for (size_t k = 0; k < listCount; ++k) {
        lists.push_back(longs(batch.sequences[k]));
        lengths.push_back(longs(batch.sequence_lengths[k]));
      }
      for (size_t i = 0; i < rows.size(); ++i) {
        size_t row = start + i;
        auto [user, t] = expected[row / 2];
        if (user != cachedUser) {
          // The user's items and their categories as ids.
          cachedUser = user;
          itemIds.clear();
          cateIds.clear();
          rated.clear();
          for (int64_t movie : sequences.at(user)) {
            itemIds.push_back(itemId(movie));
            cateIds.push_back(cates.id(genres.at(movie)));
            rated.insert(itemIds.back());
          }
        }
        bool positive = row % 2 == 0;
        int64_t target = ids[i * 3 + 1];
        std::string where = "row " + std::to_string(row) + " (user " +
                            std::to_string(user) + ", target " +
                            std::to_string(t) + ")";
        ASSERT_EQ(labels[i], positive ? 1.0 : 0.0) << where;
        ASSERT_EQ(users.value(ids[i * 3]), std::to_string(user)) << where;
        if (positive) {
          ASSERT_EQ(target, itemIds[t]) << where;
        } else {
          ASSERT_EQ(rated.count(target), 0u) << where << ": rated negative";
        }
        ASSERT_EQ(ids[i * 3 + 2], cateOf(target)) << where;
        // The last maxHistory items before t, oldest first, then zeros.
        size_t from = t - std::min(t, maxHistory);
        ASSERT_EQ(lengths[0][i], static_cast<int64_t>(t - from)) << where;
        const int64_t *hist = &lists[0][i * maxHistory];
        const int64_t *histCates = &lists[1][i * maxHistory];
        for (size_t k = 0; k < maxHistory; ++k) {
          bool used = from + k < t;
          ASSERT_EQ(hist[k], used ? itemIds[from + k] : 0) << where << " " << k;
          ASSERT_EQ(histCates[k], used ? cateIds[from + k] : 0) << where;
          ASSERT_NE(hist[k], target) << where << ": the target is in the "
                                     << "history";
        }
        // The pair's negative has its positive's history (chunks hold
        // whole pairs).
        if (!positive) {
          for (size_t k = 0; k < listCount; ++k)
            for (size_t j = 0; j < maxHistory; ++j) {
              ASSERT_EQ(lists[k][i * maxHistory + j],
                        lists[k][(i - 1) * maxHistory + j])
                  << where;
            }
        }
        if (!negatives)
          continue;
        ASSERT_EQ(lengths[2][i], lengths[0][i]) << where;
        ASSERT_EQ(lengths[3][i], lengths[0][i]) << where;
        for (size_t k = 0; k < maxHistory; ++k) {
          int64_t item = lists[2][i * maxHistory + k];
          int64_t cate = lists[3][i * maxHistory + k];
          if (k >= t - from) {
            ASSERT_EQ(item, 0) << where;
            ASSERT_EQ(cate, 0) << where;
            continue;
          }
          ASSERT_NE(item, 0) << where;
          ASSERT_EQ(rated.count(item), 0u) << where << ": rated negative";
          ASSERT_EQ(cate, cateOf(item)) << where;
        }
      }
    }
  }
};

Protocol protocolFor(const std::string &dir) {
  Protocol protocol;
  protocol.sequences = sortedSequences(readRatings(dir + "/ratings.csv"));
  protocol.genres = readGenres(dir + "/movies.csv");
  return protocol;
}

TEST(MovieLensSequences, CountsAndVocabularies) {
  DLC_DATA_DIR(dir, "movielens-latest-small/ratings.csv");
  std::optional<data::CtrSplits> splits;
  double ms = millisecondsOf([&] { splits = data::movielens_sequences(dir); });
  std::cout << "[   INFO   ] movielens_sequences: built in " << ms << " ms\n";
  data::TabularDataset &train = splits->train;
  // Python: 2 * sum(n - 3) over the 610 users; two pairs per user more.
  EXPECT_EQ(train.num_rows(), 198012u);
  EXPECT_EQ(splits->valid.num_rows(), 1220u);
  EXPECT_EQ(splits->test.num_rows(), 1220u);
  EXPECT_EQ(positives(train), 99006);
  EXPECT_EQ(positives(splits->valid), 610);
  EXPECT_EQ(positives(splits->test), 610);

  EXPECT_EQ(train.categorical_names(),
            (std::vector<std::string>{"user_id", "item_id", "cate_id"}));
  EXPECT_EQ(train.sequence_names(),
            (std::vector<std::string>{"hist_item_id", "hist_cate_id"}));
  EXPECT_EQ(train.sequence_lengths(), (std::vector<int64_t>{50, 50}));
  EXPECT_EQ(train.packed_width(), 3 + 50 + 50);
  // Every user, every rated movie, every genre set, plus the OOV id.
  EXPECT_EQ(train.vocab_sizes(), (std::vector<int64_t>{611, 9725, 952}));
  EXPECT_EQ(train.sequence_vocab_sizes(), (std::vector<int64_t>{9725, 952}));

  // One id space for targets and histories, the same in every part.
  EXPECT_EQ(&train.vocabulary("item_id"), &train.vocabulary("hist_item_id"));
  EXPECT_EQ(&train.vocabulary("cate_id"), &train.vocabulary("hist_cate_id"));
  EXPECT_EQ(&train.vocabulary("item_id"),
            &splits->test.vocabulary("hist_item_id"));
  EXPECT_NE(&train.vocabulary("item_id"), &train.vocabulary("cate_id"));
  EXPECT_EQ(train.vocabulary("item_id").columns(),
            (std::vector<std::string>{"item_id", "hist_item_id"}));
  // By number of ratings: movie 356 (329), "Comedy" (7,196), user 414
  // (2,698).
  EXPECT_EQ(train.vocabulary("item_id").value(1), "356");
  EXPECT_EQ(train.vocabulary("item_id").count(1), 329);
  EXPECT_EQ(train.vocabulary("cate_id").value(1), "Comedy");
  EXPECT_EQ(train.vocabulary("cate_id").count(1), 7196);
  EXPECT_EQ(train.vocabulary("user_id").value(1), "414");

  // Saved and loaded, the groups stay shared.
  TempFile file("", "vocabularies.txt");
  data::save_vocabularies(train.vocabularies(), file.path);
  data::Vocabularies loaded = data::load_vocabularies(file.path);
  EXPECT_EQ(loaded.at("item_id"), loaded.at("hist_item_id"));
  EXPECT_EQ(loaded.at("hist_item_id")->size(), 9725);
}

TEST(MovieLensSequences, EveryRowFollowsTheDinProtocol) {
  DLC_DATA_DIR(dir, "movielens-latest-small/ratings.csv");
  data::CtrSplits splits = data::movielens_sequences(dir);
  Protocol protocol = protocolFor(dir);
  protocol.expect(splits.train, 0, false);
  protocol.expect(splits.valid, 1, false);
  protocol.expect(splits.test, 2, false);
}

TEST(MovieLensSequences, ShortHistoriesAndNegativeHistories) {
  DLC_DATA_DIR(dir, "movielens-latest-small/ratings.csv");
  auto options = data::MovieLensSequenceOptions()
                     .max_users(40)
                     .max_history(5)
                     .negative_history(true);
  std::optional<data::CtrSplits> splits;
  double ms =
      millisecondsOf([&] { splits = data::movielens_sequences(dir, options); });
  std::cout << "[   INFO   ] movielens_sequences, 40 users: " << ms << " ms\n";
  Protocol protocol = protocolFor(dir);
  protocol.maxUsers = 40;
  protocol.maxHistory = 5;
  protocol.expect(splits->train, 0, true);
  protocol.expect(splits->valid, 1, true);
  protocol.expect(splits->test, 2, true);
  EXPECT_EQ(splits->train.sequence_names(),
            (std::vector<std::string>{"hist_item_id", "hist_cate_id",
                                      "neg_hist_item_id", "neg_hist_cate_id"}));
  EXPECT_EQ(&splits->train.vocabulary("neg_hist_item_id"),
            &splits->train.vocabulary("item_id"));
  EXPECT_EQ(&splits->train.vocabulary("neg_hist_cate_id"),
            &splits->train.vocabulary("cate_id"));
  // Ids do not depend on max_users.
  EXPECT_EQ(splits->train.vocab_sizes(),
            (std::vector<int64_t>{611, 9725, 952}));
}

TEST(MovieLensSequences, PackedLayout) {
  DLC_DATA_DIR(dir, "movielens-latest-small/ratings.csv");
  data::CtrSplits splits = data::movielens_sequences(
      dir,
      data::MovieLensSequenceOptions().max_users(1).negative_history(true));
  // User 1's first ratings by (timestamp, movieId): 804 and 1210 at
  // 964980499, then 2018: train row 0 predicts 1210 from [804].
  data::TabularDataset &train = splits.train;
  EXPECT_EQ(train.num_rows(), 2u * (232 - 3));
  EXPECT_EQ(train.packed_width(), 3 + 4 * 50);
  data::TabularBatch batch = train.get_batch({0, 1});
  std::vector<int64_t> ids = longs(batch.categorical);
  const data::Vocabulary &items = train.vocabulary("item_id");
  EXPECT_EQ(items.value(ids[1]), "1210");
  std::vector<double> packed = doubles(batch.data);
  ASSERT_EQ(packed.size(), 2u * 203);
  std::vector<std::vector<int64_t>> lists;
  for (const Tensor &list : batch.sequences)
    lists.push_back(longs(list));
  for (size_t r = 0; r < 2; ++r) {
    const double *row = &packed[r * 203];
    for (size_t k = 0; k < 3; ++k)
      EXPECT_EQ(row[k], static_cast<double>(ids[r * 3 + k]));
    for (size_t list = 0; list < 4; ++list)
      for (size_t k = 0; k < 50; ++k)
        EXPECT_EQ(row[3 + list * 50 + k],
                  static_cast<double>(lists[list][r * 50 + k]));
  }
  // The history [804], padded with zeros at the end.
  EXPECT_EQ(packed[3], static_cast<double>(items.id("804")));
  EXPECT_EQ(packed[4], 0.0);
  EXPECT_NE(packed[103], 0.0); // a negative history item
  EXPECT_EQ(packed[104], 0.0);
  expectTensor(batch.sequence_lengths[0], {2}, kLong, {1, 1});
}

TEST(MovieLensSequences, SeedsAndPrefixes) {
  DLC_DATA_DIR(dir, "movielens-latest-small/ratings.csv");
  auto options = data::MovieLensSequenceOptions().max_users(3);
  data::CtrSplits a = data::movielens_sequences(dir, options);
  data::CtrSplits b = data::movielens_sequences(dir, options);
  // Python: users 1, 2, 3 have 232, 29 and 39 ratings.
  ASSERT_EQ(a.train.num_rows(), 582u);
  EXPECT_EQ(a.valid.num_rows(), 6u);
  std::vector<size_t> rows = allRows(a.train);
  std::vector<int64_t> first = longs(a.train.get_batch(rows).categorical);
  EXPECT_EQ(first, longs(b.train.get_batch(rows).categorical));

  // Another seed: the same positives, other negatives.
  data::CtrSplits other =
      data::movielens_sequences(dir, options.seed(options.seed() + 1));
  std::vector<int64_t> second = longs(other.train.get_batch(rows).categorical);
  int differentNegatives = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    if (r % 2 == 0)
      EXPECT_EQ(first[r * 3 + 1], second[r * 3 + 1]);
    else
      differentNegatives += first[r * 3 + 1] != second[r * 3 + 1];
  }
  EXPECT_GT(differentNegatives, 280);

  // Negative histories do not change the targets' negatives, and three
  // users are a prefix of all.
  data::CtrSplits withHistory = data::movielens_sequences(
      dir, data::MovieLensSequenceOptions().negative_history(true));
  data::CtrSplits all = data::movielens_sequences(dir);
  EXPECT_EQ(longs(withHistory.train.get_batch(rows).categorical), first);
  EXPECT_EQ(doubles(all.train.get_batch(rows).data),
            doubles(a.train.get_batch(rows).data));
  EXPECT_EQ(doubles(all.test.get_batch({0, 1, 2, 3, 4, 5}).data),
            doubles(a.test.get_batch({0, 1, 2, 3, 4, 5}).data));
}

TEST(MovieLensSequences, ThroughALoaderWithWorkers) {
  DLC_DATA_DIR(dir, "movielens-latest-small/ratings.csv");
  data::CtrSplits splits = data::movielens_sequences(
      dir,
      data::MovieLensSequenceOptions().max_users(20).negative_history(true));
  size_t rows = splits.train.num_rows();
  auto loader = data::make_data_loader(
      splits.train,
      data::samplers::RandomSampler(static_cast<int64_t>(rows), uint64_t(5)),
      data::DataLoaderOptions().batch_size(256).workers(2));
  dlc::sync();
  dlc::reset_stats();
  size_t seen = 0;
  double labels = 0;
  for (data::TabularBatch &batch : *loader) {
    int64_t b = batch.target.size(0);
    EXPECT_EQ(batch.data.sizes().vec(), (std::vector<int64_t>{b, 203}));
    ASSERT_EQ(batch.sequences.size(), 4u);
    seen += static_cast<size_t>(b);
    for (double label : doubles(batch.target))
      labels += label;
  }
  EXPECT_EQ(seen, rows);
  EXPECT_EQ(labels, static_cast<double>(rows / 2));
  EXPECT_EQ(dlc::stats().executions, 0); // every batch arrived realized
}

/// A TAB-separated file's fields by line.
std::vector<std::vector<std::string>> tsv(const std::string &path) {
  std::ifstream file(path);
  std::vector<std::vector<std::string>> lines;
  for (std::string line; std::getline(file, line);) {
    std::vector<std::string> fields;
    std::stringstream stream(line);
    for (std::string field; std::getline(stream, field, '\t');)
      fields.push_back(field);
    lines.push_back(fields);
  }
  return lines;
}

TEST(MovieLensSequences, TestSplitMatchesBuildSeq) {
  DLC_DATA_DIR(dir, "movielens-latest-small/ratings.csv");
  DLC_DATA_FILE(testPath, "movielens-latest-small-seq/test.tsv");
  DLC_DATA_FILE(itemPath, "movielens-latest-small-seq/item_map.tsv");
  DLC_DATA_FILE(userPath, "movielens-latest-small-seq/user_map.tsv");
  // build_seq.py's ids -> movieId / userId.
  std::map<std::string, std::string> movieOf, userOf;
  for (const auto &fields : tsv(itemPath))
    movieOf[fields[0]] = fields[1];
  for (const auto &fields : tsv(userPath))
    userOf[fields[0]] = fields[1];
  data::CtrSplits splits = data::movielens_sequences(dir);
  data::TabularDataset &test = splits.test;
  const data::Vocabulary &items = test.vocabulary("item_id");
  std::vector<std::vector<std::string>> lines = tsv(testPath);
  ASSERT_EQ(lines.size(), test.num_rows());
  data::TabularBatch batch = test.get_batch(allRows(test));
  std::vector<int64_t> ids = longs(batch.categorical);
  std::vector<int64_t> history = longs(batch.sequences[0]);
  std::vector<int64_t> lengths = longs(batch.sequence_lengths[0]);
  for (size_t r = 0; r < lines.size(); r += 2) {
    ASSERT_EQ(lines[r][0], "1");
    EXPECT_EQ(test.vocabulary("user_id").value(ids[r * 3]),
              userOf.at(lines[r][1]));
    EXPECT_EQ(items.value(ids[r * 3 + 1]), movieOf.at(lines[r][2]));
    std::vector<std::string> expected, actual;
    std::stringstream stream(lines[r][4]);
    for (std::string item; stream >> item;)
      expected.push_back(movieOf.at(item));
    for (int64_t k = 0; k < lengths[r]; ++k)
      actual.emplace_back(items.value(history[r * 50 + k]));
    EXPECT_EQ(actual, expected) << "line " << r + 1;
  }
}

//===----------------------------------------------------------------------===//
// MovieLens errors
//===----------------------------------------------------------------------===//

/// movies.csv and ratings.csv in a temporary directory.
struct MovieLensFiles {
  MovieLensFiles(const std::string &movies, const std::string &ratings)
      : moviesFile(movies, "movies.csv"), dir(moviesFile.directory) {
    std::ofstream(dir + "/ratings.csv", std::ios::binary) << ratings;
  }
  TempFile moviesFile;
  std::string dir;
};

const char *kMovies = "movieId,title,genres\r\n"
                      "1,\"Toy Story, The (1995)\",Animation|Comedy\r\n"
                      "2,\"11'09\"\"01 (2002)\",Drama\r\n"
                      "\r\n"
                      "3,Heat (1995),Action|Crime|Thriller\r\n"
                      "4,Up (2009),Adventure\r\n";

TEST(MovieLensFixtures, QuotedTitlesAndCrlf) {
  MovieLensFiles files(kMovies, "userId,movieId,rating,timestamp\n"
                                "1,1,4.0,0\n"
                                "1,2,3.5,3600\n"
                                "2,3,5,86400\n");
  data::CtrSplits splits = data::movielens_ctr(
      files.dir, data::MovieLensCtrOptions().fractions(1, 0, 0));
  ASSERT_EQ(splits.train.num_rows(), 3u);
  EXPECT_EQ(splits.valid.num_rows(), 0u);
  EXPECT_EQ(positives(splits.train), 2);
  const data::TabularDataset &train = splits.train;
  EXPECT_EQ(train.vocabulary("cate_id").value(2), "Drama");
  EXPECT_EQ(train.vocabulary("genres").size(), 7);
  EXPECT_EQ(train.sequence_lengths(), (std::vector<int64_t>{3}));
  // 1970-01-01 was a Thursday.
  std::vector<int64_t> ids =
      longs(splits.train.get_batch({0, 1, 2}).categorical);
  EXPECT_EQ(train.vocabulary("hour").value(ids[5 + 3]), "1");
  EXPECT_EQ(train.vocabulary("weekday").value(ids[0 + 4]), "Thu");
  EXPECT_EQ(train.vocabulary("weekday").value(ids[10 + 4]), "Fri");

  // Two users of two and three ratings: test only, valid and test.
  MovieLensFiles few(kMovies, "userId,movieId,rating,timestamp\n"
                              "5,1,1,10\n5,4,1,20\n"
                              "7,3,1,10\n7,1,1,20\n7,2,1,30\n");
  EXPECT_EQ(data::movielens_sequences(few.dir).train.num_rows(), 0u);
  EXPECT_EQ(data::movielens_sequences(few.dir).valid.num_rows(), 2u);
  EXPECT_EQ(data::movielens_sequences(few.dir).test.num_rows(), 4u);
}

TEST(MovieLensErrors, Files) {
  EXPECT_DLC_ERROR(data::movielens_ctr("/nonexistent"),
                   "movielens_ctr: cannot open /nonexistent/movies.csv: No "
                   "such file or directory");
  MovieLensFiles files(kMovies, "");
  EXPECT_DLC_ERROR(data::movielens_sequences(files.dir),
                   "movielens_sequences: " + files.dir +
                       "/ratings.csv: the file is empty: expected a header "
                       "line");
  EXPECT_DLC_ERROR(data::movielens_ctr(
                       files.dir, data::MovieLensCtrOptions().ratings_file("")),
                   "movielens_ctr: " + files.dir + "/ is a directory");
}

TEST(MovieLensErrors, Rows) {
  std::string header = "userId,movieId,rating,timestamp\n";
  MovieLensFiles noColumn(kMovies, "userId,movieId,score,timestamp\n");
  EXPECT_DLC_ERROR(data::movielens_ctr(noColumn.dir),
                   "/ratings.csv:1: no column is named \"rating\" (the header "
                   "is: userId, movieId, score, timestamp)");
  MovieLensFiles fields(kMovies, header + "1,1,4,5\n1,2,4\n");
  EXPECT_DLC_ERROR(data::movielens_ctr(fields.dir),
                   "movielens_ctr: " + fields.dir +
                       "/ratings.csv:3: expected 4 fields, got 3");
  MovieLensFiles integer(kMovies, header + "1,x,4,5\n");
  EXPECT_DLC_ERROR(data::movielens_ctr(integer.dir),
                   "/ratings.csv:2:3: column 1 (\"movieId\"): expected an "
                   "integer, got \"x\"");
  MovieLensFiles number(kMovies, header + "1,1,four,5\n");
  EXPECT_DLC_ERROR(data::movielens_sequences(number.dir),
                   "/ratings.csv:2:5: column 2 (\"rating\"): expected a "
                   "number, got \"four\"");
  MovieLensFiles unknown(kMovies, header + "1,1,4,5\n2,99,4,5\n");
  EXPECT_DLC_ERROR(data::movielens_ctr(unknown.dir),
                   "/ratings.csv:3:3: column 1 (\"movieId\"): movie 99 is not "
                   "in " +
                       unknown.dir + "/movies.csv");
  MovieLensFiles twice(kMovies, header + "1,2,4,50\n1,3,4,5\n1,2,3,40\n");
  EXPECT_DLC_ERROR(data::movielens_sequences(twice.dir),
                   "/ratings.csv:2: user 1 rated movie 2 twice (also on line "
                   "4)");
  MovieLensFiles every(kMovies, header + "1,1,4,1\n1,2,4,2\n1,3,4,3\n"
                                         "1,4,4,4\n");
  EXPECT_DLC_ERROR(data::movielens_sequences(every.dir),
                   "/ratings.csv: user 1 rated every movie (4): no negative "
                   "can be drawn");
}

TEST(MovieLensErrors, MoviesFile) {
  std::string ratings = "userId,movieId,rating,timestamp\n";
  MovieLensFiles duplicate("movieId,title,genres\n1,A,Drama\n1,B,Comedy\n",
                           ratings);
  EXPECT_DLC_ERROR(data::movielens_ctr(duplicate.dir),
                   "/movies.csv:3:1: column 0 (\"movieId\"): movie 1 appears "
                   "twice (first on line 2)");
  MovieLensFiles open("movieId,title,genres\n1,A,Drama\n2,\"B\n", ratings);
  EXPECT_DLC_ERROR(data::movielens_ctr(open.dir),
                   "/movies.csv:3:3: unterminated quoted field (its opening "
                   "quote is here)");
  MovieLensFiles after("movieId,title,genres\n1,\"A\"x,Drama\n", ratings);
  EXPECT_DLC_ERROR(data::movielens_ctr(after.dir),
                   "/movies.csv:2:6: unexpected 'x' after the closing quote "
                   "of a quoted field");
}

TEST(MovieLensErrors, Options) {
  EXPECT_DLC_ERROR(
      data::movielens_ctr("/nonexistent",
                          data::MovieLensCtrOptions().fractions(0.8, 0.3, 0.1)),
      "movielens_ctr: the fractions must be non-negative and sum to 1, got "
      "0.8, 0.3, 0.1");
  EXPECT_DLC_ERROR(
      data::movielens_ctr("/nonexistent",
                          data::MovieLensCtrOptions().fractions(1.2, -0.2, 0)),
      "must be non-negative and sum to 1, got 1.2, -0.2, 0");
  EXPECT_DLC_ERROR(
      data::movielens_ctr("/nonexistent",
                          data::MovieLensCtrOptions().min_count(-1)),
      "movielens_ctr: min_count must be non-negative, got -1");
  EXPECT_DLC_ERROR(
      data::movielens_sequences(
          "/nonexistent", data::MovieLensSequenceOptions().max_history(0)),
      "movielens_sequences: max_history must be positive, got 0");
  EXPECT_DLC_ERROR(
      data::movielens_sequences("/nonexistent",
                                data::MovieLensSequenceOptions().max_users(-2)),
      "movielens_sequences: max_users must be non-negative, got -2");
}

} // namespace
