//===- CsvTest.cpp - read_csv, TabularDataset and Vocabulary --------------===//
//
// The Criteo and MovieLens samples are the real data (counts from
// /work/shared/data/README.md); small inline texts cover the format's
// corners and every error message, with its line.
//
//===----------------------------------------------------------------------===//

#include "DataTestUtil.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

using namespace dlc;
using namespace dlc::test;

namespace {

data::CsvOptions criteoTsv() {
  return data::CsvOptions()
      .delimiter('\t')
      .header(false)
      .label_column(0)
      .dense_columns(data::column_range(1, 14))
      .categorical_columns(data::column_range(14, 40));
}

data::CsvOptions criteoCsvByName(const std::string &label) {
  std::vector<data::Column> dense, categorical;
  for (int i = 1; i <= 13; ++i)
    dense.emplace_back("I" + std::to_string(i));
  for (int i = 1; i <= 26; ++i)
    categorical.emplace_back("C" + std::to_string(i));
  return data::CsvOptions()
      .label_column(label)
      .dense_columns(dense)
      .categorical_columns(categorical);
}

std::vector<size_t> allRows(const data::TabularDataset &dataset) {
  std::vector<size_t> rows(dataset.num_rows());
  std::iota(rows.begin(), rows.end(), size_t(0));
  return rows;
}

double positives(data::TabularDataset &dataset) {
  return dataset.get_batch(allRows(dataset)).target.sum().item<double>();
}

/// The fields of each line of a TAB-separated file, split naively.
std::vector<std::vector<std::string>> splitLines(const std::string &path) {
  std::ifstream file(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(file, line)) {
    std::vector<std::string> fields;
    std::stringstream stream(line);
    std::string field;
    while (std::getline(stream, field, '\t'))
      fields.push_back(field);
    if (!line.empty() && line.back() == '\t')
      fields.push_back("");
    rows.push_back(fields);
  }
  return rows;
}

//===----------------------------------------------------------------------===//
// Criteo
//===----------------------------------------------------------------------===//

TEST(ReadCsv, CriteoTrainTsv) {
  DLC_DATA_FILE(path, "criteo-kaggle-sample/head8k.train.tsv");
  auto start = std::chrono::steady_clock::now();
  data::TabularDataset train = data::read_csv(path, criteoTsv());
  double ms = std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - start)
                  .count();
  std::cout << "[   INFO   ] read " << path << " (7,200 rows) in " << ms
            << " ms\n";

  EXPECT_EQ(train.num_rows(), 7200u);
  EXPECT_EQ(train.size(), std::optional<size_t>(7200));
  EXPECT_EQ(positives(train), 1549);
  EXPECT_EQ(train.column_names().size(), 40u);
  EXPECT_EQ(train.column_names()[13], "13");
  EXPECT_EQ(train.label_name(), std::optional<std::string>("0"));
  EXPECT_EQ(train.dense_names().size(), 13u);
  EXPECT_EQ(train.categorical_names().size(), 26u);
  // Distinct values (the empty value included) plus the OOV id.
  EXPECT_EQ(
      train.vocab_sizes(),
      (std::vector<int64_t>{148,  361,  4138, 3102, 52, 9,    2646, 77,  4,
                            2411, 1806, 3970, 1516, 23, 1752, 3578, 10,  1013,
                            458,  5,    3793, 9,    13, 2009, 39,   1527}));
  EXPECT_EQ(train.packed_width(), 39);

  // The first line: 0 1 1 5 0 1382 4 15 2 181 1 2 <empty> 2 68fd1e64 ...
  data::TabularBatch first = train.get_batch({0, 1});
  expectTensor(first.target, {2}, kFloat, {0, 0});
  ASSERT_EQ(first.dense.sizes().vec(), (std::vector<int64_t>{2, 13}));
  std::vector<double> dense = doubles(first.dense);
  EXPECT_EQ(std::vector<double>(dense.begin(), dense.begin() + 13),
            (std::vector<double>{1, 1, 5, 0, 1382, 4, 15, 2, 181, 1, 2, 0, 2}));
  EXPECT_EQ(first.categorical.scalar_type(), kLong);
  ASSERT_EQ(first.categorical.sizes().vec(), (std::vector<int64_t>{2, 26}));
  const data::Vocabulary &c1 = train.vocabulary("14");
  EXPECT_EQ(longs(first.categorical)[0], c1.id("68fd1e64"));
  // Ids by descending count: 05db9164 (3,605 times) first, 68fd1e64 second.
  EXPECT_EQ(c1.id("05db9164"), 1);
  EXPECT_EQ(c1.count(1), 3605);
  EXPECT_EQ(c1.id("68fd1e64"), 2);
  EXPECT_EQ(c1.value(2), "68fd1e64");
  EXPECT_EQ(c1.columns(), (std::vector<std::string>{"14"}));

