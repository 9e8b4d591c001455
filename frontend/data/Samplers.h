//===- Samplers.h - The order in which a data loader visits a dataset -----===//
//
// torch::data::samplers: a sampler hands out batches of indices until an
// epoch is over; reset() starts the next epoch. RandomSampler draws a new
// permutation for every epoch, reproducibly: from an explicit seed, or from
// dlc's generator (so `dlc::manual_seed` fixes it).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DATA_SAMPLERS_H
#define DLC_FRONTEND_DATA_SAMPLERS_H

#include "runtime/ScalarType.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace dlc::data::samplers {

/// Hands out batch requests (index lists by default) for one epoch.
template <typename BatchRequest = std::vector<size_t>>
class Sampler {
public:
  using BatchRequestType = BatchRequest;

  virtual ~Sampler() = default;

  /// Starts a new epoch, over `new_size` indices if given.
  virtual void reset(std::optional<size_t> new_size) = 0;

  /// The next request of at most `batch_size` indices; none at the end of
  /// the epoch.
  virtual std::optional<BatchRequest> next(size_t batch_size) = 0;
};

/// 0, 1, ..., size - 1 in order.
class SequentialSampler : public Sampler<> {
public:
  explicit SequentialSampler(size_t size);

  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;

  /// The number of indices handed out in this epoch.
  size_t index() const noexcept { return position; }

private:
  size_t count;
  size_t position = 0;
};

/// A random permutation of 0 .. size - 1, a new one every epoch.
///
/// Without a seed, each permutation is drawn from dlc's generator (one draw
/// when the first batch of an epoch is asked for), so `dlc::manual_seed(n)`
/// before the loop makes the order reproducible, as LibTorch's randperm
/// does. With a seed, the permutation of epoch k depends only on (seed, k):
/// the same on every run and machine, whatever else uses the generator.
class RandomSampler : public Sampler<> {
public:
  /// `index_dtype` is accepted for LibTorch's signature; indices are kept as
  /// size_t.
  explicit RandomSampler(int64_t size, ScalarType index_dtype = kInt64);
  /// dlc's own: a sampler whose permutations follow from `seed`.
  RandomSampler(int64_t size, uint64_t seed);

  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;

  /// The number of indices handed out in this epoch.
  size_t index() const noexcept { return position; }
  /// The explicit seed, if one was given.
  std::optional<uint64_t> seed() const noexcept { return fixedSeed; }
  /// Epochs started so far by reset() (0 before the first reset).
  uint64_t epoch() const noexcept { return epochs; }

private:
  void shuffle();

  std::vector<size_t> indices;
  size_t position = 0;
  std::optional<uint64_t> fixedSeed;
  uint64_t epochs = 0;
  /// The permutation is drawn when the epoch's first batch is asked for.
  bool shuffled = false;
};

/// One process's share of each epoch in data-parallel training, as
/// PyTorch's DistributedSampler: every process draws the same permutation of
/// 0 .. size - 1 (from `seed` and the epoch, never from dlc's generator) and
/// takes every `num_replicas`-th index from position `rank`, so the shards
/// are disjoint and together cover the dataset once per epoch. With
/// `allow_duplicates` (PyTorch's drop_last = false) the permutation is
/// padded with its first indices to a multiple of num_replicas, so every
/// process gets ceil(size / num_replicas) indices; without it the tail is
/// dropped and each gets floor(size / num_replicas).
///
/// reset() starts the next epoch (a data loader's begin() calls it): epoch
/// 0 at the first reset, then 1, 2, ...; set_epoch(k) makes the next reset
/// start epoch k (for resuming; PyTorch's set_epoch). `shuffle` false keeps
/// the order 0, 1, ... (DistributedSequentialSampler).
class DistributedRandomSampler : public Sampler<> {
public:
  DistributedRandomSampler(size_t size, size_t num_replicas = 1,
                           size_t rank = 0, bool allow_duplicates = true,
                           uint64_t seed = 0, bool shuffle = true);

  void reset(std::optional<size_t> new_size = std::nullopt) override;
  std::optional<std::vector<size_t>> next(size_t batch_size) override;

  /// The epoch the next reset() starts.
  void set_epoch(size_t epoch);
  /// The current epoch (that of the last reset()).
  size_t epoch() const noexcept { return current; }
  /// The number of indices this process gets per epoch.
  size_t local_sample_count() const noexcept;
  size_t num_replicas() const noexcept { return replicas; }
  /// The number of indices handed out in this epoch.
  size_t index() const noexcept { return position; }

protected:
  /// Every index once, shards of unequal size (DistributedEvalSampler).
  bool uneven = false;

private:
  size_t size;
  size_t replicas;
  size_t rank;
  bool duplicates;
  uint64_t seed;
  bool shuffle;
  std::vector<size_t> indices;
  size_t position = 0;
  size_t current = 0;
  std::optional<size_t> requested;
  bool started = false;
};

/// The same shards without shuffling, as LibTorch's
/// DistributedSequentialSampler (evaluation on several processes).
class DistributedSequentialSampler : public DistributedRandomSampler {
public:
  DistributedSequentialSampler(size_t size, size_t num_replicas = 1,
                               size_t rank = 0, bool allow_duplicates = true)
      : DistributedRandomSampler(size, num_replicas, rank, allow_duplicates, 0,
                                 /*shuffle=*/false) {}
};

/// Evaluation on several processes: rank r gets r, r + num_replicas, ...
/// in order, every index exactly once, so shards differ in size by at most
/// one. Fit for loops without collectives per batch (evaluate(), predict():
/// metrics are combined once at the end), not for training, where every
/// process must take the same number of steps.
class DistributedEvalSampler : public DistributedRandomSampler {
public:
  DistributedEvalSampler(size_t size, size_t num_replicas = 1, size_t rank = 0)
      : DistributedRandomSampler(size, num_replicas, rank, false, 0,
                                 /*shuffle=*/false) {
    uneven = true;
  }
};

} // namespace dlc::data::samplers

#endif // DLC_FRONTEND_DATA_SAMPLERS_H
