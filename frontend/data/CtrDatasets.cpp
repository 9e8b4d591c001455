//===- CtrDatasets.cpp - Criteo and MovieLens loaders ---------------------===//
//
// criteo() is read_csv with the right options. The MovieLens files are small
// (2.4 MB of ratings): they are read whole and split into records by a
// small RFC 4180 scanner; every categorical value stays a dense integer key
// (user, movie, genre set, genre, hour, weekday) until the vocabularies are
// built, so no string is hashed per row. The sequence samples are written
// straight into TabularData's ragged id arrays, sized exactly beforehand.
//
//===----------------------------------------------------------------------===//

#include "frontend/data/CtrDatasets.h"

#include "frontend/data/CsvScanner.h"
#include "frontend/data/Random.h"

#include "runtime/Error.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <numeric>
#include <string_view>
#include <sys/stat.h>
#include <unordered_map>

namespace dlc::data {

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

std::string joinPath(const std::string &dir, const std::string &file) {
  if (dir.empty())
    return file;
  return (std::filesystem::path(dir) / file).string();
}

/// Throws a loader's errors: `<op>: <message> (<caller's file:line>)`.
struct Reporter {
  const char *op;
  Loc loc;

  [[noreturn]] void fail(const std::string &message) const {
    dlc::detail::throwError(op, message, loc);
  }
};

using detail::Generator;
using detail::splitMix64;

using detail::quoted;
using detail::trimmed;

//===----------------------------------------------------------------------===//
// Comma-separated records (RFC 4180 quoting, LF or CRLF, blank lines
// skipped, a UTF-8 byte-order mark skipped), with a header naming columns
//===----------------------------------------------------------------------===//

class Records {
public:
  /// Reads `path` (an error names it when it cannot be read).
  Records(std::string path, const Reporter &report)
      : path(std::move(path)), report(report),
        bytes(this->path, report.op, report.loc),
        scanner(bytes.text(), ',', '"') {}

  /// Reads the header and finds `wanted` in it: their indices, in order.
  std::vector<size_t> header(std::initializer_list<const char *> wanted) {
    if (!next())
      report.fail(path + ": the file is empty: expected a header line");
    for (size_t i = 0; i < fields.size(); ++i)
      names.emplace_back(fields[i].text());
    std::vector<size_t> indices;
    for (const char *name : wanted) {
      auto found = std::find(names.begin(), names.end(), name);
      if (found == names.end()) {
        std::string list;
        for (const std::string &column : names)
          list += (list.empty() ? "" : ", ") + column;
        fail("no column is named \"" + std::string(name) +
             "\" (the header is: " + list + ")");
      }
      indices.push_back(static_cast<size_t>(found - names.begin()));
    }
    return indices;
  }

  /// The next record, checked to have the header's number of fields; false
  /// at the end of the text.
  bool row() {
    if (!next())
      return false;
    if (fields.size() != names.size())
      fail("expected " + std::to_string(names.size()) + " fields, got " +
           std::to_string(fields.size()));
    return true;
  }

  std::string_view operator[](size_t i) const { return fields[i].text(); }
  /// The line the current record starts on.
  int64_t line() const { return scanner.record_line(); }
  const std::string &file() const { return path; }
  /// The file's size in bytes.
  size_t text_size() const { return bytes.text().size(); }

  /// Fails at the current record: `path:line: message`.
  [[noreturn]] void fail(const std::string &message) const {
    report.fail(path + ":" + std::to_string(scanner.record_line()) + ": " +
                message);
  }
  /// Fails at field `i`: `path:line:column: column i ("name"): message`.
  [[noreturn]] void failField(size_t i, const std::string &message) const {
    report.fail(path + ":" + std::to_string(fields[i].line) + ":" +
                std::to_string(fields[i].column) + ": column " +
                std::to_string(i) + " (\"" + names[i] + "\"): " + message);
  }

  /// Field `i` as an integer.
  int64_t integer(size_t i) const {
    std::string_view text = trimmed(fields[i].text());
    int64_t value = 0;
    auto [stop, error] =
        std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() ||
        stop != text.data() + text.size())
      failField(i, "expected an integer, got " + quoted(fields[i].text()));
    return value;
  }
  /// Field `i` as a number.
  double number(size_t i) const {
    std::string_view text = trimmed(fields[i].text());
    double value = 0;
    auto [stop, error] =
        std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() ||
        stop != text.data() + text.size() || std::isnan(value))
      failField(i, "expected a number, got " + quoted(fields[i].text()));
    return value;
  }

