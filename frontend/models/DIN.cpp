//===- DIN.cpp - Deep Interest Network (Zhou et al., KDD 2018) -----------===//

#include "frontend/models/DIN.h"

#include "frontend/Functions.h"

namespace dlc::models {

DINImpl::DINImpl(std::vector<FeatureColumn> columns, const DINOptions &options)
    : CtrModelImpl("DIN", std::move(columns)), options(options),
      behavior(index, options.history_feature_list(), /*negatives=*/false,
               "DIN") {
  embeddings =
      register_module("embeddings", EmbeddingDict(index, options.init_std()));
  attention = register_module(
      "attention",
      AttentionSequencePooling(
          AttentionSequencePoolingOptions(behavior.embedding_dim())
              .hidden_units(options.att_hidden_units())
              .activation(options.att_activation())
              .weight_normalization(options.att_weight_normalization())
              .init_std(options.init_std())));
  dnn =
      register_module("dnn", DNN(behavior.dnn_dim() + behavior.embedding_dim(),
                                 dnn_options(options)));
  dnn_linear = register_module("dnn_linear", nn::Linear(dnn->output_dim(), 1));
}

Tensor DINImpl::forward(const Tensor &x) {
  index.check(x);
  Tensor query = behavior.query(x, embeddings); // [B, E]
  Tensor keys = behavior.keys(x, embeddings);   // [B, T, E]
  Tensor mask = behavior.mask(behavior.lengths(x));
  Tensor interest = attention->forward(query, keys, mask); // [B, E]
  Tensor input = dlc::cat({behavior.dnn_input(x, embeddings), interest}, 1);
  return dnn_linear->forward(dnn->forward(input)).squeeze(1);
}

} // namespace dlc::models
