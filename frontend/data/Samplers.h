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

} // namespace dlc::data::samplers

#endif // DLC_FRONTEND_DATA_SAMPLERS_H
