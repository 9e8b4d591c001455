//===- TorchModels.cpp - The model suite of dlc-bench, LibTorch's side ----===//
//
// The CTR models of frontend/models written with LibTorch, as a LibTorch
// user who cares for speed would write them: torch::nn modules, addmm-backed
// linear layers, dense embeddings, Adam, gradients reset to undefined. Each
// computes the same function as dlc's model of that name as Models.cpp's
// makeModel builds it (same options, same initial distributions; the values
// differ, they come from another generator), so that `dlc-bench --suite
// models` compares the two on equal work. The measurement mirrors
// Models.cpp's modelChild: 8 synthetic batches cycled, the first step timed
// alone, then `measure`.
//
//===----------------------------------------------------------------------===//

#include "TorchModels.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dlcbench {
namespace {

using torch::Tensor;
namespace F = torch::nn::functional;

/// DeepCTR's init_std: embeddings, linear-logit weights and the weights of
/// the hidden layers (DNN, attention) start N(0, 1e-4).
constexpr double kInitStd = 1e-4;
/// Dice's batch-norm epsilon (dlc's DiceImpl default).
constexpr double kDiceEps = 1e-8;
/// DCN's cross_num (DCNOptions default).
constexpr int64_t kCrossLayers = 2;
/// FiBiNET's SENET reduction_ratio (FiBiNETOptions default).
constexpr int64_t kReductionRatio = 3;

/// An embedding table of N(0, init_std) rows (EmbeddingDict's).
torch::nn::Embedding makeTable(int64_t rows, int64_t dim) {
  torch::nn::Embedding table(rows, dim);
  torch::NoGradGuard noGrad;
  table->weight.normal_(0.0, kInitStd);
  return table;
}

/// A hidden layer of DeepCTR's DNN or attention MLP: the weight N(0,
/// init_std), the bias as torch::nn::Linear's.
torch::nn::Linear makeHidden(int64_t in, int64_t out) {
  torch::nn::Linear linear(in, out);
  torch::NoGradGuard noGrad;
  linear->weight.normal_(0.0, kInitStd);
  return linear;
}

/// uniform(-1/sqrt(fan), 1/sqrt(fan)), as GRUCell and nn.Linear(E, E) start.
Tensor uniformByFan(torch::IntArrayRef sizes, int64_t fan) {
  double bound = 1.0 / std::sqrt(static_cast<double>(fan));
  return torch::empty(sizes).uniform_(-bound, bound);
}

/// A CTR model: x [B, width] (Bench.h's layout) to logits [B].
class CtrModel : public torch::nn::Module {
public:
  virtual Tensor forward(const Tensor &x) = 0;
};

/// DeepCTR's DNN with relu (DNNImpl with the models' default options).
class Dnn : public torch::nn::Module {
public:
  Dnn(int64_t in, const std::vector<int64_t> &units) {
    for (size_t i = 0; i < units.size(); ++i) {
      layers.push_back(register_module("linear" + std::to_string(i),
                                       makeHidden(in, units[i])));
      in = units[i];
    }
    outputDim = in;
  }

  Tensor forward(Tensor h) {
    for (torch::nn::Linear &layer : layers)
      h = layer->forward(h).relu_(); // addmm does not keep its output
    return h;
  }

  std::vector<torch::nn::Linear> layers;
  int64_t outputDim = 0;
};

//===----------------------------------------------------------------------===//
// DeepFM, DCN, FiBiNET
//===----------------------------------------------------------------------===//

/// What the field models share: an embedding table per field C1..Cn
/// (EmbeddingDict), the linear logit (LinearLogit: a 1-wide table per field
/// and a weight per dense value) and the bias.
class FieldModel : public CtrModel {
protected:
  explicit FieldModel(const ModelShape &shape) : shape(shape) {
    for (int64_t f = 1; f <= shape.fields; ++f) {
      std::string name = "C" + std::to_string(f);
      tables.push_back(register_module("embedding_" + name,
                                       makeTable(shape.vocabulary, shape.dim)));
      linearTables.push_back(
          register_module("linear_" + name, makeTable(shape.vocabulary, 1)));
    }
    denseWeight = register_parameter(
        "dense_weight", torch::empty({shape.dense, 1}).normal_(0.0, kInitStd));
  }

