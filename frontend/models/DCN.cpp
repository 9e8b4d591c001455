//===- DCN.cpp - Deep & Cross Network (and DCN-M) -------------------------===//

#include "frontend/models/DCN.h"

#include "frontend/Functions.h"
#include "runtime/Error.h"

#include <fmt/format.h>

namespace dlc::models {

DCNImpl::DCNImpl(std::vector<FeatureColumn> columns, const DCNOptions &options)
    : CtrModelImpl("DCN", std::move(columns)), options(options) {
  const std::string &kind = options.parameterization();
  if (kind != "vector" && kind != "matrix")
    throw Error(fmt::format("DCN: unknown parameterization '{}' (known: "
                            "vector, matrix)",
                            kind));
  if (options.cross_num() < 0)
    throw Error(fmt::format("DCN: cross_num must not be negative, got {}",
                            options.cross_num()));
  if (options.cross_num() == 0 && options.dnn_hidden_units().empty())
    throw Error("DCN: cross_num is 0 and dnn_hidden_units is empty; the model "
                "needs a cross network or a DNN");
  int64_t inputDim = combined_input_dim(index);
  embeddings =
      register_module("embeddings", EmbeddingDict(index, options.init_std()));
  linear = register_module("linear", LinearLogit(index, options.init_std()));
  int64_t stackDim = 0;
  if (options.cross_num() > 0) {
    crossnet =
        register_module("crossnet", CrossNet(CrossNetOptions(inputDim)
                                                 .layer_num(options.cross_num())
                                                 .parameterization(kind)));
    stackDim += inputDim;
  }
  if (!options.dnn_hidden_units().empty()) {
    dnn = register_module("dnn", DNN(inputDim, dnn_options(options)));
    stackDim += dnn->output_dim();
  }
  dnn_linear = register_module(
      "dnn_linear", nn::Linear(nn::LinearOptions(stackDim, 1).bias(false)));
  bias = register_parameter("bias", dlc::zeros({1}));
}

Tensor DCNImpl::forward(const Tensor &x) {
  Inputs inputs = inputs_from_feature_columns(x, embeddings);
  Tensor input = combined_dnn_input(inputs); // [B, D]
  std::vector<Tensor> stack;
  if (!crossnet.is_empty())
    stack.push_back(crossnet->forward(input));
  if (!dnn.is_empty())
    stack.push_back(dnn->forward(input));
  Tensor stacked = stack.size() == 1 ? stack.front() : dlc::cat(stack, 1);
  Tensor logit = linear->forward(x) + dnn_linear->forward(stacked) + bias;
  return logit.squeeze(1);
}

} // namespace dlc::models