  // `data` packs the dense values and the ids.
  ASSERT_EQ(first.data.sizes().vec(), (std::vector<int64_t>{2, 39}));
  std::vector<double> packed = doubles(first.data);
  std::vector<int64_t> ids = longs(first.categorical);
  for (int r = 0; r < 2; ++r) {
    for (int k = 0; k < 13; ++k)
      EXPECT_EQ(packed[r * 39 + k], dense[r * 13 + k]);
    for (int k = 0; k < 26; ++k)
      EXPECT_EQ(packed[r * 39 + 13 + k], static_cast<double>(ids[r * 26 + k]));
  }
  EXPECT_TRUE(first.sequences.empty());
}

TEST(ReadCsv, CriteoLog1pClipsNegatives) {
  DLC_DATA_FILE(path, "criteo-kaggle-sample/head8k.train.tsv");
  data::TabularDataset raw = data::read_csv(path, criteoTsv());
  data::TabularDataset logged = data::read_csv(
      path, criteoTsv().dense_transform(data::DenseTransform::Log1p));
  std::vector<double> before = doubles(raw.get_batch(allRows(raw)).dense);
  std::vector<double> after = doubles(logged.get_batch(allRows(raw)).dense);
  int negatives = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    negatives += before[i] < 0;
    EXPECT_NEAR(after[i], std::log1p(std::max(before[i], 0.0)), 1e-5);
  }
  EXPECT_EQ(negatives, 719);
}

TEST(ReadCsv, TrainVocabularyAppliedToDev) {
  DLC_DATA_FILE(trainPath, "criteo-kaggle-sample/head8k.train.tsv");
  DLC_DATA_FILE(devPath, "criteo-kaggle-sample/head8k.dev.tsv");
  data::TabularDataset train = data::read_csv(trainPath, criteoTsv());
  data::TabularDataset dev =
      data::read_csv(devPath, criteoTsv(), train.vocabularies());
  EXPECT_EQ(dev.num_rows(), 409u);
  EXPECT_EQ(positives(dev), 93);
  EXPECT_EQ(dev.vocab_sizes(), train.vocab_sizes());

  // Every id is the train vocabulary's; values train never saw are 0.
  std::vector<std::vector<std::string>> lines = splitLines(devPath);
  ASSERT_EQ(lines.size(), 409u);
  std::vector<int64_t> ids = longs(dev.get_batch(allRows(dev)).categorical);
  int oov = 0;
  for (size_t r = 0; r < lines.size(); ++r) {
    ASSERT_EQ(lines[r].size(), 40u);
    for (size_t k = 0; k < 26; ++k) {
      const data::Vocabulary &vocabulary =
          train.vocabulary(std::to_string(14 + k));
      int64_t id = ids[r * 26 + k];
      EXPECT_EQ(id, vocabulary.id(lines[r][14 + k]));
      EXPECT_EQ(id == 0, !vocabulary.contains(lines[r][14 + k]));
      oov += id == 0;
    }
  }
  EXPECT_EQ(oov, 1385);

  // A vocabulary saved and loaded maps the same way.
  TempFile file("", "vocabularies.txt");
  data::save_vocabularies(train.vocabularies(), file.path);
  data::Vocabularies loaded = data::load_vocabularies(file.path);
  ASSERT_EQ(loaded.size(), 26u);
  EXPECT_EQ(loaded.at("20")->size(), train.vocabulary("20").size());
  data::TabularDataset again = data::read_csv(devPath, criteoTsv(), loaded);
  EXPECT_EQ(longs(again.get_batch(allRows(again)).categorical), ids);
}