  /// The fields' ids, [fields, B] int64 (a contiguous row per field).
  Tensor ids(const Tensor &x) const {
    return x.narrow(1, 0, shape.fields).t().contiguous().to(torch::kLong);
  }

  /// The dense values I1..Im, [B, dense].
  Tensor dense(const Tensor &x) const {
    return x.narrow(1, shape.fields, shape.dense);
  }

  /// The fields' embeddings side by side, [B, fields, dim].
  Tensor embed(const Tensor &ids) {
    std::vector<Tensor> parts;
    for (int64_t f = 0; f < shape.fields; ++f)
      parts.push_back(tables[f]->forward(ids[f]));
    return torch::stack(parts, 1);
  }

  /// LinearLogit: Σ_f w_f[id_f] + dense · w, [B, 1].
  Tensor linearLogit(const Tensor &ids, const Tensor &values) {
    std::vector<Tensor> parts;
    for (int64_t f = 0; f < shape.fields; ++f)
      parts.push_back(linearTables[f]->forward(ids[f])); // [B, 1]
    Tensor sparse = torch::stack(parts, 1).sum(1);       // [B, 1]
    return torch::addmm(sparse, values, denseWeight);
  }

  /// combined_dnn_input: the embeddings flattened, then the dense values.
  static Tensor combined(const Tensor &embedded, const Tensor &values) {
    return torch::cat({embedded.flatten(1), values}, 1);
  }

  /// DeepCTR's head: a DNN over `dnnInput` values and a bias-free
  /// dnn_linear over its output and `extra` more values, then a bias.
  void makeHead(int64_t dnnInput, int64_t extra = 0) {
    dnn = register_module("dnn", std::make_shared<Dnn>(dnnInput, shape.dnn));
    dnnLinear = register_module(
        "dnn_linear",
        torch::nn::Linear(
            torch::nn::LinearOptions(extra + dnn->outputDim, 1).bias(false)));
    bias = register_parameter("bias", torch::zeros({1}));
  }

  ModelShape shape;
  std::vector<torch::nn::Embedding> tables, linearTables;
  Tensor denseWeight;
  std::shared_ptr<Dnn> dnn;
  torch::nn::Linear dnnLinear{nullptr};
  Tensor bias;
};

/// DeepFM: bias + linear logit + FM + dnn_linear(DNN(combined input)).
class DeepFM : public FieldModel {
public:
  explicit DeepFM(const ModelShape &shape) : FieldModel(shape) {
    makeHead(shape.fields * shape.dim + shape.dense);
  }

  Tensor forward(const Tensor &x) override {
    Tensor id = ids(x), values = dense(x);
    Tensor embedded = embed(id); // [B, F, E]
    // FMInteraction: 0.5 Σ_k ((Σ_i v_ik)^2 - Σ_i v_ik^2).
    Tensor sum = embedded.sum(1);
    Tensor fm = (sum * sum - (embedded * embedded).sum(1)).sum(1, true) * 0.5;
    Tensor deep = dnnLinear->forward(dnn->forward(combined(embedded, values)));
    return (linearLogit(id, values) + bias + fm + deep).squeeze(1);
  }

private:
};

/// DCN: bias + linear logit + dnn_linear([CrossNet(x0), DNN(x0)]), the cross
/// network vector-parameterized: x_{l+1} = x0 (x_l · w_l) + b_l + x_l.
class DCN : public FieldModel {
public:
  explicit DCN(const ModelShape &shape) : FieldModel(shape) {
    inputDim = shape.fields * shape.dim + shape.dense;
    // CrossNet's xavier_normal_ of each [D, 1] kernel.
    double std = std::sqrt(2.0 / static_cast<double>(inputDim + 1));
    crossKernels = register_parameter(
        "cross_kernels",
        torch::empty({kCrossLayers, inputDim, 1}).normal_(0.0, std));
    crossBias = register_parameter("cross_bias",
                                   torch::zeros({kCrossLayers, inputDim}));
    // dnn_linear reads the cross network's output beside the DNN's.
    makeHead(inputDim, inputDim);
  }

