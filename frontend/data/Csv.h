//===- Csv.h - Reading CSV/TSV files of tabular (CTR) data ----------------===//
//
// read_csv parses a delimited text file into a TabularDataset for CTR models
// (DeepFM, DCN, FiBiNET, DIN, ...): a label, dense features, categorical
// features mapped to ids by per-column vocabularies, and id lists.
//
//   auto options = data::CsvOptions().delimiter('\t').header(false)
//       .label_column(0).dense_columns(data::column_range(1, 14))
//       .categorical_columns(data::column_range(14, 40)).min_count(10)
//       .dense_transform(data::DenseTransform::Log1p);
//   auto train = data::read_csv("train.tsv", options);
//   auto valid = data::read_csv("valid.tsv", options, train.vocabularies());
//
// The format: fields separated by `delimiter`; records end with LF or CRLF
// (the last one may lack it); blank lines are skipped; a UTF-8 byte-order
// mark is skipped. A field that starts with the quote character is quoted
// (RFC 4180): it ends at the next lone quote, may hold delimiters and line
// breaks, and "" inside stands for one quote. Every record must have the
// header's number of fields (or the first record's, without a header).
//
// Values:
//  - label: a number (`1`, `0`, `1.0`); an empty label is an error.
//  - dense: a number (integers, decimals, exponents, `260.0`, `nan`);
//    an empty field or nan is missing and reads as 0. With
//    `dense_transform(DenseTransform::Log1p)` a value x becomes
//    log(1 + max(x, 0)): negatives (Criteo's I2 has -1, -2, -3) are clipped
//    to 0 first; missing values stay 0.
//  - categorical: the field's text, exactly (no trimming); an empty field
//    is a value of its own (""), like DeepCTR's fillna("-1"): it gets an id
//    when it is frequent enough.
//  - id list (sequence_columns): the field split at `sequence_delimiter`
//    (empty pieces dropped), each piece a categorical value.
//
// Vocabularies: fitted on the file when none are given. Id 0 is the OOV id;
// values seen at least min_count times get ids 1, 2, ... by descending
// count, ties by first appearance in the file. Values seen fewer times, and
// values a given vocabulary lacks, map to 0. Id lists are padded with 0 too
// and carry their lengths. share_vocabulary({...}) fits one vocabulary over
// several columns (DIN: the target item and the history of items).
//
// Errors are dlc::Error naming the file, the line (and column of the
// field), the CSV column and what is wrong: `read_csv: train.csv:17:42:
// column 4 ("I4"): expected a number, got "x1" (main.cpp:12)`.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DATA_CSV_H
#define DLC_FRONTEND_DATA_CSV_H