TEST(ReadCsv, MinCount) {
  DLC_DATA_FILE(path, "criteo-kaggle-sample/head8k.train.tsv");
  data::TabularDataset all = data::read_csv(path, criteoTsv());
  data::TabularDataset frequent =
      data::read_csv(path, criteoTsv().min_count(5));
  EXPECT_EQ(frequent.vocab_sizes(),
            (std::vector<int64_t>{46,  176, 112, 160, 20, 8,   315, 28, 3,
                                  194, 362, 122, 363, 16, 331, 145, 10, 264,
                                  61,  5,   131, 7,   13, 148, 29,  113}));
  const data::Vocabulary &full = all.vocabulary("16");
  const data::Vocabulary &kept = frequent.vocabulary("16");
  EXPECT_EQ(kept.min_count(), 5);
  int64_t rare = 0;
  for (int64_t id = 1; id < full.size(); ++id) {
    std::string_view value = full.value(id);
    EXPECT_EQ(kept.contains(value), full.count(id) >= 5) << value;
    if (full.count(id) < 5)
      rare += full.count(id);
  }
  EXPECT_EQ(kept.count(data::Vocabulary::kOovId), rare);
  for (int64_t id = 2; id < kept.size(); ++id)
    EXPECT_GE(kept.count(id - 1), kept.count(id));
  // Rows of rare values hold the OOV id.
  std::vector<int64_t> ids =
      longs(frequent.get_batch(allRows(frequent)).categorical);
  int64_t zeros = 0;
  for (size_t r = 0; r < frequent.num_rows(); ++r)
    zeros += ids[r * 26 + 2] == 0;
  EXPECT_EQ(zeros, rare);
}

TEST(ReadCsv, CriteoCsvWithHeaders) {
  DLC_DATA_FILE(trainPath, "criteo-kaggle-sample/spread.train.csv");
  DLC_DATA_FILE(validPath, "criteo-kaggle-sample/spread.valid.csv");
  DLC_DATA_FILE(deepctrPath, "criteo-kaggle-sample/deepctr_criteo_sample.txt");
  data::TabularDataset train =
      data::read_csv(trainPath, criteoCsvByName("Label"));
  EXPECT_EQ(train.num_rows(), 403u);
  EXPECT_EQ(positives(train), 99);
  EXPECT_EQ(train.column_names().size(), 41u);
  EXPECT_EQ(train.column_names()[0], "Id");
  EXPECT_EQ(train.label_name(), std::optional<std::string>("Label"));
  EXPECT_EQ(train.categorical_names()[25], "C26");

  data::TabularDataset valid =
      data::read_csv(validPath, criteoCsvByName("Label"), train.vocabularies());
  EXPECT_EQ(valid.num_rows(), 58u);
  EXPECT_EQ(positives(valid), 14);

  // Integers written as floats: "260.0", "17668.0".
  data::TabularDataset deepctr =
      data::read_csv(deepctrPath, criteoCsvByName("label"));
  EXPECT_EQ(deepctr.num_rows(), 200u);
  EXPECT_EQ(positives(deepctr), 49);
  std::vector<double> dense = doubles(deepctr.get_batch({0}).dense);
  EXPECT_EQ(std::vector<double>(dense.begin(), dense.begin() + 5),
            (std::vector<double>{0, 3, 260, 0, 17668}));
}

TEST(ReadCsv, ThroughALoaderWithWorkers) {
  DLC_DATA_FILE(path, "criteo-kaggle-sample/head8k.train.tsv");
  data::TabularDataset train = data::read_csv(path, criteoTsv());
  auto loader = data::make_data_loader(
      train, data::samplers::RandomSampler(7200, uint64_t(3)),
      data::DataLoaderOptions().batch_size(1000).workers(2).drop_last(true));
  dlc::sync();
  dlc::reset_stats();
  double labels = 0;
  int batches = 0;
  for (data::TabularBatch &batch : *loader) {
    ++batches;
    EXPECT_EQ(batch.data.sizes().vec(), (std::vector<int64_t>{1000, 39}));
    EXPECT_EQ(batch.target.sizes().vec(), (std::vector<int64_t>{1000}));
    for (double v : doubles(batch.target))
      labels += v;
    (void)batch.categorical.data_ptr<int64_t>();
  }
  EXPECT_EQ(batches, 7);
  EXPECT_LE(labels, 1549);
  EXPECT_EQ(dlc::stats().executions, 0); // every batch arrived realized
}

