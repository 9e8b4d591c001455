//===- Csv.cpp - The CSV/TSV reader ---------------------------------------===//
//
// One pass over the file's bytes (mapped, not copied): records are split
// into fields pointing into the mapping (only quoted fields with "" escapes
// are copied, into a scratch buffer reused per record), and only the fields
// of used columns are parsed. Categorical values are interned per
// vocabulary into an arena hash table while counting them; ids are
// assigned when the whole file has been seen (by count, then first
// appearance) and the stored local numbers are remapped.
//
//===----------------------------------------------------------------------===//

#include "frontend/data/Csv.h"

#include "frontend/data/CsvScanner.h"
#include "frontend/data/StringTable.h"
#include "runtime/Error.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace dlc::data {

std::string Column::str() const {
  return is_index() ? std::to_string(position) : "\"" + label + "\"";
}

std::vector<Column> column_range(int64_t start, int64_t stop) {
  std::vector<Column> columns;
  for (int64_t i = start; i < stop; ++i)
    columns.emplace_back(i);
  return columns;
}

namespace {

using detail::Field;
using detail::FileBytes;
using detail::parseNumber;
using detail::quoted;
using detail::Scanner;
using detail::trimmed;

/// Ids written into the float32 `data` tensor must be exact.
constexpr int64_t kMaxPackedId = int64_t(1) << 24;

//===----------------------------------------------------------------------===//
// The reader
//===----------------------------------------------------------------------===//

enum class Role : uint8_t { Skip, Label, Dense, Categorical, Sequence };

struct ColumnRole {
  Role role = Role::Skip;
  /// Its position among the columns of its kind.
  uint32_t index = 0;
};

/// The vocabulary being fitted for one or more columns.
struct Fitting {
  detail::StringTable values;
  std::vector<int64_t> counts;
  std::vector<std::string> columns;
};

class Reader {
public:
  Reader(std::string_view text, const std::string &source,
         const CsvOptions &options, const Vocabularies *given, Loc loc)
      : text(text), options(options), given(given), loc(loc),
        data(std::make_shared<detail::TabularData>()) {
    data->source = source;
    data->packed = options.pack_data();
  }

  TabularDataset read() {
    checkOptions();
    Scanner scanner(text, options.delimiter(), options.quote());
    auto error = [this](int64_t line, size_t column,
                        const std::string &message) {
      fail(line, column, message);
    };
    std::vector<Field> fields;
    bool haveRecord = scanner.next(fields, error);
    std::vector<std::string> &names = data->columnNames;
    if (options.header()) {
      if (!haveRecord)
        fail(0, 0, "the file is empty: expected a header line");
      for (const Field &field : fields)
        names.emplace_back(field.text());
      if (!options.column_names().empty()) {
        if (options.column_names().size() != names.size())
          fail(scanner.record_line(), 0,
               "the header has " + std::to_string(names.size()) +
                   " fields but column_names gives " +
                   std::to_string(options.column_names().size()) + " names");
        names = options.column_names();
      }
      haveRecord = scanner.next(fields, error);
    } else if (!options.column_names().empty()) {
      names = options.column_names();
    } else {
      if (!haveRecord)
        fail(0, 0, "the file is empty");
      for (size_t i = 0; i < fields.size(); ++i)
        names.push_back(std::to_string(i));
    }
    expectedFields = names.size();
    resolveColumns();
    reserveFor(text.size());

    for (; haveRecord; haveRecord = scanner.next(fields, error)) {
      if (fields.size() != expectedFields)
        fail(scanner.record_line(), 0,
             "expected " + std::to_string(expectedFields) + " fields, got " +
                 std::to_string(fields.size()));
      readRow(fields);
    }
    finishVocabularies();
    finishSequences();
    return TabularDataset(std::move(data));
  }

private:
  [[noreturn]] void fail(int64_t line, size_t column,
                         const std::string &message) const {
    std::string where = data->source;
    if (line > 0)
      where += ":" + std::to_string(line);
    if (column > 0)
      where += ":" + std::to_string(column);
    dlc::detail::throwError("read_csv", where + ": " + message, loc);
  }

  [[noreturn]] void failOptions(const std::string &message) const {
    dlc::detail::throwError("read_csv", data->source + ": " + message, loc);
  }

  /// `column 4 ("I4")`, or `column 4` when the name is the index.
  std::string columnName(size_t index) const {
    std::string out = "column " + std::to_string(index);
    const std::string &name = data->columnNames[index];
    if (name != std::to_string(index))
      out += " (\"" + name + "\")";
    return out;
  }

