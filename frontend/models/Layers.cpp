//===- Layers.cpp - Layers every CTR model shares -------------------------===//

#include "frontend/models/Layers.h"

#include "frontend/Functions.h"
#include "frontend/nn/Init.h"
#include "runtime/Error.h"

#include <fmt/format.h>

namespace dlc::models {

DiceImpl::DiceImpl(int64_t features, double eps) : nn::Module("Dice") {
  bn = register_module(
      "bn", nn::BatchNorm1d(nn::BatchNormOptions(features).eps(eps)));
  alpha = register_parameter("alpha", dlc::zeros({features}));
}

Tensor DiceImpl::forward(const Tensor &x) {
  // Normalize per feature over every other dimension.
  int64_t features = x.size(-1);
  Tensor normalized = bn->forward(x.reshape({-1, features})).reshape(x.sizes());
  Tensor p = dlc::sigmoid(normalized);
  return p * x + (1.0 - p) * alpha * x;
}

nn::AnyModule make_activation(const std::string &name, int64_t features) {
  if (name == "relu")
    return nn::ReLU();
  if (name == "sigmoid")
    return nn::Sigmoid();
  if (name == "tanh")
    return nn::Tanh();
  if (name == "gelu")
    return nn::GELU();
  if (name == "prelu")
    return nn::PReLU();
  if (name == "dice")
    return Dice(features);
  if (name == "linear")
    return nn::Functional([](Tensor x) { return x; });
  throw Error(fmt::format("activation: unknown activation '{}' (known: relu, "
                          "sigmoid, tanh, gelu, prelu, dice, linear)",
                          name));
}

DNNImpl::DNNImpl(int64_t input_dim, const DNNOptions &options)
    : nn::Module("DNN"), options(options), outputDim(input_dim) {
  if (input_dim <= 0)
    throw Error(fmt::format("DNN: input dim {} is not positive", input_dim));
  linears = register_module("linears", nn::ModuleList());
  norms = register_module("norms", nn::ModuleList());
  activations = register_module("activations", nn::ModuleList());
  int64_t in = input_dim;
  for (int64_t units : options.hidden_units()) {
    if (units <= 0)
      throw Error(fmt::format("DNN: hidden layer of {} units", units));
    nn::Linear linear(in, units);
    nn::init::normal_(linear->weight, 0.0, options.init_std());
    linears->push_back(linear);
    if (options.use_bn())
      norms->push_back(nn::BatchNorm1d(units));
    nn::AnyModule activation = make_activation(options.activation(), units);
    activations->push_back(activation.ptr());
    activationFunctions.push_back(std::move(activation));
    in = units;
  }
  outputDim = in;
  dropout = register_module("dropout", nn::Dropout(options.dropout()));
}

Tensor DNNImpl::forward(const Tensor &x) {
  Tensor h = x;
  for (size_t i = 0; i < linears->size(); ++i) {
    h = linears->at<nn::LinearImpl>(i)->forward(h);
    if (options.use_bn()) {
      int64_t units = h.size(-1);
      h = norms->at<nn::BatchNorm1dImpl>(i)
              ->forward(h.reshape({-1, units}))
              .reshape(h.sizes());
    }
    h = activationFunctions[i].forward(h);
    if (options.dropout() > 0)
      h = dropout->forward(h);
  }
  return h;
}

//===----------------------------------------------------------------------===//
// LinearLogit and CtrModelImpl
//===----------------------------------------------------------------------===//

LinearLogitImpl::LinearLogitImpl(const FeatureIndex &index, double init_std)
    : nn::Module("LinearLogit") {
  embeddings = register_module("embeddings",
                               EmbeddingDict(index, init_std, /*force_dim=*/1));
  int64_t denseWidth = 0;
  for (const DenseFeat &dense : index.dense())
    denseWidth += dense.dimension();
  if (denseWidth > 0) {
    dense_weight =
        register_parameter("dense_weight", dlc::empty({denseWidth, 1}));
    nn::init::normal_(dense_weight, 0.0, init_std);
  }
}

Tensor LinearLogitImpl::forward(const Tensor &x) {
  Inputs inputs = inputs_from_feature_columns(x, embeddings);
  Tensor logit;
  if (!inputs.sparse.empty())
    logit = dlc::cat(inputs.sparse, 1).sum({1}); // [B, n, 1] -> [B, 1]
  if (!inputs.dense.empty()) {
    Tensor dense = inputs.dense.size() == 1 ? inputs.dense.front()
                                            : dlc::cat(inputs.dense, 1);
    Tensor term = dlc::matmul(dense, dense_weight);
    logit = logit.defined() ? logit + term : term;
  }
  return logit;
}

CtrModelImpl::CtrModelImpl(std::string name, std::vector<FeatureColumn> columns)
    : nn::Module(std::move(name)), index(std::move(columns)) {}

} // namespace dlc::models