//===----------------------------------------------------------------------===//
// MovieLens: id lists and shared vocabularies
//===----------------------------------------------------------------------===//

TEST(ReadCsv, MovieLensGenresAsIdLists) {
  DLC_DATA_FILE(path, "movielens-latest-small-seq/ctr.tsv");
  auto options = data::CsvOptions()
                     .delimiter('\t')
                     .header(false)
                     .column_names({"label", "user_id", "item_id", "cate_id",
                                    "genre_ids", "timestamp", "rating"})
                     .label_column("label")
                     .categorical_columns({"user_id", "item_id", "cate_id"})
                     .sequence_columns({"genre_ids"});
  auto start = std::chrono::steady_clock::now();
  data::TabularDataset ctr = data::read_csv(path, options);
  std::cout << "[   INFO   ] read " << path << " (100,836 rows) in "
            << std::chrono::duration<double, std::milli>(
                   std::chrono::steady_clock::now() - start)
                   .count()
            << " ms\n";
  EXPECT_EQ(ctr.num_rows(), 100836u);
  EXPECT_EQ(positives(ctr), 48580);
  EXPECT_EQ(ctr.vocab_sizes()[0], 611);  // 610 users
  EXPECT_EQ(ctr.vocab_sizes()[1], 9725); // 9,724 movies
  EXPECT_EQ(ctr.sequence_lengths(), (std::vector<int64_t>{10}));
  EXPECT_EQ(ctr.sequence_vocab_sizes(), (std::vector<int64_t>{21}));
  EXPECT_EQ(ctr.packed_width(), 3 + 10);

  // The first row's genres: "3 4 5 6 10", padded with 0 to 10.
  data::TabularBatch batch = ctr.get_batch({0});
  ASSERT_EQ(batch.sequences.size(), 1u);
  const data::Vocabulary &genres = ctr.vocabulary("genre_ids");
  std::vector<int64_t> expected;
  for (const char *genre : {"3", "4", "5", "6", "10"})
    expected.push_back(genres.id(genre));
  expected.resize(10, 0);
  expectTensor(batch.sequences[0], {1, 10}, kLong,
               std::vector<double>(expected.begin(), expected.end()));
  expectTensor(batch.sequence_lengths[0], {1}, kLong, {5});
  std::vector<double> packed = doubles(batch.data);
  for (int k = 0; k < 10; ++k)
    EXPECT_EQ(packed[3 + k], static_cast<double>(expected[k]));
}

TEST(ReadCsv, MovieLensDinHistoriesShareTheItemVocabulary) {
  DLC_DATA_FILE(path, "movielens-latest-small-seq/test.tsv");
  auto options = data::CsvOptions()
                     .delimiter('\t')
                     .header(false)
                     .label_column(0)
                     .categorical_columns({1, 2, 3})
                     .sequence_columns({4, 5})
                     .max_sequence_length(50)
                     .share_vocabulary({2, 4})
                     .share_vocabulary({3, 5});
  data::TabularDataset test = data::read_csv(path, options);
  EXPECT_EQ(test.num_rows(), 1220u);
  EXPECT_EQ(positives(test), 610);
  EXPECT_EQ(&test.vocabulary("2"), &test.vocabulary("4"));
  EXPECT_EQ(&test.vocabulary("3"), &test.vocabulary("5"));
  EXPECT_NE(&test.vocabulary("1"), &test.vocabulary("2"));
  EXPECT_EQ(test.vocabulary("4").columns(),
            (std::vector<std::string>{"2", "4"}));
  EXPECT_EQ(test.sequence_vocab_sizes()[0], test.vocab_sizes()[1]);

  std::vector<std::vector<std::string>> lines = splitLines(path);
  data::TabularBatch batch = test.get_batch({0});
  std::vector<int64_t> history = longs(batch.sequences[0]);
  std::vector<std::string> items;
  std::stringstream stream(lines[0][4]);
  for (std::string item; stream >> item;)
    items.push_back(item);
  ASSERT_EQ(items.size(), 50u);
  for (size_t k = 0; k < items.size(); ++k)
    EXPECT_EQ(history[k], test.vocabulary("4").id(items[k]));
  EXPECT_EQ(longs(batch.categorical)[1], test.vocabulary("2").id(lines[0][2]));

  // Saved and loaded: the two columns still share one vocabulary.
  TempFile file("", "vocabularies.txt");
  data::save_vocabularies(test.vocabularies(), file.path);
  data::Vocabularies loaded = data::load_vocabularies(file.path);
  EXPECT_EQ(loaded.at("2"), loaded.at("4"));
  EXPECT_EQ(loaded.at("4")->size(), test.vocabulary("4").size());
}

