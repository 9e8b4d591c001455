//===- Example.h - One example (data and target) of a dataset -------------===//
//
// torch::data::Example: what a dataset's get() returns and what
// transforms::Stack<> collates a batch into.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DATA_EXAMPLE_H
#define DLC_FRONTEND_DATA_EXAMPLE_H

#include "frontend/Tensor.h"

#include <utility>

namespace dlc::data {

/// An example of a dataset: its data and its target, as LibTorch's.
template <typename Data = Tensor, typename Target = Tensor>
struct Example {
  using DataType = Data;
  using TargetType = Target;

  Example() = default;
  Example(Data data, Target target)
      : data(std::move(data)), target(std::move(target)) {}

  Data data;
  Target target;
};

namespace example {
/// The target type of an example without a target (LibTorch's spelling).
using NoTarget = void;
} // namespace example

/// An example with data only: `Example<Data, example::NoTarget>`.
template <typename Data>
struct Example<Data, example::NoTarget> {
  using DataType = Data;
  using TargetType = example::NoTarget;

  Example() = default;
  /* implicit */ Example(Data data) : data(std::move(data)) {}

  /// Converts to the data, as LibTorch's.
  operator Data &() { return data; }
  operator const Data &() const { return data; }

  Data data;
};

/// An example holding one tensor (TensorDataset's).
using TensorExample = Example<Tensor, example::NoTarget>;

} // namespace dlc::data

#endif // DLC_FRONTEND_DATA_EXAMPLE_H
