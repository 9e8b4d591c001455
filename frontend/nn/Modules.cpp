//===- Modules.cpp - The layers of nn -------------------------------------===//

#include "frontend/nn/Modules.h"
#include "frontend/Autograd.h"
#include "frontend/nn/Init.h"
#include "runtime/Error.h"

#include <fmt/format.h>

#include <cmath>

namespace dlc::nn {
namespace {

/// uniform(-bound, bound) with bound = 1 / sqrt(fan).
void uniformByFan(Tensor &tensor, int64_t fan) {
  double bound = fan > 0 ? 1.0 / std::sqrt(static_cast<double>(fan)) : 0.0;
  init::uniform_(tensor, -bound, bound);
}

/// The padding row of an embedding table starts at zero.
void zeroRow(Tensor &weight, int64_t row) {
  NoGradGuard noGrad;
  Tensor keep = (arange(weight.sizes()[0], TensorOptions().dtype(kLong)) != row)
                    .to(weight.scalar_type())
                    .unsqueeze(1);
  weight.mul_(keep);
}

void checkPositive(const char *layer, const char *what, int64_t value) {
  if (value <= 0)
    throw Error(
        fmt::format("{}: {} must be positive, got {}", layer, what, value));
}

} // namespace

//===----------------------------------------------------------------------===//
// Linear and Bilinear
//===----------------------------------------------------------------------===//

LinearImpl::LinearImpl(const LinearOptions &options)
    : Cloneable("Linear"), options(options) {
  reset();
}

void LinearImpl::reset() {
  checkPositive("Linear", "in_features", options.in_features());
  checkPositive("Linear", "out_features", options.out_features());
  weight = register_parameter(
      "weight", dlc::empty({options.out_features(), options.in_features()}));
  if (options.bias())
    bias = register_parameter("bias", dlc::empty({options.out_features()}));
  reset_parameters();
}

void LinearImpl::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined())
    uniformByFan(bias, options.in_features());
}

Tensor LinearImpl::forward(const Tensor &input) {
  return functional::linear(input, weight, bias);
}

void LinearImpl::pretty_print(std::ostream &stream) const {
  stream << "Linear(in_features=" << options.in_features()
         << ", out_features=" << options.out_features()
         << ", bias=" << std::boolalpha << options.bias() << ")";
}

BilinearImpl::BilinearImpl(const BilinearOptions &options)
    : Cloneable("Bilinear"), options(options) {
  reset();
}

void BilinearImpl::reset() {
  weight = register_parameter(
      "weight", dlc::empty({options.out_features(), options.in1_features(),
                            options.in2_features()}));
  if (options.bias())
    bias = register_parameter("bias", dlc::empty({options.out_features()}));
  reset_parameters();
}

void BilinearImpl::reset_parameters() {
  uniformByFan(weight, options.in1_features());
  if (bias.defined())
    uniformByFan(bias, options.in1_features());
}

Tensor BilinearImpl::forward(const Tensor &input1, const Tensor &input2) {
  return functional::bilinear(input1, input2, weight, bias);
}

//===----------------------------------------------------------------------===//
// Embeddings
//===----------------------------------------------------------------------===//

static std::optional<int64_t>
checkPadding(const char *layer, std::optional<int64_t> padding, int64_t num) {
  if (!padding)
    return padding;
  int64_t p = *padding < 0 ? *padding + num : *padding;
  if (p < 0 || p >= num)
    throw Error(
        fmt::format("{}: padding_idx {} must be within num_embeddings ({})",
                    layer, *padding, num));
  return p;
}

EmbeddingImpl::EmbeddingImpl(const EmbeddingOptions &options)
    : Cloneable("Embedding"), options(options) {
  reset();
}

void EmbeddingImpl::reset() {
  checkPositive("Embedding", "num_embeddings", options.num_embeddings());
  checkPositive("Embedding", "embedding_dim", options.embedding_dim());
  options.padding_idx(checkPadding("Embedding", options.padding_idx(),
                                   options.num_embeddings()));
  if (options._weight().defined()) {
    if (options._weight().sizes() !=
        std::vector<int64_t>{options.num_embeddings(), options.embedding_dim()})
      throw Error("Embedding: _weight does not have shape [num_embeddings, "
                  "embedding_dim]");
    weight = register_parameter("weight", options._weight());
    return;
  }
  weight = register_parameter("weight", dlc::empty({options.num_embeddings(),
                                                    options.embedding_dim()}));
  reset_parameters();
}