TEST(ReadCsv, LongListsKeepTheirLastIds) {
  auto options = data::CsvOptions()
                     .header(false)
                     .label_column(0)
                     .sequence_columns({1})
                     .max_sequence_length(2);
  data::TabularDataset dataset =
      data::parse_csv("1,a b c\n0,\n1,  d  \n", options);
  const data::Vocabulary &vocabulary = dataset.vocabulary("1");
  data::TabularBatch batch = dataset.get_batch({0, 1, 2});
  expectTensor(batch.sequences[0], {3, 2}, kLong,
               {double(vocabulary.id("b")), double(vocabulary.id("c")), 0, 0,
                double(vocabulary.id("d")), 0});
  expectTensor(batch.sequence_lengths[0], {3}, kLong, {2, 0, 1});
}

//===----------------------------------------------------------------------===//
// The format
//===----------------------------------------------------------------------===//

TEST(ReadCsv, QuotesCrlfAndBlankLines) {
  std::string text = "\xEF\xBB\xBF"
                     "y,name,x\r\n"
                     "\r\n"
                     "1,\"a,b\",2\r\n"
                     "0,\"he said \"\"hi\"\"\",3\n"
                     "\n"
                     "1,\"two\nlines\",4\r\n"
                     "0,,\"5\"\n"
                     "\n"
                     "1,plain,6"; // no newline at the end
  auto options = data::CsvOptions()
                     .label_column("y")
                     .categorical_columns({"name"})
                     .dense_columns({"x"});
  data::TabularDataset dataset = data::parse_csv(text, options);
  ASSERT_EQ(dataset.num_rows(), 5u);
  EXPECT_EQ(dataset.column_names(),
            (std::vector<std::string>{"y", "name", "x"}));
  data::TabularBatch batch = dataset.get_batch({0, 1, 2, 3, 4});
  expectTensor(batch.target, {5}, kFloat, {1, 0, 1, 0, 1});
  expectTensor(batch.dense, {5, 1}, kFloat, {2, 3, 4, 5, 6});
  const data::Vocabulary &names = dataset.vocabulary("name");
  std::vector<int64_t> ids = longs(batch.categorical);
  EXPECT_EQ(names.value(ids[0]), "a,b");
  EXPECT_EQ(names.value(ids[1]), "he said \"hi\"");
  EXPECT_EQ(names.value(ids[2]), "two\nlines");
  EXPECT_NE(ids[3], 0); // the empty value is a value of its own
  EXPECT_EQ(names.value(ids[3]), "");
  EXPECT_EQ(names.value(ids[4]), "plain");
  EXPECT_EQ(names.size(), 6);
}

TEST(ReadCsv, SpacesNansAndMissingNumbers) {
  auto options =
      data::CsvOptions().header(false).label_column(0).dense_columns({1, 2});
  data::TabularDataset dataset =
      data::parse_csv("1, 2.5 ,nan\n0,,-1e2\n+1,3,  \n", options);
  expectTensor(dataset.get_batch({0, 1, 2}).dense, {3, 2}, kFloat,
               {2.5, 0, 0, -100, 3, 0});
}

