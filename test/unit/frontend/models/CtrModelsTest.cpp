//===- CtrModelsTest.cpp - FM, DeepFM, DCN, FiBiNET and their layers ------===//
//
// The interaction layers against values computed by hand and their
// gradients against central differences in f64; the models' output shapes
// on a batch of dense, sparse and padded id-list columns; the errors a user
// can cause; and each model learning a label that only a feature
// interaction explains.
//
//===----------------------------------------------------------------------===//

#include "../TestUtil.h"

#include "frontend/models/DCN.h"
#include "frontend/models/DeepFM.h"
#include "frontend/models/FM.h"
#include "frontend/models/FiBiNET.h"
#include "frontend/models/Interactions.h"

#include <chrono>
#include <cmath>
#include <functional>
#include <random>

using namespace dlc;
using dlc::test::errorOf;
using dlc::test::expectTensor;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Two dense columns (one 2 wide), two sparse columns and an id list that
/// shares the item table, `dim`-dimensional embeddings.
std::vector<models::FeatureColumn> mixedColumns(int64_t dim = 4) {
  return {models::DenseFeat("price"), models::DenseFeat("position", 2),
          models::SparseFeat("user", 5, dim),
          models::SparseFeat("item", 6, dim),
          models::VarLenSparseFeat(
              models::SparseFeat("history", 6, dim).embedding_name("item"), 3)};
}

/// Three rows of mixedColumns (width 1 + 2 + 1 + 1 + 3): id lists padded
/// with 0, the last one empty.
Tensor mixedBatch() {
  return tensor({{0.5f, 1.f, -1.f, 0.f, 1.f, 2.f, 3.f, 0.f},
                 {-1.2f, 0.f, 2.f, 4.f, 5.f, 5.f, 1.f, 4.f},
                 {3.f, 0.1f, 0.1f, 2.f, 0.f, 0.f, 0.f, 0.f}});
}

/// The same values as a new double leaf that requires grad.
Tensor doubleLeaf(const Tensor &t) {
  Tensor d = t.detach().to(kDouble);
  d.requires_grad_(true);
  return d;
}

/// Sets `t` (in place, without recording) to `values`.
void assign(Tensor &t, const Tensor &values) {
  NoGradGuard noGrad;
  t.copy_(values.to(t.scalar_type()).reshape(t.sizes()));
}

constexpr double kEps = 1e-6, kAtol = 1e-5, kRtol = 1e-3;

/// Checks the gradient of L = sum(f() * w), for a fixed random cotangent w,
/// with respect to each tensor of `wrt` (f64 leaves that f reads) against
/// central differences (torch.autograd.gradcheck's eps and tolerances).
void expectGradientsMatch(const std::function<Tensor()> &f,
                          std::vector<Tensor> wrt) {
  Tensor out = f();
  ASSERT_EQ(out.scalar_type(), kDouble);
  Tensor w = randn(out.sizes(), kDouble);
  (out * w).sum().backward();
  for (size_t k = 0; k < wrt.size(); ++k) {
    Tensor &t = wrt[k];
    ASSERT_TRUE(t.grad().defined()) << "no gradient for input " << k;
    std::vector<double> analytic = t.grad().to_vector<double>();
    std::vector<double> values = t.to_vector<double>();
    std::vector<int64_t> shape = t.sizes().vec();
    auto lossWith = [&](size_t i, double value) {
      std::vector<double> changed = values;
      changed[i] = value;
      assign(t, tensor(changed, kDouble));
      NoGradGuard noGrad;
      return (f() * w).sum().item<double>();
    };
    for (size_t i = 0; i < values.size(); ++i) {
      double numeric =
          (lossWith(i, values[i] + kEps) - lossWith(i, values[i] - kEps)) /
          (2 * kEps);
      EXPECT_LE(std::fabs(analytic[i] - numeric),
                kAtol + kRtol * std::fabs(numeric))
          << "input " << k << " element " << i << ": analytic " << analytic[i]
          << ", numeric " << numeric;
    }
    assign(t, tensor(values, kDouble));
  }
}

template <typename Holder>
std::vector<int64_t> shapeOfForward(Holder &model, const Tensor &x) {
  Tensor y = model->forward(x);
  std::vector<float> values = y.to_vector<float>();
  for (float v : values)
    EXPECT_TRUE(std::isfinite(v));
  return y.sizes().vec();
}

} // namespace

//===----------------------------------------------------------------------===//
// FMInteraction
//===----------------------------------------------------------------------===//

