//===- FM.h - The factorization machine over feature columns --------------===//
//
// Rendle, "Factorization Machines" (ICDM 2010): a bias, a weight per feature
// (the linear logit) and a factorized weight <v_i, v_j> per pair of fields,
// computed in linear time as 0.5 Σ_k ((Σ_i v_ik)^2 - Σ_i v_ik^2). The
// factors v are the embeddings of every sparse column and the pooled
// embeddings of every id-list column, which must share one embedding dim;
// dense columns enter the linear logit only. This is DeepFM without its DNN
// (DeepCTR's DeepFM with use_dnn=False); embeddings and linear weights start
// N(0, 1e-4), the bias at 0.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_MODELS_FM_H
#define DLC_FRONTEND_MODELS_FM_H

#include "frontend/models/Features.h"
#include "frontend/models/Interactions.h"
#include "frontend/models/Layers.h"

#include <vector>

namespace dlc::models {

struct FMOptions {
  /// The standard deviation of the embeddings and linear weights.
  DLC_ARG(double, init_std) = 1e-4;
};

/// bias + linear logit + FM interaction of the embeddings: [B] logits.
/// Throws dlc::Error when there is no sparse or id-list column or when their
/// embedding dims differ.
class FMImpl : public CtrModelImpl {
public:
  explicit FMImpl(std::vector<FeatureColumn> columns,
                  const FMOptions &options = {});
  Tensor forward(const Tensor &x) override;

  FMOptions options;
  EmbeddingDict embeddings{nullptr};
  LinearLogit linear{nullptr};
  FMInteraction fm{nullptr};
  Tensor bias; ///< [1], zeros
};
DLC_MODULE(FM);

} // namespace dlc::models

#endif // DLC_FRONTEND_MODELS_FM_H
