//===- Init.cpp - nn::init: filling parameters ----------------------------===//

#include "frontend/nn/Init.h"
#include "frontend/Autograd.h"
#include "frontend/Functions.h"
#include "runtime/Error.h"

#include <fmt/format.h>

#include <cmath>

namespace dlc::nn::init {
namespace {

/// `tensor` takes `value`'s elements, without a gradient.
Tensor fill(Tensor tensor, const Tensor &value) {
  NoGradGuard noGrad;
  tensor.copy_(value);
  return tensor;
}

TensorOptions like(const Tensor &tensor) {
  return TensorOptions().dtype(tensor.scalar_type()).device(tensor.device());
}

} // namespace

double calculate_gain(Nonlinearity nonlinearity, double param) {
  switch (nonlinearity) {
  case Nonlinearity::Linear:
  case Nonlinearity::Sigmoid:
    return 1;
  case Nonlinearity::Tanh:
    return 5.0 / 3;
  case Nonlinearity::ReLU:
    return std::sqrt(2.0);
  case Nonlinearity::LeakyReLU:
    return std::sqrt(2.0 / (1 + param * param));
  }
  return 1;
}

std::pair<int64_t, int64_t>
_calculate_fan_in_and_fan_out(const Tensor &tensor) {
  int64_t dims = tensor.dim();
  if (dims < 2)
    throw Error(
        fmt::format("nn::init: fan in and fan out need a tensor of at least 2 "
                    "dimensions, got {}",
                    dims));
  int64_t receptive = 1;
  for (int64_t d = 2; d < dims; ++d)
    receptive *= tensor.sizes()[d];
  return {tensor.sizes()[1] * receptive, tensor.sizes()[0] * receptive};
}

Tensor uniform_(Tensor tensor, double low, double high) {
  return fill(tensor, rand(tensor.sizes(), like(tensor)) * (high - low) + low);
}

Tensor normal_(Tensor tensor, double mean, double std) {
  return fill(tensor, randn(tensor.sizes(), like(tensor)) * std + mean);
}

Tensor constant_(Tensor tensor, Scalar value) {
  return fill(tensor, full(tensor.sizes(), value, like(tensor)));
}

Tensor ones_(Tensor tensor) { return constant_(std::move(tensor), 1); }
Tensor zeros_(Tensor tensor) { return constant_(std::move(tensor), 0); }

Tensor xavier_uniform_(Tensor tensor, double gain) {
  auto [in, out] = _calculate_fan_in_and_fan_out(tensor);
  double bound = gain * std::sqrt(6.0 / static_cast<double>(in + out));
  return uniform_(tensor, -bound, bound);
}

Tensor xavier_normal_(Tensor tensor, double gain) {
  auto [in, out] = _calculate_fan_in_and_fan_out(tensor);
  return normal_(tensor, 0,
                 gain * std::sqrt(2.0 / static_cast<double>(in + out)));
}

static double kaimingStd(const Tensor &tensor, double a, FanMode mode,
                         Nonlinearity nonlinearity) {
  auto [in, out] = _calculate_fan_in_and_fan_out(tensor);
  int64_t fan = mode == FanMode::FanIn ? in : out;
  if (fan == 0)
    throw Error(
        "nn::init: a kaiming initialisation of a tensor with no elements");
  return calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan));
}

Tensor kaiming_uniform_(Tensor tensor, double a, FanMode mode,
                        Nonlinearity nonlinearity) {
  double bound = std::sqrt(3.0) * kaimingStd(tensor, a, mode, nonlinearity);
  return uniform_(tensor, -bound, bound);
}

Tensor kaiming_normal_(Tensor tensor, double a, FanMode mode,
                       Nonlinearity nonlinearity) {
  return normal_(tensor, 0, kaimingStd(tensor, a, mode, nonlinearity));
}

} // namespace dlc::nn::init
