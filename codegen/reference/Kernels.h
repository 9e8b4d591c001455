//===- Kernels.h - The reference executor's op-by-op kernels --------------===//
//
// Plain C++ loops, one function per dlc op, on row-major buffers. They are
// the oracle every compiled backend is compared against: simple and exact
// rather than fast (f32 sums and products accumulate in f64).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_CODEGEN_REFERENCE_KERNELS_H
#define DLC_CODEGEN_REFERENCE_KERNELS_H

#include "ir/Graph.h"
#include "runtime/ScalarType.h"

#include <cstdint>
#include <vector>

namespace mlir::dlc::reference {

/// A row-major tensor in memory.
struct TensorRef {
  void *data = nullptr;
  ::dlc::ScalarType type = ::dlc::kFloat;
  std::vector<int64_t> shape;

  int64_t numel() const {
    int64_t n = 1;
    for (int64_t size : shape)
      n *= size;
    return n;
  }
};

/// One op and its attributes, in the encoding of GraphNode (ir/Graph.h).
/// Constants carry their elements in `constant` (one element when `splat`).
struct Kernel {
  OpKind kind = OpKind::Constant;
  std::vector<int64_t> ints;
  int64_t attr = 0;
  std::vector<uint8_t> constant;
  bool splat = false;
};

/// Runs `kernel`: reads `inputs` and writes `outputs`, whose memory the
/// caller provides. Never reads or writes out of bounds, whatever the data
/// (indices are clamped or dropped, integer division by zero gives 0).
void runKernel(const Kernel &kernel, const std::vector<TensorRef> &inputs,
               const std::vector<TensorRef> &outputs);

} // namespace mlir::dlc::reference

#endif // DLC_CODEGEN_REFERENCE_KERNELS_H
