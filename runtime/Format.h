//===- Format.h - Printing tensors as LibTorch does -----------------------===//

#ifndef DLC_RUNTIME_FORMAT_H
#define DLC_RUNTIME_FORMAT_H

#include "runtime/Device.h"
#include "runtime/ScalarType.h"

#include <cstdint>
#include <iosfwd>
#include <span>

namespace dlc::rt {

/// Prints a row-major tensor the way LibTorch's `operator<<` does: a common
/// number format for all elements (integers, fixed with 4 decimals and a
/// scale factor, or scientific), 1-d tensors as a column, matrices split
/// into column blocks that fit 80 characters, higher ranks as `(i,j,.,.) =`
/// slices, and a last line `[ CPUFloatType{2,3} ]`.
void formatTensor(std::ostream &os, const void *data, ScalarType type,
                  std::span<const int64_t> shape, Device device = kCPU);

} // namespace dlc::rt

#endif // DLC_RUNTIME_FORMAT_H
