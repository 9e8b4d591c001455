//===- FM.cpp - The factorization machine over feature columns ------------===//

#include "frontend/models/FM.h"

#include "frontend/Functions.h"
#include "runtime/Error.h"

namespace dlc::models {

FMImpl::FMImpl(std::vector<FeatureColumn> columns, const FMOptions &options)
    : CtrModelImpl("FM", std::move(columns)), options(options) {
  if (shared_embedding_dim(index, "FM") == 0)
    throw Error("FM: the model needs a sparse or id-list column to factorize "
                "(it has dense columns only)");
  embeddings =
      register_module("embeddings", EmbeddingDict(index, options.init_std()));
  linear = register_module("linear", LinearLogit(index, options.init_std()));
  fm = register_module("fm", FMInteraction());
  bias = register_parameter("bias", dlc::zeros({1}));
}

Tensor FMImpl::forward(const Tensor &x) {
  Inputs inputs = inputs_from_feature_columns(x, embeddings);
  Tensor logit =
      linear->forward(x) + fm->forward(stacked_embeddings(inputs, "FM")) + bias;
  return logit.squeeze(1);
}

} // namespace dlc::models
