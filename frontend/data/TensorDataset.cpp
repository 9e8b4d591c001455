//===- TensorDataset.cpp - Host row snapshots and tensor datasets ---------===//

#include "frontend/data/TensorDataset.h"

#include "frontend/Functions.h"
#include "runtime/Allocator.h"
#include "runtime/Error.h"

#include <cstring>
#include <functional>
#include <string>

namespace dlc::data {

namespace detail {

//===----------------------------------------------------------------------===//
// HostBuffer
//===----------------------------------------------------------------------===//

HostBuffer::HostBuffer(size_t bytes)
    : pointer(rt::CachingAllocator::host().allocate(bytes)), bytes(bytes) {}

HostBuffer::~HostBuffer() {
  if (pointer)
    rt::CachingAllocator::host().deallocate(pointer, bytes);
}

Tensor HostBuffer::release(IntArrayRef sizes, ScalarType type) {
  size_t size = bytes;
  std::function<void(void *)> deleter = [size](void *memory) {
    rt::CachingAllocator::host().deallocate(memory, size);
  };
  Tensor tensor = dlc::from_blob(pointer, sizes, deleter, type);
  // The tensor owns the memory now.
  pointer = nullptr;
  return tensor;
}

//===----------------------------------------------------------------------===//
// HostRows
//===----------------------------------------------------------------------===//

HostRows::HostRows(const Tensor &tensor, const char *op, Loc loc) {
  if (!tensor.defined())
    dlc::detail::throwError(op, "expected a defined tensor", loc);
  if (tensor.dim(loc) == 0)
    dlc::detail::throwError(
        op,
        "expected a tensor with at least one dimension (the rows), got a "
        "scalar",
        loc);
  if (!tensor.device(loc).is_cpu())
    dlc::detail::throwError(
        op, "expected a CPU tensor, got one on " + tensor.device(loc).str(),
        loc);
  type = tensor.scalar_type(loc);
  IntArrayRef sizes = tensor.sizes(loc);
  count = static_cast<size_t>(sizes[0]);
  rowSizes.assign(sizes.begin() + 1, sizes.end());
  size_t rowElements = 1;
  for (int64_t s : rowSizes)
    rowElements *= static_cast<size_t>(s);
  rowBytes = rowElements * elementSize(type);
  // A handle of our own: data_ptr() gives it memory no other tensor shares
  // (copying if needed), and no one else can rebind it.
  owner = tensor.detach(loc).clone(loc);
  base = static_cast<const char *>(owner.data_ptr(loc));
}

Tensor HostRows::gather(ArrayRef<size_t> indices, const char *op) const {
  for (size_t index : indices)
    if (index >= count)
      throw Error(std::string(op) + ": index " + std::to_string(index) +
                  " is out of range for a dataset of " + std::to_string(count) +
                  " rows");
  HostBuffer buffer(indices.size() * rowBytes);
  char *out = buffer.as<char>();
  if (rowBytes > 0)
    for (size_t i = 0; i < indices.size(); ++i)
      std::memcpy(out + i * rowBytes, base + indices[i] * rowBytes, rowBytes);
  std::vector<int64_t> sizes;
  sizes.reserve(rowSizes.size() + 1);
  sizes.push_back(static_cast<int64_t>(indices.size()));
  sizes.insert(sizes.end(), rowSizes.begin(), rowSizes.end());
  return buffer.release(sizes, type);
}

} // namespace detail

namespace datasets {

//===----------------------------------------------------------------------===//
// TensorDataset
//===----------------------------------------------------------------------===//

TensorDataset::TensorDataset(const std::vector<Tensor> &tensors, Loc loc)
    : TensorDataset(dlc::stack(tensors, 0, loc), loc) {}

TensorDataset::TensorDataset(Tensor tensor, Loc loc)
    : tensor(std::move(tensor)), rows(this->tensor, "TensorDataset", loc) {}

TensorExample TensorDataset::get(size_t index) {
  return tensor[static_cast<int64_t>(index)];
}

std::optional<size_t> TensorDataset::size() const { return rows.rows(); }

TensorExample TensorDataset::get_stacked_batch(ArrayRef<size_t> indices) const {
  return rows.gather(indices, "TensorDataset");
}

//===----------------------------------------------------------------------===//
// TensorPairDataset
//===----------------------------------------------------------------------===//

TensorPairDataset::TensorPairDataset(Tensor data, Tensor target, Loc loc)
    : data(std::move(data)), target(std::move(target)),
      dataRows(this->data, "TensorPairDataset", loc),
      targetRows(this->target, "TensorPairDataset", loc) {
  if (dataRows.rows() != targetRows.rows())
    dlc::detail::throwError(
        "TensorPairDataset",
        "data and target must have the same number of rows, got " +
            std::to_string(dataRows.rows()) + " and " +
            std::to_string(targetRows.rows()),
        loc);
}

Example<> TensorPairDataset::get(size_t index) {
  return {data[static_cast<int64_t>(index)],
          target[static_cast<int64_t>(index)]};
}

std::optional<size_t> TensorPairDataset::size() const {
  return dataRows.rows();
}

Example<> TensorPairDataset::get_stacked_batch(ArrayRef<size_t> indices) const {
  return {dataRows.gather(indices, "TensorPairDataset"),
          targetRows.gather(indices, "TensorPairDataset")};
}

} // namespace datasets
} // namespace dlc::data
