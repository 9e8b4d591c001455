//===- Vocabulary.h - Categorical values to contiguous ids ----------------===//
//
// A Vocabulary numbers the values of a categorical column for an embedding
// table: id 0 is out-of-vocabulary (values never seen when it was fitted,
// and values seen fewer than min_count times), ids 1 .. size() - 1 are the
// kept values. read_csv fits one per categorical column on a training file;
// passing them to read_csv for the validation and test files maps those
// files with the same ids.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DATA_VOCABULARY_H
#define DLC_FRONTEND_DATA_VOCABULARY_H

#include "frontend/data/StringTable.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dlc::data {

/// Values of categorical columns and their ids.
class Vocabulary {
public:
  /// The id of values not in the vocabulary.
  static constexpr int64_t kOovId = 0;

  /// An empty vocabulary: only the OOV id.
  Vocabulary() = default;

  /// The number of ids, the OOV id included: the embedding table's size.
  int64_t size() const { return static_cast<int64_t>(values.size()) + 1; }
  /// The id of `value`, or kOovId.
  int64_t id(std::string_view value) const {
    int64_t index = values.find(value);
    return index < 0 ? kOovId : index + 1;
  }
  bool contains(std::string_view value) const {
    return values.find(value) >= 0;
  }
  /// The value with id `id` (1 .. size() - 1); "" for kOovId.
  std::string_view value(int64_t id) const;
  /// How often the value of `id` occurred in the fitted file; for kOovId,
  /// the occurrences that were mapped to it (rare values).
  int64_t count(int64_t id) const;

  /// Adds `value` with the next id (or returns its id if present).
  int64_t add(std::string_view value, int64_t count = 0);
  /// Sets count(kOovId).
  void set_oov_count(int64_t count) { oovCount = count; }

  /// The columns this vocabulary was fitted on (several when shared).
  const std::vector<std::string> &columns() const { return columnNames; }
  void set_columns(std::vector<std::string> columns) {
    columnNames = std::move(columns);
  }
  /// The min_count it was fitted with.
  int64_t min_count() const { return minCount; }
  void set_min_count(int64_t count) { minCount = count; }

private:
  detail::StringTable values;
  std::vector<int64_t> counts;
  int64_t oovCount = 0;
  int64_t minCount = 1;
  std::vector<std::string> columnNames;
};

/// The vocabularies of a dataset, by column name (columns that share one
/// hold the same pointer).
using Vocabularies = std::map<std::string, std::shared_ptr<const Vocabulary>>;

/// Writes `vocabularies` to a text file (values escaped, one per line, in id
/// order), each shared vocabulary once.
void save_vocabularies(const Vocabularies &vocabularies,
                       const std::string &path);
/// Reads what save_vocabularies wrote.
Vocabularies load_vocabularies(const std::string &path);

} // namespace dlc::data

#endif // DLC_FRONTEND_DATA_VOCABULARY_H