TEST(FMInteraction, SumsTheInnerProductsOfEveryPair) {
  models::FMInteraction fm;
  // Row 0: <v0,v1> + <v0,v2> + <v1,v2> = 11 + 17 + 39; row 1: 0 + 1 + 1.
  Tensor x = tensor({{{1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}},
                     {{1.f, 0.f}, {0.f, 1.f}, {1.f, 1.f}}});
  expectTensor(fm->forward(x), {2, 1}, kFloat, {67, 2});
}

TEST(FMInteraction, GradientMatchesFiniteDifferences) {
  manual_seed(1);
  models::FMInteraction fm;
  Tensor x = doubleLeaf(randn({2, 3, 2}));
  expectGradientsMatch([&] { return fm->forward(x); }, {x});
}

TEST(FMInteraction, RejectsAnInputThatIsNotFields) {
  models::FMInteraction fm;
  EXPECT_DLC_ERROR(fm->forward(ones({2, 3})), "FMInteraction: expected fields");
}

//===----------------------------------------------------------------------===//
// CrossNet
//===----------------------------------------------------------------------===//

TEST(CrossNet, VectorLayersByHand) {
  models::CrossNet net(models::CrossNetOptions(2).layer_num(2));
  EXPECT_EQ(net->kernels.sizes().vec(), (std::vector<int64_t>{2, 2, 1}));
  EXPECT_EQ(net->bias.sizes().vec(), (std::vector<int64_t>{2, 2, 1}));
  assign(net->kernels, tensor({0.5f, -1.f, 1.f, 1.f}));
  assign(net->bias, tensor({0.1f, 0.2f, 0.f, 0.f}));
  // x1 = x0 (x0 . [0.5, -1]) + [0.1, 0.2] + x0 = [-0.4, -0.8];
  // x2 = x0 (x1 . [1, 1]) + x1 = [-1.6, -3.2].
  Tensor x = tensor({{1.f, 2.f}});
  expectTensor(net->forward(x), {1, 2}, kFloat, {-1.6, -3.2}, 1e-5);
}

TEST(CrossNet, MatrixLayerByHand) {
  models::CrossNet net(
      models::CrossNetOptions(2).layer_num(1).parameterization("matrix"));
  EXPECT_EQ(net->kernels.sizes().vec(), (std::vector<int64_t>{1, 2, 2}));
  assign(net->kernels, tensor({{1.f, 2.f}, {0.f, 1.f}}));
  assign(net->bias, tensor({0.5f, -0.5f}));
  // W x0 + b = [5, 2] + [0.5, -0.5]; x0 ⊙ that + x0 = [6.5, 5].
  Tensor x = tensor({{1.f, 2.f}, {0.f, 0.f}});
  expectTensor(net->forward(x), {2, 2}, kFloat, {6.5, 5, 0, 0}, 1e-5);
}

TEST(CrossNet, VectorGradientMatchesFiniteDifferences) {
  manual_seed(2);
  models::CrossNet net(models::CrossNetOptions(3).layer_num(2));
  net->kernels = doubleLeaf(net->kernels);
  net->bias = doubleLeaf(randn({2, 3, 1}));
  Tensor x = doubleLeaf(randn({2, 3}));
  expectGradientsMatch([&] { return net->forward(x); },
                       {x, net->kernels, net->bias});
}

TEST(CrossNet, MatrixGradientMatchesFiniteDifferences) {
  manual_seed(3);
  models::CrossNet net(
      models::CrossNetOptions(3).layer_num(2).parameterization("matrix"));
  net->kernels = doubleLeaf(net->kernels);
  net->bias = doubleLeaf(randn({2, 3, 1}));
  Tensor x = doubleLeaf(randn({2, 3}));
  expectGradientsMatch([&] { return net->forward(x); },
                       {x, net->kernels, net->bias});
}

TEST(CrossNet, Errors) {
  EXPECT_NE(errorOf([] {
              models::CrossNet(
                  models::CrossNetOptions(4).parameterization("diagonal"));
            })
                .find("CrossNet: unknown parameterization 'diagonal' (known: "
                      "vector, matrix)"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              models::CrossNet(models::CrossNetOptions(4).layer_num(0));
            }).find("CrossNet: layer_num must be positive, got 0"),
            std::string::npos);
  models::CrossNet net(4);
  EXPECT_DLC_ERROR(net->forward(ones({2, 3})),
                   "CrossNet: expected an input [batch, 4], got [2, 3]");
}

