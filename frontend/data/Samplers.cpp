//===- Samplers.cpp - SequentialSampler and RandomSampler -----------------===//

#include "frontend/data/Samplers.h"

#include "frontend/data/Random.h"

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

using detail::Generator;
using detail::splitMix64;

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

//===----------------------------------------------------------------------===//
// DistributedRandomSampler
//===----------------------------------------------------------------------===//

DistributedRandomSampler::DistributedRandomSampler(size_t size,
                                                   size_t num_replicas,
                                                   size_t rank,
                                                   bool allow_duplicates,
                                                   uint64_t seed, bool shuffle)
    : size(size), replicas(num_replicas), rank(rank),
      duplicates(allow_duplicates), seed(seed), shuffle(shuffle) {
  if (num_replicas == 0)
    throw Error("DistributedRandomSampler: num_replicas must be positive");
  if (rank >= num_replicas)
    throw Error("DistributedRandomSampler: rank " + std::to_string(rank) +
                " is not below num_replicas " + std::to_string(num_replicas));
}

size_t DistributedRandomSampler::local_sample_count() const noexcept {
  if (uneven)
    return size / replicas + (rank < size % replicas ? 1 : 0);
  return duplicates ? (size + replicas - 1) / replicas : size / replicas;
}

void DistributedRandomSampler::set_epoch(size_t epoch) { requested = epoch; }

void DistributedRandomSampler::reset(std::optional<size_t> new_size) {
  if (new_size)
    size = *new_size;
  if (requested) {
    current = *requested;
    requested.reset();
  } else if (started) {
    ++current;
  }
  started = true;
  position = 0;

  std::vector<size_t> order(size);
  std::iota(order.begin(), order.end(), size_t(0));
  if (shuffle) {
    // The same on every process: (seed, epoch) through splitmix.
    uint64_t state = seed;
    Generator generator(splitMix64(state) ^ static_cast<uint64_t>(current + 1) *
                                                0xd1342543de82ef95ull);
    for (size_t i = order.size(); i > 1; --i)
      std::swap(order[i - 1], order[generator.below(i)]);
  }
  size_t total = uneven ? size : local_sample_count() * replicas;
  // Padded with the permutation's first indices (again and again when the
  // dataset is smaller than the number of processes).
  for (size_t i = size; i < total && size > 0; ++i)
    order.push_back(order[i % size]);
  indices.clear();
  for (size_t i = rank; i < total && i < order.size(); i += replicas)
    indices.push_back(order[i]);
}

std::optional<std::vector<size_t>>
DistributedRandomSampler::next(size_t batch_size) {
  if (!started)
    reset();
  return take(&indices, indices.size(), position, batch_size);
}

} // namespace dlc::data::samplers
