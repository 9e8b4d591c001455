//===- Transforms.h - Transforms of examples and batches ------------------===//
//
// torch::data::transforms: a transform maps a batch (BatchTransform) or each
// example of a batch (Transform); Dataset::map applies one. Stack<> collates
// a std::vector of examples into one example of stacked tensors.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DATA_TRANSFORMS_H
#define DLC_FRONTEND_DATA_TRANSFORMS_H

#include "frontend/Functions.h"
#include "frontend/data/Example.h"

#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

namespace dlc::data::transforms {

/// Maps a whole batch.
template <typename InputBatch, typename OutputBatch>
class BatchTransform {
public:
  using InputBatchType = InputBatch;
  using OutputBatchType = OutputBatch;

  virtual ~BatchTransform() = default;

  virtual OutputBatch apply_batch(InputBatch input_batch) = 0;
};

/// Maps each example of a batch (a std::vector of examples) on its own.
template <typename Input, typename Output>
class Transform
    : public BatchTransform<std::vector<Input>, std::vector<Output>> {
public:
  using InputType = Input;
  using OutputType = Output;

  virtual OutputType apply(InputType input) = 0;

  std::vector<Output> apply_batch(std::vector<Input> input_batch) override {
    std::vector<Output> output;
    output.reserve(input_batch.size());
    for (auto &&input : input_batch)
      output.push_back(apply(std::move(input)));
    return output;
  }
};

/// A BatchTransform from a function.
template <typename Input, typename Output = Input>
class BatchLambda : public BatchTransform<Input, Output> {
public:
  using typename BatchTransform<Input, Output>::InputBatchType;
  using typename BatchTransform<Input, Output>::OutputBatchType;
  using FunctionType = std::function<OutputBatchType(InputBatchType)>;

  explicit BatchLambda(FunctionType function) : function(std::move(function)) {}

  OutputBatchType apply_batch(InputBatchType input_batch) override {
    return function(std::move(input_batch));
  }

private:
  FunctionType function;
};

/// A Transform (per example) from a function.
template <typename Input, typename Output = Input>
class Lambda : public Transform<Input, Output> {
public:
  using typename Transform<Input, Output>::InputType;
  using typename Transform<Input, Output>::OutputType;
  using FunctionType = std::function<Output(Input)>;

  explicit Lambda(FunctionType function) : function(std::move(function)) {}

  OutputType apply(InputType input) override {
    return function(std::move(input));
  }

private:
  FunctionType function;
};

/// A transform from a std::vector of examples to one batch.
template <typename BatchType, typename T = std::vector<BatchType>>
using Collation = BatchTransform<T, BatchType>;

/// A Collation from a function.
template <typename BatchType, typename T = std::vector<BatchType>>
using Collate = BatchLambda<T, BatchType>;

/// Stacks the tensors of a std::vector of examples along a new dimension 0
/// (dlc::stack), as LibTorch's. Datasets whose rows live in host memory
/// (TensorDataset, TensorPairDataset) give `map(Stack<>())` a faster path:
/// see MapDataset.
template <typename T = Example<>>
struct Stack;

template <>
struct Stack<Example<>> : public Collation<Example<>> {
  Example<> apply_batch(std::vector<Example<>> examples) override {
    std::vector<Tensor> data, targets;
    data.reserve(examples.size());
    targets.reserve(examples.size());
    for (auto &example : examples) {
      data.push_back(std::move(example.data));
      targets.push_back(std::move(example.target));
    }
    return {dlc::stack(data), dlc::stack(targets)};
  }
};

template <>
struct Stack<TensorExample> : public Collation<TensorExample> {
  TensorExample apply_batch(std::vector<TensorExample> examples) override {
    std::vector<Tensor> data;
    data.reserve(examples.size());
    for (auto &example : examples)
      data.push_back(std::move(example.data));
    return dlc::stack(data);
  }
};

/// A Transform of the data tensor of each example (the target passes
/// through).
template <typename Target = Tensor>
class TensorTransform
    : public Transform<Example<Tensor, Target>, Example<Tensor, Target>> {
public:
  using E = Example<Tensor, Target>;
  using typename Transform<E, E>::InputType;
  using typename Transform<E, E>::OutputType;

  virtual Tensor operator()(Tensor input) = 0;

  OutputType apply(InputType input) override {
    input.data = (*this)(std::move(input.data));
    return input;
  }
};

/// A TensorTransform from a function.
template <typename Target = Tensor>
class TensorLambda : public TensorTransform<Target> {
public:
  using FunctionType = std::function<Tensor(Tensor)>;

  explicit TensorLambda(FunctionType function)
      : function(std::move(function)) {}

  Tensor operator()(Tensor input) override {
    return function(std::move(input));
  }

private:
  FunctionType function;
};

/// `(data - mean) / stddev` per channel (dimension 0 of each example's data),
/// as LibTorch's Normalize.
template <typename Target = Tensor>
struct Normalize : public TensorTransform<Target> {
  Normalize(double mean, double stddev)
      : mean(dlc::tensor({static_cast<float>(mean)})),
        stddev(dlc::tensor({static_cast<float>(stddev)})) {}
  Normalize(const std::vector<double> &mean, const std::vector<double> &stddev)
      : mean(channels(mean)), stddev(channels(stddev)) {}

  Tensor operator()(Tensor input) override {
    return input.sub(mean).div(stddev);
  }

  Tensor mean, stddev;

private:
  static Tensor channels(const std::vector<double> &values) {
    std::vector<float> floats(values.begin(), values.end());
    return dlc::tensor(floats).reshape({-1, 1, 1});
  }
};

namespace detail {
template <typename T>
struct IsStack : std::false_type {};
template <typename T>
struct IsStack<Stack<T>> : std::true_type {};
} // namespace detail

} // namespace dlc::data::transforms

#endif // DLC_FRONTEND_DATA_TRANSFORMS_H