//===----------------------------------------------------------------------===//
// SENETLayer
//===----------------------------------------------------------------------===//

TEST(SENETLayer, ReweightsFieldsByHand) {
  models::SENETLayer senet(models::SENETLayerOptions(3).reduction_ratio(3));
  auto *reduce = senet->excitation->at<nn::LinearImpl>(0);
  auto *expand = senet->excitation->at<nn::LinearImpl>(2);
  ASSERT_NE(reduce, nullptr);
  ASSERT_NE(expand, nullptr);
  EXPECT_EQ(reduce->weight.sizes().vec(), (std::vector<int64_t>{1, 3}));
  EXPECT_FALSE(reduce->bias.defined());
  assign(reduce->weight, tensor({1.f, 1.f, 1.f}));
  assign(expand->weight, tensor({1.f, 0.5f, -1.f}));
  // Means [2, 2, -1] -> relu(5 - ... ) = relu(3) -> relu([3, 1.5, -3]).
  Tensor x = tensor({{{1.f, 3.f}, {2.f, 2.f}, {-1.f, -1.f}}});
  expectTensor(senet->forward(x), {1, 3, 2}, kFloat, {3, 9, 3, 3, 0, 0});
  EXPECT_TRUE(senet->named_parameters().contains("excitation.0.weight"));
  EXPECT_TRUE(senet->named_parameters().contains("excitation.2.weight"));
}

TEST(SENETLayer, GradientMatchesFiniteDifferences) {
  manual_seed(4);
  models::SENETLayer senet(models::SENETLayerOptions(4).reduction_ratio(2));
  auto *reduce = senet->excitation->at<nn::LinearImpl>(0);
  auto *expand = senet->excitation->at<nn::LinearImpl>(2);
  // Positive weights and inputs keep the relus away from their kinks.
  reduce->weight = doubleLeaf(rand({2, 4}) + 0.1);
  expand->weight = doubleLeaf(rand({4, 2}) + 0.1);
  Tensor x = doubleLeaf(rand({2, 4, 3}) + 0.1);
  expectGradientsMatch([&] { return senet->forward(x); },
                       {x, reduce->weight, expand->weight});
}

TEST(SENETLayer, RejectsAWrongFieldCount) {
  models::SENETLayer senet(3);
  EXPECT_DLC_ERROR(
      senet->forward(ones({2, 4, 5})),
      "SENETLayer: expected fields [batch, 3, dim], got [2, 4, 5]");
}

//===----------------------------------------------------------------------===//
// BilinearInteraction
//===----------------------------------------------------------------------===//

namespace {

models::BilinearInteraction bilinearOf(const std::string &type) {
  return models::BilinearInteraction(
      models::BilinearInteractionOptions(3, 2).bilinear_type(type));
}

Tensor threeFields() { return tensor({{{1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}}}); }

} // namespace

TEST(BilinearInteraction, AllSharesOneMatrix) {
  models::BilinearInteraction bilinear = bilinearOf("all");
  EXPECT_EQ(bilinear->weight.sizes().vec(), (std::vector<int64_t>{2, 2}));
  // v W^T with W = [[1, 0], [1, 1]] maps [a, b] to [a, a + b].
  assign(bilinear->weight, tensor({{1.f, 0.f}, {1.f, 1.f}}));
  expectTensor(bilinear->forward(threeFields()), {1, 3, 2}, kFloat,
               {3, 12, 5, 18, 15, 42});
}

TEST(BilinearInteraction, EachHasAMatrixPerField) {
  models::BilinearInteraction bilinear = bilinearOf("each");
  EXPECT_EQ(bilinear->weight.sizes().vec(), (std::vector<int64_t>{3, 2, 2}));
  // Field 0: [a, a + b]; field 1: 2 v; field 2 is never on the left.
  assign(bilinear->weight,
         tensor({1.f, 0.f, 1.f, 1.f, 2.f, 0.f, 0.f, 2.f, 9.f, 9.f, 9.f, 9.f}));
  expectTensor(bilinear->forward(threeFields()), {1, 3, 2}, kFloat,
               {3, 12, 5, 18, 30, 48});
}

