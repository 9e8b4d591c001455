//===- Philox.h - The counter-based generator behind dlc.random -----------===//
//
// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
// 3", SC'11). Element i of a `dlc.random` op with seed s and offset o is
// drawn from the block at key s and counter o + i, so every element is
// independent of the order elements are computed in: the reference executor,
// the CPU kernels and the CUDA kernels all give the same numbers.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_CODEGEN_REFERENCE_PHILOX_H
#define DLC_CODEGEN_REFERENCE_PHILOX_H

#include <array>
#include <cmath>
#include <cstdint>

namespace mlir::dlc::reference {

/// The block at the 128-bit `counter` under the 64-bit `key` (low words
/// first), as Random123's philox4x32_10.
inline std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> c,
                                          std::array<uint32_t, 2> k) {
  constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = uint64_t(kMul0) * c[0];
    uint64_t p1 = uint64_t(kMul1) * c[2];
    c = {static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k[0],
         static_cast<uint32_t>(p1),
         static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k[1],
         static_cast<uint32_t>(p0)};
    k[0] += kWeyl0;
    k[1] += kWeyl1;
  }
  return c;
}

/// The block of element `counter` (the high 64 counter bits are 0) under
/// `key`: what dlc.random uses.
inline std::array<uint32_t, 4> philox4x32(uint64_t counter, uint64_t key) {
  return philox4x32(
      {static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32), 0,
       0},
      {static_cast<uint32_t>(key), static_cast<uint32_t>(key >> 32)});
}

/// Uniform in [0, 1): 24 bits of word 0 for f32, 53 bits of words 0 and 1
/// for f64.
inline float uniformFloat(const std::array<uint32_t, 4> &x) {
  return static_cast<float>(x[0] >> 8) * 0x1.0p-24f;
}
inline double uniformDouble(const std::array<uint32_t, 4> &x) {
  uint64_t bits = (uint64_t(x[0]) << 32 | x[1]) >> 11;
  return static_cast<double>(bits) * 0x1.0p-53;
}

/// Standard normal by Box-Muller over words (0, 1) and (2, 3), in f64:
/// u1 in (0, 1] keeps the logarithm finite.
inline double normalDouble(const std::array<uint32_t, 4> &x) {
  uint64_t a = (uint64_t(x[0]) << 32 | x[1]) >> 11;
  uint64_t b = (uint64_t(x[2]) << 32 | x[3]) >> 11;
  double u1 = static_cast<double>(a + 1) * 0x1.0p-53;
  double u2 = static_cast<double>(b) * 0x1.0p-53;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

} // namespace mlir::dlc::reference

#endif // DLC_CODEGEN_REFERENCE_PHILOX_H
