//===- DeepFM.h - DeepFM: a factorization machine beside a DNN ------------===//
//
// Guo et al., "DeepFM: A Factorization-Machine based Neural Network for CTR
// Prediction" (IJCAI 2017), as DeepCTR-Torch's DeepFM: the logit is
//   bias + linear logit + FM interaction + dnn_linear(DNN(combined input)),
// where the FM part and the DNN share one set of embeddings (the FM needs
// them to share one embedding dim) and the DNN reads every embedding and
// dense value side by side. Defaults as DeepCTR: use_fm, dnn_hidden_units
// {256, 128}, relu, no dropout, no batch norm, init_std 1e-4 for the
// embeddings, the linear weights and the DNN's weights; dnn_linear is a
// bias-free nn::Linear with LibTorch's initialisation, the bias starts at 0.
// Without hidden units the DNN part is left out, as DeepCTR's use_dnn.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_MODELS_DEEPFM_H
#define DLC_FRONTEND_MODELS_DEEPFM_H

#include "frontend/models/Features.h"
#include "frontend/models/Interactions.h"
#include "frontend/models/Layers.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::models {

struct DeepFMOptions {
  /// Whether the FM interaction term is part of the logit.
  DLC_ARG(bool, use_fm) = true;
  /// The DNN's layers; empty leaves the DNN out.
  DLC_ARG(std::vector<int64_t>, dnn_hidden_units) = { 256, 128 };
  /// A make_activation name: relu, sigmoid, tanh, gelu, prelu, dice, linear.
  DLC_ARG(std::string, dnn_activation) = "relu";
  DLC_ARG(double, dnn_dropout) = 0.0;
  DLC_ARG(bool, dnn_use_bn) = false;
  /// The standard deviation of the embeddings, linear and DNN weights.
  DLC_ARG(double, init_std) = 1e-4;
};

/// DeepFM over feature columns: [B] logits. Throws dlc::Error when use_fm is
/// set and the embedding dims differ.
class DeepFMImpl : public CtrModelImpl {
public:
  explicit DeepFMImpl(std::vector<FeatureColumn> columns,
                      const DeepFMOptions &options = {});
  Tensor forward(const Tensor &x) override;

  DeepFMOptions options;
  EmbeddingDict embeddings{nullptr};
  LinearLogit linear{nullptr};
  FMInteraction fm{nullptr}; ///< empty without use_fm or embedded columns
  DNN dnn{nullptr};          ///< empty without hidden units
  nn::Linear dnn_linear{nullptr};
  Tensor bias; ///< [1], zeros
};
DLC_MODULE(DeepFM);

} // namespace dlc::models

#endif // DLC_FRONTEND_MODELS_DEEPFM_H
