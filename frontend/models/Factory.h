//===- Factory.h - A CTR model by name ------------------------------------===//
//
// For programs that pick the model at run time (dlc-train, dlc-tune):
//
//   auto model = models::make_model("deepfm", columns,
//                                   models::ModelConfig().dnn_dropout(0.2));
//
// Every model gets its own defaults (see each model's header) except where
// the config says otherwise. DIN and DIEN read their histories from the
// columns: every sparse column f with an id-list column "hist_f" is a
// target with a history, and DIEN samples negatives when every such f also
// has "neg_hist_f".
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_MODELS_FACTORY_H
#define DLC_FRONTEND_MODELS_FACTORY_H

#include "frontend/models/Features.h"
#include "frontend/models/Layers.h"

#include <memory>
#include <string>
#include <vector>

namespace dlc::models {

/// What a program may override of a model's defaults.
struct ModelConfig {
  /// The DNN tower's layers; empty keeps the model's default.
  DLC_ARG(std::vector<int64_t>, dnn_hidden_units);
  DLC_ARG(double, dnn_dropout) = 0.0;
  DLC_ARG(bool, dnn_use_bn) = false;
  /// The standard deviation of the embeddings and DNN weights.
  DLC_ARG(double, init_std) = 1e-4;
  /// FiBiNET: "all", "each" or "interaction".
  DLC_ARG(std::string, bilinear_type) = "interaction";
  /// DCN: the number of cross layers.
  DLC_ARG(int64_t, cross_num) = 2;
  /// DIEN: "AUGRU", "AGRU", "AIGRU" or "GRU".
  DLC_ARG(std::string, gru_type) = "AUGRU";
  /// DIN and DIEN: the attention's activation; empty keeps the model's
  /// ("dice" for DIN, "relu" for DIEN).
  DLC_ARG(std::string, att_activation);
};

/// The names make_model knows: fm, deepfm, fibinet, dcn, dcn-m (DCN with
/// the matrix parameterization), din, dien.
const std::vector<std::string> &model_names();

/// The targets of DIN/DIEN in `columns`: each sparse column f for which an
/// id-list column "hist_f" exists, in column order.
std::vector<std::string>
history_feature_list(const std::vector<FeatureColumn> &columns);

/// Builds the model `name` over `columns`. Throws dlc::Error naming the
/// known models for an unknown name, and the model's own errors (DIN and
/// DIEN without a history column, among them).
std::shared_ptr<CtrModelImpl> make_model(const std::string &name,
                                         std::vector<FeatureColumn> columns,
                                         const ModelConfig &config = {});

} // namespace dlc::models

#endif // DLC_FRONTEND_MODELS_FACTORY_H
