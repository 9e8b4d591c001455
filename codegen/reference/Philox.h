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

/// The four 32-bit words of the block at `counter` (the high 64 counter bits
/// are 0) under `key`.
inline std::array<uint32_t, 4> philox4x32(uint64_t counter, uint64_t key) {
  constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  uint32_t c0 = static_cast<uint32_t>(counter);
  uint32_t c1 = static_cast<uint32_t>(counter >> 32);
  uint32_t c2 = 0, c3 = 0;
  uint32_t k0 = static_cast<uint32_t>(key), k1 = static_cast<uint32_t>(key >> 32);
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = uint64_t(kMul0) * c0;
    uint64_t p1 = uint64_t(kMul1) * c2;
    uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c1 ^ k0;
    uint32_t n1 = static_cast<uint32_t>(p1);
    uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c3 ^ k1;
    uint32_t n3 = static_cast<uint32_t>(p0);
    c0 = n0, c1 = n1, c2 = n2, c3 = n3;
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  return {c0, c1, c2, c3};
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