#include "frontend/Tensor.h"
#include "frontend/data/TabularDataset.h"
#include "frontend/data/Vocabulary.h"

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dlc::data {

/// A column of a file: by 0-based index, or by its name in the header.
class Column {
public:
  template <std::integral T>
  /* implicit */ Column(T index) : position(static_cast<int64_t>(index)) {}
  /* implicit */ Column(const char *name) : label(name) {}
  /* implicit */ Column(std::string name) : label(std::move(name)) {}
  /* implicit */ Column(std::string_view name) : label(name) {}

  bool is_index() const { return position >= 0 || label.empty(); }
  int64_t index() const { return position; }
  const std::string &name() const { return label; }
  /// `3` or `"I3"`, for messages.
  std::string str() const;

private:
  int64_t position = -1;
  std::string label;
};

/// Columns start, start + 1, ..., stop - 1 (as Python's range).
std::vector<Column> column_range(int64_t start, int64_t stop);

/// What read_csv does to dense values.
enum class DenseTransform {
  /// The value as written.
  None,
  /// log(1 + max(x, 0)), as Criteo pipelines (DeepCTR's examples) do.
  Log1p,
};

/// How to read a file: chainable setters and getters of the same name.
struct CsvOptions {
  /// The field separator (',').
  CsvOptions &delimiter(char value) {
    delimiter_ = value;
    return *this;
  }
  /// The quote character ('"'); '\0' turns quoting off.
  CsvOptions &quote(char value) {
    quote_ = value;
    return *this;
  }
  /// Whether the first record holds the column names (true).
  CsvOptions &header(bool value) {
    header_ = value;
    return *this;
  }
  /// Names of the columns (for a file without a header, or to replace its
  /// header's); their number is the number of fields of every record.
  CsvOptions &column_names(std::vector<std::string> value) {
    column_names_ = std::move(value);
    return *this;
  }
  /// The label column (none: batches have no target).
  CsvOptions &label_column(std::optional<Column> value) {
    label_column_ = std::move(value);
    return *this;
  }
  /// Numeric feature columns.
  CsvOptions &dense_columns(std::vector<Column> value) {
    dense_columns_ = std::move(value);
    return *this;
  }
  /// Categorical feature columns (one id each).
  CsvOptions &categorical_columns(std::vector<Column> value) {
    categorical_columns_ = std::move(value);
    return *this;
  }
  /// Id-list columns (several categorical values in one field).
  CsvOptions &sequence_columns(std::vector<Column> value) {
    sequence_columns_ = std::move(value);
    return *this;
  }
  /// What separates the values of an id-list field (' ').
  CsvOptions &sequence_delimiter(char value) {
    sequence_delimiter_ = value;
    return *this;
  }
  /// The padded length of id lists (0: the longest list in the file).
  /// Longer lists keep their last values (the most recent, for histories
  /// written oldest first).
  CsvOptions &max_sequence_length(int64_t value) {
    max_sequence_length_ = value;
    return *this;
  }
  /// Fits one vocabulary over `columns` (categorical or id-list columns);
  /// call once per group.
  CsvOptions &share_vocabulary(std::vector<Column> columns) {
    shared_vocabularies_.push_back(std::move(columns));
    return *this;
  }
  /// Values seen fewer times when fitting map to the OOV id 0 (1).
  CsvOptions &min_count(int64_t value) {
    min_count_ = value;
    return *this;
  }
  /// What to do to dense values (None).
  CsvOptions &dense_transform(DenseTransform value) {
    dense_transform_ = value;
    return *this;
  }
  /// Whether batches carry the packed float `data` tensor (true).
  CsvOptions &pack_data(bool value) {
    pack_data_ = value;
    return *this;
  }

  char delimiter() const { return delimiter_; }
  char quote() const { return quote_; }
  bool header() const { return header_; }
  const std::vector<std::string> &column_names() const { return column_names_; }
  const std::optional<Column> &label_column() const { return label_column_; }
  const std::vector<Column> &dense_columns() const { return dense_columns_; }
  const std::vector<Column> &categorical_columns() const {
    return categorical_columns_;
  }
  const std::vector<Column> &sequence_columns() const {
    return sequence_columns_;
  }
  char sequence_delimiter() const { return sequence_delimiter_; }
  int64_t max_sequence_length() const { return max_sequence_length_; }
  const std::vector<std::vector<Column>> &shared_vocabularies() const {
    return shared_vocabularies_;
  }
  int64_t min_count() const { return min_count_; }
  DenseTransform dense_transform() const { return dense_transform_; }
  bool pack_data() const { return pack_data_; }

  char delimiter_ = ',';
  char quote_ = '"';
  bool header_ = true;
  std::vector<std::string> column_names_;
  std::optional<Column> label_column_;
  std::vector<Column> dense_columns_;
  std::vector<Column> categorical_columns_;
  std::vector<Column> sequence_columns_;
  char sequence_delimiter_ = ' ';
  int64_t max_sequence_length_ = 0;
  std::vector<std::vector<Column>> shared_vocabularies_;
  int64_t min_count_ = 1;
  DenseTransform dense_transform_ = DenseTransform::None;
  bool pack_data_ = true;
};

/// Reads `path`, fitting a vocabulary per categorical and id-list column.
TabularDataset read_csv(const std::string &path,
                        const CsvOptions &options = CsvOptions(),
                        Loc loc = Loc::current());
/// Reads `path` with the given vocabularies (by column name, e.g. a
/// training set's `vocabularies()` or load_vocabularies()): values they
/// lack map to the OOV id 0.
TabularDataset read_csv(const std::string &path, const CsvOptions &options,
                        const Vocabularies &vocabularies,
                        Loc loc = Loc::current());

/// dlc's own: parses `text` as read_csv parses a file (`name` stands for
/// the file in messages). Without `vocabularies`, fits them.
TabularDataset
parse_csv(std::string_view text, const CsvOptions &options,
          const std::optional<Vocabularies> &vocabularies = std::nullopt,
          const std::string &name = "<text>", Loc loc = Loc::current());

} // namespace dlc::data

#endif // DLC_FRONTEND_DATA_CSV_H