void EmbeddingImpl::reset_parameters() {
  init::normal_(weight);
  if (std::optional<int64_t> pad = options.padding_idx())
    zeroRow(weight, *pad);
}

Tensor EmbeddingImpl::forward(const Tensor &indices) {
  functional::EmbeddingFuncOptions f;
  f.padding_idx(options.padding_idx());
  f.sparse(options.sparse());
  return functional::embedding(indices, weight, f);
}

void EmbeddingImpl::pretty_print(std::ostream &stream) const {
  stream << "Embedding(num_embeddings=" << options.num_embeddings()
         << ", embedding_dim=" << options.embedding_dim();
  if (options.padding_idx())
    stream << ", padding_idx=" << *options.padding_idx();
  if (options.sparse())
    stream << ", sparse=true";
  stream << ")";
}

EmbeddingBagImpl::EmbeddingBagImpl(const EmbeddingBagOptions &options)
    : Cloneable("EmbeddingBag"), options(options) {
  reset();
}

void EmbeddingBagImpl::reset() {
  checkPositive("EmbeddingBag", "num_embeddings", options.num_embeddings());
  checkPositive("EmbeddingBag", "embedding_dim", options.embedding_dim());
  options.padding_idx(checkPadding("EmbeddingBag", options.padding_idx(),
                                   options.num_embeddings()));
  if (options._weight().defined()) {
    weight = register_parameter("weight", options._weight());
    return;
  }
  weight = register_parameter("weight", dlc::empty({options.num_embeddings(),
                                                    options.embedding_dim()}));
  reset_parameters();
}

void EmbeddingBagImpl::reset_parameters() {
  init::normal_(weight);
  if (std::optional<int64_t> pad = options.padding_idx())
    zeroRow(weight, *pad);
}

Tensor EmbeddingBagImpl::forward(const Tensor &input, const Tensor &offsets,
                                 const Tensor &per_sample_weights) {
  functional::EmbeddingBagFuncOptions f;
  f.offsets(offsets)
      .mode(options.mode())
      .per_sample_weights(per_sample_weights)
      .include_last_offset(options.include_last_offset())
      .padding_idx(options.padding_idx())
      .sparse(options.sparse());
  return functional::embedding_bag(input, weight, f);
}

//===----------------------------------------------------------------------===//
// Normalization and dropout
//===----------------------------------------------------------------------===//

LayerNormImpl::LayerNormImpl(const LayerNormOptions &options)
    : Cloneable("LayerNorm"), options(options) {
  reset();
}

void LayerNormImpl::reset() {
  if (options.normalized_shape().empty())
    throw Error("LayerNorm: normalized_shape must not be empty");
  if (options.elementwise_affine()) {
    weight =
        register_parameter("weight", dlc::empty(options.normalized_shape()));
    bias = register_parameter("bias", dlc::empty(options.normalized_shape()));
  }
  reset_parameters();
}

