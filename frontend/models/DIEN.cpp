//===- DIEN.cpp - Deep Interest Evolution Network (Zhou et al., 2019) ----===//

#include "frontend/models/DIEN.h"

#include "frontend/Functions.h"
#include "runtime/Error.h"

#include <fmt/format.h>

namespace dlc::models {

namespace {

const DIENOptions &checked(const DIENOptions &options) {
  const std::string &type = options.gru_type();
  if (type != "AUGRU" && type != "AGRU" && type != "AIGRU" && type != "GRU")
    throw Error(fmt::format("DIEN: unknown gru_type '{}' (known: AUGRU, AGRU, "
                            "AIGRU, GRU)",
                            type));
  return options;
}

} // namespace

DIENImpl::DIENImpl(std::vector<FeatureColumn> columns,
                   const DIENOptions &options)
    : CtrModelImpl("DIEN", std::move(columns)), options(checked(options)),
      behavior(index, options.history_feature_list(), options.use_negsampling(),
               "DIEN") {
  int64_t e = behavior.embedding_dim();
  embeddings =
      register_module("embeddings", EmbeddingDict(index, options.init_std()));
  interest_extractor = register_module(
      "interest_extractor",
      InterestExtractor(InterestExtractorOptions(e)
                            .use_negsampling(options.use_negsampling())
                            .aux_hidden_units(options.aux_hidden_units())
                            .init_std(options.init_std())));
  interest_evolution = register_module(
      "interest_evolution",
      InterestEvolving(
          InterestEvolvingOptions(e)
              .gru_type(options.gru_type())
              .att_hidden_units(options.att_hidden_units())
              .att_activation(options.att_activation())
              .att_weight_normalization(options.att_weight_normalization())
              .init_std(options.init_std())));
  dnn =
      register_module("dnn", DNN(behavior.dnn_dim() + e, dnn_options(options)));
  dnn_linear = register_module("dnn_linear", nn::Linear(dnn->output_dim(), 1));
}

Tensor DIENImpl::forward(const Tensor &x) {
  index.check(x);
  Tensor query = behavior.query(x, embeddings); // [B, E]
  Tensor keys = behavior.keys(x, embeddings);   // [B, T, E]
  Tensor lengths = behavior.lengths(x);         // [B]
  Tensor mask = behavior.mask(lengths);         // [B, T]
  bool auxiliary = options.use_negsampling() && is_training();
  Tensor negatives = auxiliary ? behavior.negatives(x, embeddings) : Tensor();
  auto [interests, loss] =
      interest_extractor->forward(keys, lengths, mask, negatives);
  auxiliaryLoss = auxiliary ? loss * options.alpha() : Tensor();
  Tensor interest =
      interest_evolution->forward(query, interests, lengths, mask); // [B, E]
  Tensor input = dlc::cat({behavior.dnn_input(x, embeddings), interest}, 1);
  return dnn_linear->forward(dnn->forward(input)).squeeze(1);
}

} // namespace dlc::models
