//===- Dataset.h - Dataset bases (CRTP) and MapDataset --------------------===//
//
// torch::data::datasets: a BatchDataset returns a whole batch for a list of
// indices; a Dataset returns one example per index and, by default, a batch
// as a std::vector of examples. `dataset.map(transform)` gives a MapDataset
// whose batches are the transform's.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DATA_DATASET_H
#define DLC_FRONTEND_DATA_DATASET_H

#include "frontend/ArrayRef.h"
#include "frontend/data/Example.h"
#include "frontend/data/Transforms.h"

#include <concepts>
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace dlc::data {

/// The batch request type of datasets (`ArrayRef<size_t>`), as
/// torch::data's: dlc::ArrayRef.
using dlc::ArrayRef;

namespace datasets {

template <typename SourceDataset, typename AppliedTransform>
class MapDataset;

template <typename DatasetType, typename TransformType>
MapDataset<DatasetType, TransformType> map(DatasetType dataset,
                                           TransformType transform);

namespace detail {
template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};
} // namespace detail

/// A dataset that returns a whole batch for a request (a list of indices by
/// default). `Self` is the deriving class (CRTP).
template <typename Self, typename Batch = std::vector<Example<>>,
          typename BatchRequest = ArrayRef<size_t>>
class BatchDataset {
public:
  using SelfType = Self;
  using BatchType = Batch;
  using BatchRequestType = BatchRequest;
  /// Stateful datasets (whose batches are optional) are not supported by
  /// dlc's loader yet.
  constexpr static bool is_stateful = detail::IsOptional<BatchType>::value;

  virtual ~BatchDataset() = default;

  /// The batch for `request`.
  virtual Batch get_batch(BatchRequest request) = 0;

  /// The number of examples, if known.
  virtual std::optional<size_t> size() const = 0;

  /// This dataset with `transform` applied to each batch.
  template <typename TransformType>
  MapDataset<Self, TransformType> map(TransformType transform) & {
    return datasets::map(static_cast<Self &>(*this), std::move(transform));
  }
  template <typename TransformType>
  MapDataset<Self, TransformType> map(TransformType transform) && {
    return datasets::map(std::move(static_cast<Self &>(*this)),
                         std::move(transform));
  }
};

/// A dataset of examples indexed by `get(index)`; a batch is the examples
/// of its indices, in order.
template <typename Self, typename SingleExample = Example<>>
class Dataset : public BatchDataset<Self, std::vector<SingleExample>> {
public:
  using ExampleType = SingleExample;

  /// The example at `index`.
  virtual ExampleType get(size_t index) = 0;

  std::vector<ExampleType> get_batch(ArrayRef<size_t> indices) override {
    std::vector<ExampleType> batch;
    batch.reserve(indices.size());
    for (size_t i : indices)
      batch.push_back(get(i));
    return batch;
  }
};

/// A dataset asked for a number of examples at a time (its batch request is
/// a size), as LibTorch's; dlc's loader does not drive these yet.
template <typename Self, typename Batch = std::vector<Example<>>>
using StreamDataset = BatchDataset<Self, Batch, /*BatchRequest=*/size_t>;

namespace detail {
/// Whether `D` builds a stacked batch of type `E` itself
/// (`get_stacked_batch(indices)`, dlc's own): datasets whose rows are in
/// host memory copy the rows of a batch into one buffer instead of recording
/// a stack of per-example tensors.
template <typename D, typename R, typename E>
concept StacksBatches = requires(D &dataset, R request) {
  { dataset.get_stacked_batch(std::move(request)) } -> std::same_as<E>;
};
} // namespace detail

/// A dataset whose batches are the source's, mapped by a transform.
template <typename SourceDataset, typename AppliedTransform>
class MapDataset
    : public BatchDataset<MapDataset<SourceDataset, AppliedTransform>,
                          typename AppliedTransform::OutputBatchType,
                          typename SourceDataset::BatchRequestType> {
public:
  using DatasetType = SourceDataset;
  using TransformType = AppliedTransform;
  using BatchRequestType = typename SourceDataset::BatchRequestType;
  using OutputBatchType = typename AppliedTransform::OutputBatchType;

  MapDataset(DatasetType dataset, TransformType transform)
      : source(std::move(dataset)), applied(std::move(transform)) {}

  /// The source's batch for `request`, transformed. `Stack<>` over a
  /// dataset that stacks its own rows (get_stacked_batch) takes that path;
  /// the result is the same.
  OutputBatchType get_batch(BatchRequestType request) override {
    if constexpr (transforms::detail::IsStack<TransformType>::value &&
                  detail::StacksBatches<DatasetType, BatchRequestType,
                                        OutputBatchType>)
      return source.get_stacked_batch(std::move(request));
    else
      return applied.apply_batch(source.get_batch(std::move(request)));
  }

  std::optional<size_t> size() const override { return source.size(); }

  const SourceDataset &dataset() const noexcept { return source; }
  SourceDataset &dataset() noexcept { return source; }
  const AppliedTransform &transform() const noexcept { return applied; }

private:
  SourceDataset source;
  AppliedTransform applied;
};

/// `dataset` with `transform` applied to each batch.
template <typename DatasetType, typename TransformType>
MapDataset<DatasetType, TransformType> map(DatasetType dataset,
                                           TransformType transform) {
  static_assert(
      std::is_same_v<typename std::conditional_t<
                         DatasetType::is_stateful,
                         typename DatasetType::BatchType::value_type,
                         typename DatasetType::BatchType>,
                     typename TransformType::InputBatchType>,
      "BatchType type of dataset does not match input type of transform");
  return {std::move(dataset), std::move(transform)};
}

} // namespace datasets

using datasets::BatchDataset;
using datasets::Dataset;
using datasets::MapDataset;

} // namespace dlc::data

#endif // DLC_FRONTEND_DATA_DATASET_H