TEST(BilinearInteraction, InteractionHasAMatrixPerPair) {
  models::BilinearInteraction bilinear = bilinearOf("interaction");
  EXPECT_EQ(bilinear->weight.sizes().vec(), (std::vector<int64_t>{3, 2, 2}));
  // Pair 0-1: identity; 0-2: swap; 1-2: [a, a + b].
  assign(bilinear->weight,
         tensor({1.f, 0.f, 0.f, 1.f, 0.f, 1.f, 1.f, 0.f, 1.f, 0.f, 1.f, 1.f}));
  expectTensor(bilinear->forward(threeFields()), {1, 3, 2}, kFloat,
               {3, 8, 10, 6, 15, 42});
}

TEST(BilinearInteraction, GradientsMatchFiniteDifferences) {
  for (const char *type : {"all", "each", "interaction"}) {
    SCOPED_TRACE(type);
    manual_seed(5);
    models::BilinearInteraction bilinear = bilinearOf(type);
    bilinear->weight = doubleLeaf(bilinear->weight);
    Tensor x = doubleLeaf(randn({2, 3, 2}));
    expectGradientsMatch([&] { return bilinear->forward(x); },
                         {x, bilinear->weight});
  }
}

TEST(BilinearInteraction, Errors) {
  EXPECT_NE(errorOf([] { bilinearOf("pairwise"); })
                .find("BilinearInteraction: unknown bilinear_type 'pairwise' "
                      "(known: all, each, interaction)"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              models::BilinearInteraction(
                  models::BilinearInteractionOptions(1, 4));
            })
                .find("BilinearInteraction: needs at least 2 fields to pair, "
                      "got 1"),
            std::string::npos);
  models::BilinearInteraction bilinear = bilinearOf("all");
  EXPECT_DLC_ERROR(bilinear->forward(ones({2, 3, 4})),
                   "BilinearInteraction: expected fields [batch, 3, 2], got "
                   "[2, 3, 4]");
}

//===----------------------------------------------------------------------===//
// The models: shapes, structure, errors
//===----------------------------------------------------------------------===//

TEST(CtrModels, FMOutputAndValueByHand) {
  manual_seed(6);
  models::FM model(mixedColumns());
  EXPECT_EQ(shapeOfForward(model, mixedBatch()), (std::vector<int64_t>{3}));

  // Embeddings 2-wide: user u -> [u, 1], item i (and history) -> [1, i];
  // linear weights zero, bias 0.5. Row 0: user 0, item 1, history {2, 3}
  // (mean [1, 2.5]): <[0,1],[1,1]> + <[0,1],[1,2.5]> + <[1,1],[1,2.5]> = 7.
  models::FM small(std::vector<models::FeatureColumn>{
      models::DenseFeat("price"), models::SparseFeat("user", 5, 2),
      models::SparseFeat("item", 6, 2),
      models::VarLenSparseFeat(
          models::SparseFeat("history", 6, 2).embedding_name("item"), 3)});
  for (Tensor &p : small->linear->parameters())
    assign(p, zeros_like(p));
  assign(small->bias, tensor({0.5f}));
  Tensor ids5 = arange(5, kFloat).unsqueeze(1);
  Tensor ids6 = arange(6, kFloat).unsqueeze(1);
  assign(small->embeddings->table("user")->weight,
         cat({ids5, ones({5, 1})}, 1));
  assign(small->embeddings->table("item")->weight,
         cat({ones({6, 1}), ids6}, 1));
  // Row 1: user 4, item 5, history {} -> <[4,1],[1,5]> = 9 (the empty list
  // pools to zeros).
  Tensor x =
      tensor({{7.f, 0.f, 1.f, 2.f, 3.f, 0.f}, {7.f, 4.f, 5.f, 0.f, 0.f, 0.f}});
  expectTensor(small->forward(x), {2}, kFloat, {7.5, 9.5}, 1e-5);
}

TEST(CtrModels, DeepFMOutputs) {
  manual_seed(7);
  models::DeepFM model(mixedColumns());
  EXPECT_EQ(model->options.dnn_hidden_units(),
            (std::vector<int64_t>{256, 128}));
  EXPECT_EQ(model->dnn->linears->size(), 2u);
  EXPECT_EQ(shapeOfForward(model, mixedBatch()), (std::vector<int64_t>{3}));
  // Without the FM part the dims may differ.
  models::DeepFM deep(
      mixedColumns(3),
      models::DeepFMOptions().use_fm(false).dnn_hidden_units({8}));
  EXPECT_TRUE(deep->fm.is_empty());
  EXPECT_EQ(shapeOfForward(deep, mixedBatch()), (std::vector<int64_t>{3}));
}