TEST(ReadCsv, NoLabelNoFeatures) {
  data::TabularDataset dataset = data::parse_csv(
      "a;b\n1;2\n", data::CsvOptions().delimiter(';').dense_columns({"b"}));
  data::TabularBatch batch = dataset.get_batch({0});
  EXPECT_FALSE(batch.target.defined());
  EXPECT_FALSE(batch.categorical.defined());
  expectTensor(batch.data, {1, 1}, kFloat, {2});
  data::TabularDataset unpacked = data::parse_csv(
      "a;b\n1;2\n",
      data::CsvOptions().delimiter(';').dense_columns({"b"}).pack_data(false));
  EXPECT_FALSE(unpacked.get_batch({0}).data.defined());
  // Header only: no rows.
  EXPECT_EQ(data::parse_csv("a,b\n", data::CsvOptions()).num_rows(), 0u);
}

TEST(ReadCsv, ReadsAFileWithQuotingOff) {
  TempFile file("l\tv\n1\t\"x\n0\ty\"\n", "data.tsv");
  data::TabularDataset dataset =
      data::read_csv(file.path, data::CsvOptions()
                                    .delimiter('\t')
                                    .quote('\0')
                                    .label_column(0)
                                    .categorical_columns({1}));
  EXPECT_EQ(dataset.num_rows(), 2u);
  EXPECT_TRUE(dataset.vocabulary("v").contains("\"x"));
  EXPECT_EQ(dataset.source(), file.path);
}

//===----------------------------------------------------------------------===//
// Errors: each names the file, the line (and column), the CSV column
//===----------------------------------------------------------------------===//

data::CsvOptions threeColumns() {
  return data::CsvOptions()
      .label_column("y")
      .dense_columns({"x"})
      .categorical_columns({"c"});
}

TEST(ReadCsvErrors, WrongNumberOfFields) {
  EXPECT_DLC_ERROR(data::parse_csv("y,x,c\n1,2,a\n0,3\n", threeColumns()),
                   "read_csv: <text>:3: expected 3 fields, got 2");
  EXPECT_DLC_ERROR(
      data::parse_csv("y,x,c\n1,2,a\n\n\n0,3,b,z\n", threeColumns()),
      "read_csv: <text>:5: expected 3 fields, got 4");
  // Lines inside a quoted field count.
  EXPECT_DLC_ERROR(
      data::parse_csv("y,x,c\n1,2,\"a\nb\nc\"\n0,3\n", threeColumns()),
      "read_csv: <text>:5: expected 3 fields, got 2");
  // Without a header the first record sets the count.
  EXPECT_DLC_ERROR(
      data::parse_csv("1,2\n1,2,3\n", data::CsvOptions().header(false)),
      "read_csv: <text>:2: expected 2 fields, got 3");
}

TEST(ReadCsvErrors, BadValues) {
  EXPECT_DLC_ERROR(
      data::parse_csv("y,x,c\n1,2,a\n0,x1,b\n", threeColumns()),
      "read_csv: <text>:3:3: column 1 (\"x\"): expected a number, got \"x1\"");
  EXPECT_DLC_ERROR(
      data::parse_csv("y,x,c\n,2,a\n", threeColumns()),
      "read_csv: <text>:2:1: column 0 (\"y\"): the label is empty");
  EXPECT_DLC_ERROR(data::parse_csv("y,x,c\nyes,2,a\n", threeColumns()),
                   "read_csv: <text>:2:1: column 0 (\"y\"): expected a number "
                   "(the label), got \"yes\"");
  EXPECT_DLC_ERROR(
      data::parse_csv(
          "1\t0x1A\n",
          data::CsvOptions().delimiter('\t').header(false).dense_columns({1})),
      "read_csv: <text>:1:3: column 1: expected a number, got \"0x1A\"");
}

TEST(ReadCsvErrors, Quoting) {
  EXPECT_DLC_ERROR(
      data::parse_csv("y,x,c\n1,2,a\n0,3,\"open\n1,4,b\n", threeColumns()),
      "read_csv: <text>:3:5: unterminated quoted field (its opening quote is "
      "here)");
  EXPECT_DLC_ERROR(data::parse_csv("y,x,c\n1,2,\"a\"b\n", threeColumns()),
                   "read_csv: <text>:2:8: unexpected 'b' after the closing "
                   "quote of a quoted field");
}