private:
  bool next() {
    return scanner.next(
        fields, [&](int64_t line, size_t column, const std::string &message) {
          report.fail(path + ":" + std::to_string(line) + ":" +
                      std::to_string(column) + ": " + message);
        });
  }

  std::string path;
  const Reporter &report;
  detail::FileBytes bytes;
  detail::Scanner scanner;
  std::vector<std::string> names;
  std::vector<detail::Field> fields;
};

//===----------------------------------------------------------------------===//
// The MovieLens files
//===----------------------------------------------------------------------===//

/// movies.csv: each movie's genre set and single genres, as keys.
struct Movies {
  std::string path;
  /// movieId -> the movie's number (its row).
  std::unordered_map<int64_t, uint32_t> number;
  std::vector<int64_t> ids;
  std::vector<int64_t> lines;
  /// The key of each movie's genre set ("Action|Crime"), and the sets.
  std::vector<uint32_t> cate;
  std::vector<std::string> cateNames;
  /// Movie m's single genres are genres[genreOffsets[m] .. [m + 1]).
  std::vector<uint32_t> genreOffsets{0};
  std::vector<uint32_t> genres;
  std::vector<std::string> genreNames;
};

Movies readMovies(const std::string &path, const Reporter &report) {
  Records records(path, report);
  std::vector<size_t> columns = records.header({"movieId", "genres"});
  Movies movies;
  movies.path = path;
  std::unordered_map<std::string, uint32_t> cates, genres;
  auto keyOf = [](std::unordered_map<std::string, uint32_t> &keys,
                  std::vector<std::string> &names, std::string_view value) {
    auto [it, added] = keys.try_emplace(std::string(value),
                                        static_cast<uint32_t>(names.size()));
    if (added)
      names.emplace_back(value);
    return it->second;
  };
  while (records.row()) {
    int64_t id = records.integer(columns[0]);
    auto [it, added] =
        movies.number.try_emplace(id, static_cast<uint32_t>(movies.ids.size()));
    if (!added)
      records.failField(columns[0],
                        "movie " + std::to_string(id) +
                            " appears twice (first on line " +
                            std::to_string(movies.lines[it->second]) + ")");
    movies.ids.push_back(id);
    movies.lines.push_back(records.line());
    std::string_view set = records[columns[1]];
    movies.cate.push_back(keyOf(cates, movies.cateNames, set));
    while (!set.empty()) {
      size_t bar = set.find('|');
      std::string_view genre = set.substr(0, bar);
      if (!genre.empty())
        movies.genres.push_back(keyOf(genres, movies.genreNames, genre));
      if (bar == std::string_view::npos)
        break;
      set.remove_prefix(bar + 1);
    }
    movies.genreOffsets.push_back(static_cast<uint32_t>(movies.genres.size()));
  }
  return movies;
}

/// ratings.csv, in the file's order; users as keys numbered by first
/// appearance.
struct Ratings {
  std::string path;
  std::vector<uint32_t> user;
  std::vector<uint32_t> movie;
  std::vector<double> rating;
  std::vector<int64_t> timestamp;
  std::vector<int64_t> lines;
  /// The userId of each user key.
  std::vector<int64_t> userIds;

  size_t size() const { return movie.size(); }
};