  Tensor forward(const Tensor &x) override {
    Tensor id = ids(x), values = dense(x);
    Tensor input = combined(embed(id), values); // x0, [B, D]
    Tensor xl = input;
    for (int64_t i = 0; i < kCrossLayers; ++i)
      xl = torch::addcmul(xl + crossBias[i], input, xl.mm(crossKernels[i]));
    Tensor stacked = torch::cat({xl, dnn->forward(input)}, 1);
    return (linearLogit(id, values) + dnnLinear->forward(stacked) + bias)
        .squeeze(1);
  }

private:
  int64_t inputDim = 0;
  Tensor crossKernels, crossBias;
};

/// FiBiNET: SENET reweighting (reduction ratio 3), bilinear interactions of
/// type "interaction" (a W per field pair) over the reweighted and the plain
/// embeddings, the DNN over both and the dense values; bias + linear logit +
/// dnn_linear.
class FiBiNET : public FieldModel {
public:
  explicit FiBiNET(const ModelShape &shape) : FieldModel(shape) {
    int64_t fields = shape.fields, e = shape.dim;
    int64_t reduced = std::max<int64_t>(1, fields / kReductionRatio);
    excite = register_module(
        "excite", torch::nn::Linear(
                      torch::nn::LinearOptions(fields, reduced).bias(false)));
    reweigh = register_module(
        "reweigh", torch::nn::Linear(
                       torch::nn::LinearOptions(reduced, fields).bias(false)));
    std::vector<int64_t> right;
    for (int64_t i = 0; i < fields; ++i)
      for (int64_t j = i + 1; j < fields; ++j)
        right.push_back(j);
    int64_t pairs = static_cast<int64_t>(right.size());
    seconds = torch::tensor(right, torch::kLong);
    // nn.Linear(E, E)'s bound, 1 / sqrt(E).
    senetBilinear =
        register_parameter("senet_bilinear", uniformByFan({pairs, e, e}, e));
    bilinear = register_parameter("bilinear", uniformByFan({pairs, e, e}, e));
    makeHead(2 * pairs * e + shape.dense);
  }

  Tensor forward(const Tensor &x) override {
    Tensor id = ids(x), values = dense(x);
    Tensor embedded = embed(id); // [B, F, E]
    // SENET: squeeze by the mean, excite, reweight.
    Tensor a = reweigh->forward(excite->forward(embedded.mean(2)).relu_())
                   .relu_(); // [B, F]
    Tensor reweighted = embedded * a.unsqueeze(2);
    // DeepCTR's order: the SENET interactions, then the plain ones.
    Tensor input = torch::cat({interact(reweighted, senetBilinear),
                               interact(embedded, bilinear), values},
                              1);
    Tensor deep = dnnLinear->forward(dnn->forward(input));
    return (linearLogit(id, values) + deep + bias).squeeze(1);
  }

private:
  /// (v_i W_ij^T) ⊙ v_j for every pair i < j (row-major), flattened: [B,
  /// P * E]. The pairs of a first field i are one product, v_i [B, E] by
  /// its W_ij^T side by side [E, (F - 1 - i) * E]: GEMMs of hundreds of
  /// columns rather than a batched product of 16 x 16 matrices.
  Tensor interact(const Tensor &fields, const Tensor &weight) const {
    int64_t f = fields.size(1), e = fields.size(2);
    std::vector<Tensor> firsts = fields.unbind(1); // [B, E] each
    std::vector<Tensor> projected;
    for (int64_t i = 0, pair = 0; i + 1 < f; pair += f - 1 - i, ++i) {
      // [n, E_out, E_in] -> [E_in, n * E_out]
      Tensor w = weight.narrow(0, pair, f - 1 - i)
                     .permute({2, 0, 1})
                     .reshape({e, (f - 1 - i) * e});
      projected.push_back(firsts[i].mm(w));
    }
    Tensor second = fields.index_select(1, seconds).flatten(1);
    return torch::cat(projected, 1) * second;
  }

  torch::nn::Linear excite{nullptr}, reweigh{nullptr};
  Tensor seconds; ///< the second field of every pair
  Tensor senetBilinear, bilinear;
};

//===----------------------------------------------------------------------===//
// DIN, DIEN
//===----------------------------------------------------------------------===//

// By default DIN and DIEN compute as dlc's do (SequenceLayers.cpp), and as
// DeepCTR-Torch's: the attention runs over every step of the padded [B, T]
// history and the padding's scores are masked; Dice's batch statistics count
// the valid steps only (dlc's masked_dice). With `packed` the attention runs
// over the valid steps only, gathered into [N, ...] rows, which gives the
// same weights, statistics and gradients without the padding's work, as a
// LibTorch user might pack them. Both variants build the same parameters in
// the same order, so that they start from the same values.

/// Dice with the statistics of dlc's masked_dice: in training, batch
/// normalization (eps 1e-8, affine, momentum 0.1, the running statistics
/// updated as BatchNorm1d does) over the valid steps, then p =
/// sigmoid(normalized), y = p x + (1 - p) alpha x.
class Dice : public torch::nn::Module {
public:
  explicit Dice(int64_t features) {
    bn = register_module(
        "bn", torch::nn::BatchNorm1d(
                  torch::nn::BatchNorm1dOptions(features).eps(kDiceEps)));
    alpha = register_parameter("alpha", torch::zeros({features}));
  }

