//===- Init.h - nn::init: filling parameters ------------------------------===//
//
// As torch::nn::init: each function fills `tensor` in place (without
// recording a gradient), from dlc's generator (seeded by manual_seed), and
// returns it.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_NN_INIT_H
#define DLC_FRONTEND_NN_INIT_H

#include "frontend/Tensor.h"
#include "frontend/nn/Options.h"

#include <utility>

namespace dlc::nn::init {

/// The recommended gain for `nonlinearity` (`param`: LeakyReLU's slope).
double calculate_gain(Nonlinearity nonlinearity, double param = 0.01);
/// (fan_in, fan_out) of a weight of at least 2 dimensions.
std::pair<int64_t, int64_t> _calculate_fan_in_and_fan_out(const Tensor &tensor);

Tensor uniform_(Tensor tensor, double low = 0, double high = 1);
Tensor normal_(Tensor tensor, double mean = 0, double std = 1);
Tensor constant_(Tensor tensor, Scalar value);
Tensor ones_(Tensor tensor);
Tensor zeros_(Tensor tensor);
Tensor xavier_uniform_(Tensor tensor, double gain = 1.0);
Tensor xavier_normal_(Tensor tensor, double gain = 1.0);
Tensor kaiming_uniform_(Tensor tensor, double a = 0,
                        FanMode mode = FanMode::FanIn,
                        Nonlinearity nonlinearity = Nonlinearity::LeakyReLU);
Tensor kaiming_normal_(Tensor tensor, double a = 0,
                       FanMode mode = FanMode::FanIn,
                       Nonlinearity nonlinearity = Nonlinearity::LeakyReLU);

} // namespace dlc::nn::init

#endif // DLC_FRONTEND_NN_INIT_H
