//===- TensorDataset.h - Datasets over the rows of tensors ----------------===//
//
// TensorDataset is LibTorch's: the rows of one tensor, each a TensorExample.
// TensorPairDataset (dlc's own, PyTorch's TensorDataset(x, y)) pairs the
// rows of a data tensor and a target tensor as Example<>.
//
// Both keep a snapshot of their rows in host memory, taken when they are
// built. `map(transforms::Stack<>())` over them copies the rows of a batch
// into one new buffer and hands it over as a realized tensor: batching is
// not recorded into the training step's graph, and a loader's worker
// threads can prepare batches ahead.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DATA_TENSORDATASET_H
#define DLC_FRONTEND_DATA_TENSORDATASET_H

#include "frontend/Tensor.h"
#include "frontend/data/Dataset.h"
#include "frontend/data/Example.h"

#include <cstddef>
#include <optional>
#include <vector>

namespace dlc::data {

namespace detail {

/// Host memory for a new batch tensor, from dlc's caching allocator (so that
/// batches of the same size reuse blocks instead of faulting in fresh
/// pages). `release` wraps it as a realized CPU tensor that gives the memory
/// back when the tensor is done with it.
class HostBuffer {
public:
  explicit HostBuffer(size_t bytes);
  ~HostBuffer();
  HostBuffer(const HostBuffer &) = delete;
  HostBuffer &operator=(const HostBuffer &) = delete;

  void *data() const { return pointer; }
  template <typename T>
  T *as() const {
    return static_cast<T *>(pointer);
  }

  /// The memory as a tensor of `sizes` and `type` (bytes must match).
  Tensor release(IntArrayRef sizes, ScalarType type);

private:
  void *pointer;
  size_t bytes;
};

/// The rows (along dimension 0) of a tensor, realized and snapshotted in
/// host memory of their own; gather() copies some of them into a new
/// tensor. Copies share the snapshot, which never changes.
class HostRows {
public:
  HostRows() = default;
  /// Realizes `tensor` (with every pending value): call it on the thread
  /// that records the program, not on a loader's worker.
  HostRows(const Tensor &tensor, const char *op, Loc loc);

  size_t rows() const { return count; }
  ScalarType dtype() const { return type; }
  /// The sizes of one row.
  const std::vector<int64_t> &row_sizes() const { return rowSizes; }

  /// The rows at `indices`, as a realized tensor [indices.size(), row...].
  Tensor gather(ArrayRef<size_t> indices, const char *op) const;

private:
  Tensor owner;
  const char *base = nullptr;
  size_t rowBytes = 0;
  size_t count = 0;
  std::vector<int64_t> rowSizes;
  ScalarType type = kFloat;
};

} // namespace detail

namespace datasets {

/// The rows of one tensor, as LibTorch's TensorDataset.
class TensorDataset : public Dataset<TensorDataset, TensorExample> {
public:
  /// The tensors stacked along a new dimension 0.
  explicit TensorDataset(const std::vector<Tensor> &tensors,
                         Loc loc = Loc::current());
  explicit TensorDataset(Tensor tensor, Loc loc = Loc::current());

  /// `tensor[index]`.
  TensorExample get(size_t index) override;
  std::optional<size_t> size() const override;

  /// dlc's own: the rows at `indices` stacked, copied from the snapshot
  /// into one realized tensor (what `map(Stack<TensorExample>())` gives).
  TensorExample get_stacked_batch(ArrayRef<size_t> indices) const;

  Tensor tensor;

private:
  data::detail::HostRows rows;
};

/// dlc's own (PyTorch's `TensorDataset(x, y)`): row i is
/// `Example<>{data[i], target[i]}`.
class TensorPairDataset : public Dataset<TensorPairDataset, Example<>> {
public:
  TensorPairDataset(Tensor data, Tensor target, Loc loc = Loc::current());

  Example<> get(size_t index) override;
  std::optional<size_t> size() const override;

  /// The rows at `indices`, data and target each copied into one realized
  /// tensor (what `map(Stack<>())` gives).
  Example<> get_stacked_batch(ArrayRef<size_t> indices) const;

  Tensor data;
  Tensor target;

private:
  data::detail::HostRows dataRows;
  data::detail::HostRows targetRows;
};

} // namespace datasets

using datasets::TensorDataset;
using datasets::TensorPairDataset;

} // namespace dlc::data

#endif // DLC_FRONTEND_DATA_TENSORDATASET_H