TEST(CtrModels, DCNOutputs) {
  manual_seed(8);
  models::DCN model(mixedColumns());
  // The cross input: 1 + 2 dense values and three 4-wide embeddings.
  EXPECT_EQ(model->crossnet->kernels.sizes().vec(),
            (std::vector<int64_t>{2, 15, 1}));
  EXPECT_EQ(model->dnn_linear->weight.sizes().vec(),
            (std::vector<int64_t>{1, 15 + 128}));
  EXPECT_EQ(shapeOfForward(model, mixedBatch()), (std::vector<int64_t>{3}));
  models::DCN matrix(mixedColumns(),
                     models::DCNOptions().parameterization("matrix"));
  EXPECT_EQ(matrix->crossnet->kernels.sizes().vec(),
            (std::vector<int64_t>{2, 15, 15}));
  EXPECT_EQ(shapeOfForward(matrix, mixedBatch()), (std::vector<int64_t>{3}));
  models::DCN crossOnly(mixedColumns(),
                        models::DCNOptions().dnn_hidden_units({}));
  EXPECT_TRUE(crossOnly->dnn.is_empty());
  EXPECT_EQ(shapeOfForward(crossOnly, mixedBatch()), (std::vector<int64_t>{3}));
  models::DCN deepOnly(mixedColumns(), models::DCNOptions().cross_num(0));
  EXPECT_TRUE(deepOnly->crossnet.is_empty());
  EXPECT_EQ(shapeOfForward(deepOnly, mixedBatch()), (std::vector<int64_t>{3}));
}

TEST(CtrModels, FiBiNETOutputs) {
  for (const char *type : {"all", "each", "interaction"}) {
    SCOPED_TRACE(type);
    manual_seed(9);
    models::FiBiNET model(
        mixedColumns(),
        models::FiBiNETOptions().bilinear_type(type).dnn_hidden_units({16}));
    // 3 fields: 3 pairs of 4 values, twice, beside 3 dense values.
    EXPECT_EQ(model->dnn->linears->at<nn::LinearImpl>(0)->weight.size(1),
              2 * 3 * 4 + 3);
    EXPECT_EQ(shapeOfForward(model, mixedBatch()), (std::vector<int64_t>{3}));
  }
}

TEST(CtrModels, AreCtrModels) {
  std::vector<std::shared_ptr<models::CtrModelImpl>> all = {
      models::FM(mixedColumns()).ptr(), models::DeepFM(mixedColumns()).ptr(),
      models::DCN(mixedColumns()).ptr(), models::FiBiNET(mixedColumns()).ptr()};
  std::vector<std::string> names;
  for (const auto &model : all) {
    names.push_back(model->name());
    EXPECT_EQ(model->features().width(), 8);
    EXPECT_FALSE(model->auxiliary_loss().defined());
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"FM", "DeepFM", "DCN", "FiBiNET"}));
}

