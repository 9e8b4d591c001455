//===- Functional.h - nn::functional: layers and losses as functions ------===//
//
// As torch::nn::functional (users write `namespace F =
// dlc::nn::functional;`): the computations behind the layers and losses,
// with LibTorch's option structs (`F::DropoutFuncOptions().p(0.2)`). Every
// function records dlc ops, so a step that calls them compiles as a whole.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_NN_FUNCTIONAL_H
#define DLC_FRONTEND_NN_FUNCTIONAL_H

#include "frontend/Functions.h"
#include "frontend/Tensor.h"
#include "frontend/nn/Module.h"
#include "frontend/nn/Options.h"

#include <optional>
#include <string>
#include <vector>

namespace dlc::nn {

//===----------------------------------------------------------------------===//
// Options shared by layers and functions
//===----------------------------------------------------------------------===//

struct DropoutOptions {
  /* implicit */ DropoutOptions(double p = 0.5) : p_(p) {}
  DLC_ARG(double, p);
  DLC_ARG(bool, inplace) = false;
};

struct LayerNormOptions {
  /* implicit */ LayerNormOptions(std::vector<int64_t> normalized_shape)
      : normalized_shape_(std::move(normalized_shape)) {}
  DLC_ARG(std::vector<int64_t>, normalized_shape);
  DLC_ARG(double, eps) = 1e-5;
  DLC_ARG(bool, elementwise_affine) = true;
};

struct GELUOptions {
  DLC_ARG(std::string, approximate) = "none";
};

struct SoftmaxOptions {
  /* implicit */ SoftmaxOptions(int64_t dim) : dim_(dim) {}
  DLC_ARG(int64_t, dim);
};
using LogSoftmaxOptions = SoftmaxOptions;

struct MSELossOptions {
  MSELossOptions() = default;
  /* implicit */ MSELossOptions(Reduction reduction) : reduction_(reduction) {}
  DLC_ARG(Reduction, reduction) = Reduction::Mean;
};

struct BCELossOptions {
  DLC_ARG(Tensor, weight);
  DLC_ARG(Reduction, reduction) = Reduction::Mean;
};

struct BCEWithLogitsLossOptions {
  DLC_ARG(Tensor, weight);
  DLC_ARG(Reduction, reduction) = Reduction::Mean;
  DLC_ARG(Tensor, pos_weight);
};

struct NLLLossOptions {
  DLC_ARG(Tensor, weight);
  DLC_ARG(int64_t, ignore_index) = -100;
  DLC_ARG(Reduction, reduction) = Reduction::Mean;
};

struct CrossEntropyLossOptions {
  DLC_ARG(Tensor, weight);
  DLC_ARG(int64_t, ignore_index) = -100;
  DLC_ARG(Reduction, reduction) = Reduction::Mean;
  DLC_ARG(double, label_smoothing) = 0.0;
};

namespace functional {

//===----------------------------------------------------------------------===//
// Function options (LibTorch's *FuncOptions)
//===----------------------------------------------------------------------===//

struct DropoutFuncOptions {
  DLC_ARG(double, p) = 0.5;
  DLC_ARG(bool, training) = true;
  DLC_ARG(bool, inplace) = false;
};

struct LayerNormFuncOptions {
  /* implicit */ LayerNormFuncOptions(std::vector<int64_t> normalized_shape)
      : normalized_shape_(std::move(normalized_shape)) {}
  DLC_ARG(std::vector<int64_t>, normalized_shape);
  DLC_ARG(Tensor, weight);
  DLC_ARG(Tensor, bias);
  DLC_ARG(double, eps) = 1e-5;
};

struct EmbeddingFuncOptions {
  DLC_ARG(std::optional<int64_t>, padding_idx);
  /// The weight's gradient is sparse (see Tensor::is_sparse).
  DLC_ARG(bool, sparse) = false;
};

struct EmbeddingBagFuncOptions {
  DLC_ARG(Tensor, offsets);
  DLC_ARG(EmbeddingBagMode, mode) = EmbeddingBagMode::Mean;
  DLC_ARG(Tensor, per_sample_weights);
  DLC_ARG(bool, include_last_offset) = false;
  DLC_ARG(std::optional<int64_t>, padding_idx);
  /// The weight's gradient is sparse (see Tensor::is_sparse).
  DLC_ARG(bool, sparse) = false;
};

using GELUFuncOptions = GELUOptions;
using SoftmaxFuncOptions = SoftmaxOptions;
using LogSoftmaxFuncOptions = SoftmaxOptions;
using MSELossFuncOptions = MSELossOptions;
using BinaryCrossEntropyFuncOptions = BCELossOptions;
using BinaryCrossEntropyWithLogitsFuncOptions = BCEWithLogitsLossOptions;
using NLLLossFuncOptions = NLLLossOptions;
using CrossEntropyFuncOptions = CrossEntropyLossOptions;

//===----------------------------------------------------------------------===//
// Functions
//===----------------------------------------------------------------------===//

/// `input @ weight^T + bias` (weight is [out, in], as nn::Linear's).
Tensor linear(const Tensor &input, const Tensor &weight,
              const Tensor &bias = {});
/// `sum_ij x1_i W_oij x2_j + b_o` (weight is [out, in1, in2]).
Tensor bilinear(const Tensor &input1, const Tensor &input2,
                const Tensor &weight, const Tensor &bias = {});

Tensor relu(const Tensor &input);
Tensor sigmoid(const Tensor &input);
Tensor tanh(const Tensor &input);
Tensor gelu(const Tensor &input, const GELUFuncOptions &options = {});
/// max(0, x) + weight * min(0, x), weight broadcast along dimension 1.
Tensor prelu(const Tensor &input, const Tensor &weight);
Tensor softmax(const Tensor &input, const SoftmaxFuncOptions &options);
Tensor log_softmax(const Tensor &input, const LogSoftmaxFuncOptions &options);

/// Zeroes elements with probability p and scales the rest by 1 / (1 - p),
/// when `training`; the identity otherwise. From dlc's generator.
Tensor dropout(const Tensor &input, const DropoutFuncOptions &options = {});

/// Normalizes over the trailing `normalized_shape` dimensions.
Tensor layer_norm(const Tensor &input, const LayerNormFuncOptions &options);

Tensor embedding(const Tensor &input, const Tensor &weight,
                 const EmbeddingFuncOptions &options = {});
/// Sums, averages or takes the maximum of the embeddings of each bag: the
/// rows of a 2-D `input` (entries equal to `padding_idx` are left out), or
/// the runs of a 1-D `input` that `offsets` start.
Tensor embedding_bag(const Tensor &input, const Tensor &weight,
                     const EmbeddingBagFuncOptions &options = {});

Tensor mse_loss(const Tensor &input, const Tensor &target,
                const MSELossFuncOptions &options = {});
Tensor binary_cross_entropy(const Tensor &input, const Tensor &target,
                            const BinaryCrossEntropyFuncOptions &options = {});
Tensor binary_cross_entropy_with_logits(
    const Tensor &input, const Tensor &target,
    const BinaryCrossEntropyWithLogitsFuncOptions &options = {});
/// `input` holds log-probabilities [N, C] (or [N, C, d...]); `target` class
/// indices [N] (or [N, d...]).
Tensor nll_loss(const Tensor &input, const Tensor &target,
                const NLLLossFuncOptions &options = {});
/// log_softmax over dimension 1, then nll_loss; `target` may also hold
/// class probabilities of input's shape.
Tensor cross_entropy(const Tensor &input, const Tensor &target,
                     const CrossEntropyFuncOptions &options = {});

} // namespace functional
} // namespace dlc::nn

#endif // DLC_FRONTEND_NN_FUNCTIONAL_H
