//===- TabularDataset.h - Rows of a CSV/TSV file, batched for CTR models --===//
//
// What read_csv returns: a BatchDataset whose rows are parsed once into
// host arrays (dense features, categorical ids, id lists, labels). A batch
// copies its rows into new buffers and hands them over as realized tensors,
// so a loader's workers can prepare batches while the model trains.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DATA_TABULARDATASET_H
#define DLC_FRONTEND_DATA_TABULARDATASET_H

#include "frontend/Tensor.h"
#include "frontend/data/Dataset.h"
#include "frontend/data/Example.h"
#include "frontend/data/Vocabulary.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dlc::data {

/// A batch of B rows of a TabularDataset. As an Example<>:
///  - `data`: float32 [B, D + C + L1 + ... + Ls], every feature in one
///    tensor (DeepCTR-Torch's layout): the D dense features, then the C
///    categorical ids, then each id list padded to its length Lk, ids
///    written as floats (exact: read_csv refuses vocabularies above 2^24
///    ids unless `pack_data(false)`). Undefined with `pack_data(false)` or
///    when there are no feature columns.
///  - `target`: float32 [B], the label column (undefined without one).
/// The same features, typed, for models that take them apart:
///  - `dense`: float32 [B, D]; `categorical`: int64 [B, C];
///  - `sequences[k]`: int64 [B, Lk], the k-th id list column, padded with 0
///    at the end; `sequence_lengths[k]`: int64 [B], its lengths (≤ Lk).
/// Each is undefined when there are no columns of its kind.
struct TabularBatch : Example<> {
  Tensor dense;
  Tensor categorical;
  std::vector<Tensor> sequences;
  std::vector<Tensor> sequence_lengths;
};

namespace detail {

/// An id-list column: the ids of all rows back to back.
struct TabularSequence {
  std::vector<int64_t> ids;
  /// Row r's ids are ids[offsets[r] .. offsets[r + 1]).
  std::vector<size_t> offsets;
  /// The padded length Lk (max_sequence_length, or the longest list).
  int64_t length = 0;
};

/// The parsed rows, shared by copies of the dataset (and loader workers).
struct TabularData {
  std::string source;
  std::vector<std::string> columnNames;
  std::optional<std::string> labelName;
  std::vector<std::string> denseNames;
  std::vector<std::string> categoricalNames;
  std::vector<std::string> sequenceNames;
  size_t rows = 0;
  std::vector<float> labels;
  /// rows x D, row-major.
  std::vector<float> dense;
  /// rows x C, row-major.
  std::vector<int64_t> categorical;
  std::vector<TabularSequence> sequences;
  Vocabularies vocabularies;
  bool packed = true;
};

} // namespace detail

/// Rows of a CSV/TSV file: see read_csv.
class TabularDataset
    : public datasets::BatchDataset<TabularDataset, TabularBatch> {
public:
  explicit TabularDataset(std::shared_ptr<const detail::TabularData> data);

  /// The rows at `indices`, in that order.
  TabularBatch get_batch(ArrayRef<size_t> indices) override;
  /// The number of rows.
  std::optional<size_t> size() const override { return storage->rows; }
  size_t num_rows() const { return storage->rows; }

  /// The file (or name) it was read from.
  const std::string &source() const { return storage->source; }
  /// Every column of the file, from the header (or column_names, or "0",
  /// "1", ... without either).
  const std::vector<std::string> &column_names() const {
    return storage->columnNames;
  }
  const std::optional<std::string> &label_name() const {
    return storage->labelName;
  }
  /// The columns of `dense`, `categorical` and `sequences`, in order.
  const std::vector<std::string> &dense_names() const {
    return storage->denseNames;
  }
  const std::vector<std::string> &categorical_names() const {
    return storage->categoricalNames;
  }
  const std::vector<std::string> &sequence_names() const {
    return storage->sequenceNames;
  }
  /// The embedding table size of each categorical column (its vocabulary's
  /// size, OOV id 0 included), in `categorical_names()` order.
  std::vector<int64_t> vocab_sizes() const;
  /// The same for the id-list columns.
  std::vector<int64_t> sequence_vocab_sizes() const;
  /// The padded length of each id-list column.
  std::vector<int64_t> sequence_lengths() const;
  /// The width of `data`: D + C + L1 + ... + Ls.
  int64_t packed_width() const;

  /// Every vocabulary, by column name: pass them to read_csv for other files
  /// of the same data, or to save_vocabularies.
  const Vocabularies &vocabularies() const { return storage->vocabularies; }
  /// The vocabulary of a categorical or id-list column.
  const Vocabulary &vocabulary(const std::string &column) const;

private:
  std::shared_ptr<const detail::TabularData> storage;
};

namespace datasets {
using data::TabularDataset;
} // namespace datasets

} // namespace dlc::data

#endif // DLC_FRONTEND_DATA_TABULARDATASET_H
