//===- DCN.h - Deep & Cross Network (and DCN-M) ---------------------------===//
//
// Wang et al., "Deep & Cross Network for Ad Click Predictions" (ADKDD 2017),
// and with parameterization("matrix") the cross layers of DCN-M / DCN V2
// (Wang et al., WWW 2021), as DeepCTR-Torch's DCN: the dense values and all
// embeddings side by side (combined_dnn_input) feed a cross network and a
// DNN in parallel; their outputs, concatenated (cross first), go through a
// bias-free dnn_linear, to which the linear logit and a bias are added.
// With cross_num 0 only the DNN is used, without hidden units only the cross
// network. Defaults as DeepCTR: cross_num 2, "vector", dnn_hidden_units
// {128, 128}, relu, no dropout, no batch norm, init_std 1e-4 (embeddings,
// linear and DNN weights).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_MODELS_DCN_H
#define DLC_FRONTEND_MODELS_DCN_H

#include "frontend/models/Features.h"
#include "frontend/models/Interactions.h"
#include "frontend/models/Layers.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::models {

struct DCNOptions {
  /// The number of cross layers; 0 leaves the cross network out.
  DLC_ARG(int64_t, cross_num) = 2;
  /// "vector" (DCN) or "matrix" (DCN-M).
  DLC_ARG(std::string, parameterization) = "vector";
  /// The DNN's layers; empty leaves the DNN out.
  DLC_ARG(std::vector<int64_t>, dnn_hidden_units) = { 128, 128 };
  /// A make_activation name: relu, sigmoid, tanh, gelu, prelu, dice, linear.
  DLC_ARG(std::string, dnn_activation) = "relu";
  DLC_ARG(double, dnn_dropout) = 0.0;
  DLC_ARG(bool, dnn_use_bn) = false;
  /// The standard deviation of the embeddings, linear and DNN weights.
  DLC_ARG(double, init_std) = 1e-4;
};

/// DCN over feature columns: [B] logits. Throws dlc::Error for an unknown
/// parameterization, a negative cross_num, or neither cross layers nor
/// hidden units.
class DCNImpl : public CtrModelImpl {
public:
  explicit DCNImpl(std::vector<FeatureColumn> columns,
                   const DCNOptions &options = {});
  Tensor forward(const Tensor &x) override;

  DCNOptions options;
  EmbeddingDict embeddings{nullptr};
  LinearLogit linear{nullptr};
  CrossNet crossnet{nullptr}; ///< empty with cross_num 0
  DNN dnn{nullptr};           ///< empty without hidden units
  nn::Linear dnn_linear{nullptr};
  Tensor bias; ///< [1], zeros
};
DLC_MODULE(DCN);

} // namespace dlc::models

#endif // DLC_FRONTEND_MODELS_DCN_H