  /// x [B, T, U] and mask [B, T] (1.0 at the valid steps).
  Tensor forward(const Tensor &x, const Tensor &mask) {
    int64_t features = x.size(-1);
    Tensor flat = x.reshape({-1, features});
    if (!is_training())
      return activate(flat, bn->forward(flat)).view(x.sizes());
    // masked_dice: the mean and biased variance of the valid rows; the
    // padding's rows are normalized by them too.
    Tensor m = mask.reshape({-1, 1});
    Tensor count = m.sum();
    Tensor denominator = count.clamp_min(1.0);
    Tensor mean = (flat * m).sum(0) / denominator; // [U]
    Tensor centered = flat - mean;
    Tensor var = (centered * centered * m).sum(0) / denominator;
    {
      torch::NoGradGuard noGrad;
      double momentum = *bn->options.momentum();
      bn->num_batches_tracked.add_(1);
      Tensor unbiased = var * (count / (count - 1.0).clamp_min(1.0));
      bn->running_mean.mul_(1 - momentum).add_(mean * momentum);
      bn->running_var.mul_(1 - momentum).add_(unbiased * momentum);
    }
    Tensor normalized = torch::addcmul(bn->bias, centered,
                                       bn->weight * (var + kDiceEps).rsqrt());
    return activate(flat, normalized).view(x.sizes());
  }

  /// x [N, U], the valid steps' rows: BatchNorm1d over them is masked_dice.
  Tensor forwardPacked(const Tensor &x) { return activate(x, bn->forward(x)); }

  torch::nn::BatchNorm1d bn{nullptr};
  Tensor alpha;

private:
  Tensor activate(const Tensor &x, const Tensor &normalized) const {
    Tensor p = torch::sigmoid(normalized);
    // p x + (1 - p) alpha x, as x (alpha + p (1 - alpha)).
    return x * torch::addcmul(alpha, p, 1 - alpha);
  }
};

/// DIN's local activation unit: an MLP (weights N(0, init_std), Dice or
/// relu) over [q, k, q - k, q ⊙ k] per step, then a linear layer to one
/// score.
class LocalActivationUnit : public torch::nn::Module {
public:
  LocalActivationUnit(int64_t dim, const std::vector<int64_t> &units,
                      bool dice) {
    int64_t in = 4 * dim;
    for (size_t i = 0; i < units.size(); ++i) {
      std::string n = std::to_string(i);
      linears.push_back(
          register_module("linear" + n, makeHidden(in, units[i])));
      if (dice)
        dices.push_back(
            register_module("dice" + n, std::make_shared<Dice>(units[i])));
      in = units[i];
    }
    dense = register_module("dense", torch::nn::Linear(in, 1));
  }

  /// query [B, E] against every step of keys [B, T, E]: scores [B, T], not
  /// masked; mask [B, T] keeps the padding out of Dice's statistics.
  Tensor forward(const Tensor &query, const Tensor &keys, const Tensor &mask) {
    Tensor queries = query.unsqueeze(1).expand_as(keys);
    Tensor h = torch::cat({queries, keys, queries - keys, queries * keys}, 2);
    for (size_t i = 0; i < linears.size(); ++i) {
      h = linears[i]->forward(h);
      h = dices.empty() ? h.relu_() : dices[i]->forward(h, mask);
    }
    return dense->forward(h).squeeze(2);
  }

  /// queries and keys [N, E], one row per valid step: scores [N].
  Tensor forwardPacked(const Tensor &queries, const Tensor &keys) {
    Tensor h = torch::cat({queries, keys, queries - keys, queries * keys}, 1);
    for (size_t i = 0; i < linears.size(); ++i) {
      h = linears[i]->forward(h);
      h = dices.empty() ? h.relu_() : dices[i]->forwardPacked(h);
    }
    return dense->forward(h).squeeze(1);
  }

