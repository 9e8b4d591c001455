//===- NnTest.cpp - nn: modules, layers, losses, init ---------------------===//
//
// Layer outputs against values computed by hand (in doubles, on the host),
// LibTorch's defaults (shapes, names, initialisation ranges), and the
// module machinery (registration order, holders, train/eval).
//
//===----------------------------------------------------------------------===//

#include "../TestUtil.h"

#include <cmath>
#include <numeric>

using namespace dlc;
using dlc::test::errorOf;
using dlc::test::expectTensor;
namespace F = dlc::nn::functional;

namespace {

std::vector<double> values(const Tensor &t) { return t.to_vector<double>(); }

//===----------------------------------------------------------------------===//
// Modules
//===----------------------------------------------------------------------===//

struct NetImpl : nn::Module {
  NetImpl() : nn::Module("Net") {
    fc1 = register_module("fc1", nn::Linear(4, 3));
    drop = register_module("drop", nn::Dropout(0.5));
    fc2 =
        register_module("fc2", nn::Linear(nn::LinearOptions(3, 2).bias(false)));
    scale = register_parameter("scale", ones({2}));
    register_buffer("count", zeros({}, kLong));
  }
  Tensor forward(const Tensor &x) { return fc2(drop(relu(fc1(x)))) * scale; }
  nn::Linear fc1{nullptr}, fc2{nullptr};
  nn::Dropout drop{nullptr};
  Tensor scale;
};
DLC_MODULE(Net);

TEST(Module, RegistersInOrderWithDottedNames) {
  Net net; // a default-constructible Impl is made by the holder
  std::vector<std::string> names = net->named_parameters().keys();
  EXPECT_EQ(names, (std::vector<std::string>{"scale", "fc1.weight", "fc1.bias",
                                             "fc2.weight"}));
  EXPECT_EQ(net->named_buffers().keys(), std::vector<std::string>{"count"});
  EXPECT_EQ(net->parameters().size(), 4u);
  EXPECT_EQ(net->children().size(), 3u);
  EXPECT_EQ(net->named_children().keys(),
            (std::vector<std::string>{"fc1", "drop", "fc2"}));
  EXPECT_EQ(net->named_modules().keys(),
            (std::vector<std::string>{"", "fc1", "drop", "fc2"}));
  EXPECT_EQ(net->named_parameters(false).keys(),
            std::vector<std::string>{"scale"});
  for (const Tensor &p : net->parameters()) {
    EXPECT_TRUE(p.requires_grad());
    EXPECT_TRUE(p.is_leaf());
  }
  EXPECT_EQ(net(ones({5, 4})).sizes().vec(), (std::vector<int64_t>{5, 2}));
}

TEST(Module, TrainEvalAndZeroGrad) {
  Net net;
  EXPECT_TRUE(net->is_training());
  EXPECT_TRUE(net->fc1->is_training());
  net->eval();
  EXPECT_FALSE(net->is_training());
  EXPECT_FALSE(net->drop->is_training());
  // Dropout is the identity in eval: the output is deterministic.
  Tensor x = randn({3, 4});
  EXPECT_EQ(values(net(x)), values(net(x)));
  net->train();
  EXPECT_TRUE(net->drop->is_training());

  net(x).sum().backward();
  EXPECT_TRUE(net->fc1->weight.grad().defined());
  net->zero_grad(/*set_to_none=*/false);
  EXPECT_EQ(values(net->fc1->weight.grad().abs().sum())[0], 0);
  net->zero_grad();
  EXPECT_FALSE(net->fc1->weight.grad().defined());
}

TEST(Module, ToConvertsTheTensorsItsMembersHold) {
  // Module::to changes each tensor in place (LibTorch's set_data): the
  // member fc1->weight and the registered parameter stay one tensor, so a
  // forward in double computes in double and its gradients reach them.
  Net net;
  net(randn({2, 4})).sum().backward();
  std::vector<double> before = values(net->fc1->weight);
  net->to(kDouble);
  EXPECT_EQ(net->fc1->weight.scalar_type(), kDouble);
  EXPECT_TRUE(net->fc1->weight.requires_grad());
  EXPECT_TRUE(net->fc1->weight.is_same(net->named_parameters()["fc1.weight"]));
  EXPECT_EQ(net->fc1->weight.grad().scalar_type(), kDouble);
  EXPECT_EQ(values(net->fc1->weight), before);
  net->zero_grad();
  net(randn({2, 4}, kDouble)).sum().backward();
  EXPECT_EQ(net->fc1->weight.grad().scalar_type(), kDouble);

  Tensor t = ones({2, 3});
  EXPECT_NE(errorOf([&] { t.set_data(ones({3, 2})); })
                .find("set_data: expected new data of shape [2, 3], got [3, "
                      "2]: dlc's tensors keep their shape"),
            std::string::npos);
  Tensor view = t.reshape({3, 2});
  EXPECT_NE(errorOf([&] { t.set_data(zeros({2, 3})); }).find("in place"),
            std::string::npos);
}

TEST(Module, HoldersAndErrors) {
  nn::Linear empty{nullptr};
  EXPECT_TRUE(empty.is_empty());
  EXPECT_NE(errorOf([&] {
              empty->forward(ones({1, 1}));
            }).find("empty module holder"),
            std::string::npos);
  nn::Linear a(2, 3);
  nn::Linear b = a; // shared handle
  EXPECT_EQ(a.ptr(), b.ptr());
  struct Bad : nn::Module {
    Bad() { register_parameter("w", ones({1})); }
  } bad;
  EXPECT_NE(errorOf([&] {
              bad.register_parameter("w", ones({1}));
            }).find("already exists"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              bad.register_parameter("a.b", ones({1}));
            }).find("contain no dot"),
            std::string::npos);
  EXPECT_NE(
      errorOf([] { nn::Linear(0, 3); }).find("in_features must be positive"),
      std::string::npos);
  std::ostringstream os;
  os << Net();
  EXPECT_NE(
      os.str().find("(fc1): Linear(in_features=4, out_features=3, bias=true)"),
      std::string::npos)
      << os.str();
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

TEST(Layers, LinearMatchesHandValuesAndLibTorchInit) {
  nn::Linear linear(3, 2);
  EXPECT_EQ(linear->weight.sizes().vec(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(linear->bias.sizes().vec(), (std::vector<int64_t>{2}));
  {
    NoGradGuard noGrad;
    linear->weight.copy_(tensor({{1.0, 2.0, 3.0}, {-1.0, 0.5, 0.0}}, kFloat));
    linear->bias.copy_(tensor({0.5, -0.5}, kFloat));
  }
  expectTensor(linear(tensor({{1.0, 1.0, 1.0}, {2.0, 0.0, -1.0}}, kFloat)),
               {2, 2}, kFloat, {6.5, -1.0, -0.5, -2.5});
  // kaiming_uniform_(a = sqrt(5)) and a uniform bias: both within 1/sqrt(in).
  manual_seed(1);
  nn::Linear wide(400, 300);
  double bound = 1 / std::sqrt(400.0);
  std::vector<double> w = values(wide->weight), b = values(wide->bias);
  EXPECT_LE(*std::max_element(w.begin(), w.end()), bound);
  EXPECT_GE(*std::min_element(w.begin(), w.end()), -bound);
  EXPECT_GT(*std::max_element(w.begin(), w.end()), 0.95 * bound);
  EXPECT_LE(*std::max_element(b.begin(), b.end()), bound);
  double mean = std::accumulate(w.begin(), w.end(), 0.0) / w.size();
  EXPECT_NEAR(mean, 0, 0.01 * bound);
}

TEST(Layers, Bilinear) {
  nn::Bilinear bilinear(2, 3, 1);
  {
    NoGradGuard noGrad;
    bilinear->weight.copy_(
        tensor({{{1.0, 0.0, 2.0}, {0.0, 1.0, 0.0}}}, kFloat));
    bilinear->bias.fill_(1);
  }
  // x1 W x2 + b = [1, 2] . [[1,0,2],[0,1,0]] . [3, 4, 5] + 1 = 1*(3+10) + 2*4 +
  // 1 = 22
  expectTensor(
      bilinear(tensor({{1.0, 2.0}}, kFloat), tensor({{3.0, 4.0, 5.0}}, kFloat)),
      {1, 1}, kFloat, {22});
}

TEST(Layers, EmbeddingAndPadding) {
  nn::Embedding embedding(nn::EmbeddingOptions(5, 2).padding_idx(0));
  expectTensor(embedding->weight.index({0}), {2}, kFloat, {0, 0});
  Tensor ids = tensor({{0, 3}, {3, 4}});
  Tensor out = embedding(ids);
  EXPECT_EQ(out.sizes().vec(), (std::vector<int64_t>{2, 2, 2}));
  EXPECT_EQ(values(out.index({0, 1})), values(embedding->weight.index({3})));
  // The padding row gets no gradient; row 3 gets one per use.
  out.sum().backward();
  expectTensor(embedding->weight.grad(), {5, 2}, kFloat,
               {0, 0, 0, 0, 0, 0, 2, 2, 1, 1});
  EXPECT_NE(errorOf([] {
              nn::Embedding(nn::EmbeddingOptions(3, 2).padding_idx(3));
            }).find("padding_idx 3 must be within num_embeddings (3)"),
            std::string::npos);
}

TEST(Layers, EmbeddingBagModesOffsetsAndPadding) {
  Tensor weight =
      tensor({{0.0, 0.0}, {1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}}, kFloat);
  auto bag = [&](nn::EmbeddingBagOptions options) {
    nn::EmbeddingBag layer(options._weight(weight.clone()));
    return layer;
  };
  // 2-D input, padding 0 left out of sums and means.
  Tensor ids = tensor({{1, 2, 0}, {3, 0, 0}});
  expectTensor(
      bag(nn::EmbeddingBagOptions(4, 2).mode(kSum).padding_idx(0))(ids), {2, 2},
      kFloat, {4, 6, 5, 6});
  expectTensor(
      bag(nn::EmbeddingBagOptions(4, 2).mode(kMean).padding_idx(0))(ids),
      {2, 2}, kFloat, {2, 3, 5, 6});
  expectTensor(
      bag(nn::EmbeddingBagOptions(4, 2).mode(kMax).padding_idx(0))(ids), {2, 2},
      kFloat, {3, 4, 5, 6});
  // 1-D input with offsets: bags [1, 2], [3], [] (empty bag: zeros).
  Tensor flat = tensor({1, 2, 3});
  Tensor offsets = tensor({0, 2, 3});
  expectTensor(bag(nn::EmbeddingBagOptions(4, 2).mode(kSum))(flat, offsets),
               {3, 2}, kFloat, {4, 6, 5, 6, 0, 0});
  expectTensor(bag(nn::EmbeddingBagOptions(4, 2).mode(kMean))(flat, offsets),
               {3, 2}, kFloat, {2, 3, 5, 6, 0, 0});
  expectTensor(bag(nn::EmbeddingBagOptions(4, 2).mode(kSum))(
                   flat, offsets, tensor({1.0, 0.5, 2.0}, kFloat)),
               {3, 2}, kFloat, {2.5, 4, 10, 12, 0, 0});
  // Gradient flows to the rows used.
  nn::EmbeddingBag layer(
      nn::EmbeddingBagOptions(4, 2).mode(kMean)._weight(weight.clone()));
  layer(flat, offsets).sum().backward();
  expectTensor(layer->weight.grad(), {4, 2}, kFloat,
               {0, 0, 0.5, 0.5, 0.5, 0.5, 1, 1});
}

TEST(Layers, LayerNormAndBatchNorm) {
  nn::LayerNorm norm(std::vector<int64_t>{4});
  Tensor x = tensor({{1.0, 2.0, 3.0, 4.0}, {2.0, 2.0, 2.0, 2.0}}, kFloat);
  double var = 1.25, inv = 1 / std::sqrt(var + 1e-5);
  expectTensor(norm(x), {2, 4}, kFloat,
               {-1.5 * inv, -0.5 * inv, 0.5 * inv, 1.5 * inv, 0, 0, 0, 0},
               1e-5);
  EXPECT_EQ(norm->named_parameters().keys(),
            (std::vector<std::string>{"weight", "bias"}));

  nn::BatchNorm1d batch(2);
  EXPECT_EQ(batch->named_buffers().keys(),
            (std::vector<std::string>{"running_mean", "running_var",
                                      "num_batches_tracked"}));
  Tensor b = tensor({{1.0, 10.0}, {3.0, 10.0}, {5.0, 16.0}}, kFloat);
  // Channel 0: mean 3, biased var 8/3; channel 1: mean 12, var 8.
  Tensor y = batch(b);
  double i0 = 1 / std::sqrt(8.0 / 3 + 1e-5), i1 = 1 / std::sqrt(8.0 + 1e-5);
  expectTensor(y, {3, 2}, kFloat,
               {-2 * i0, -2 * i1, 0, -2 * i1, 2 * i0, 4 * i1}, 1e-5);
  // Running statistics: momentum 0.1, unbiased variance (4 and 12).
  expectTensor(batch->running_mean, {2}, kFloat, {0.3, 1.2}, 1e-6);
  expectTensor(batch->running_var, {2}, kFloat, {0.9 + 0.4, 0.9 + 1.2}, 1e-6);
  expectTensor(batch->num_batches_tracked, {}, kLong, {1});
  batch->eval();
  expectTensor(
      batch(b), {3, 2}, kFloat,
      {(1 - 0.3) / std::sqrt(1.3 + 1e-5), (10 - 1.2) / std::sqrt(2.1 + 1e-5),
       (3 - 0.3) / std::sqrt(1.3 + 1e-5), (10 - 1.2) / std::sqrt(2.1 + 1e-5),
       (5 - 0.3) / std::sqrt(1.3 + 1e-5), (16 - 1.2) / std::sqrt(2.1 + 1e-5)},
      1e-5);
  batch->train();
  EXPECT_NE(errorOf([&] {
              batch(ones({1, 2}));
            }).find("more than 1 value per channel"),
            std::string::npos);
}

TEST(Layers, DropoutIsSeededAndScaled) {
  nn::Dropout dropout(0.25);
  Tensor x = ones({20000});
  manual_seed(7);
  std::vector<double> a = values(dropout(x));
  manual_seed(7);
  std::vector<double> b = values(dropout(x));
  EXPECT_EQ(a, b);
  int64_t zeros = 0;
  for (double v : a) {
    EXPECT_TRUE(v == 0 || std::fabs(v - 1 / 0.75) < 1e-6) << v;
    zeros += v == 0;
  }
  EXPECT_NEAR(static_cast<double>(zeros) / a.size(), 0.25, 0.02);
  dropout->eval();
  EXPECT_EQ(values(dropout(x)), values(x));
  EXPECT_NE(errorOf([] { nn::Dropout(1.5); }).find("between 0 and 1"),
            std::string::npos);
}

TEST(Layers, Activations) {
  Tensor x = tensor({-2.0, 0.0, 3.0}, kFloat);
  expectTensor(nn::ReLU()(x), {3}, kFloat, {0, 0, 3});
  expectTensor(nn::PReLU()(x), {3}, kFloat, {-0.5, 0, 3});
  expectTensor(nn::Sigmoid()(x), {3}, kFloat,
               {1 / (1 + std::exp(2.0)), 0.5, 1 / (1 + std::exp(-3.0))}, 1e-6);
  expectTensor(nn::Tanh()(x), {3}, kFloat, {std::tanh(-2.0), 0, std::tanh(3.0)},
               1e-6);
  expectTensor(nn::GELU()(x), {3}, kFloat,
               {-2 * 0.5 * (1 + std::erf(-2 / std::sqrt(2.0))), 0,
                3 * 0.5 * (1 + std::erf(3 / std::sqrt(2.0)))},
               1e-5);
}

/// One GRU step in doubles, PyTorch's formulas.
std::vector<double>
gruStep(const std::vector<double> &x, const std::vector<double> &h,
        const std::vector<double> &wih, const std::vector<double> &whh,
        const std::vector<double> &bih, const std::vector<double> &bhh,
        int64_t in, int64_t hidden) {
  auto gate = [&](int g, int64_t j, bool hiddenSide) {
    const std::vector<double> &w = hiddenSide ? whh : wih;
    const std::vector<double> &v = hiddenSide ? h : x;
    int64_t cols = hiddenSide ? hidden : in;
    double s = (hiddenSide ? bhh : bih)[g * hidden + j];
    for (int64_t k = 0; k < cols; ++k)
      s += w[(g * hidden + j) * cols + k] * v[k];
    return s;
  };
  std::vector<double> next(hidden);
  for (int64_t j = 0; j < hidden; ++j) {
    double r = 1 / (1 + std::exp(-(gate(0, j, false) + gate(0, j, true))));
    double z = 1 / (1 + std::exp(-(gate(1, j, false) + gate(1, j, true))));
    double n = std::tanh(gate(2, j, false) + r * gate(2, j, true));
    next[j] = (1 - z) * n + z * h[j];
  }
  return next;
}

TEST(Layers, GRUCellAndGRUWithLengths) {
  manual_seed(3);
  nn::GRUCell cell(3, 2);
  EXPECT_EQ(cell->named_parameters().keys(),
            (std::vector<std::string>{"weight_ih", "weight_hh", "bias_ih",
                                      "bias_hh"}));
  Tensor x = tensor({{0.5, -1.0, 2.0}}, kFloat),
         h = tensor({{0.1, -0.2}}, kFloat);
  std::vector<double> expected =
      gruStep({0.5, -1.0, 2.0}, {0.1, -0.2}, values(cell->weight_ih),
              values(cell->weight_hh), values(cell->bias_ih),
              values(cell->bias_hh), 3, 2);
  expectTensor(cell(x, h), {1, 2}, kFloat, expected, 1e-5);

  nn::GRU gru(nn::GRUOptions(3, 2).batch_first(true));
  EXPECT_EQ(gru->named_parameters().keys(),
            (std::vector<std::string>{"weight_ih_l0", "weight_hh_l0",
                                      "bias_ih_l0", "bias_hh_l0"}));
  auto p = gru->named_parameters();
  // Two sequences of 3 steps; the second is 2 long.
  std::vector<double> seq = {1,        0,   0, 0,  1, 0, 0, 0, 1,
                             /**/ 0.5, 0.5, 0, -1, 0, 1, 9, 9, 9};
  Tensor input = tensor(seq, kFloat).reshape({2, 3, 3});
  auto [output, last] = gru(input, Tensor(), tensor({3, 2}));
  EXPECT_EQ(output.sizes().vec(), (std::vector<int64_t>{2, 3, 2}));
  EXPECT_EQ(last.sizes().vec(), (std::vector<int64_t>{1, 2, 2}));
  std::vector<double> out = values(output), hn = values(last);
  for (int b = 0; b < 2; ++b) {
    std::vector<double> state = {0, 0};
    int length = b == 0 ? 3 : 2;
    for (int t = 0; t < 3; ++t) {
      std::vector<double> xt(seq.begin() + (b * 3 + t) * 3,
                             seq.begin() + (b * 3 + t + 1) * 3);
      if (t < length) {
        state = gruStep(xt, state, values(p["weight_ih_l0"]),
                        values(p["weight_hh_l0"]), values(p["bias_ih_l0"]),
                        values(p["bias_hh_l0"]), 3, 2);
        EXPECT_NEAR(out[(b * 3 + t) * 2], state[0], 1e-5);
      } else {
        EXPECT_EQ(out[(b * 3 + t) * 2], 0) << "padding steps output zeros";
      }
    }
    EXPECT_NEAR(hn[b * 2], state[0], 1e-5);
    EXPECT_NEAR(hn[b * 2 + 1], state[1], 1e-5);
  }
}

TEST(Layers, Containers) {
  nn::Sequential seq(nn::Linear(2, 4), nn::ReLU(), nn::Linear(4, 1));
  EXPECT_EQ(seq->size(), 3u);
  EXPECT_EQ(
      seq->named_parameters().keys(),
      (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  EXPECT_EQ(seq(ones({5, 2})).sizes().vec(), (std::vector<int64_t>{5, 1}));
  nn::Sequential withFunction(nn::Functional([](Tensor t) { return t * 2; }));
  expectTensor(withFunction(tensor({1.5}, kFloat)), {1}, kFloat, {3});

  nn::ModuleList list(nn::Linear(2, 2), nn::Linear(2, 3));
  EXPECT_EQ(list->size(), 2u);
  EXPECT_NE(list->at<nn::LinearImpl>(1), nullptr);
  EXPECT_EQ(list->named_parameters().keys().size(), 4u);

  nn::ModuleDict dict;
  dict->insert("user", nn::Embedding(10, 4));
  dict->insert("item", nn::Embedding(20, 4));
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"user", "item"}));
  EXPECT_EQ(dict->named_parameters().keys(),
            (std::vector<std::string>{"user.weight", "item.weight"}));
  EXPECT_NE(errorOf([&] { (*dict)["price"]; }).find("no module named 'price'"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

TEST(Losses, RegressionAndBinary) {
  Tensor a = tensor({1.0, 2.0, 4.0}, kFloat),
         b = tensor({1.5, 2.0, 3.0}, kFloat);
  expectTensor(nn::MSELoss()(a, b), {}, kFloat, {(0.25 + 0 + 1) / 3});
  expectTensor(F::mse_loss(a, b, nn::MSELossOptions(kSum)), {}, kFloat, {1.25});
  expectTensor(F::mse_loss(a, b, nn::MSELossOptions(kNone)), {3}, kFloat,
               {0.25, 0, 1});

  Tensor p = tensor({0.9, 0.2, 0.0}, kFloat),
         t = tensor({1.0, 0.0, 0.0}, kFloat);
  double bce = -(std::log(0.9) + std::log(0.8) + 0) / 3;
  expectTensor(nn::BCELoss()(p, t), {}, kFloat, {bce}, 1e-6);
  // log(0) is clamped at -100 (PyTorch).
  expectTensor(
      F::binary_cross_entropy(tensor({0.0}, kFloat), tensor({1.0}, kFloat)), {},
      kFloat, {100});

  Tensor logits = tensor({2.0, -1.0, 50.0, -50.0}, kFloat);
  Tensor labels = tensor({1.0, 0.0, 0.0, 1.0}, kFloat);
  auto softplus = [](double x) {
    return std::log1p(std::exp(-std::fabs(x))) + std::max(x, 0.0);
  };
  std::vector<double> each = {softplus(-2.0), softplus(-1.0) - (-1.0) * 0 + 0,
                              0, 0};
  each[1] = softplus(-1.0) + (-1.0); // (1 - t) x + softplus(-x) for t = 0
  each[1] = (1 - 0) * -1.0 + softplus(1.0);
  each[0] = softplus(-2.0);
  each[2] = 50.0 + softplus(-50.0);
  each[3] = softplus(50.0);
  double mean = (each[0] + each[1] + each[2] + each[3]) / 4;
  expectTensor(nn::BCEWithLogitsLoss()(logits, labels), {}, kFloat, {mean},
               1e-5);
  // pos_weight multiplies the positive term.
  nn::BCEWithLogitsLoss weighted(
      nn::BCEWithLogitsLossOptions().pos_weight(tensor({3.0}, kFloat)));
  expectTensor(weighted(tensor({0.5}, kFloat), tensor({1.0}, kFloat)), {},
               kFloat, {3 * std::log1p(std::exp(-0.5))}, 1e-6);
  EXPECT_NE(errorOf([&] {
              nn::MSELoss()(a, ones({2}));
            }).find("must have the same shape"),
            std::string::npos);
}

TEST(Losses, NllAndCrossEntropy) {
  Tensor logits =
      tensor({{1.0, 2.0, 3.0}, {1.0, 1.0, 1.0}, {0.0, 5.0, 0.0}}, kFloat);
  Tensor target = tensor({2, 0, -100});
  auto lse = [](std::vector<double> r) {
    double m = *std::max_element(r.begin(), r.end()), s = 0;
    for (double v : r)
      s += std::exp(v - m);
    return m + std::log(s);
  };
  double l0 = lse({1, 2, 3}) - 3, l1 = lse({1, 1, 1}) - 1;
  // The ignored row counts for nothing, not even in the mean's denominator.
  expectTensor(nn::CrossEntropyLoss()(logits, target), {}, kFloat,
               {(l0 + l1) / 2}, 1e-6);
  expectTensor(F::cross_entropy(logits, target,
                                nn::CrossEntropyLossOptions().reduction(kNone)),
               {3}, kFloat, {l0, l1, 0}, 1e-6);
  // Class weights: the mean divides by the weights of the counted targets.
  Tensor w = tensor({0.5, 1.0, 2.0}, kFloat);
  expectTensor(
      F::cross_entropy(logits, target, nn::CrossEntropyLossOptions().weight(w)),
      {}, kFloat, {(2 * l0 + 0.5 * l1) / 2.5}, 1e-6);
  // Probabilities as targets.
  Tensor probs = tensor({{0.0, 0.5, 0.5}}, kFloat);
  expectTensor(F::cross_entropy(tensor({{1.0, 2.0, 3.0}}, kFloat), probs), {},
               kFloat,
               {0.5 * (lse({1, 2, 3}) - 2) + 0.5 * (lse({1, 2, 3}) - 3)}, 1e-6);
  // Label smoothing s: (1 - s) nll + s mean_c(-log p_c).
  double s = 0.1;
  double smooth0 = (3 * lse({1, 2, 3}) - 6) / 3;
  expectTensor(
      F::cross_entropy(tensor({{1.0, 2.0, 3.0}}, kFloat), tensor({2}),
                       nn::CrossEntropyLossOptions().label_smoothing(s)),
      {}, kFloat, {(1 - s) * l0 + s * smooth0}, 1e-6);
  // nll_loss on log-probabilities directly.
  expectTensor(nn::NLLLoss()(log_softmax(logits, 1), target), {}, kFloat,
               {(l0 + l1) / 2}, 1e-6);
  EXPECT_NE(errorOf([&] {
              nn::NLLLoss()(logits, tensor({1.0, 2.0, 0.0}, kFloat));
            }).find("target must hold class indices"),
            std::string::npos);
}

TEST(Init, RangesAndGains) {
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain(kReLU), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain(kTanh), 5.0 / 3);
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain(kLeakyReLU, 0.2),
                   std::sqrt(2.0 / 1.04));
  Tensor w = zeros({100, 200});
  nn::init::xavier_uniform_(w);
  double bound = std::sqrt(6.0 / 300);
  std::vector<double> v = values(w);
  EXPECT_LE(*std::max_element(v.begin(), v.end()), bound);
  EXPECT_GT(*std::max_element(v.begin(), v.end()), 0.95 * bound);
  nn::init::constant_(w, 0.25);
  EXPECT_EQ(values(w.mean())[0], 0.25);
  nn::init::normal_(w, 1.0, 0.5);
  double mean = values(w.mean())[0];
  EXPECT_NEAR(mean, 1.0, 0.02);
  nn::init::zeros_(w);
  EXPECT_EQ(values(w.abs().sum())[0], 0);
  EXPECT_NE(errorOf([] {
              nn::init::xavier_uniform_(zeros({3}));
            }).find("at least 2 dimensions"),
            std::string::npos);
}

TEST(Training, AnMlpLearnsXor) {
  manual_seed(0);
  nn::Sequential model(nn::Linear(2, 8), nn::Tanh(), nn::Linear(8, 1));
  optim::SGD optimizer(model->parameters(),
                       optim::SGDOptions(0.5).momentum(0.9));
  Tensor x = tensor({{0.0, 0.0}, {0.0, 1.0}, {1.0, 0.0}, {1.0, 1.0}}, kFloat);
  Tensor y = tensor({{0.0}, {1.0}, {1.0}, {0.0}}, kFloat);
  reset_stats();
  double loss = 0;
  for (int step = 0; step < 300; ++step) {
    optimizer.zero_grad();
    Tensor l = F::binary_cross_entropy_with_logits(model(x), y);
    l.backward();
    optimizer.step();
    loss = l.item<double>();
  }
  EXPECT_LT(loss, 0.01);
  // Forward, backward and update compile once: every later step is a hit.
  EXPECT_LE(stats().cache_misses, 3);
}

} // namespace
