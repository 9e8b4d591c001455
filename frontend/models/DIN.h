//===- DIN.h - Deep Interest Network (Zhou et al., KDD 2018) -------------===//
//
// DIN scores a candidate item against the user's behaviour history: the
// target's embeddings (the features of history_feature_list side by side)
// query the history's ("hist_" columns, sharing the targets' tables) through
// the local activation unit, an MLP over [q, k, q − k, q ⊙ k] per step; the
// history is pooled by those scores (padding steps weigh nothing; no
// softmax by default, as the paper and DeepCTR) and goes into the DNN with
// every other column (the targets, other sparse and dense columns, other id
// lists pooled), which ends in one logit.
//
// Defaults are DeepCTR's: DNN {256, 128} relu, attention {64, 32} Dice
// (DeepCTR's LocalActivationUnit; DeepCTR-Torch's DIN passes {64, 16}),
// weights N(0, 1e-4).
//
//   models::DIN model(columns, models::DINOptions().history_feature_list(
//                                  {"item_id", "cate_id"}));
//   Tensor logits = model->forward(x); // [B]
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_MODELS_DIN_H
#define DLC_FRONTEND_MODELS_DIN_H

#include "frontend/models/Features.h"
#include "frontend/models/Layers.h"
#include "frontend/models/SequenceLayers.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::models {

struct DINOptions {
  /// The target columns that have a "hist_" history (DeepCTR's
  /// history_feature_list); required.
  DLC_ARG(std::vector<std::string>, history_feature_list);
  DLC_ARG(bool, dnn_use_bn) = false;
  DLC_ARG(std::vector<int64_t>, dnn_hidden_units) = { 256, 128 };
  DLC_ARG(std::string, dnn_activation) = "relu";
  DLC_ARG(double, dnn_dropout) = 0.0;
  DLC_ARG(std::vector<int64_t>, att_hidden_units) = { 64, 32 };
  /// "dice" or "prelu" (the paper's), or any make_activation name.
  DLC_ARG(std::string, att_activation) = "dice";
  /// Softmax of the scores over the valid steps.
  DLC_ARG(bool, att_weight_normalization) = false;
  /// Embeddings and hidden weights start N(0, init_std).
  DLC_ARG(double, init_std) = 1e-4;
};

/// Deep Interest Network: forward(x [B, width]) gives logits [B].
class DINImpl : public CtrModelImpl {
public:
  using Options = DINOptions;
  /// Throws dlc::Error for the column errors BehaviorColumns names.
  explicit DINImpl(std::vector<FeatureColumn> columns,
                   const DINOptions &options = {});
  Tensor forward(const Tensor &x) override;

  DINOptions options;
  EmbeddingDict embeddings{nullptr};
  AttentionSequencePooling attention{nullptr};
  DNN dnn{nullptr};
  nn::Linear dnn_linear{nullptr};

private:
  BehaviorColumns behavior;
};
DLC_MODULE(DIN);

} // namespace dlc::models

#endif // DLC_FRONTEND_MODELS_DIN_H
