//===- Functional.cpp - nn::functional ------------------------------------===//

#include "frontend/nn/Functional.h"
#include "frontend/Autograd.h"
#include "frontend/Context.h"
#include "runtime/Error.h"

#include <fmt/format.h>

#include <cmath>

namespace dlc::nn::functional {
namespace {

std::string shapeText(const Tensor &t) {
  std::string text = "[";
  for (size_t i = 0; i < t.sizes().size(); ++i)
    text += (i ? ", " : "") + std::to_string(t.sizes()[i]);
  return text + "]";
}

Tensor reduce(const Tensor &loss, Reduction reduction) {
  switch (reduction) {
  case Reduction::None:
    return loss;
  case Reduction::Sum:
    return loss.sum();
  case Reduction::Mean:
    return loss.mean();
  }
  return loss;
}

void checkSameShape(const char *op, const Tensor &input, const Tensor &target) {
  if (input.sizes() != target.sizes())
    throw Error(
        fmt::format("{}: input {} and target {} must have the same shape", op,
                    shapeText(input), shapeText(target)));
}

} // namespace

Tensor linear(const Tensor &input, const Tensor &weight, const Tensor &bias) {
  if (weight.dim() != 2)
    throw Error(fmt::format("linear: weight must be 2-D [out, in], got {}",
                            shapeText(weight)));
  if (input.dim() < 1 || input.sizes().back() != weight.sizes()[1])
    throw Error(
        fmt::format("linear: input {} does not end with in_features = {}",
                    shapeText(input), weight.sizes()[1]));
  Tensor output = matmul(input, weight.t());
  return bias.defined() ? output + bias : output;
}

Tensor bilinear(const Tensor &input1, const Tensor &input2,
                const Tensor &weight, const Tensor &bias) {
  if (weight.dim() != 3)
    throw Error(
        fmt::format("bilinear: weight must be 3-D [out, in1, in2], got {}",
                    shapeText(weight)));
  int64_t out = weight.sizes()[0], in1 = weight.sizes()[1],
          in2 = weight.sizes()[2];
  if (input1.dim() != 2 || input2.dim() != 2 || input1.sizes()[1] != in1 ||
      input2.sizes()[1] != in2 || input1.sizes()[0] != input2.sizes()[0])
    throw Error(fmt::format("bilinear: inputs {} and {} do not match weight {}",
                            shapeText(input1), shapeText(input2),
                            shapeText(weight)));
  // x1 [B, in1] @ W as [in1, out * in2] -> [B, out, in2], then dot with x2.
  Tensor w = weight.permute({1, 0, 2}).reshape({in1, out * in2});
  Tensor t = matmul(input1, w).reshape({input1.sizes()[0], out, in2});
  Tensor output = (t * input2.unsqueeze(1)).sum(2);
  return bias.defined() ? output + bias : output;
}

Tensor relu(const Tensor &input) { return dlc::relu(input); }
Tensor sigmoid(const Tensor &input) { return dlc::sigmoid(input); }
Tensor tanh(const Tensor &input) { return dlc::tanh(input); }
Tensor gelu(const Tensor &input, const GELUFuncOptions &options) {
  return dlc::gelu(input, options.approximate());
}

Tensor prelu(const Tensor &input, const Tensor &weight) {
  Tensor w = weight;
  if (weight.numel() > 1) {
    if (input.dim() < 2 || input.sizes()[1] != weight.numel())
      throw Error(
          fmt::format("prelu: {} weights do not match the channels of input {}",
                      weight.numel(), shapeText(input)));
    std::vector<int64_t> shape(input.dim(), 1);
    shape[1] = weight.numel();
    w = weight.reshape(shape);
  }
  return dlc::relu(input) + w * dlc::minimum(input, zeros_like(input));
}

Tensor softmax(const Tensor &input, const SoftmaxFuncOptions &options) {
  return dlc::softmax(input, options.dim());
}
Tensor log_softmax(const Tensor &input, const LogSoftmaxFuncOptions &options) {
  return dlc::log_softmax(input, options.dim());
}

Tensor dropout(const Tensor &input, const DropoutFuncOptions &options) {
  double p = options.p();
  if (p < 0 || p > 1)
    throw Error(fmt::format(
        "dropout: probability has to be between 0 and 1, got {}", p));
  if (!options.training() || p == 0)
    return input;
  if (p == 1)
    return input * 0;
  Tensor keep = rand(input.sizes(), input.options()) >= p;
  return input * keep.to(input.scalar_type()) * (1.0 / (1.0 - p));
}

Tensor layer_norm(const Tensor &input, const LayerNormFuncOptions &options) {
  const std::vector<int64_t> &shape = options.normalized_shape();
  int64_t n = static_cast<int64_t>(shape.size());
  if (n == 0 || input.dim() < n)
    throw Error(fmt::format(
        "layer_norm: normalized_shape of {} dimensions for input {}", n,
        shapeText(input)));
  for (int64_t i = 0; i < n; ++i)
    if (input.sizes()[input.dim() - n + i] != shape[i])
      throw Error(
          fmt::format("layer_norm: input {} does not end with normalized_shape",
                      shapeText(input)));
  std::vector<int64_t> dims;
  for (int64_t i = 0; i < n; ++i)
    dims.push_back(input.dim() - n + i);
  Tensor mean = input.mean(dims, /*keepdim=*/true);
  Tensor centered = input - mean;
  Tensor var = (centered * centered).mean(dims, /*keepdim=*/true);
  Tensor output = centered * rsqrt(var + options.eps());
  if (options.weight().defined())
    output = output * options.weight();
  if (options.bias().defined())
    output = output + options.bias();
  return output;
}

Tensor embedding(const Tensor &input, const Tensor &weight,
                 const EmbeddingFuncOptions &options) {
  Tensor output = dlc::embedding(weight, input, -1, false, options.sparse());
  if (std::optional<int64_t> pad = options.padding_idx()) {
    // The padding row stays what it is (zeros) and gets no gradient.
    Tensor keep = (input != *pad).unsqueeze(-1).to(weight.scalar_type());
    output = output * keep;
  }
  return output;
}

Tensor embedding_bag(const Tensor &input, const Tensor &weight,
                     const EmbeddingBagFuncOptions &options) {
  if (weight.dim() != 2)
    throw Error(fmt::format("embedding_bag: weight must be 2-D, got {}",
                            shapeText(weight)));
  EmbeddingBagMode mode = options.mode();
  const Tensor &perSample = options.per_sample_weights();
  if (perSample.defined() && mode != EmbeddingBagMode::Sum)
    throw Error(
        "embedding_bag: per_sample_weights are only supported for mode kSum");
  if (perSample.defined() && perSample.sizes() != input.sizes())
    throw Error(fmt::format(
        "embedding_bag: per_sample_weights {} must have input's shape {}",
        shapeText(perSample), shapeText(input)));
  ScalarType type = weight.scalar_type();
  if (input.dim() == 2) {
    if (options.offsets().defined())
      throw Error("embedding_bag: offsets must be undefined for a 2-D input "
                  "(each row is a "
                  "bag)");
    Tensor rows = dlc::embedding(weight, input, -1, false,
                                 options.sparse()); // [B, N, D]
    Tensor keep = options.padding_idx()
                      ? (input != *options.padding_idx()).to(type)
                      : ones_like(input, TensorOptions().dtype(type));
    if (perSample.defined())
      keep = keep * perSample;
    if (mode == EmbeddingBagMode::Max) {
      // Left-out entries cannot win; an all-padding bag gives zeros.
      Tensor masked =
          where(keep.unsqueeze(-1) > 0, rows, full_like(rows, -1e30));
      Tensor best = masked.amax({1});
      return where(best <= -1e29, zeros_like(best), best);
    }
    Tensor sum = (rows * keep.unsqueeze(-1)).sum(1);
    if (mode == EmbeddingBagMode::Sum)
      return sum;
    Tensor count = keep.sum(1, /*keepdim=*/true);
    return sum / clamp_min(count, 1);
  }
  if (input.dim() != 1)
    throw Error(fmt::format(
        "embedding_bag: input must be 1-D (with offsets) or 2-D, got {}",
        shapeText(input)));
  const Tensor &offsets = options.offsets();
  if (!offsets.defined() || offsets.dim() != 1)
    throw Error("embedding_bag: a 1-D input needs 1-D offsets");
  int64_t bags = offsets.sizes()[0] - (options.include_last_offset() ? 1 : 0);
  if (bags < 0)
    throw Error("embedding_bag: include_last_offset needs at least one offset");
  int64_t total = input.sizes()[0];
  // The bag of every entry: how many bag starts (after the first) lie at or
  // before it.
  Tensor position = arange(total, TensorOptions().dtype(kLong)).unsqueeze(1);
  Tensor starts = offsets.narrow(0, 1, std::max<int64_t>(bags - 1, 0))
                      .to(kLong)
                      .unsqueeze(0);
  Tensor bag =
      bags > 1 ? (position >= starts).to(kLong).sum(1) : zeros({total}, kLong);
  Tensor rows = dlc::embedding(weight, input, -1, false,
                               options.sparse()); // [total, D]
  Tensor keep = options.padding_idx()
                    ? (input != *options.padding_idx()).to(type)
                    : ones({total}, TensorOptions().dtype(type));
  if (perSample.defined())
    keep = keep * perSample;
  if (mode == EmbeddingBagMode::Max)
    throw Error("embedding_bag: mode kMax with offsets is not supported; use a "
                "2-D input");
  Tensor out = zeros({bags, weight.sizes()[1]}, TensorOptions().dtype(type));
  Tensor sum = index_add(out, 0, bag, rows * keep.unsqueeze(1));
  if (mode == EmbeddingBagMode::Sum)
    return sum;
  Tensor count =
      index_add(zeros({bags}, TensorOptions().dtype(type)), 0, bag, keep);
  return sum / clamp_min(count, 1).unsqueeze(1);
}

Tensor mse_loss(const Tensor &input, const Tensor &target,
                const MSELossFuncOptions &options) {
  checkSameShape("mse_loss", input, target);
  Tensor diff = input - target;
  return reduce(diff * diff, options.reduction());
}

Tensor binary_cross_entropy(const Tensor &input, const Tensor &target,
                            const BinaryCrossEntropyFuncOptions &options) {
  checkSameShape("binary_cross_entropy", input, target);
  // PyTorch clamps the logarithms at -100, so that 0 * log(0) is 0.
  Tensor loss = -(target * clamp_min(log(input), -100) +
                  (1 - target) * clamp_min(log(1 - input), -100));
  if (options.weight().defined())
    loss = loss * options.weight();
  return reduce(loss, options.reduction());
}

Tensor binary_cross_entropy_with_logits(
    const Tensor &input, const Tensor &target,
    const BinaryCrossEntropyWithLogitsFuncOptions &options) {
  checkSameShape("binary_cross_entropy_with_logits", input, target);
  // log(1 + e^-|x|) + max(-x, 0): stable for any x.
  Tensor softplus = log1p(exp(-abs(input))) + clamp_min(-input, 0);
  Tensor loss;
  if (options.pos_weight().defined()) {
    Tensor logWeight = (options.pos_weight() - 1) * target + 1;
    loss = (1 - target) * input + logWeight * softplus;
  } else {
    loss = (1 - target) * input + softplus;
  }
  if (options.weight().defined())
    loss = loss * options.weight();
  return reduce(loss, options.reduction());
}

Tensor nll_loss(const Tensor &input, const Tensor &target,
                const NLLLossFuncOptions &options) {
  if (input.dim() < 1 || (input.dim() >= 2 && target.dim() != input.dim() - 1))
    throw Error(fmt::format(
        "nll_loss: input {} and target {} do not match ([N, C] and [N])",
        shapeText(input), shapeText(target)));
  if (target.scalar_type() != kLong && target.scalar_type() != kInt)
    throw Error("nll_loss: target must hold class indices (int64 or int32)");
  int64_t classDim = input.dim() >= 2 ? 1 : 0;
  int64_t ignore = options.ignore_index();
  Tensor valid = target != ignore;
  // Ignored entries read class 0 and count for nothing.
  Tensor safe = where(valid, target, zeros_like(target));
  Tensor picked =
      input.gather(classDim, safe.unsqueeze(classDim)).squeeze(classDim);
  Tensor weight = valid.to(input.scalar_type());
  if (options.weight().defined())
    weight =
        weight *
        options.weight().index_select(0, safe.flatten()).reshape(safe.sizes());
  Tensor loss = -picked * weight;
  switch (options.reduction()) {
  case Reduction::None:
    return loss;
  case Reduction::Sum:
    return loss.sum();
  case Reduction::Mean:
    return loss.sum() / weight.sum();
  }
  return loss;
}

Tensor cross_entropy(const Tensor &input, const Tensor &target,
                     const CrossEntropyFuncOptions &options) {
  if (input.dim() < 1)
    throw Error("cross_entropy: input must have a class dimension");
  int64_t classDim = input.dim() >= 2 ? 1 : 0;
  int64_t classes = input.sizes()[classDim];
  Tensor logp = dlc::log_softmax(input, classDim);
  double smoothing = options.label_smoothing();
  if (smoothing < 0 || smoothing > 1)
    throw Error(fmt::format(
        "cross_entropy: label_smoothing must be in [0, 1], got {}", smoothing));
  if (target.scalar_type() == kFloat || target.scalar_type() == kDouble) {
    // Class probabilities.
    checkSameShape("cross_entropy", input, target);
    Tensor probs =
        smoothing > 0 ? target * (1 - smoothing) + smoothing / classes : target;
    Tensor w = options.weight().defined()
                   ? logp * options.weight().reshape(
                                classDim == 1 && input.dim() > 1
                                    ? std::vector<int64_t>{1, classes}
                                    : std::vector<int64_t>{classes})
                   : logp;
    return reduce(-(probs * w).sum(classDim),
                  options.reduction() == Reduction::Mean ? Reduction::Mean
                                                         : options.reduction());
  }
  NLLLossFuncOptions nll;
  nll.weight(options.weight())
      .ignore_index(options.ignore_index())
      .reduction(options.reduction());
  Tensor loss = nll_loss(logp, target, nll);
  if (smoothing == 0)
    return loss;
  // (1 - s) * nll + s * mean over classes of -log p, ignored entries left out.
  Tensor valid = (target != options.ignore_index()).to(input.scalar_type());
  Tensor uniform = -logp.mean({classDim}) * valid;
  Tensor smooth;
  switch (options.reduction()) {
  case Reduction::None:
    smooth = uniform;
    break;
  case Reduction::Sum:
    smooth = uniform.sum();
    break;
  case Reduction::Mean:
    smooth = uniform.sum() / valid.sum();
    break;
  }
  return loss * (1 - smoothing) + smooth * smoothing;
}

} // namespace dlc::nn::functional