Ratings readRatings(const std::string &path, const Movies &movies,
                    const Reporter &report) {
  Records records(path, report);
  std::vector<size_t> columns =
      records.header({"userId", "movieId", "rating", "timestamp"});
  Ratings ratings;
  ratings.path = path;
  // ml-latest-small's lines are about 24 bytes.
  size_t guess = records.text_size() / 20 + 16;
  ratings.user.reserve(guess);
  ratings.movie.reserve(guess);
  ratings.rating.reserve(guess);
  ratings.timestamp.reserve(guess);
  ratings.lines.reserve(guess);
  std::unordered_map<int64_t, uint32_t> users;
  while (records.row()) {
    int64_t userId = records.integer(columns[0]);
    int64_t movieId = records.integer(columns[1]);
    auto movie = movies.number.find(movieId);
    if (movie == movies.number.end())
      records.failField(columns[1], "movie " + std::to_string(movieId) +
                                        " is not in " + movies.path);
    auto [user, added] = users.try_emplace(
        userId, static_cast<uint32_t>(ratings.userIds.size()));
    if (added)
      ratings.userIds.push_back(userId);
    ratings.user.push_back(user->second);
    ratings.movie.push_back(movie->second);
    ratings.rating.push_back(records.number(columns[2]));
    ratings.timestamp.push_back(records.integer(columns[3]));
    ratings.lines.push_back(records.line());
  }
  return ratings;
}

//===----------------------------------------------------------------------===//
// Vocabularies over integer keys
//===----------------------------------------------------------------------===//

/// A vocabulary of keys 0 .. counts.size() - 1 and each key's id.
struct Fitted {
  std::shared_ptr<Vocabulary> vocabulary;
  std::vector<int64_t> ids;
};

/// Ids 1, 2, ... by descending count, ties by `before`; keys counted fewer
/// than minCount times (or never) map to the OOV id.
template <typename Before, typename Name>
Fitted fitKeys(const std::vector<int64_t> &counts, int64_t minCount,
               std::vector<std::string> columns, Before before, Name name) {
  std::vector<uint32_t> order;
  for (size_t key = 0; key < counts.size(); ++key)
    if (counts[key] > 0)
      order.push_back(static_cast<uint32_t>(key));
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return counts[a] != counts[b] ? counts[a] > counts[b] : before(a, b);
  });
  Fitted fitted{std::make_shared<Vocabulary>(),
                std::vector<int64_t>(counts.size(), Vocabulary::kOovId)};
  fitted.vocabulary->set_columns(std::move(columns));
  fitted.vocabulary->set_min_count(minCount);
  int64_t rare = 0;
  for (uint32_t key : order) {
    if (counts[key] < minCount) {
      rare += counts[key];
      continue;
    }
    fitted.ids[key] = fitted.vocabulary->add(name(key), counts[key]);
  }
  fitted.vocabulary->set_oov_count(rare);
  return fitted;
}

/// A part's TabularData with its columns named, its id lists of length
/// `length` started.
std::shared_ptr<detail::TabularData>
startPart(const std::string &source, std::vector<std::string> categorical,
          std::vector<std::string> sequences, int64_t length) {
  auto data = std::make_shared<detail::TabularData>();
  data->source = source;
  data->labelName = "label";
  data->columnNames.push_back("label");
  data->columnNames.insert(data->columnNames.end(), categorical.begin(),
                           categorical.end());
  data->columnNames.insert(data->columnNames.end(), sequences.begin(),
                           sequences.end());
  data->categoricalNames = std::move(categorical);
  data->sequenceNames = std::move(sequences);
  data->sequences.resize(data->sequenceNames.size());
  for (detail::TabularSequence &sequence : data->sequences) {
    sequence.offsets.push_back(0);
    sequence.length = length;
  }
  return data;
}

const char *const kPartNames[] = {"train", "valid", "test"};

/// The weekday of a day since 1970-01-01 (a Thursday), Monday first.
const char *const kWeekdays[] = {"Mon", "Tue", "Wed", "Thu",
                                 "Fri", "Sat", "Sun"};

/// `0.8`, as %g writes it.
std::string shortDouble(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

int64_t floorMod(int64_t value, int64_t divisor) {
  int64_t rest = value % divisor;
  return rest < 0 ? rest + divisor : rest;
}

} // namespace

//===----------------------------------------------------------------------===//
// criteo
//===----------------------------------------------------------------------===//