  std::vector<torch::nn::Linear> linears;
  std::vector<std::shared_ptr<Dice>> dices;
  torch::nn::Linear dense{nullptr};
};

/// What DIN and DIEN share: the tables of user_id, item_id (hist_item_id's
/// too) and cate_id, and the DNN over [user, item, cate, interest] that ends
/// in dnn_linear (with a bias, LibTorch's initialisation).
class BehaviorModel : public CtrModel {
protected:
  BehaviorModel(const ModelShape &shape, bool packed)
      : shape(shape), packed(packed) {
    users = register_module("user_id", makeTable(shape.users, shape.dim));
    items = register_module("item_id", makeTable(shape.items, shape.dim));
    categories =
        register_module("cate_id", makeTable(shape.categories, shape.dim));
    dnn =
        register_module("dnn", std::make_shared<Dnn>(4 * shape.dim, shape.dnn));
    dnnLinear =
        register_module("dnn_linear", torch::nn::Linear(dnn->outputDim, 1));
  }

  /// One batch's ids and the embeddings of its columns but the history.
  struct Batch {
    Tensor user, item, category; ///< [B, E] (item: embedItems)
    Tensor target;               ///< the item ids, [B] int64
    Tensor history;              ///< the history's ids, [B, T] int64
    Tensor valid;                ///< true for each row's first length steps
    Tensor padding;              ///< its negation, [B, T]
    Tensor mask;                 ///< valid as 1.0 and 0.0, [B, T]
  };

  Batch read(const Tensor &x) {
    Tensor ids = x.to(torch::kLong);
    Batch b;
    b.user = users->forward(ids.select(1, 0));
    b.category = categories->forward(ids.select(1, 2));
    b.target = ids.select(1, 1);
    b.history = ids.narrow(1, 3, shape.history);
    // BehaviorColumns: the length is the count of non-zero history ids.
    Tensor lengths = b.history.ne(0).sum(1);
    Tensor time = torch::arange(shape.history, torch::kLong);
    b.valid = time.unsqueeze(0) < lengths.unsqueeze(1);
    b.padding = b.valid.logical_not();
    b.mask = b.valid.to(torch::kFloat);
    return b;
  }

  /// The valid steps' flat indices into [B * T] and the row of each, [N].
  std::pair<Tensor, Tensor> validSteps(const Batch &b) const {
    Tensor steps = b.valid.flatten().nonzero().squeeze(1);
    return {steps, steps.div(shape.history, "floor")};
  }

  /// The item table read once for the targets (into b.item) and `history`
  /// ids [M] (returned, [M, E]): one dense gradient of the table, not two.
  Tensor embedItems(Batch &b, const Tensor &history) {
    Tensor both = items->forward(torch::cat({b.target, history}));
    int64_t batch = b.target.size(0);
    b.item = both.narrow(0, 0, batch);
    return both.narrow(0, batch, history.size(0));
  }

  /// The whole history's embeddings, [B, T, E].
  Tensor embedHistory(Batch &b) {
    return embedItems(b, b.history.flatten())
        .view({b.history.size(0), shape.history, shape.dim});
  }

  Tensor logit(const Batch &b, const Tensor &interest) {
    Tensor input = torch::cat({b.user, b.item, b.category, interest}, 1);
    return dnnLinear->forward(dnn->forward(input)).squeeze(1);
  }

  ModelShape shape;
  bool packed;
  torch::nn::Embedding users{nullptr}, items{nullptr}, categories{nullptr};
  std::shared_ptr<Dnn> dnn;
  torch::nn::Linear dnnLinear{nullptr};
};

/// DIN: the item queries the history through the local activation unit
/// (Dice), the history is pooled by the raw scores of its valid steps.
class DIN : public BehaviorModel {
public:
  DIN(const ModelShape &shape, bool packed) : BehaviorModel(shape, packed) {
    attention = register_module("attention",
                                std::make_shared<LocalActivationUnit>(
                                    shape.dim, shape.attention, /*dice=*/true));
  }

