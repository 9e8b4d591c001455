//===- Factory.cpp - A CTR model by name ----------------------------------===//

#include "frontend/models/Factory.h"

#include "frontend/models/DCN.h"
#include "frontend/models/DIEN.h"
#include "frontend/models/DIN.h"
#include "frontend/models/DeepFM.h"
#include "frontend/models/FM.h"
#include "frontend/models/FiBiNET.h"
#include "runtime/Error.h"

#include <set>

namespace dlc::models {

const std::vector<std::string> &model_names() {
  static const std::vector<std::string> names = {
      "fm", "deepfm", "fibinet", "dcn", "dcn-m", "din", "dien"};
  return names;
}

namespace {

/// The names of the columns that are id lists.
std::set<std::string> idListNames(const std::vector<FeatureColumn> &columns) {
  std::set<std::string> names;
  for (const FeatureColumn &column : columns)
    if (std::holds_alternative<VarLenSparseFeat>(column))
      names.insert(name_of(column));
  return names;
}

template <typename Options>
Options withTower(Options options, const ModelConfig &config) {
  if (!config.dnn_hidden_units().empty())
    options.dnn_hidden_units(config.dnn_hidden_units());
  return options.dnn_dropout(config.dnn_dropout())
      .dnn_use_bn(config.dnn_use_bn())
      .init_std(config.init_std());
}

} // namespace

std::vector<std::string>
history_feature_list(const std::vector<FeatureColumn> &columns) {
  std::set<std::string> lists = idListNames(columns);
  std::vector<std::string> targets;
  for (const FeatureColumn &column : columns)
    if (std::holds_alternative<SparseFeat>(column) &&
        lists.count("hist_" + name_of(column)))
      targets.push_back(name_of(column));
  return targets;
}

std::shared_ptr<CtrModelImpl> make_model(const std::string &name,
                                         std::vector<FeatureColumn> columns,
                                         const ModelConfig &config) {
  if (name == "fm")
    return std::make_shared<FMImpl>(std::move(columns),
                                    FMOptions().init_std(config.init_std()));
  if (name == "deepfm")
    return std::make_shared<DeepFMImpl>(std::move(columns),
                                        withTower(DeepFMOptions(), config));
  if (name == "fibinet")
    return std::make_shared<FiBiNETImpl>(
        std::move(columns), withTower(FiBiNETOptions(), config)
                                .bilinear_type(config.bilinear_type()));
  if (name == "dcn" || name == "dcn-m")
    return std::make_shared<DCNImpl>(
        std::move(columns),
        withTower(DCNOptions(), config)
            .cross_num(config.cross_num())
            .parameterization(name == "dcn" ? "vector" : "matrix"));
  if (name == "din" || name == "dien") {
    std::vector<std::string> targets = history_feature_list(columns);
    if (targets.empty())
      throw Error(name +
                  ": no history columns: the model needs a sparse column f "
                  "with an id-list column \"hist_f\" (MovieLens sequences "
                  "have them, Criteo and the MovieLens CTR table do not)");
    if (name == "din") {
      DINOptions options =
          withTower(DINOptions(), config).history_feature_list(targets);
      if (!config.att_activation().empty())
        options.att_activation(config.att_activation());
      return std::make_shared<DINImpl>(std::move(columns), options);
    }
    std::set<std::string> lists = idListNames(columns);
    bool negatives = true;
    for (const std::string &target : targets)
      negatives = negatives && lists.count("neg_hist_" + target);
    DIENOptions options = withTower(DIENOptions(), config)
                              .history_feature_list(targets)
                              .gru_type(config.gru_type())
                              .use_negsampling(negatives);
    if (!config.att_activation().empty())
      options.att_activation(config.att_activation());
    return std::make_shared<DIENImpl>(std::move(columns), options);
  }
  std::string known;
  for (const std::string &model : model_names())
    known += (known.empty() ? "" : ", ") + model;
  throw Error("make_model: unknown model \"" + name + "\" (known: " + known +
              ")");
}

} // namespace dlc::models