CtrSplits criteo(const std::string &dir, const CriteoOptions &options,
                 Loc loc) {
  std::vector<std::string> names{"label"};
  std::vector<Column> dense, categorical;
  for (int i = 1; i <= 13; ++i) {
    names.push_back("I" + std::to_string(i));
    dense.emplace_back(names.back());
  }
  for (int i = 1; i <= 26; ++i) {
    names.push_back("C" + std::to_string(i));
    categorical.emplace_back(names.back());
  }
  // The hashes never hold quotes: a stray one is data, not quoting.
  CsvOptions csv = CsvOptions()
                       .delimiter('\t')
                       .quote('\0')
                       .header(false)
                       .column_names(names)
                       .label_column("label")
                       .dense_columns(dense)
                       .categorical_columns(categorical)
                       .min_count(options.min_count())
                       .dense_transform(options.dense_transform());
  try {
    TabularDataset train =
        read_csv(joinPath(dir, options.train_file()), csv, loc);
    TabularDataset valid = read_csv(joinPath(dir, options.valid_file()), csv,
                                    train.vocabularies(), loc);
    TabularDataset test = read_csv(joinPath(dir, options.test_file()), csv,
                                   train.vocabularies(), loc);
    return CtrSplits{std::move(train), std::move(valid), std::move(test)};
  } catch (const Error &error) {
    throw Error(std::string("criteo: ") + error.what());
  }
}

//===----------------------------------------------------------------------===//
// movielens_ctr
//===----------------------------------------------------------------------===//