void LayerNormImpl::reset_parameters() {
  if (weight.defined()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

Tensor LayerNormImpl::forward(const Tensor &input) {
  functional::LayerNormFuncOptions f(options.normalized_shape());
  f.weight(weight).bias(bias).eps(options.eps());
  return functional::layer_norm(input, f);
}

BatchNorm1dImpl::BatchNorm1dImpl(const BatchNormOptions &options)
    : Cloneable("BatchNorm1d"), options(options) {
  reset();
}

void BatchNorm1dImpl::reset() {
  checkPositive("BatchNorm1d", "num_features", options.num_features());
  if (options.affine()) {
    weight = register_parameter("weight", dlc::empty({options.num_features()}));
    bias = register_parameter("bias", dlc::empty({options.num_features()}));
  }
  if (options.track_running_stats()) {
    running_mean =
        register_buffer("running_mean", zeros({options.num_features()}));
    running_var =
        register_buffer("running_var", ones({options.num_features()}));
    num_batches_tracked =
        register_buffer("num_batches_tracked", zeros({}, kLong));
  }
  reset_parameters();
}

void BatchNorm1dImpl::reset_running_stats() {
  if (!options.track_running_stats())
    return;
  NoGradGuard noGrad;
  running_mean.zero_();
  running_var.fill_(1);
  num_batches_tracked.zero_();
}

void BatchNorm1dImpl::reset_parameters() {
  reset_running_stats();
  if (weight.defined()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

Tensor BatchNorm1dImpl::forward(const Tensor &input) {
  int64_t rank = input.dim();
  if ((rank != 2 && rank != 3) || input.sizes()[1] != options.num_features())
    throw Error(fmt::format(
        "BatchNorm1d: expected input [N, {0}] or [N, {0}, L], got {1} "
        "dimensions of sizes [{2}]",
        options.num_features(), rank,
        fmt::join(input.sizes().begin(), input.sizes().end(), ", ")));
  std::vector<int64_t> dims =
      rank == 2 ? std::vector<int64_t>{0} : std::vector<int64_t>{0, 2};
  std::vector<int64_t> channel(rank, 1);
  channel[1] = options.num_features();
  bool useBatch = is_training() || !options.track_running_stats();
  Tensor mean, var;
  if (useBatch) {
    int64_t count = input.numel() / options.num_features();
    if (is_training() && count <= 1)
      throw Error(fmt::format(
          "BatchNorm1d: expected more than 1 value per channel when "
          "training, got input of {} elements",
          input.numel()));
    mean = input.mean(dims, /*keepdim=*/true);
    Tensor centered = input - mean;
    var = (centered * centered).mean(dims, /*keepdim=*/true);
    if (is_training() && options.track_running_stats()) {
      NoGradGuard noGrad;
      num_batches_tracked.add_(1);
      double momentum =
          options.momentum()
              ? *options.momentum()
              : 0; // cumulative average: momentum 1 / batches, below
      Tensor unbiased =
          var.reshape({options.num_features()}) *
          (static_cast<double>(count) / static_cast<double>(count - 1));
      Tensor batchMean = mean.reshape({options.num_features()}).detach();
      if (options.momentum()) {
        running_mean.mul_(1 - momentum).add_(batchMean * momentum);
        running_var.mul_(1 - momentum).add_(unbiased.detach() * momentum);
      } else {
        Tensor factor =
            1.0 / num_batches_tracked.to(running_mean.scalar_type());
        running_mean.add_((batchMean - running_mean) * factor);
        running_var.add_((unbiased.detach() - running_var) * factor);
      }
    }
  } else {
    mean = running_mean.reshape(channel);
    var = running_var.reshape(channel);
  }
  Tensor output = (input - mean) * rsqrt(var + options.eps());
  if (weight.defined())
    output = output * weight.reshape(channel) + bias.reshape(channel);
  return output;
}

DropoutImpl::DropoutImpl(const DropoutOptions &options)
    : Cloneable("Dropout"), options(options) {
  if (options.p() < 0 || options.p() > 1)
    throw Error(fmt::format(
        "Dropout: probability has to be between 0 and 1, got {}", options.p()));
}

Tensor DropoutImpl::forward(const Tensor &input) {
  functional::DropoutFuncOptions f;
  f.p(options.p()).training(is_training());
  return functional::dropout(input, f);
}

void DropoutImpl::pretty_print(std::ostream &stream) const {
  stream << "Dropout(p=" << options.p() << ")";
}

PReLUImpl::PReLUImpl(const PReLUOptions &options)
    : Cloneable("PReLU"), options(options) {
  reset();
}

void PReLUImpl::reset() {
  checkPositive("PReLU", "num_parameters", options.num_parameters());
  weight = register_parameter("weight",
                              full({options.num_parameters()}, options.init()));
}

//===----------------------------------------------------------------------===//
// GRU
//===----------------------------------------------------------------------===//

namespace {

/// One GRU step from the gate inputs.
Tensor gruStep(const Tensor &x, const Tensor &h, const Tensor &wih,
               const Tensor &whh, const Tensor &bih, const Tensor &bhh) {
  Tensor gi = functional::linear(x, wih, bih);
  Tensor gh = functional::linear(h, whh, bhh);
  std::vector<Tensor> i = gi.chunk(3, -1), g = gh.chunk(3, -1);
  Tensor r = sigmoid(i[0] + g[0]);
  Tensor z = sigmoid(i[1] + g[1]);
  Tensor n = tanh(i[2] + r * g[2]);
  return (1 - z) * n + z * h;
}

} // namespace

GRUCellImpl::GRUCellImpl(const GRUCellOptions &options)
    : Cloneable("GRUCell"), options(options) {
  reset();
}

void GRUCellImpl::reset() {
  checkPositive("GRUCell", "input_size", options.input_size());
  checkPositive("GRUCell", "hidden_size", options.hidden_size());
  int64_t h = options.hidden_size();
  weight_ih = register_parameter("weight_ih",
                                 dlc::empty({3 * h, options.input_size()}));
  weight_hh = register_parameter("weight_hh", dlc::empty({3 * h, h}));
  if (options.bias()) {
    bias_ih = register_parameter("bias_ih", dlc::empty({3 * h}));
    bias_hh = register_parameter("bias_hh", dlc::empty({3 * h}));
  }
  reset_parameters();
}

void GRUCellImpl::reset_parameters() {
  for (Tensor &p : parameters())
    uniformByFan(p, options.hidden_size());
}

Tensor GRUCellImpl::forward(const Tensor &input, Tensor hx) {
  bool batched = input.dim() == 2;
  if ((input.dim() != 1 && !batched) ||
      input.sizes().back() != options.input_size())
    throw Error(fmt::format("GRUCell: input must be [B, {0}] or [{0}]",
                            options.input_size()));
  Tensor x = batched ? input : input.unsqueeze(0);
  if (!hx.defined())
    hx = zeros({x.sizes()[0], options.hidden_size()}, x.options());
  else if (!batched)
    hx = hx.unsqueeze(0);
  Tensor h = gruStep(x, hx, weight_ih, weight_hh, bias_ih, bias_hh);
  return batched ? h : h.squeeze(0);
}

GRUImpl::GRUImpl(const GRUOptions &options)
    : Cloneable("GRU"), options(options) {
  reset();
}

void GRUImpl::reset() {
  checkPositive("GRU", "input_size", options.input_size());
  checkPositive("GRU", "hidden_size", options.hidden_size());
  checkPositive("GRU", "num_layers", options.num_layers());
  if (options.bidirectional())
    throw Error("GRU: bidirectional is not supported yet");
  if (options.dropout() < 0 || options.dropout() > 1)
    throw Error(fmt::format("GRU: dropout must be in [0, 1], got {}",
                            options.dropout()));
  int64_t h = options.hidden_size();
  for (int64_t l = 0; l < options.num_layers(); ++l) {
    int64_t in = l == 0 ? options.input_size() : h;
    std::string s = std::to_string(l);
    register_parameter("weight_ih_l" + s, dlc::empty({3 * h, in}));
    register_parameter("weight_hh_l" + s, dlc::empty({3 * h, h}));
    if (options.bias()) {
      register_parameter("bias_ih_l" + s, dlc::empty({3 * h}));
      register_parameter("bias_hh_l" + s, dlc::empty({3 * h}));
    }
  }
  reset_parameters();
}

void GRUImpl::reset_parameters() {
  for (Tensor &p : parameters())
    uniformByFan(p, options.hidden_size());
}

std::vector<Tensor> GRUImpl::all_weights() const { return parameters(); }

std::tuple<Tensor, Tensor> GRUImpl::forward(const Tensor &input, Tensor hx,
                                            const Tensor &lengths) {
  if (input.dim() != 3 || input.sizes()[2] != options.input_size())
    throw Error(fmt::format(
        "GRU: input must be 3-D with {} features in the last dimension",
        options.input_size()));
  Tensor x = options.batch_first() ? input.transpose(0, 1) : input; // [T, B, I]
  int64_t steps = x.sizes()[0], batch = x.sizes()[1], h = options.hidden_size();
  int64_t layers = options.num_layers();
  if (!hx.defined())
    hx = zeros({layers, batch, h}, x.options());
  if (hx.dim() != 3 || hx.sizes()[0] != layers || hx.sizes()[1] != batch ||
      hx.sizes()[2] != h)
    throw Error(fmt::format("GRU: h0 must be [{}, {}, {}]", layers, batch, h));
  Tensor mask; // [T, B, 1]: step t counts for sequence b
  if (lengths.defined()) {
    if (lengths.dim() != 1 || lengths.sizes()[0] != batch)
      throw Error(fmt::format("GRU: lengths must be [{}]", batch));
    Tensor time = arange(steps, TensorOptions().dtype(kLong)).unsqueeze(1);
    mask = (time < lengths.to(kLong).unsqueeze(0))
               .unsqueeze(2)
               .to(x.scalar_type());
  }
  auto params = named_parameters(false);
  auto param = [&](const std::string &name) {
    const Tensor *p = params.find(name);
    return p ? *p : Tensor();
  };
  std::vector<Tensor> finals;
  Tensor layerInput = x;
  for (int64_t l = 0; l < layers; ++l) {
    std::string s = std::to_string(l);
    Tensor wih = param("weight_ih_l" + s), whh = param("weight_hh_l" + s);
    Tensor bih = param("bias_ih_l" + s), bhh = param("bias_hh_l" + s);
    Tensor state = hx.select(0, l);
    std::vector<Tensor> outputs;
    for (int64_t t = 0; t < steps; ++t) {
      Tensor next = gruStep(layerInput.select(0, t), state, wih, whh, bih, bhh);
      if (mask.defined()) {
        Tensor m = mask.select(0, t);
        state = next * m + state * (1 - m);
        outputs.push_back(next * m);
      } else {
        state = next;
        outputs.push_back(next);
      }
    }
    finals.push_back(state);
    layerInput = stack(outputs, 0);
    if (options.dropout() > 0 && l + 1 < layers && is_training()) {
      functional::DropoutFuncOptions f;
      f.p(options.dropout()).training(true);
      layerInput = functional::dropout(layerInput, f);
    }
  }
  Tensor output =
      options.batch_first() ? layerInput.transpose(0, 1) : layerInput;
  return {output, stack(finals, 0)};
}

//===----------------------------------------------------------------------===//
// Containers
//===----------------------------------------------------------------------===//

void SequentialImpl::push_back(AnyModule module) {
  push_back(std::to_string(items.size()), std::move(module));
}

void SequentialImpl::push_back(const std::string &name, AnyModule module) {
  register_module(name, module.ptr());
  items.push_back(std::move(module));
}

Tensor SequentialImpl::forward(const Tensor &input) {
  if (items.empty())
    throw Error("Sequential: forward of an empty Sequential");
  Tensor x = input;
  for (size_t i = 0; i < items.size(); ++i) {
    try {
      x = items[i].forward(x);
    } catch (const Error &error) {
      // Which layer, deep inside a model: "Sequential[2] (Linear): linear:
      // input [2, 8] does not end with in_features = 16".
      throw Error("Sequential[" + std::to_string(i) + "] (" +
                  items[i].ptr()->name() + "): " + error.what());
    }
  }
  return x;
}

void ModuleListImpl::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(items.size()), module);
  items.push_back(std::move(module));
}

ModuleDictImpl::ModuleDictImpl(
    const std::vector<std::pair<std::string, std::shared_ptr<Module>>> &modules)
    : Cloneable("ModuleDict") {
  for (const auto &[key, module] : modules)
    insert(key, module);
}

void ModuleDictImpl::insert(const std::string &key,
                            std::shared_ptr<Module> module) {
  if (contains(key))
    replace_module(key, std::move(module));
  else
    register_module(key, std::move(module));
}

std::shared_ptr<Module>
ModuleDictImpl::operator[](const std::string &key) const {
  auto children = named_children();
  if (const std::shared_ptr<Module> *module = children.find(key))
    return *module;
  throw Error("ModuleDict: no module named '" + key + "'");
}

} // namespace dlc::nn
