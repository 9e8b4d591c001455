//===- DIEN.h - Deep Interest Evolution Network (Zhou et al., AAAI 2019) --===//
//
// DIEN follows how the user's interest moves along the behaviour history.
// A GRU (the interest extractor) runs over the history's embeddings ("hist_"
// columns, sharing the tables of the history_feature_list targets); with
// use_negsampling, an auxiliary loss makes each state h_t predict the next
// clicked item e_{t+1} against a sampled one ("neg_hist_" columns), which
// auxiliary_loss() returns (times alpha) after a training forward. The
// target then attends over the extracted interests, and the interest
// evolving layer (gru_type: AUGRU, AGRU, AIGRU or GRU) follows the ones
// relevant to it; its final state goes into the DNN with the targets and
// every other column, which ends in one logit. Padding steps (past each
// row's count of non-zero history ids) change nothing.
//
// Defaults: gru_type AUGRU (the paper's best; DeepCTR's default is GRU),
// no negative sampling, alpha 1, DNN {256, 128} relu, attention {64, 16}
// relu with softmax weights and auxiliary network {100, 50} sigmoid
// (DeepCTR-Torch's), weights N(0, 1e-4).
//
//   models::DIEN model(columns, models::DIENOptions()
//                                   .history_feature_list({"item_id"})
//                                   .use_negsampling(true));
//   Tensor loss = bce(model->forward(x), y) + model->auxiliary_loss();
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_MODELS_DIEN_H
#define DLC_FRONTEND_MODELS_DIEN_H

#include "frontend/models/Features.h"
#include "frontend/models/Layers.h"
#include "frontend/models/SequenceLayers.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::models {

struct DIENOptions {
  /// The target columns that have a "hist_" history; required.
  DLC_ARG(std::vector<std::string>, history_feature_list);
  /// "AUGRU", "AGRU", "AIGRU" or "GRU".
  DLC_ARG(std::string, gru_type) = "AUGRU";
  /// Read "neg_hist_" columns and add the auxiliary loss.
  DLC_ARG(bool, use_negsampling) = false;
  /// The auxiliary loss's weight.
  DLC_ARG(double, alpha) = 1.0;
  DLC_ARG(bool, dnn_use_bn) = false;
  DLC_ARG(std::vector<int64_t>, dnn_hidden_units) = { 256, 128 };
  DLC_ARG(std::string, dnn_activation) = "relu";
  DLC_ARG(double, dnn_dropout) = 0.0;
  DLC_ARG(std::vector<int64_t>, att_hidden_units) = { 64, 16 };
  DLC_ARG(std::string, att_activation) = "relu";
  DLC_ARG(bool, att_weight_normalization) = true;
  /// The auxiliary network's hidden layers (sigmoid), before its logit.
  DLC_ARG(std::vector<int64_t>, aux_hidden_units) = { 100, 50 };
  /// Embeddings and hidden weights start N(0, init_std).
  DLC_ARG(double, init_std) = 1e-4;
};

/// Deep Interest Evolution Network: forward(x [B, width]) gives logits [B].
class DIENImpl : public CtrModelImpl {
public:
  using Options = DIENOptions;
  /// Throws dlc::Error for an unknown gru_type and the column errors
  /// BehaviorColumns names (a missing "neg_hist_" column included, with
  /// use_negsampling).
  explicit DIENImpl(std::vector<FeatureColumn> columns,
                    const DIENOptions &options = {});
  Tensor forward(const Tensor &x) override;
  /// alpha times the auxiliary loss of the last forward, when it ran in
  /// training with use_negsampling; undefined otherwise.
  Tensor auxiliary_loss() const override { return auxiliaryLoss; }

  DIENOptions options;
  EmbeddingDict embeddings{nullptr};
  InterestExtractor interest_extractor{nullptr};
  InterestEvolving interest_evolution{nullptr};
  DNN dnn{nullptr};
  nn::Linear dnn_linear{nullptr};

private:
  BehaviorColumns behavior;
  Tensor auxiliaryLoss;
};
DLC_MODULE(DIEN);

} // namespace dlc::models

#endif // DLC_FRONTEND_MODELS_DIEN_H