CtrSplits movielens_ctr(const std::string &dir,
                        const MovieLensCtrOptions &options, Loc loc) {
  Reporter report{"movielens_ctr", loc};
  const std::array<double, 3> &fractions = options.fractions();
  double sum = fractions[0] + fractions[1] + fractions[2];
  if (!(fractions[0] >= 0 && fractions[1] >= 0 && fractions[2] >= 0) ||
      !(std::fabs(sum - 1) <= 1e-6)) {
    std::string list;
    for (double fraction : fractions)
      list += (list.empty() ? "" : ", ") + shortDouble(fraction);
    report.fail("the fractions must be non-negative and sum to 1, got " + list);
  }
  if (options.min_count() < 0)
    report.fail("min_count must be non-negative, got " +
                std::to_string(options.min_count()));

  Movies movies = readMovies(joinPath(dir, options.movies_file()), report);
  Ratings ratings =
      readRatings(joinPath(dir, options.ratings_file()), movies, report);
  const size_t rows = ratings.size();

  // The split: a seeded Fisher-Yates shuffle, cut by the fractions; each
  // part in the file's order.
  std::vector<uint32_t> order(rows);
  std::iota(order.begin(), order.end(), 0u);
  Generator generator(options.seed());
  for (size_t i = rows; i > 1; --i)
    std::swap(order[i - 1], order[generator.below(i)]);
  size_t trainRows = std::min(
      rows, static_cast<size_t>(std::llround(double(rows) * fractions[0])));
  size_t validRows =
      std::min(rows - trainRows,
               static_cast<size_t>(std::llround(double(rows) * fractions[1])));
  std::array<std::vector<uint32_t>, 3> parts;
  parts[0].assign(order.begin(), order.begin() + trainRows);
  parts[1].assign(order.begin() + trainRows,
                  order.begin() + trainRows + validRows);
  parts[2].assign(order.begin() + trainRows + validRows, order.end());
  for (std::vector<uint32_t> &part : parts)
    std::sort(part.begin(), part.end());

  // The categorical columns' keys of a row.
  constexpr size_t kColumns = 5;
  const std::array<size_t, kColumns> keyCounts = {
      ratings.userIds.size(), movies.ids.size(), movies.cateNames.size(), 24,
      7};
  auto keyOf = [&](uint32_t r, size_t column) -> uint32_t {
    int64_t timestamp = ratings.timestamp[r];
    switch (column) {
    case 0:
      return ratings.user[r];
    case 1:
      return ratings.movie[r];
    case 2:
      return movies.cate[ratings.movie[r]];
    case 3:
      return static_cast<uint32_t>(floorMod(timestamp, 86400) / 3600);
    default:
      return static_cast<uint32_t>(
          floorMod((timestamp - floorMod(timestamp, 86400)) / 86400 + 3, 7));
    }
  };

  // Vocabularies fitted on train: counts, ties by first appearance.
  const std::vector<std::string> categoricalNames = {
      "user_id", "item_id", "cate_id", "hour", "weekday"};
  std::array<std::vector<int64_t>, kColumns + 1> counts, first;
  for (size_t c = 0; c < kColumns; ++c) {
    counts[c].assign(keyCounts[c], 0);
    first[c].assign(keyCounts[c], 0);
  }
  counts[kColumns].assign(movies.genreNames.size(), 0);
  first[kColumns].assign(movies.genreNames.size(), 0);
  int64_t position = 0;
  auto see = [&](size_t c, uint32_t key) {
    if (counts[c][key]++ == 0)
      first[c][key] = position++;
  };
  for (uint32_t r : parts[0]) {
    for (size_t c = 0; c < kColumns; ++c)
      see(c, keyOf(r, c));
    uint32_t m = ratings.movie[r];
    for (uint32_t g = movies.genreOffsets[m]; g < movies.genreOffsets[m + 1];
         ++g)
      see(kColumns, movies.genres[g]);
  }
  auto nameOf = [&](size_t c, uint32_t key) -> std::string {
    switch (c) {
    case 0:
      return std::to_string(ratings.userIds[key]);
    case 1:
      return std::to_string(movies.ids[key]);
    case 2:
      return movies.cateNames[key];
    case 3:
      return std::to_string(key);
    case 4:
      return kWeekdays[key];
    default:
      return movies.genreNames[key];
    }
  };
  std::array<Fitted, kColumns + 1> fitted;
  for (size_t c = 0; c <= kColumns; ++c)
    fitted[c] = fitKeys(
        counts[c], options.min_count(),
        {c < kColumns ? categoricalNames[c] : std::string("genres")},
        [&](uint32_t a, uint32_t b) { return first[c][a] < first[c][b]; },
        [&](uint32_t key) { return nameOf(c, key); });

  // Every part pads genres to the most any rated movie has.
  int64_t longest = 0;
  for (uint32_t m : ratings.movie)
    longest = std::max<int64_t>(longest, movies.genreOffsets[m + 1] -
                                             movies.genreOffsets[m]);

  std::array<std::shared_ptr<detail::TabularData>, 3> data;
  for (size_t p = 0; p < 3; ++p) {
    data[p] = startPart(ratings.path + " (" + kPartNames[p] + ")",
                        categoricalNames, {"genres"}, longest);
    detail::TabularData &d = *data[p];
    const std::vector<uint32_t> &part = parts[p];
    d.rows = part.size();
    d.labels.reserve(part.size());
    d.categorical.reserve(part.size() * kColumns);
    detail::TabularSequence &genres = d.sequences[0];
    genres.offsets.reserve(part.size() + 1);
    for (uint32_t r : part) {
      d.labels.push_back(ratings.rating[r] >= options.threshold() ? 1.0f
                                                                  : 0.0f);
      for (size_t c = 0; c < kColumns; ++c)
        d.categorical.push_back(fitted[c].ids[keyOf(r, c)]);
      uint32_t m = ratings.movie[r];
      for (uint32_t g = movies.genreOffsets[m]; g < movies.genreOffsets[m + 1];
           ++g)
        genres.ids.push_back(fitted[kColumns].ids[movies.genres[g]]);
      genres.offsets.push_back(genres.ids.size());
    }
    for (size_t c = 0; c <= kColumns; ++c)
      d.vocabularies[c < kColumns ? categoricalNames[c] : "genres"] =
          fitted[c].vocabulary;
  }
  return CtrSplits{TabularDataset(data[0]), TabularDataset(data[1]),
                   TabularDataset(data[2])};
}

//===----------------------------------------------------------------------===//
// movielens_sequences
//===----------------------------------------------------------------------===//