  Tensor forward(const Tensor &x) override {
    Batch b = read(x);
    if (packed)
      return forwardPacked(b);
    Tensor keys = embedHistory(b); // [B, T, E]
    Tensor scores = attention->forward(b.item, keys, b.mask);
    // AttentionSequencePooling: Σ_t w_t k_t, w 0 at the padding: [B, E].
    Tensor w = scores.masked_fill(b.padding, 0.0);
    return logit(b, torch::bmm(w.unsqueeze(1), keys).squeeze(1));
  }

private:
  Tensor forwardPacked(Batch &b) {
    auto [steps, rows] = validSteps(b);
    Tensor keys =
        embedItems(b, b.history.flatten().index_select(0, steps)); // [N, E]
    Tensor scores =
        attention->forwardPacked(b.item.index_select(0, rows), keys);
    // Σ_t w_t k_t over each row's valid steps: [B, E].
    Tensor interest = torch::zeros_like(b.item).index_add(
        0, rows, keys * scores.unsqueeze(1));
    return logit(b, interest);
  }

  std::shared_ptr<LocalActivationUnit> attention;
};

/// DIEN with dlc's defaults: a GRU interest extractor over the history,
/// attention (relu, softmax over the valid steps) of the item over the
/// interests, and the AUGRU interest evolving layer, whose state after each
/// row's last step is the interest. No negative sampling, so no auxiliary
/// loss.
class DIEN : public BehaviorModel {
public:
  DIEN(const ModelShape &shape, bool packed) : BehaviorModel(shape, packed) {
    int64_t e = shape.dim;
    // torch::nn::GRU computes dlc's GRU step (gates r, z, n; h' = (1 - z) n
    // + z h) and starts as it does.
    gru = register_module(
        "gru", torch::nn::GRU(torch::nn::GRUOptions(e, e).batch_first(true)));
    attention =
        register_module("attention", std::make_shared<LocalActivationUnit>(
                                         e, shape.attention, /*dice=*/false));
    weightIh =
        register_parameter("augru_weight_ih", uniformByFan({3 * e, e}, e));
    weightHh =
        register_parameter("augru_weight_hh", uniformByFan({3 * e, e}, e));
    biasIh = register_parameter("augru_bias_ih", uniformByFan({3 * e}, e));
    biasHh = register_parameter("augru_bias_hh", uniformByFan({3 * e}, e));
  }

  Tensor forward(const Tensor &x) override {
    Batch b = read(x);
    Tensor keys = embedHistory(b); // [B, T, E]
    // The GRU runs over the padding too, as dlc's: it is causal and the
    // padding follows each row's steps, so the valid steps' interests are
    // dlc's. Packing would skip the padding's work, but torch::nn::GRU's
    // packed backward zero-fills a whole-sequence gradient per step.
    Tensor interests = std::get<0>(gru->forward(keys)); // [B, T, E]
    if (packed)
      return logit(b, evolve(b, interests, weightsPacked(b, interests)));
    // dlc's GRU outputs zeros past each row's length; the attention and the
    // AUGRU's input projection see them there.
    interests = interests * b.mask.unsqueeze(2);
    return logit(b, evolve(b, interests, weights(b, interests)));
  }

private:
  /// The attention weights of the item over the interests: the softmax of
  /// the scores over each row's valid steps, 0 at the padding, [B, T].
  Tensor weights(const Batch &b, const Tensor &interests) {
    Tensor scores = attention->forward(b.item, interests, b.mask); // [B, T]
    return scores.masked_fill(b.padding, -1e9)
        .softmax(1)
        .masked_fill(b.padding, 0.0);
  }

  /// The same from the scores of the valid steps only.
  Tensor weightsPacked(const Batch &b, const Tensor &interests) {
    auto [steps, rows] = validSteps(b);
    int64_t batch = interests.size(0), e = shape.dim;
    Tensor scores = attention->forwardPacked(
        b.item.index_select(0, rows),
        interests.reshape({batch * shape.history, e}).index_select(0, steps));
    return torch::full({batch * shape.history}, -1e9)
        .index_copy(0, steps, scores)
        .view({batch, shape.history})
        .softmax(1)
        .masked_fill(b.padding, 0.0);
  }

