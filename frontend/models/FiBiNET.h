//===- FiBiNET.h - FiBiNET: SENET and bilinear interactions ---------------===//
//
// Huang et al., "FiBiNET: Combining Feature Importance and Bilinear feature
// Interaction for Click-Through Rate Prediction" (RecSys 2019), as DeepCTR's
// FiBiNET: the field embeddings E [B, F, E] (every sparse column and pooled
// id list, one shared dim) are reweighted by a SENET layer into V; a
// bilinear interaction of E and another of V (each with its own weights, as
// the paper and DeepCTR; DeepCTR-Torch shares one layer) give
// 2 x F (F - 1) / 2 pair vectors which, flattened beside the dense values,
// feed a DNN and a bias-free dnn_linear; the linear logit and a bias are
// added. Defaults as DeepCTR: bilinear_type "interaction", reduction_ratio
// 3, dnn_hidden_units {128, 128}, relu, no dropout, no batch norm, init_std
// 1e-4 (embeddings, linear and DNN weights). Without hidden units dnn_linear
// reads the interactions directly.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_MODELS_FIBINET_H
#define DLC_FRONTEND_MODELS_FIBINET_H

#include "frontend/models/Features.h"
#include "frontend/models/Interactions.h"
#include "frontend/models/Layers.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::models {

struct FiBiNETOptions {
  /// "all", "each" or "interaction" (see BilinearInteraction).
  DLC_ARG(std::string, bilinear_type) = "interaction";
  /// The SENET bottleneck is max(1, F / reduction_ratio) wide.
  DLC_ARG(int64_t, reduction_ratio) = 3;
  DLC_ARG(std::vector<int64_t>, dnn_hidden_units) = { 128, 128 };
  /// A make_activation name: relu, sigmoid, tanh, gelu, prelu, dice, linear.
  DLC_ARG(std::string, dnn_activation) = "relu";
  DLC_ARG(double, dnn_dropout) = 0.0;
  DLC_ARG(bool, dnn_use_bn) = false;
  /// The standard deviation of the embeddings, linear and DNN weights.
  DLC_ARG(double, init_std) = 1e-4;
};

/// FiBiNET over feature columns: [B] logits. Throws dlc::Error with fewer
/// than two sparse or id-list columns, differing embedding dims or an
/// unknown bilinear_type.
class FiBiNETImpl : public CtrModelImpl {
public:
  explicit FiBiNETImpl(std::vector<FeatureColumn> columns,
                       const FiBiNETOptions &options = {});
  Tensor forward(const Tensor &x) override;

  FiBiNETOptions options;
  EmbeddingDict embeddings{nullptr};
  LinearLogit linear{nullptr};
  SENETLayer senet{nullptr};
  /// The interactions of the embeddings and of the SENET output.
  BilinearInteraction bilinear{nullptr}, senet_bilinear{nullptr};
  DNN dnn{nullptr};
  nn::Linear dnn_linear{nullptr};
  Tensor bias; ///< [1], zeros
};
DLC_MODULE(FiBiNET);

} // namespace dlc::models

#endif // DLC_FRONTEND_MODELS_FIBINET_H
