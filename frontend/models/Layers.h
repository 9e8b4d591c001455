//===- Layers.h - Layers every CTR model shares ---------------------------===//
//
// DeepCTR's shared pieces: the DNN tower (with Dice, PReLU or any named
// activation), the linear (first-order) logit over all columns, and the
// base class of the models, so that a program (dlc-train) can hold any of
// them.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_MODELS_LAYERS_H
#define DLC_FRONTEND_MODELS_LAYERS_H

#include "frontend/Tensor.h"
#include "frontend/models/Features.h"
#include "frontend/nn/Module.h"
#include "frontend/nn/Modules.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::models {

/// Dice, DIN's data-adaptive activation: p = sigmoid(batch_norm(x)),
/// y = p x + (1 - p) alpha x, per feature of the last dimension; inputs
/// [B, E] or [B, T, E] (normalized over B and T). alpha starts at 0.
class DiceImpl : public nn::Module {
public:
  explicit DiceImpl(int64_t features, double eps = 1e-8);
  Tensor forward(const Tensor &x);

  nn::BatchNorm1d bn{nullptr};
  Tensor alpha; ///< [E]
};
DLC_MODULE(Dice);

/// An activation by name: "relu", "sigmoid", "tanh", "gelu", "prelu" (one
/// slope, as DeepCTR), "dice" (over `features`), "linear" (identity).
/// Throws dlc::Error naming the known ones for any other name.
nn::AnyModule make_activation(const std::string &name, int64_t features);

struct DNNOptions {
  DNNOptions() = default;
  /* implicit */ DNNOptions(std::vector<int64_t> hidden_units)
      : hidden_units_(std::move(hidden_units)) {}
  DLC_ARG(std::vector<int64_t>, hidden_units);
  DLC_ARG(std::string, activation) = "relu";
  DLC_ARG(double, dropout) = 0.0;
  /// Batch normalization before each activation.
  DLC_ARG(bool, use_bn) = false;
  /// Weights start N(0, init_std), as DeepCTR (biases as LibTorch's Linear).
  DLC_ARG(double, init_std) = 1e-4;
};

/// The DNN tower a model's options describe: every CTR model's options
/// have dnn_hidden_units, dnn_activation, dnn_dropout, dnn_use_bn and
/// init_std.
template <typename ModelOptions>
DNNOptions dnn_options(const ModelOptions &options) {
  return DNNOptions(options.dnn_hidden_units())
      .activation(options.dnn_activation())
      .dropout(options.dnn_dropout())
      .use_bn(options.dnn_use_bn())
      .init_std(options.init_std());
}

/// Linear layers with an activation (and optional batch norm and dropout)
/// after each: DeepCTR's DNN. Works on the last dimension of [B, in] or
/// [B, T, in] inputs.
class DNNImpl : public nn::Module {
public:
  DNNImpl(int64_t input_dim, const DNNOptions &options);
  Tensor forward(const Tensor &x);
  /// The width of the output (input_dim without hidden units).
  int64_t output_dim() const { return outputDim; }

  DNNOptions options;
  nn::ModuleList linears, norms, activations;
  nn::Dropout dropout{nullptr};

private:
  /// The activations' forwards (their modules are in `activations`).
  std::vector<nn::AnyModule> activationFunctions;
  int64_t outputDim;
};
DLC_MODULE(DNN);

/// The linear logit over every column (DeepCTR's Linear): a 1-dimensional
/// embedding per sparse column, pooled per id list, plus a weight per dense
/// value; [B, 1]. No bias (the models add theirs).
class LinearLogitImpl : public nn::Module {
public:
  explicit LinearLogitImpl(const FeatureIndex &index, double init_std = 1e-4);
  Tensor forward(const Tensor &x);

  EmbeddingDict embeddings{nullptr};
  Tensor dense_weight; ///< [Σ dense dimensions, 1], undefined without dense
};
DLC_MODULE(LinearLogit);

/// The base of the CTR models: forward maps x [B, width] (the feature
/// columns side by side) to one logit per row, [B]; train with
/// BCEWithLogitsLoss (plus auxiliary_loss() when it is defined).
class CtrModelImpl : public nn::Module {
public:
  CtrModelImpl(std::string name, std::vector<FeatureColumn> columns);
  virtual Tensor forward(const Tensor &x) = 0;
  /// A term the last forward() in training adds to the task loss (DIEN's
  /// auxiliary loss); undefined for the other models.
  virtual Tensor auxiliary_loss() const { return {}; }
  const FeatureIndex &features() const { return index; }

protected:
  FeatureIndex index;
};

} // namespace dlc::models

#endif // DLC_FRONTEND_MODELS_LAYERS_H
