//===- FiBiNET.cpp - FiBiNET: SENET and bilinear interactions -------------===//

#include "frontend/models/FiBiNET.h"

#include "frontend/Functions.h"
#include "runtime/Error.h"

#include <fmt/format.h>

namespace dlc::models {

FiBiNETImpl::FiBiNETImpl(std::vector<FeatureColumn> columns,
                         const FiBiNETOptions &options)
    : CtrModelImpl("FiBiNET", std::move(columns)), options(options) {
  int64_t fields = embedded_field_count(index);
  if (fields < 2)
    throw Error(fmt::format("FiBiNET: the bilinear interaction needs at least "
                            "2 sparse or id-list columns, got {}",
                            fields));
  int64_t dim = shared_embedding_dim(index, "FiBiNET");
  embeddings =
      register_module("embeddings", EmbeddingDict(index, options.init_std()));
  linear = register_module("linear", LinearLogit(index, options.init_std()));
  senet = register_module("senet",
                          SENETLayer(SENETLayerOptions(fields).reduction_ratio(
                              options.reduction_ratio())));
  BilinearInteractionOptions bilinearOptions =
      BilinearInteractionOptions(fields, dim)
          .bilinear_type(options.bilinear_type());
  bilinear = register_module("bilinear", BilinearInteraction(bilinearOptions));
  senet_bilinear =
      register_module("senet_bilinear", BilinearInteraction(bilinearOptions));
  int64_t denseDim = combined_input_dim(index) - fields * dim;
  int64_t inputDim = fields * (fields - 1) * dim + denseDim;
  dnn = register_module("dnn", DNN(inputDim, dnn_options(options)));
  dnn_linear = register_module(
      "dnn_linear",
      nn::Linear(nn::LinearOptions(dnn->output_dim(), 1).bias(false)));
  bias = register_parameter("bias", dlc::zeros({1}));
}

Tensor FiBiNETImpl::forward(const Tensor &x) {
  Inputs inputs = inputs_from_feature_columns(x, embeddings);
  Tensor fields = stacked_embeddings(inputs, "FiBiNET"); // [B, F, E]
  Tensor reweighted = senet->forward(fields);
  // DeepCTR's order: the SENET interactions, then the plain ones.
  Inputs interactions;
  interactions.sparse = {dlc::cat(
      {senet_bilinear->forward(reweighted), bilinear->forward(fields)}, 1)};
  interactions.dense = inputs.dense;
  Tensor deep = dnn->forward(combined_dnn_input(interactions));
  Tensor logit = linear->forward(x) + dnn_linear->forward(deep) + bias;
  return logit.squeeze(1);
}

} // namespace dlc::models
