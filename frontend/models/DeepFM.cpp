//===- DeepFM.cpp - DeepFM: a factorization machine beside a DNN ----------===//

#include "frontend/models/DeepFM.h"

#include "frontend/Functions.h"

namespace dlc::models {

DeepFMImpl::DeepFMImpl(std::vector<FeatureColumn> columns,
                       const DeepFMOptions &options)
    : CtrModelImpl("DeepFM", std::move(columns)), options(options) {
  bool hasEmbeddings = embedded_field_count(index) > 0;
  if (options.use_fm())
    shared_embedding_dim(index, "DeepFM");
  embeddings =
      register_module("embeddings", EmbeddingDict(index, options.init_std()));
  linear = register_module("linear", LinearLogit(index, options.init_std()));
  if (options.use_fm() && hasEmbeddings)
    fm = register_module("fm", FMInteraction());
  if (!options.dnn_hidden_units().empty()) {
    dnn = register_module("dnn",
                          DNN(combined_input_dim(index), dnn_options(options)));
    dnn_linear = register_module(
        "dnn_linear",
        nn::Linear(nn::LinearOptions(dnn->output_dim(), 1).bias(false)));
  }
  bias = register_parameter("bias", dlc::zeros({1}));
}

Tensor DeepFMImpl::forward(const Tensor &x) {
  Inputs inputs = inputs_from_feature_columns(x, embeddings);
  Tensor logit = linear->forward(x) + bias; // [B, 1]
  if (!fm.is_empty())
    logit = logit + fm->forward(stacked_embeddings(inputs, "DeepFM"));
  if (!dnn.is_empty())
    logit =
        logit + dnn_linear->forward(dnn->forward(combined_dnn_input(inputs)));
  return logit.squeeze(1);
}

} // namespace dlc::models
