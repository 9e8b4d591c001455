//===- Lazy.h - Recording, realization and the generator ------------------===//
//
// Frontend-internal. The context keeps the list of live tensors; realizing
// collects every pending value they hold into one Graph, compiles it through
// the compiler facade (cached by the graph's signature) and runs it.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DETAIL_LAZY_H
#define DLC_FRONTEND_DETAIL_LAZY_H

#include "frontend/detail/TensorImpl.h"

#include <cstdint>
#include <utility>

namespace dlc::detail {

/// The device word of a graph (Graph::setDevice): 0 for the CPU, n + 1
/// for CUDA device n.
int32_t graphDevice(Device device);

/// A realized value holding `buffer` (data the user handed over).
Value makeData(rt::BufferPtr buffer, TensorType type);

/// A lazy node of `def` over `inputs`; `def.operands` is ignored.
Value makeNode(GraphNode def, std::vector<Value> inputs);

/// A copy of `buffer` on `device` (between host and GPU, or on one).
rt::BufferPtr copyBuffer(const rt::BufferPtr &buffer, Device device);

/// Realizes every pending value of every live tensor (in one graph). Throws
/// dlc::Error when compiling or running fails.
void realizeAll();

/// Realizes the pending values of `tensors` only (and what they depend
/// on), leaving every other pending value for the step: an optimizer makes
/// its parameters and its zeroed state real before its first step, so that
/// the step updates them in their own memory.
void realizeOnly(const std::vector<Tensor> &tensors);

/// The buffer of `impl`'s value, realizing every pending value first if it
/// is pending.
rt::BufferPtr realize(TensorImpl &impl);

/// The buffer of `value` if it is realized, else null (safe while another
/// thread realizes).
rt::BufferPtr bufferIfRealized(const Value &value);

/// Rebinds `impl` to `value` (an in-place update).
void rebind(TensorImpl &impl, Value value);

/// True in eager mode (set_eager or DLC_EAGER=1).
bool eagerEnabled();

/// The next seed and offset of the random generator for a draw of `count`
/// values; advances the offset.
std::pair<uint64_t, uint64_t> nextRandomOffset(uint64_t count);

} // namespace dlc::detail

#endif // DLC_FRONTEND_DETAIL_LAZY_H
