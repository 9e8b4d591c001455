//===- Samplers.cpp - SequentialSampler and RandomSampler -----------------===//

#include "frontend/data/Samplers.h"

#include "frontend/Functions.h"
#include "runtime/Error.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace dlc::data::samplers {

namespace {

/// A batch of up to `batchSize` indices from `indices` at `position`.
std::optional<std::vector<size_t>> take(const std::vector<size_t> *indices,
                                        size_t count, size_t &position,
                                        size_t batchSize) {
  if (position >= count)
    return std::nullopt;
  size_t n = std::min(batchSize, count - position);
  std::vector<size_t> batch(n);
  for (size_t i = 0; i < n; ++i)
    batch[i] = indices ? (*indices)[position + i] : position + i;
  position += n;
  return batch;
}

uint64_t splitMix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// xoshiro256**: a small generator whose sequence is fixed by its seed on
/// every platform (std::uniform_int_distribution is not).
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

size_t checkedSize(int64_t size) {
  if (size < 0)
    throw Error("RandomSampler: size must be non-negative, got " +
                std::to_string(size));
  return static_cast<size_t>(size);
}

} // namespace

//===----------------------------------------------------------------------===//
// SequentialSampler
//===----------------------------------------------------------------------===//

SequentialSampler::SequentialSampler(size_t size) : count(size) {}

void SequentialSampler::reset(std::optional<size_t> new_size) {
  if (new_size)
    count = *new_size;
  position = 0;
}

std::optional<std::vector<size_t>> SequentialSampler::next(size_t batch_size) {
  return take(nullptr, count, position, batch_size);
}

//===----------------------------------------------------------------------===//
// RandomSampler
//===----------------------------------------------------------------------===//

RandomSampler::RandomSampler(int64_t size, ScalarType /*index_dtype*/)
    : indices(checkedSize(size)) {}

RandomSampler::RandomSampler(int64_t size, uint64_t seed)
    : indices(checkedSize(size)), fixedSeed(seed) {}

void RandomSampler::reset(std::optional<size_t> new_size) {
  if (new_size)
    indices.resize(*new_size);
  position = 0;
  shuffled = false;
  ++epochs;
}

void RandomSampler::shuffle() {
  uint64_t seed;
  if (fixedSeed) {
    // Epoch k's stream: the seed and k through splitmix, so that nearby
    // seeds and epochs give unrelated permutations.
    uint64_t state = *fixedSeed;
    seed = splitMix64(state) ^ epochs * 0xd1342543de82ef95ull;
  } else {
    seed = static_cast<uint64_t>(
        dlc::randint(0, int64_t(1) << 62, {1}, kLong).item<int64_t>());
  }
  Generator generator(seed);
  std::iota(indices.begin(), indices.end(), size_t(0));
  // Fisher-Yates.
  for (size_t i = indices.size(); i > 1; --i)
    std::swap(indices[i - 1], indices[generator.below(i)]);
  shuffled = true;
}

std::optional<std::vector<size_t>> RandomSampler::next(size_t batch_size) {
  if (!shuffled && position < indices.size())
    shuffle();
  return take(&indices, indices.size(), position, batch_size);
}

} // namespace dlc::data::samplers
