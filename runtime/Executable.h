//===- Executable.h - A compiled program the runtime can run --------------===//

#ifndef DLC_RUNTIME_EXECUTABLE_H
#define DLC_RUNTIME_EXECUTABLE_H

#include "runtime/Buffer.h"

#include <vector>

namespace dlc::rt {

/// A compiled dlc function: takes one buffer per function argument and
/// returns one fresh buffer per result. Reusable across calls and safe to
/// call from one thread at a time. Backends (the reference executor, the CPU
/// and CUDA code generators) implement it.
class Executable {
public:
  virtual ~Executable() = default;

  /// Runs the program. Throws dlc::Error when the inputs do not match. An
  /// input buffer that only `inputs` holds (the caller moved it in) may be
  /// written over and returned as a result: an optimizer's state is then
  /// updated in place. Buffers the caller keeps are never written.
  virtual std::vector<BufferPtr> run(std::vector<BufferPtr> inputs) = 0;

  /// The number of kernels (steps) one run launches.
  virtual size_t numKernels() const = 0;
};

} // namespace dlc::rt

#endif // DLC_RUNTIME_EXECUTABLE_H