  /// The AUGRU over the interests with attention weights w [B, T], unrolled;
  /// padding steps keep the state: the state after each row's last step.
  Tensor evolve(const Batch &b, const Tensor &interests, const Tensor &w) {
    int64_t batch = interests.size(0), e = shape.dim;
    // The input projection of every step at once. unbind and unsafe_chunk
    // rather than select and chunk: their backward is one stack or cat, not
    // a zero-filled [B, T, 3E] gradient per step.
    std::vector<Tensor> gi = F::linear(interests, weightIh, biasIh).unbind(1);
    std::vector<Tensor> att = w.unbind(1);
    std::vector<Tensor> padding = b.padding.unsqueeze(-1).unbind(1);
    Tensor state = torch::zeros({batch, e});
    for (int64_t t = 0; t < shape.history; ++t) {
      std::vector<Tensor> i = gi[t].unsafe_chunk(3, 1);
      std::vector<Tensor> h =
          torch::addmm(biasHh, state, weightHh.t()).unsafe_chunk(3, 1);
      Tensor r = torch::sigmoid(i[0] + h[0]);
      Tensor u = torch::sigmoid(i[1] + h[1]) * att[t].unsqueeze(1);
      Tensor n = torch::tanh(torch::addcmul(i[2], r, h[2]));
      Tensor next = torch::addcmul(state, u, n - state); // (1 - u') h + u' n
      state = torch::where(padding[t], state, next);
    }
    return state;
  }

  torch::nn::GRU gru{nullptr};
  std::shared_ptr<LocalActivationUnit> attention;
  Tensor weightIh, weightHh, biasIh, biasHh;
};

std::shared_ptr<CtrModel> makeModel(const ModelShape &shape, bool packed) {
  if (shape.name == "deepfm")
    return std::make_shared<DeepFM>(shape);
  if (shape.name == "dcn")
    return std::make_shared<DCN>(shape);
  if (shape.name == "fibinet")
    return std::make_shared<FiBiNET>(shape);
  if (shape.name == "din")
    return std::make_shared<DIN>(shape, packed);
  if (shape.name == "dien")
    return std::make_shared<DIEN>(shape, packed);
  throw std::runtime_error("unknown model `" + shape.name + "`");
}

/// Batches cycled through by the measured steps (Models.cpp's kBatches).
constexpr int64_t kBatches = 8;

} // namespace

Record measureTorchModel(const std::string &name, const std::string &mode,
                         int threads, const Options &options, bool packed) {
  std::vector<ModelShape> shapes = modelShapes(options.quick);
  auto shape =
      std::find_if(shapes.begin(), shapes.end(),
                   [&](const ModelShape &s) { return s.name == name; });
  if (shape == shapes.end())
    throw std::runtime_error("unknown model `" + name +
                             "` (known: deepfm, dcn, fibinet, din, dien)");
  torch::manual_seed(0);

  std::vector<std::vector<float>> xs(kBatches), ys(kBatches);
  std::vector<Tensor> x, y;
  for (int64_t i = 0; i < kBatches; ++i) {
    syntheticBatch(*shape, i, xs[i], ys[i]);
    x.push_back(torch::from_blob(xs[i].data(), {shape->batch, shape->width()}));
    y.push_back(torch::from_blob(ys[i].data(), {shape->batch}));
  }
  std::shared_ptr<CtrModel> model = makeModel(*shape, packed);
  std::vector<Tensor> parameters = model->parameters();
  torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(1e-3));
  int64_t step = 0;
  float loss = 0;
  auto trainStep = [&] {
    const int64_t i = step++ % kBatches;
    // zero_grad(set_to_none): LibTorch 1.13's zero_grad() zeroes instead.
    for (Tensor &p : parameters)
      p.mutable_grad().reset();
    Tensor logits = model->forward(x[i]);
    Tensor l = F::binary_cross_entropy_with_logits(logits, y[i]);
    l.backward();
    optimizer.step();
    loss = l.item<float>();
  };

  auto start = std::chrono::steady_clock::now();
  trainStep();
  std::chrono::duration<double> first =
      std::chrono::steady_clock::now() - start;

  Timing t = measure(options, trainStep);
  Record r = makeRecord(name, mode, threads, t);
  r.set("samples_per_s",
        static_cast<double>(shape->batch) / (t.medianMs * 1e-3));
  r.set("batch", static_cast<double>(shape->batch));
  r.set("first_step_ms", first.count() * 1e3);
  r.set("peak_rss_mib", peakRssMiB());
  r.set("loss", static_cast<double>(loss));
  if (packed && shape->behavior)
    r.set("variant", "packed");
  return r;
}

} // namespace dlcbench
