//===- Random.h - The data pipeline's seeded generator ----------*- C++ -*-===//
//
// xoshiro256** seeded through splitmix64: a small generator whose sequence
// is fixed by its seed on every platform (std::uniform_int_distribution's is
// not), so that RandomSampler's orders, the MovieLens loaders' splits and
// negatives, and dlc::tune's samples are the same everywhere. Internal to
// the frontend.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DATA_RANDOM_H
#define DLC_FRONTEND_DATA_RANDOM_H

#include <cstdint>

namespace dlc::data::detail {

/// One splitmix64 step: advances `state`, returns the next output.
inline uint64_t splitMix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// xoshiro256**, its four words of state filled by splitmix64 from the seed.
class Generator {
public:
  explicit Generator(uint64_t seed) {
    for (uint64_t &word : state)
      word = splitMix64(seed);
  }

  uint64_t next() {
    uint64_t result = rotl(state[1] * 5, 7) * 9;
    uint64_t t = state[1] << 17;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = rotl(state[3], 45);
    return result;
  }

  /// Uniform in [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  /// Uniform in [0, bound), without modulo bias (Lemire's method).
  uint64_t below(uint64_t bound) {
    unsigned __int128 product = (unsigned __int128)next() * bound;
    uint64_t low = static_cast<uint64_t>(product);
    if (low < bound) {
      uint64_t threshold = -bound % bound;
      while (low < threshold) {
        product = (unsigned __int128)next() * bound;
        low = static_cast<uint64_t>(product);
      }
    }
    return static_cast<uint64_t>(product >> 64);
  }

private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state[4];
};

} // namespace dlc::data::detail

#endif // DLC_FRONTEND_DATA_RANDOM_H
