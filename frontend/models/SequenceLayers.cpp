//===- SequenceLayers.cpp - Attention and recurrent layers of DIN and DIEN ===//

#include "frontend/models/SequenceLayers.h"

#include "frontend/Autograd.h"
#include "frontend/Functions.h"
#include "frontend/detail/Recorder.h"
#include "frontend/nn/Init.h"
#include "runtime/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <variant>

namespace dlc::models {

namespace {

using dlc::detail::formatShape;

/// GRU-style uniform initialisation of bound 1/sqrt(hidden).
void initRecurrent(nn::Module &module, int64_t hidden) {
  double bound = 1.0 / std::sqrt(static_cast<double>(hidden));
  for (Tensor &p : module.parameters())
    nn::init::uniform_(p, -bound, bound);
}

void checkCellInputs(const char *cell, const Tensor &input, const Tensor &hx,
                     const Tensor &att, int64_t inputSize, int64_t hiddenSize) {
  bool ok = input.defined() && hx.defined() && att.defined() &&
            input.dim() == 2 && input.size(1) == inputSize && hx.dim() == 2 &&
            hx.size(0) == input.size(0) && hx.size(1) == hiddenSize &&
            att.numel() == input.size(0) &&
            (att.dim() == 1 || (att.dim() == 2 && att.size(1) == 1));
  if (!ok)
    throw Error(fmt::format("{}: expected input [B, {}], hx [B, {}] and att "
                            "[B] or [B, 1], got input {}, hx {}, att {}",
                            cell, inputSize, hiddenSize, formatShape(input),
                            formatShape(hx), formatShape(att)));
}

} // namespace

Tensor masked_dice(DiceImpl &dice, const Tensor &x, const Tensor &mask) {
  if (!mask.defined())
    return dice.forward(x);
  nn::BatchNorm1dImpl &bn = *dice.bn;
  int64_t features = bn.options.num_features();
  if (x.dim() < 2 || x.size(-1) != features || mask.dim() != x.dim() - 1)
    throw Error(fmt::format("Dice: expected x [..., {}] and a mask of its "
                            "leading dimensions, got x {} and mask {}",
                            features, formatShape(x), formatShape(mask)));
  for (int64_t d = 0; d < mask.dim(); ++d)
    if (mask.size(d) != x.size(d))
      throw Error(fmt::format("Dice: mask {} does not match x {}",
                              formatShape(mask), formatShape(x)));
  double eps = bn.options.eps();
  Tensor normalized;
  if (bn.is_training() || !bn.options.track_running_stats()) {
    std::vector<int64_t> dims;
    for (int64_t d = 0; d + 1 < x.dim(); ++d)
      dims.push_back(d);
    Tensor m = mask.to(x.scalar_type()).unsqueeze(-1);
    Tensor count = m.sum();
    Tensor denominator = count.clamp_min(1.0);
    Tensor mean = (x * m).sum(dims) / denominator; // [E]
    Tensor centered = x - mean;
    Tensor var = (centered * centered * m).sum(dims) / denominator;
    if (bn.is_training() && bn.options.track_running_stats()) {
      NoGradGuard noGrad;
      bn.num_batches_tracked.add_(1);
      Tensor unbiased = (var * (count / (count - 1.0).clamp_min(1.0))).detach();
      Tensor batchMean = mean.detach();
      if (bn.options.momentum()) {
        double momentum = *bn.options.momentum();
        bn.running_mean.mul_(1 - momentum).add_(batchMean * momentum);
        bn.running_var.mul_(1 - momentum).add_(unbiased * momentum);
      } else {
        Tensor factor =
            1.0 / bn.num_batches_tracked.to(bn.running_mean.scalar_type());
        bn.running_mean.add_((batchMean - bn.running_mean) * factor);
        bn.running_var.add_((unbiased - bn.running_var) * factor);
      }
    }
    normalized = centered * (var + eps).rsqrt();
  } else {
    normalized = (x - bn.running_mean) * (bn.running_var + eps).rsqrt();
  }
  if (bn.options.affine())
    normalized = normalized * bn.weight + bn.bias;
  Tensor p = dlc::sigmoid(normalized);
  return p * x + (1.0 - p) * dice.alpha * x;
}

//===----------------------------------------------------------------------===//
// LocalActivationUnit and AttentionSequencePooling
//===----------------------------------------------------------------------===//

LocalActivationUnitImpl::LocalActivationUnitImpl(
    const LocalActivationUnitOptions &options)
    : nn::Module("LocalActivationUnit"), options(options) {
  if (options.embedding_dim() <= 0)
    throw Error(fmt::format("LocalActivationUnit: embedding dim {} is not "
                            "positive",
                            options.embedding_dim()));
  linears = register_module("linears", nn::ModuleList());
  activations = register_module("activations", nn::ModuleList());
  int64_t in = 4 * options.embedding_dim();
  for (int64_t units : options.hidden_units()) {
    if (units <= 0)
      throw Error(
          fmt::format("LocalActivationUnit: hidden layer of {} units", units));
    nn::Linear linear(in, units);
    nn::init::normal_(linear->weight, 0.0, options.init_std());
    linears->push_back(linear);
    nn::AnyModule activation = make_activation(options.activation(), units);
    activations->push_back(activation.ptr());
    activationFunctions.push_back(std::move(activation));
    in = units;
  }
  dense = register_module("dense", nn::Linear(in, 1));
}

Tensor LocalActivationUnitImpl::forward(const Tensor &query, const Tensor &keys,
                                        const Tensor &mask) {
  int64_t e = options.embedding_dim();
  Tensor q = query.defined() && query.dim() == 2 ? query.unsqueeze(1) : query;
  if (!q.defined() || !keys.defined() || q.dim() != 3 || keys.dim() != 3 ||
      q.size(1) != 1 || q.size(2) != e || keys.size(2) != e ||
      q.size(0) != keys.size(0))
    throw Error(fmt::format("LocalActivationUnit: expected query [B, {0}] and "
                            "keys [B, T, {0}], got query {1} and keys {2}",
                            e, formatShape(query), formatShape(keys)));
  if (mask.defined() && (mask.dim() != 2 || mask.size(0) != keys.size(0) ||
                         mask.size(1) != keys.size(1)))
    throw Error(fmt::format("LocalActivationUnit: mask {} does not match "
                            "keys {} (expected [B, T])",
                            formatShape(mask), formatShape(keys)));
  Tensor queries = q.expand({keys.size(0), keys.size(1), e});
  Tensor h = dlc::cat({queries, keys, queries - keys, queries * keys}, -1);
  for (size_t i = 0; i < linears->size(); ++i) {
    h = linears->at<nn::LinearImpl>(i)->forward(h);
    if (auto *dice = dynamic_cast<DiceImpl *>(activations->ptr(i).get()))
      h = masked_dice(*dice, h, mask);
    else
      h = activationFunctions[i].forward(h);
  }
  return dense->forward(h).squeeze(-1); // [B, T]
}

AttentionSequencePoolingImpl::AttentionSequencePoolingImpl(
    const AttentionSequencePoolingOptions &options)
    : nn::Module("AttentionSequencePooling"), options(options) {
  local_att = register_module(
      "local_att",
      LocalActivationUnit(LocalActivationUnitOptions(options.embedding_dim())
                              .hidden_units(options.hidden_units())
                              .activation(options.activation())
                              .init_std(options.init_std())));
}

Tensor AttentionSequencePoolingImpl::weights(const Tensor &query,
                                             const Tensor &keys,
                                             const Tensor &mask) {
  if (!mask.defined() || !keys.defined() || keys.dim() != 3 ||
      mask.dim() != 2 || mask.size(0) != keys.size(0) ||
      mask.size(1) != keys.size(1))
    throw Error(fmt::format("AttentionSequencePooling: expected keys [B, T, "
                            "E] and mask [B, T], got keys {} and mask {}",
                            formatShape(keys), formatShape(mask)));
  Tensor scores = local_att->forward(query, keys, mask); // [B, T]
  Tensor valid = mask.gt(0);
  if (options.weight_normalization())
    // A large negative rather than -inf: a row with no valid step gets a
    // uniform softmax (not NaN), which the where() below zeroes.
    scores = scores.masked_fill(valid.logical_not(), -1e9).softmax(1);
  return dlc::where(valid, scores, 0.0);
}

Tensor AttentionSequencePoolingImpl::forward(const Tensor &query,
                                             const Tensor &keys,
                                             const Tensor &mask) {
  Tensor w = weights(query, keys, mask);            // [B, T]
  return dlc::bmm(w.unsqueeze(1), keys).squeeze(1); // [B, E]
}

//===----------------------------------------------------------------------===//
// AUGRU and AGRU cells
//===----------------------------------------------------------------------===//

namespace {

/// Registers an attentional GRU cell's weights, `gates` blocks stacked as
/// GRUCell's, and initialises them as GRUCell does.
template <typename Cell>
void registerCellWeights(Cell &cell, const char *name, int64_t gates) {
  int64_t input = cell.input_size, hidden = cell.hidden_size;
  if (input <= 0 || hidden <= 0)
    throw Error(fmt::format("{}: input size {} and hidden size {} must be "
                            "positive",
                            name, input, hidden));
  cell.weight_ih =
      cell.register_parameter("weight_ih", dlc::empty({gates * hidden, input}));
  cell.weight_hh = cell.register_parameter(
      "weight_hh", dlc::empty({gates * hidden, hidden}));
  cell.bias_ih =
      cell.register_parameter("bias_ih", dlc::empty({gates * hidden}));
  cell.bias_hh =
      cell.register_parameter("bias_hh", dlc::empty({gates * hidden}));
  initRecurrent(cell, hidden);
}

} // namespace

AUGRUCellImpl::AUGRUCellImpl(int64_t input_size, int64_t hidden_size)
    : nn::Module("AUGRUCell"), input_size(input_size),
      hidden_size(hidden_size) {
  registerCellWeights(*this, "AUGRUCell", 3);
}

Tensor AUGRUCellImpl::forward(const Tensor &input, const Tensor &hx,
                              const Tensor &att) {
  checkCellInputs("AUGRUCell", input, hx, att, input_size, hidden_size);
  return step(nn::functional::linear(input, weight_ih, bias_ih), hx, att);
}

Tensor AUGRUCellImpl::step(const Tensor &gi, const Tensor &hx,
                           const Tensor &att) {
  Tensor gh = nn::functional::linear(hx, weight_hh, bias_hh);
  std::vector<Tensor> i = gi.chunk(3, -1), h = gh.chunk(3, -1);
  Tensor r = dlc::sigmoid(i[0] + h[0]);
  Tensor u = dlc::sigmoid(i[1] + h[1]) * att.reshape({-1, 1});
  Tensor n = dlc::tanh(i[2] + r * h[2]);
  return hx + u * (n - hx); // (1 - u') h + u' n
}

AGRUCellImpl::AGRUCellImpl(int64_t input_size, int64_t hidden_size)
    : nn::Module("AGRUCell"), input_size(input_size), hidden_size(hidden_size) {
  registerCellWeights(*this, "AGRUCell", 2);
}

Tensor AGRUCellImpl::forward(const Tensor &input, const Tensor &hx,
                             const Tensor &att) {
  checkCellInputs("AGRUCell", input, hx, att, input_size, hidden_size);
  return step(nn::functional::linear(input, weight_ih, bias_ih), hx, att);
}

Tensor AGRUCellImpl::step(const Tensor &gi, const Tensor &hx,
                          const Tensor &att) {
  Tensor gh = nn::functional::linear(hx, weight_hh, bias_hh);
  std::vector<Tensor> i = gi.chunk(2, -1), h = gh.chunk(2, -1);
  Tensor r = dlc::sigmoid(i[0] + h[0]);
  Tensor n = dlc::tanh(i[1] + r * h[1]);
  return hx + att.reshape({-1, 1}) * (n - hx); // (1 - a) h + a n
}

//===----------------------------------------------------------------------===//
// InterestExtractor
//===----------------------------------------------------------------------===//

InterestExtractorImpl::InterestExtractorImpl(
    const InterestExtractorOptions &options)
    : nn::Module("InterestExtractor"), options(options) {
  int64_t e = options.input_size();
  if (e <= 0)
    throw Error(
        fmt::format("InterestExtractor: input size {} is not positive", e));
  gru = register_module("gru", nn::GRU(nn::GRUOptions(e, e).batch_first(true)));
  if (options.use_negsampling()) {
    auxiliary_net = register_module(
        "auxiliary_net", DNN(2 * e, DNNOptions(options.aux_hidden_units())
                                        .activation(options.aux_activation())
                                        .init_std(options.init_std())));
    auxiliary_out = register_module("auxiliary_out",
                                    nn::Linear(auxiliary_net->output_dim(), 1));
    nn::init::normal_(auxiliary_out->weight, 0.0, options.init_std());
  }
}

std::tuple<Tensor, Tensor>
InterestExtractorImpl::forward(const Tensor &keys, const Tensor &lengths,
                               const Tensor &mask, const Tensor &negatives) {
  int64_t e = options.input_size();
  if (!keys.defined() || keys.dim() != 3 || keys.size(2) != e)
    throw Error(fmt::format("InterestExtractor: expected keys [B, T, {}], got "
                            "{}",
                            e, formatShape(keys)));
  auto [interests, last] = gru->forward(keys, Tensor(), lengths);
  if (!negatives.defined())
    return {interests, Tensor()};
  return {interests, auxiliary_loss(interests, keys, negatives, mask)};
}

Tensor InterestExtractorImpl::auxiliary_loss(const Tensor &interests,
                                             const Tensor &keys,
                                             const Tensor &negatives,
                                             const Tensor &mask) {
  if (auxiliary_net.is_empty())
    throw Error("InterestExtractor: the auxiliary loss needs use_negsampling");
  if (!negatives.defined() || negatives.sizes() != keys.sizes() ||
      interests.sizes() != keys.sizes() || !mask.defined() || mask.dim() != 2 ||
      mask.size(0) != keys.size(0) || mask.size(1) != keys.size(1))
    throw Error(fmt::format("InterestExtractor: the auxiliary loss needs "
                            "interests, keys and negatives of one shape [B, "
                            "T, E] and mask [B, T], got {}, {}, {} and {}",
                            formatShape(interests), formatShape(keys),
                            formatShape(negatives), formatShape(mask)));
  int64_t steps = keys.size(1);
  if (steps < 2)
    return dlc::zeros({}, keys.options().requires_grad(false));
  // h_t against the step after it: clicked e_{t+1} (1), sampled ê_{t+1} (0).
  Tensor states = interests.narrow(1, 0, steps - 1);
  Tensor clicked = keys.narrow(1, 1, steps - 1);
  Tensor unclicked = negatives.narrow(1, 1, steps - 1);
  Tensor valid = mask.narrow(1, 1, steps - 1).to(keys.scalar_type());
  auto logit = [&](const Tensor &next) {
    Tensor h = auxiliary_net->forward(dlc::cat({states, next}, -1));
    return auxiliary_out->forward(h).squeeze(-1); // [B, T - 1]
  };
  namespace F = nn::functional;
  auto bce =
      F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(Reduction::None);
  Tensor click = logit(clicked), noclick = logit(unclicked);
  Tensor loss =
      F::binary_cross_entropy_with_logits(click, dlc::ones_like(click), bce) +
      F::binary_cross_entropy_with_logits(noclick, dlc::zeros_like(noclick),
                                          bce);
  return (loss * valid).sum() / (2.0 * valid.sum().clamp_min(1.0));
}

//===----------------------------------------------------------------------===//
// InterestEvolving
//===----------------------------------------------------------------------===//

InterestEvolvingImpl::InterestEvolvingImpl(
    const InterestEvolvingOptions &options)
    : nn::Module("InterestEvolving"), options(options) {
  int64_t e = options.input_size();
  const std::string &type = options.gru_type();
  if (type != "AUGRU" && type != "AGRU" && type != "AIGRU" && type != "GRU")
    throw Error(fmt::format("InterestEvolving: unknown gru_type '{}' (known: "
                            "AUGRU, AGRU, AIGRU, GRU)",
                            type));
  if (e <= 0)
    throw Error(
        fmt::format("InterestEvolving: input size {} is not positive", e));
  attention = register_module(
      "attention",
      AttentionSequencePooling(
          AttentionSequencePoolingOptions(e)
              .hidden_units(options.att_hidden_units())
              .activation(options.att_activation())
              .weight_normalization(options.att_weight_normalization())
              .init_std(options.init_std())));
  if (type == "GRU" || type == "AIGRU")
    gru =
        register_module("gru", nn::GRU(nn::GRUOptions(e, e).batch_first(true)));
  else if (type == "AUGRU")
    augru = register_module("augru", AUGRUCell(e, e));
  else
    agru = register_module("agru", AGRUCell(e, e));
}

Tensor InterestEvolvingImpl::forward(const Tensor &query,
                                     const Tensor &interests,
                                     const Tensor &lengths,
                                     const Tensor &mask) {
  int64_t e = options.input_size();
  if (!interests.defined() || interests.dim() != 3 || interests.size(2) != e)
    throw Error(fmt::format("InterestEvolving: expected interests [B, T, {}], "
                            "got {}",
                            e, formatShape(interests)));
  const std::string &type = options.gru_type();
  if (type == "GRU") {
    auto [outputs, last] = gru->forward(interests, Tensor(), lengths);
    return attention->forward(query, outputs, mask);
  }
  Tensor w = attention->weights(query, interests, mask); // [B, T]
  if (type == "AIGRU") {
    auto [outputs, last] =
        gru->forward(interests * w.unsqueeze(-1), Tensor(), lengths);
    return last.select(0, 0);
  }
  // AUGRU / AGRU, unrolled; the input projection of every step at once.
  bool update = type == "AUGRU";
  Tensor gi =
      update
          ? nn::functional::linear(interests, augru->weight_ih, augru->bias_ih)
          : nn::functional::linear(interests, agru->weight_ih, agru->bias_ih);
  int64_t batch = interests.size(0), steps = interests.size(1);
  Tensor valid = mask.gt(0).unsqueeze(-1); // [B, T, 1]
  Tensor state =
      dlc::zeros({batch, e}, interests.options().requires_grad(false));
  for (int64_t t = 0; t < steps; ++t) {
    Tensor git = gi.select(1, t), att = w.select(1, t);
    Tensor next =
        update ? augru->step(git, state, att) : agru->step(git, state, att);
    state = dlc::where(valid.select(1, t), next, state);
  }
  return state;
}

//===----------------------------------------------------------------------===//
// BehaviorColumns
//===----------------------------------------------------------------------===//

BehaviorColumns::BehaviorColumns(
    const FeatureIndex &index,
    const std::vector<std::string> &history_feature_list, bool negatives,
    const std::string &model)
    : index(index) {
  if (history_feature_list.empty())
    throw Error(fmt::format("{}: history_feature_list is empty; name the "
                            "target columns that have a 'hist_' history",
                            model));
  std::set<std::string> skipped; // histories and negatives
  std::string firstHistory;
  auto idList = [&](const std::string &name, const std::string &role,
                    const std::string &target, const SparseFeat &targetColumn) {
    if (!index.contains(name))
      throw Error(fmt::format("{}: no {} column '{}' for history feature '{}'",
                              model, role, name, target));
    const auto *list = std::get_if<VarLenSparseFeat>(&index.column(name));
    if (!list)
      throw Error(fmt::format("{}: {} column '{}' must be an id-list column "
                              "(VarLenSparseFeat)",
                              model, role, name));
    if (list->sparse().embedding_dim() != targetColumn.embedding_dim())
      throw Error(fmt::format(
          "{}: {} column '{}' embeds in {} dimensions but its target '{}' in "
          "{}; they must match (share the table with embedding_name)",
          model, role, name, list->sparse().embedding_dim(), target,
          targetColumn.embedding_dim()));
    if (length == 0) {
      length = list->maxlen();
      firstHistory = name;
    } else if (list->maxlen() != length) {
      throw Error(fmt::format("{}: {} column '{}' has maxlen {} but '{}' has "
                              "{}; the histories must be equally long",
                              model, role, name, list->maxlen(), firstHistory,
                              length));
    }
    skipped.insert(name);
  };
  for (const std::string &target : history_feature_list) {
    if (std::find(targetNames.begin(), targetNames.end(), target) !=
        targetNames.end())
      throw Error(fmt::format("{}: history feature '{}' is listed twice", model,
                              target));
    if (!index.contains(target))
      throw Error(fmt::format("{}: history feature '{}' is not a column", model,
                              target));
    const auto *sparse = std::get_if<SparseFeat>(&index.column(target));
    if (!sparse)
      throw Error(fmt::format("{}: history feature '{}' must be a sparse "
                              "column (SparseFeat)",
                              model, target));
    targetNames.push_back(target);
    historyNames.push_back("hist_" + target);
    idList(historyNames.back(), "history", target, *sparse);
    if (negatives) {
      negativeNames.push_back("neg_hist_" + target);
      idList(negativeNames.back(), "negative history", target, *sparse);
    }
    // Negatives are inputs of the auxiliary loss only, never DNN features.
    skipped.insert("neg_hist_" + target);
    queryDim += sparse->embedding_dim();
  }
  for (const FeatureColumn &column : index.columns()) {
    const std::string &name = name_of(column);
    if (skipped.count(name))
      continue;
    dnnNames.push_back(name);
    if (const auto *dense = std::get_if<DenseFeat>(&column))
      dnnDim += dense->dimension();
    else if (const auto *sparse = std::get_if<SparseFeat>(&column))
      dnnDim += sparse->embedding_dim();
    else
      dnnDim += std::get<VarLenSparseFeat>(column).sparse().embedding_dim();
  }
}

namespace {

Tensor embedSideBySide(const Tensor &x, EmbeddingDict &embeddings,
                       const std::vector<std::string> &names) {
  std::vector<Tensor> parts;
  for (const std::string &name : names)
    parts.push_back(embeddings->embed(x, name));
  return parts.size() == 1 ? parts.front() : dlc::cat(parts, -1);
}

} // namespace

Tensor BehaviorColumns::query(const Tensor &x,
                              EmbeddingDict &embeddings) const {
  return embedSideBySide(x, embeddings, targetNames).squeeze(1);
}

Tensor BehaviorColumns::keys(const Tensor &x, EmbeddingDict &embeddings) const {
  return embedSideBySide(x, embeddings, historyNames);
}

Tensor BehaviorColumns::negatives(const Tensor &x,
                                  EmbeddingDict &embeddings) const {
  if (negativeNames.empty())
    return {};
  return embedSideBySide(x, embeddings, negativeNames);
}

Tensor BehaviorColumns::lengths(const Tensor &x) const {
  return index.ids(x, historyNames.front()).ne(0).to(kLong).sum({1});
}

Tensor BehaviorColumns::mask(const Tensor &lengths) const {
  Tensor steps = dlc::arange(length, TensorOptions().dtype(kLong));
  return (steps.unsqueeze(0) < lengths.unsqueeze(1)).to(kFloat);
}

Tensor BehaviorColumns::dnn_input(const Tensor &x,
                                  EmbeddingDict &embeddings) const {
  std::vector<Tensor> parts;
  for (const std::string &name : dnnNames) {
    const FeatureColumn &column = index.column(name);
    if (std::holds_alternative<DenseFeat>(column))
      parts.push_back(index.slice(x, name));
    else if (std::holds_alternative<SparseFeat>(column))
      parts.push_back(embeddings->embed(x, name).flatten(1));
    else
      parts.push_back(embeddings->pooled(x, name).flatten(1));
  }
  if (parts.empty())
    return {};
  return parts.size() == 1 ? parts.front() : dlc::cat(parts, 1);
}

} // namespace dlc::models
