//===- Crc32c.cpp - CRC-32C with slicing-by-8 tables and SSE4.2 -----------===//

#include "frontend/train/Crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define DLC_CRC32C_HAVE_SSE42 1
#endif

namespace dlc::train {

namespace {

constexpr uint32_t kPolynomial = 0x82F63B78u; // reflected 0x1EDC6F41

/// tables[k][b]: the CRC of byte b followed by k zero bytes. Slicing-by-8
/// folds eight input bytes per step with these.
using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables makeTables() {
  Tables tables{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc >> 1) ^ ((crc & 1u) ? kPolynomial : 0u);
    tables[0][b] = crc;
  }
  for (uint32_t b = 0; b < 256; ++b)
    for (size_t k = 1; k < 8; ++k)
      tables[k][b] =
          (tables[k - 1][b] >> 8) ^ tables[0][tables[k - 1][b] & 0xffu];
  return tables;
}

constexpr Tables kTables = makeTables();

uint64_t loadLittleEndian64(const unsigned char *p) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i)
    value = (value << 8) | p[i];
  return value;
}

#ifdef DLC_CRC32C_HAVE_SSE42
__attribute__((target("sse4.2"))) uint32_t crc32cExtendSse42(uint32_t crc,
                                                             const void *data,
                                                             size_t size) {
  const auto *p = static_cast<const unsigned char *>(data);
  uint64_t state = ~crc;
  for (; size >= 8; p += 8, size -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8); // x86 is little-endian
    state = _mm_crc32_u64(state, word);
  }
  auto state32 = static_cast<uint32_t>(state);
  for (; size > 0; ++p, --size)
    state32 = _mm_crc32_u8(state32, *p);
  return ~state32;
}

bool cpuHasSse42() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#endif

} // namespace

uint32_t crc32cExtendPortable(uint32_t crc, const void *data, size_t size) {
  const auto *p = static_cast<const unsigned char *>(data);
  uint32_t state = ~crc;
  for (; size >= 8; p += 8, size -= 8) {
    uint64_t word = loadLittleEndian64(p) ^ state;
    state = kTables[7][word & 0xff] ^ kTables[6][(word >> 8) & 0xff] ^
            kTables[5][(word >> 16) & 0xff] ^ kTables[4][(word >> 24) & 0xff] ^
            kTables[3][(word >> 32) & 0xff] ^ kTables[2][(word >> 40) & 0xff] ^
            kTables[1][(word >> 48) & 0xff] ^ kTables[0][word >> 56];
  }
  for (; size > 0; ++p, --size)
    state = (state >> 8) ^ kTables[0][(state ^ *p) & 0xffu];
  return ~state;
}

uint32_t crc32cExtend(uint32_t crc, const void *data, size_t size) {
#ifdef DLC_CRC32C_HAVE_SSE42
  if (cpuHasSse42())
    return crc32cExtendSse42(crc, data, size);
#endif
  return crc32cExtendPortable(crc, data, size);
}

} // namespace dlc::train