CtrSplits movielens_sequences(const std::string &dir,
                              const MovieLensSequenceOptions &options,
                              Loc loc) {
  Reporter report{"movielens_sequences", loc};
  if (options.max_history() < 1)
    report.fail("max_history must be positive, got " +
                std::to_string(options.max_history()));
  if (options.max_users() < 0)
    report.fail("max_users must be non-negative, got " +
                std::to_string(options.max_users()));
  const size_t maxHistory = static_cast<size_t>(options.max_history());
  const bool negativeHistory = options.negative_history();

  Movies movies = readMovies(joinPath(dir, options.movies_file()), report);
  Ratings ratings =
      readRatings(joinPath(dir, options.ratings_file()), movies, report);
  const size_t rows = ratings.size();

  // Vocabularies over every rating, whatever the split and max_users.
  std::vector<int64_t> userCounts(ratings.userIds.size(), 0),
      itemCounts(movies.ids.size(), 0), cateCounts(movies.cateNames.size(), 0);
  for (size_t r = 0; r < rows; ++r) {
    ++userCounts[ratings.user[r]];
    ++itemCounts[ratings.movie[r]];
    ++cateCounts[movies.cate[ratings.movie[r]]];
  }
  std::vector<std::string> itemColumns = {"item_id", "hist_item_id"};
  std::vector<std::string> cateColumns = {"cate_id", "hist_cate_id"};
  if (negativeHistory) {
    itemColumns.push_back("neg_hist_item_id");
    cateColumns.push_back("neg_hist_cate_id");
  }
  Fitted users = fitKeys(
      userCounts, 1, {"user_id"},
      [&](uint32_t a, uint32_t b) {
        return ratings.userIds[a] < ratings.userIds[b];
      },
      [&](uint32_t key) { return std::to_string(ratings.userIds[key]); });
  Fitted items = fitKeys(
      itemCounts, 1, itemColumns,
      [&](uint32_t a, uint32_t b) { return movies.ids[a] < movies.ids[b]; },
      [&](uint32_t key) { return std::to_string(movies.ids[key]); });
  Fitted cates = fitKeys(
      cateCounts, 1, cateColumns,
      [&](uint32_t a, uint32_t b) {
        return movies.cateNames[a] < movies.cateNames[b];
      },
      [&](uint32_t key) { return movies.cateNames[key]; });
  // The category id of each item id.
  const int64_t pool = items.vocabulary->size() - 1;
  std::vector<int64_t> itemCate(static_cast<size_t>(pool) + 1, 0);
  for (size_t m = 0; m < movies.ids.size(); ++m)
    if (items.ids[m] != Vocabulary::kOovId)
      itemCate[static_cast<size_t>(items.ids[m])] = cates.ids[movies.cate[m]];

  // Each user's ratings, by (timestamp, movieId); users by userId.
  std::vector<uint32_t> order(rows);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    int64_t ua = ratings.userIds[ratings.user[a]];
    int64_t ub = ratings.userIds[ratings.user[b]];
    if (ua != ub)
      return ua < ub;
    if (ratings.timestamp[a] != ratings.timestamp[b])
      return ratings.timestamp[a] < ratings.timestamp[b];
    return movies.ids[ratings.movie[a]] < movies.ids[ratings.movie[b]];
  });
  // Users' ranges in `order`: [starts[u], starts[u + 1]).
  std::vector<size_t> starts;
  for (size_t i = 0; i < rows; ++i)
    if (i == 0 || ratings.user[order[i]] != ratings.user[order[i - 1]])
      starts.push_back(i);
  size_t userCount = starts.size();
  starts.push_back(rows);
  if (options.max_users() > 0)
    userCount = std::min(userCount, static_cast<size_t>(options.max_users()));

  // Target t (1 .. n - 1) of a user with n ratings: train below n - 2,
  // valid at n - 2, test at n - 1.
  auto partOf = [](size_t t, size_t n) -> size_t {
    return t + 1 == n ? 2 : t + 2 == n ? 1 : 0;
  };
  // Sizes first, so that every array is allocated once.
  std::array<size_t, 3> partRows = {0, 0, 0}, partIds = {0, 0, 0};
  for (size_t u = 0; u < userCount; ++u) {
    size_t n = starts[u + 1] - starts[u];
    for (size_t t = 1; t < n; ++t) {
      partRows[partOf(t, n)] += 2;
      partIds[partOf(t, n)] += 2 * std::min(t, maxHistory);
    }
  }
  std::vector<std::string> sequenceNames = {"hist_item_id", "hist_cate_id"};
  if (negativeHistory) {
    sequenceNames.push_back("neg_hist_item_id");
    sequenceNames.push_back("neg_hist_cate_id");
  }
  std::array<std::shared_ptr<detail::TabularData>, 3> data;
  for (size_t p = 0; p < 3; ++p) {
    data[p] = startPart(ratings.path + " (" + kPartNames[p] + ")",
                        {"user_id", "item_id", "cate_id"}, sequenceNames,
                        options.max_history());
    detail::TabularData &d = *data[p];
    d.labels.reserve(partRows[p]);
    d.categorical.reserve(partRows[p] * 3);
    for (detail::TabularSequence &sequence : d.sequences) {
      sequence.offsets.reserve(partRows[p] + 1);
      sequence.ids.reserve(partIds[p]);
    }
    d.vocabularies["user_id"] = users.vocabulary;
    for (const std::string &column : itemColumns)
      d.vocabularies[column] = items.vocabulary;
    for (const std::string &column : cateColumns)
      d.vocabularies[column] = cates.vocabulary;
  }

  // Separate streams: turning negative_history on keeps the targets'
  // negatives.
  Generator targetNegatives(options.seed());
  Generator historyNegatives(options.seed() ^ 0xd1b54a32d192ed03ull);
  // The line each item id was rated on by the current user (0: not rated).
  std::vector<int64_t> ratedOn(static_cast<size_t>(pool) + 1, 0);
  std::vector<int64_t> sequence, negatives;
  for (size_t u = 0; u < userCount; ++u) {
    const size_t n = starts[u + 1] - starts[u];
    const uint32_t userKey = ratings.user[order[starts[u]]];
    const int64_t userId = ratings.userIds[userKey];
    sequence.clear();
    for (size_t i = starts[u]; i < starts[u + 1]; ++i) {
      uint32_t r = order[i];
      int64_t item = items.ids[ratings.movie[r]];
      if (ratedOn[static_cast<size_t>(item)] != 0)
        report.fail(ratings.path + ":" + std::to_string(ratings.lines[r]) +
                    ": user " + std::to_string(userId) + " rated movie " +
                    std::to_string(movies.ids[ratings.movie[r]]) +
                    " twice (also on line " +
                    std::to_string(ratedOn[static_cast<size_t>(item)]) + ")");
      ratedOn[static_cast<size_t>(item)] = ratings.lines[r];
      sequence.push_back(item);
    }
    if (n >= 2 && static_cast<int64_t>(n) >= pool)
      report.fail(ratings.path + ": user " + std::to_string(userId) +
                  " rated every movie (" + std::to_string(pool) +
                  "): no negative can be drawn");
    auto unrated = [&](Generator &generator) {
      while (true) {
        int64_t item = 1 + static_cast<int64_t>(
                               generator.below(static_cast<uint64_t>(pool)));
        if (ratedOn[static_cast<size_t>(item)] == 0)
          return item;
      }
    };
    negatives.clear();
    if (negativeHistory)
      for (size_t t = 0; t + 1 < n; ++t)
        negatives.push_back(unrated(historyNegatives));

    const int64_t user = users.ids[userKey];
    for (size_t t = 1; t < n; ++t) {
      detail::TabularData &d = *data[partOf(t, n)];
      const size_t from = t - std::min(t, maxHistory);
      const int64_t negative = unrated(targetNegatives);
      for (bool positive : {true, false}) {
        const int64_t target = positive ? sequence[t] : negative;
        d.labels.push_back(positive ? 1.0f : 0.0f);
        d.categorical.push_back(user);
        d.categorical.push_back(target);
        d.categorical.push_back(itemCate[static_cast<size_t>(target)]);
        std::vector<detail::TabularSequence> &lists = d.sequences;
        for (size_t i = from; i < t; ++i) {
          lists[0].ids.push_back(sequence[i]);
          lists[1].ids.push_back(itemCate[static_cast<size_t>(sequence[i])]);
        }
        if (negativeHistory)
          for (size_t i = from; i < t; ++i) {
            lists[2].ids.push_back(negatives[i]);
            lists[3].ids.push_back(itemCate[static_cast<size_t>(negatives[i])]);
          }
        for (detail::TabularSequence &list : lists)
          list.offsets.push_back(list.ids.size());
        ++d.rows;
      }
    }
    for (int64_t item : sequence)
      ratedOn[static_cast<size_t>(item)] = 0;
  }
  return CtrSplits{TabularDataset(data[0]), TabularDataset(data[1]),
                   TabularDataset(data[2])};
}

} // namespace dlc::data
