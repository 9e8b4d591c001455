//===- Crc32c.h - CRC-32C (Castagnoli), as TFRecord framing uses it -------===//
//
// TensorBoard event files are TFRecord files: every record carries the
// masked CRC-32C of its length and of its data. The polynomial is
// Castagnoli's (0x1EDC6F41, reflected 0x82F63B78), not zlib's CRC-32.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_TRAIN_CRC32C_H
#define DLC_FRONTEND_TRAIN_CRC32C_H

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dlc::train {

/// Continues the CRC-32C `crc` of some bytes over `size` more bytes at `data`
/// (`crc` is 0 for the first bytes). Uses the SSE4.2 `crc32` instruction
/// when the CPU has it, slicing-by-8 tables otherwise.
uint32_t crc32cExtend(uint32_t crc, const void *data, size_t size);

/// The CRC-32C of `size` bytes at `data`: crc32c("123456789") = 0xE3069283.
inline uint32_t crc32c(const void *data, size_t size) {
  return crc32cExtend(0, data, size);
}
inline uint32_t crc32c(std::string_view bytes) {
  return crc32c(bytes.data(), bytes.size());
}

/// The portable (table) implementation, also used to test the SSE4.2 one.
uint32_t crc32cExtendPortable(uint32_t crc, const void *data, size_t size);

/// The CRC as TFRecord stores it: rotated right by 15 bits plus a constant,
/// because a CRC over data that contains CRCs is weak.
inline uint32_t maskCrc32c(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

/// The inverse of maskCrc32c.
inline uint32_t unmaskCrc32c(uint32_t masked) {
  uint32_t rotated = masked - 0xa282ead8u;
  return (rotated >> 17) | (rotated << 15);
}

} // namespace dlc::train

#endif // DLC_FRONTEND_TRAIN_CRC32C_H