TEST(CtrModels, Errors) {
  std::vector<models::FeatureColumn> mixedDims = {
      models::SparseFeat("user", 5, 4), models::SparseFeat("item", 6, 8)};
  std::string dims = "the sparse and id-list columns must share one "
                     "embedding dim for the feature interactions, got 'user' "
                     "(4), 'item' (8)";
  EXPECT_NE(errorOf([&] { models::FM{mixedDims}; }).find("FM: " + dims),
            std::string::npos);
  EXPECT_NE(errorOf([&] { models::DeepFM{mixedDims}; }).find("DeepFM: " + dims),
            std::string::npos);
  EXPECT_NE(
      errorOf([&] { models::FiBiNET{mixedDims}; }).find("FiBiNET: " + dims),
      std::string::npos);
  EXPECT_EQ(errorOf([&] {
              models::DeepFM(mixedDims, models::DeepFMOptions().use_fm(false));
            }),
            "");
  EXPECT_EQ(errorOf([&] { models::DCN{mixedDims}; }), "");

  std::vector<models::FeatureColumn> denseOnly = {models::DenseFeat("price")};
  EXPECT_NE(errorOf([&] {
              models::FM{denseOnly};
            }).find("FM: the model needs a sparse or id-list column"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              models::FiBiNET(std::vector<models::FeatureColumn>{
                  models::SparseFeat("user", 5, 4)});
            })
                .find("FiBiNET: the bilinear interaction needs at least 2 "
                      "sparse or id-list columns, got 1"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              models::FiBiNET(mixedColumns(),
                              models::FiBiNETOptions().bilinear_type("dot"));
            }).find("BilinearInteraction: unknown bilinear_type 'dot'"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              models::DCN(mixedColumns(),
                          models::DCNOptions().parameterization("Matrix"));
            })
                .find("DCN: unknown parameterization 'Matrix' (known: vector, "
                      "matrix)"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              models::DCN(
                  mixedColumns(),
                  models::DCNOptions().cross_num(0).dnn_hidden_units({}));
            }).find("DCN: cross_num is 0 and dnn_hidden_units is empty"),
            std::string::npos);
  // A batch of the wrong width.
  models::DCN model(mixedColumns());
  EXPECT_NE(errorOf([&] {
              model->forward(ones({2, 7}));
            }).find("the input must be [batch, 8]"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// Training on a label that only a feature interaction explains
//===----------------------------------------------------------------------===//

namespace {

constexpr int64_t kRows = 2000, kTestRows = 1000, kBatch = 100;
constexpr int kEpochs = 10;

std::vector<models::FeatureColumn> problemColumns() {
  return {models::DenseFeat("d"), models::SparseFeat("a", 20, 4),
          models::SparseFeat("b", 20, 4),
          models::VarLenSparseFeat(models::SparseFeat("h", 20, 4), 4)};
}

/// Rows of problemColumns with y ~ Bernoulli(sigmoid(3 s(a) s(b) + d / 2)),
/// s = +1 for even ids and -1 for odd ones: neither a nor b alone says
/// anything about y, their interaction does. The id lists are noise.
std::vector<train::Batch> interactionBatches(int64_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> id(0, 19), listId(1, 19), length(0, 4);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<double> uniform;
  std::vector<train::Batch> batches;
  for (int64_t start = 0; start < rows; start += kBatch) {
    std::vector<float> x, y;
    for (int64_t r = 0; r < kBatch; ++r) {
      float d = normal(rng);
      int a = id(rng), b = id(rng);
      x.insert(x.end(), {d, float(a), float(b)});
      int n = length(rng);
      for (int i = 0; i < 4; ++i)
        x.push_back(i < n ? float(listId(rng)) : 0.f);
      double sign = (a % 2 == b % 2) ? 1.0 : -1.0;
      double p = 1.0 / (1.0 + std::exp(-(3.0 * sign + d / 2.0)));
      y.push_back(uniform(rng) < p ? 1.f : 0.f);
    }
    batches.push_back({tensor(x).reshape({kBatch, 7}), tensor(y)});
  }
  return batches;
}

/// Trains with Adam for kEpochs and expects the loss to fall clearly and the
/// held-out AUC to pass 0.75.
template <typename Model>
void expectLearnsInteraction(Model &model, double lr = 0.01) {
  static const std::vector<train::Batch> trainSet =
      interactionBatches(kRows, 11);
  static const std::vector<train::Batch> testSet =
      interactionBatches(kTestRows, 12);
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(lr));
  auto start = std::chrono::steady_clock::now();
  train::History history = train::fit(
      model, nn::BCEWithLogitsLoss(), optimizer, trainSet, testSet,
      train::FitOptions().epochs(kEpochs).metrics({"auc"}).verbose(0));
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::vector<double> loss = history["loss"], auc = history["val_auc"];
  std::cout << "[ " << model->name() << " ] loss " << loss.front() << " -> "
            << loss.back() << ", held-out auc " << auc.front() << " -> "
            << auc.back() << ", " << seconds << " s\n";
  EXPECT_LT(loss.back(), 0.5);
  EXPECT_LT(loss.back(), 0.8 * loss.front());
  EXPECT_GT(auc.back(), 0.75);
}

} // namespace

TEST(CtrModelsTraining, FM) {
  manual_seed(21);
  models::FM model(problemColumns());
  expectLearnsInteraction(model);
}

TEST(CtrModelsTraining, DeepFM) {
  manual_seed(22);
  models::DeepFM model(problemColumns());
  expectLearnsInteraction(model);
}

TEST(CtrModelsTraining, DCN) {
  manual_seed(23);
  models::DCN model(problemColumns());
  expectLearnsInteraction(model);
}

TEST(CtrModelsTraining, DCNMatrix) {
  manual_seed(24);
  models::DCN model(problemColumns(),
                    models::DCNOptions().parameterization("matrix"));
  expectLearnsInteraction(model);
}

TEST(CtrModelsTraining, FiBiNET) {
  manual_seed(25);
  models::FiBiNET model(problemColumns());
  expectLearnsInteraction(model);
}