TEST(ReadCsvErrors, Columns) {
  EXPECT_DLC_ERROR(
      data::parse_csv("y,x,c\n1,2,a\n", threeColumns().dense_columns({"z"})),
      "read_csv: <text>: no column is named \"z\" (the columns are: y, x, c)");
  EXPECT_DLC_ERROR(
      data::parse_csv("y,x,c\n1,2,a\n", threeColumns().dense_columns({7})),
      "read_csv: <text>: column 7 is out of range: the file has 3 columns");
  EXPECT_DLC_ERROR(
      data::parse_csv("y,x,c\n1,2,a\n",
                      threeColumns().dense_columns({"x", "c"})),
      "read_csv: <text>: column 2 (\"c\") is both dense and categorical");
  EXPECT_DLC_ERROR(
      data::parse_csv("y,x,x\n1,2,3\n",
                      data::CsvOptions().dense_columns({"x"})),
      "the column name \"x\" appears more than once (columns 1 and 2)");
  EXPECT_DLC_ERROR(data::parse_csv("y,x,c\n1,2,a\n",
                                   threeColumns().share_vocabulary({"c", "x"})),
                   "share_vocabulary: column 1 (\"x\") is not a categorical or "
                   "id-list column");
  EXPECT_DLC_ERROR(
      data::parse_csv("y,x,c\n1,2,a\n", threeColumns(), data::Vocabularies()),
      "read_csv: <text>: no vocabulary is given for column \"c\" (there are "
      "vocabularies for: none)");
  EXPECT_DLC_ERROR(
      data::parse_csv("", threeColumns()),
      "read_csv: <text>: the file is empty: expected a header line");
  EXPECT_DLC_ERROR(data::parse_csv("a,b\n", data::CsvOptions().delimiter('"')),
                   "the delimiter and the quote character are the same");
  EXPECT_DLC_ERROR(data::parse_csv("a,b\n", data::CsvOptions().min_count(-1)),
                   "min_count must be non-negative, got -1");
}

TEST(ReadCsvErrors, Files) {
  TempFile file("y,x,c\n1,2,a\n1,2\n");
  std::string message =
      errorOf([&] { data::read_csv(file.path, threeColumns()); });
  EXPECT_NE(
      message.find("read_csv: " + file.path + ":3: expected 3 fields, got 2"),
      std::string::npos)
      << message;
  EXPECT_DLC_ERROR(data::read_csv("/nonexistent/train.csv", threeColumns()),
                   "read_csv: cannot open /nonexistent/train.csv: No such file "
                   "or directory");
  EXPECT_DLC_ERROR(data::read_csv(file.directory, threeColumns()),
                   "is a directory");
  EXPECT_THROW(data::load_vocabularies(file.path), Error);
}

TEST(Vocabulary, Basics) {
  data::Vocabulary vocabulary;
  EXPECT_EQ(vocabulary.size(), 1);
  EXPECT_EQ(vocabulary.add("a", 3), 1);
  EXPECT_EQ(vocabulary.add("b", 1), 2);
  EXPECT_EQ(vocabulary.add("a"), 1);
  EXPECT_EQ(vocabulary.size(), 3);
  EXPECT_EQ(vocabulary.id("b"), 2);
  EXPECT_EQ(vocabulary.id("zzz"), data::Vocabulary::kOovId);
  EXPECT_EQ(vocabulary.value(0), "");
  EXPECT_EQ(vocabulary.count(1), 3);
  EXPECT_THROW(vocabulary.value(3), Error);

  // Values with TABs, newlines and backslashes survive a file.
  auto odd = std::make_shared<data::Vocabulary>();
  for (const char *value : {"tab\there", "line\nbreak", "back\\slash", ""})
    odd->add(value, 1);
  TempFile file("", "vocabularies.txt");
  data::save_vocabularies({{"weird\tname", odd}}, file.path);
  data::Vocabularies loaded = data::load_vocabularies(file.path);
  const data::Vocabulary &back = *loaded.at("weird\tname");
  EXPECT_EQ(back.size(), 5);
  EXPECT_EQ(back.id("line\nbreak"), 2);
  EXPECT_EQ(back.id(""), 4);
  EXPECT_EQ(back.value(3), "back\\slash");
}

} // namespace