  [[noreturn]] void failField(const Field &field, size_t index,
                              const std::string &message) const {
    fail(field.line, field.column, columnName(index) + ": " + message);
  }

  void checkOptions() const {
    char delimiter = options.delimiter();
    if (delimiter == '\n' || delimiter == '\r' || delimiter == '\0')
      failOptions("the delimiter cannot be a line break or '\\0'");
    if (delimiter == options.quote())
      failOptions("the delimiter and the quote character are the same");
    if (options.quote() == '\n' || options.quote() == '\r')
      failOptions("the quote character cannot be a line break");
    if (!options.sequence_columns().empty() &&
        options.sequence_delimiter() == delimiter)
      failOptions("the sequence delimiter and the field delimiter are the "
                  "same");
    if (options.min_count() < 0)
      failOptions("min_count must be non-negative, got " +
                  std::to_string(options.min_count()));
    if (options.max_sequence_length() < 0)
      failOptions("max_sequence_length must be non-negative, got " +
                  std::to_string(options.max_sequence_length()));
  }

  /// The index of `column`, checked against the file's columns.
  size_t resolve(const Column &column) const {
    const std::vector<std::string> &names = data->columnNames;
    if (column.is_index()) {
      if (column.index() < 0 ||
          static_cast<size_t>(column.index()) >= names.size())
        failOptions("column " + std::to_string(column.index()) +
                    " is out of range: the file has " +
                    std::to_string(names.size()) + " columns");
      return static_cast<size_t>(column.index());
    }
    size_t found = names.size();
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] != column.name())
        continue;
      if (found != names.size())
        failOptions("the column name \"" + column.name() +
                    "\" appears more than once (columns " +
                    std::to_string(found) + " and " + std::to_string(i) +
                    "): name it by index");
      found = i;
    }
    if (found == names.size()) {
      std::string list;
      for (size_t i = 0; i < names.size() && i < 50; ++i)
        list += (i ? ", " : "") + names[i];
      if (names.size() > 50)
        list += ", ...";
      failOptions("no column is named \"" + column.name() +
                  "\" (the columns are: " + list + ")");
    }
    return found;
  }

  void assign(const Column &column, Role role, uint32_t index,
              std::vector<std::string> *names) {
    static const char *kRoleNames[] = {"", "the label", "dense", "categorical",
                                       "an id list"};
    size_t i = resolve(column);
    if (roles[i].role != Role::Skip)
      failOptions(columnName(i) + " is both " +
                  kRoleNames[static_cast<int>(roles[i].role)] + " and " +
                  kRoleNames[static_cast<int>(role)]);
    roles[i] = ColumnRole{role, index};
    if (names)
      names->push_back(data->columnNames[i]);
  }

  void resolveColumns() {
    roles.assign(expectedFields, ColumnRole());
    if (options.label_column()) {
      assign(*options.label_column(), Role::Label, 0, nullptr);
      data->labelName = data->columnNames[resolve(*options.label_column())];
    }
    const auto &dense = options.dense_columns();
    for (size_t k = 0; k < dense.size(); ++k)
      assign(dense[k], Role::Dense, static_cast<uint32_t>(k),
             &data->denseNames);
    const auto &categorical = options.categorical_columns();
    for (size_t k = 0; k < categorical.size(); ++k)
      assign(categorical[k], Role::Categorical, static_cast<uint32_t>(k),
             &data->categoricalNames);
    const auto &sequences = options.sequence_columns();
    for (size_t k = 0; k < sequences.size(); ++k)
      assign(sequences[k], Role::Sequence, static_cast<uint32_t>(k),
             &data->sequenceNames);
    denseCount = dense.size();
    categoricalCount = categorical.size();
    data->sequences.resize(sequences.size());
    for (detail::TabularSequence &sequence : data->sequences)
      sequence.offsets.push_back(0);

    // Vocabulary slots: one per categorical and id-list column, except that
    // a shared group has one between its columns.
    size_t columns = categorical.size() + sequences.size();
    slotOf.resize(columns);
    std::iota(slotOf.begin(), slotOf.end(), size_t(0));
    std::vector<bool> grouped(columns, false);
    for (const std::vector<Column> &group : options.shared_vocabularies()) {
      size_t first = columns;
      for (const Column &column : group) {
        size_t i = resolve(column);
        const ColumnRole &role = roles[i];
        if (role.role != Role::Categorical && role.role != Role::Sequence)
          failOptions("share_vocabulary: " + columnName(i) +
                      " is not a categorical or id-list column");
        size_t k = role.role == Role::Categorical
                       ? role.index
                       : categorical.size() + role.index;
        if (grouped[k])
          failOptions("share_vocabulary: " + columnName(i) +
                      " is in more than one group");
        grouped[k] = true;
        if (first == columns)
          first = k;
        slotOf[k] = slotOf[first];
      }
    }
    // Every column's name, in slot order.
    auto nameOf = [&](size_t k) {
      return k < categorical.size()
                 ? data->categoricalNames[k]
                 : data->sequenceNames[k - categorical.size()];
    };
    if (given) {
      columnVocabulary.resize(columns);
      for (size_t k = 0; k < columns; ++k) {
        auto found = given->find(nameOf(k));
        if (found == given->end() || !found->second) {
          std::string list;
          for (const auto &[name, vocabulary] : *given)
            list += (list.empty() ? "" : ", ") + name;
          failOptions("no vocabulary is given for column \"" + nameOf(k) +
                      "\" (there are vocabularies for: " +
                      (list.empty() ? "none" : list) + ")");
        }
        columnVocabulary[k] = found->second.get();
        data->vocabularies[nameOf(k)] = found->second;
      }
    } else {
      fittings.resize(columns);
      for (size_t k = 0; k < columns; ++k)
        fittings[slotOf[k]].columns.push_back(nameOf(k));
    }
  }

  void reserveFor(size_t bytes) {
    // A guess of the row count from the size (100 bytes a row) is enough to
    // avoid most regrowth; vectors grow past it.
    size_t rows = std::min<size_t>(bytes / 100 + 16, size_t(1) << 26);
    if (options.label_column())
      data->labels.reserve(rows);
    data->dense.reserve(rows * denseCount);
    data->categorical.reserve(rows * categoricalCount);
  }

  int64_t categoricalId(size_t k, std::string_view value) {
    if (given)
      return columnVocabulary[k]->id(value);
    Fitting &fitting = fittings[slotOf[k]];
    bool added = false;
    uint32_t local = fitting.values.intern(value, added);
    if (added)
      fitting.counts.push_back(1);
    else
      ++fitting.counts[local];
    return local;
  }

  void readRow(const std::vector<Field> &fields) {
    size_t denseBase = data->dense.size();
    size_t categoricalBase = data->categorical.size();
    data->dense.resize(denseBase + denseCount);
    data->categorical.resize(categoricalBase + categoricalCount);
    for (size_t i = 0; i < fields.size(); ++i) {
      const ColumnRole &role = roles[i];
      if (role.role == Role::Skip)
        continue;
      const Field &field = fields[i];
      switch (role.role) {
      case Role::Skip:
        break;
      case Role::Label: {
        std::string_view value = trimmed(field.text());
        if (value.empty())
          failField(field, i, "the label is empty");
        double label = 0;
        if (!parseNumber(value, label))
          failField(field, i,
                    "expected a number (the label), got " + quoted(value));
        data->labels.push_back(static_cast<float>(label));
        break;
      }
      case Role::Dense: {
        std::string_view value = trimmed(field.text());
        double number = 0;
        if (!value.empty() && !parseNumber(value, number))
          failField(field, i, "expected a number, got " + quoted(value));
        if (std::isnan(number))
          number = 0;
        float stored = static_cast<float>(number);
        // In float: the stored precision, at half the cost of log1p(double).
        if (options.dense_transform() == DenseTransform::Log1p)
          stored = std::log1p(std::max(stored, 0.0f));
        data->dense[denseBase + role.index] = stored;
        break;
      }
      case Role::Categorical:
        data->categorical[categoricalBase + role.index] =
            categoricalId(role.index, field.text());
        break;
      case Role::Sequence: {
        detail::TabularSequence &sequence = data->sequences[role.index];
        size_t k = categoricalCount + role.index;
        std::string_view rest = field.text();
        char separator = options.sequence_delimiter();
        while (!rest.empty()) {
          size_t cut = rest.find(separator);
          std::string_view piece = rest.substr(0, cut);
          if (!piece.empty())
            sequence.ids.push_back(categoricalId(k, piece));
          if (cut == std::string_view::npos)
            break;
          rest.remove_prefix(cut + 1);
        }
        sequence.offsets.push_back(sequence.ids.size());
        break;
      }
      }
    }
    ++data->rows;
  }

  void finishVocabularies() {
    size_t columns = slotOf.size();
    if (!given) {
      std::vector<std::shared_ptr<Vocabulary>> built(columns);
      std::vector<std::vector<int64_t>> remap(columns);
      for (size_t s = 0; s < columns; ++s) {
        Fitting &fitting = fittings[s];
        if (fitting.columns.empty())
          continue;
        // Ids by descending count, ties by first appearance (the local
        // number); values under min_count go to the OOV id.
        std::vector<uint32_t> order(fitting.values.size());
        std::iota(order.begin(), order.end(), 0u);
        std::stable_sort(order.begin(), order.end(),
                         [&](uint32_t a, uint32_t b) {
                           return fitting.counts[a] > fitting.counts[b];
                         });
        auto vocabulary = std::make_shared<Vocabulary>();
        vocabulary->set_columns(fitting.columns);
        vocabulary->set_min_count(options.min_count());
        std::vector<int64_t> &ids = remap[s];
        ids.assign(fitting.values.size(), Vocabulary::kOovId);
        int64_t rare = 0;
        for (uint32_t local : order) {
          int64_t count = fitting.counts[local];
          if (count < options.min_count()) {
            rare += count;
            continue;
          }
          ids[local] = vocabulary->add(fitting.values.at(local), count);
        }
        vocabulary->set_oov_count(rare);
        built[s] = std::move(vocabulary);
        fitting = Fitting(); // frees the table
      }
      // Row by row (the array is row-major), each column through its
      // vocabulary's remapping.
      std::vector<const int64_t *> remapOf(categoricalCount);
      for (size_t k = 0; k < categoricalCount; ++k)
        remapOf[k] = remap[slotOf[k]].data();
      int64_t *value = data->categorical.data();
      for (size_t r = 0; r < data->rows; ++r)
        for (size_t k = 0; k < categoricalCount; ++k, ++value)
          *value = remapOf[k][static_cast<size_t>(*value)];
      for (size_t k = 0; k < columns; ++k) {
        size_t s = slotOf[k];
        const std::vector<int64_t> &ids = remap[s];
        if (k < categoricalCount) {
          data->vocabularies[data->categoricalNames[k]] = built[s];
        } else {
          detail::TabularSequence &sequence =
              data->sequences[k - categoricalCount];
          for (int64_t &value : sequence.ids)
            value = ids[static_cast<size_t>(value)];
          data->vocabularies[data->sequenceNames[k - categoricalCount]] =
              built[s];
        }
      }
    }
    if (data->packed)
      for (const auto &[name, vocabulary] : data->vocabularies)
        if (vocabulary->size() > kMaxPackedId)
          failOptions("the vocabulary of column \"" + name + "\" has " +
                      std::to_string(vocabulary->size()) +
                      " ids, more than float32 `data` holds exactly (2^24): "
                      "use pack_data(false) and the int64 `categorical` and "
                      "`sequences` tensors");
  }

  void finishSequences() {
    for (detail::TabularSequence &sequence : data->sequences) {
      if (options.max_sequence_length() > 0) {
        sequence.length = options.max_sequence_length();
        continue;
      }
      size_t longest = 0;
      for (size_t r = 0; r < data->rows; ++r)
        longest =
            std::max(longest, sequence.offsets[r + 1] - sequence.offsets[r]);
      sequence.length = static_cast<int64_t>(longest);
    }
  }

  std::string_view text;
  const CsvOptions &options;
  const Vocabularies *given;
  Loc loc;
  std::shared_ptr<detail::TabularData> data;

  size_t expectedFields = 0;
  std::vector<ColumnRole> roles;
  size_t denseCount = 0;
  size_t categoricalCount = 0;
  /// The vocabulary slot of each categorical, then id-list, column.
  std::vector<size_t> slotOf;
  std::vector<Fitting> fittings;
  std::vector<const Vocabulary *> columnVocabulary;
};

} // namespace

TabularDataset read_csv(const std::string &path, const CsvOptions &options,
                        Loc loc) {
  FileBytes file(path, "read_csv", loc);
  return Reader(file.text(), path, options, nullptr, loc).read();
}

TabularDataset read_csv(const std::string &path, const CsvOptions &options,
                        const Vocabularies &vocabularies, Loc loc) {
  FileBytes file(path, "read_csv", loc);
  return Reader(file.text(), path, options, &vocabularies, loc).read();
}

TabularDataset parse_csv(std::string_view text, const CsvOptions &options,
                         const std::optional<Vocabularies> &vocabularies,
                         const std::string &name, Loc loc) {
  return Reader(text, name, options, vocabularies ? &*vocabularies : nullptr,
                loc)
      .read();
}

} // namespace dlc::data
