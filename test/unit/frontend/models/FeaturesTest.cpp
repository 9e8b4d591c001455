//===- FeaturesTest.cpp - Feature columns, embeddings, DNN, Dice ----------===//

#include "../TestUtil.h"

#include <cmath>

using namespace dlc;
using dlc::test::errorOf;
using dlc::test::expectTensor;
using namespace dlc::models;

namespace {

/// dense d (2 floats), sparse a (vocabulary 5), list l (maxlen 3) sharing
/// a's table.
std::vector<FeatureColumn> columns(int64_t dim = 2) {
  return {DenseFeat("d", 2), SparseFeat("a", 5, dim),
          VarLenSparseFeat(SparseFeat("l", 5, dim).embedding_name("a"), 3)};
}

/// Two rows: d, a, l (ids 1 2 0 and 0 0 0).
Tensor input() {
  return tensor({0.5f, -1.f, 3.f, 1.f, 2.f, 0.f, //
                 2.f, 4.f, 1.f, 0.f, 0.f, 0.f})
      .reshape({2, 6});
}

} // namespace

TEST(FeatureIndex, RangesSlicesAndErrors) {
  FeatureIndex index(columns());
  EXPECT_EQ(index.width(), 6);
  EXPECT_EQ(index.range("d"), (std::pair<int64_t, int64_t>{0, 2}));
  EXPECT_EQ(index.range("a"), (std::pair<int64_t, int64_t>{2, 1}));
  EXPECT_EQ(index.range("l"), (std::pair<int64_t, int64_t>{3, 3}));
  expectTensor(index.ids(input(), "l"), {2, 3}, kLong, {1, 2, 0, 0, 0, 0});
  EXPECT_EQ(index.sparse().size(), 1u);
  EXPECT_EQ(index.dense().size(), 1u);
  EXPECT_EQ(index.varlen().size(), 1u);

  EXPECT_DLC_ERROR(index.range("b"),
                   "FeatureIndex: no feature column 'b'; the columns are: d, "
                   "a, l");
  EXPECT_DLC_ERROR(index.slice(dlc::zeros({2, 5}), "a"),
                   "FeatureIndex: the input must be [batch, 6] (the feature "
                   "columns side by side), not [2, 5]");
  EXPECT_EQ(errorOf([] { FeatureIndex({DenseFeat("x"), SparseFeat("x", 3)}); }),
            "FeatureIndex: two feature columns are named 'x'");
  EXPECT_EQ(errorOf([] { FeatureIndex({SparseFeat("x", 0)}); }),
            "FeatureIndex: column 'x' has vocabulary size 0 and embedding dim "
            "4; both must be positive");
  EXPECT_EQ(errorOf([] { FeatureIndex({DenseFeat("x", 0)}); }),
            "FeatureIndex: column 'x' spans 0 values; dimension and maxlen "
            "must be positive");
  EXPECT_EQ(errorOf([] {
              FeatureIndex({SparseFeat("x", 3, 4),
                            SparseFeat("y", 3, 8).embedding_name("x")});
            }),
            "FeatureIndex: column 'y' shares table 'x' as 3x8, but the table "
            "is 3x4");
}

TEST(EmbeddingDict, SharedTablesLookupsAndPooling) {
  manual_seed(0);
  FeatureIndex index(columns());
  EmbeddingDict embeddings(index, /*init_std=*/1.0);
  // One table for a and l.
  EXPECT_EQ(embeddings->named_parameters().size(), 1u);
  Tensor w = embeddings->table("a")->weight;
  std::vector<float> table = w.to_vector<float>();
  auto row = [&](int id, int j) { return table[id * 2 + j]; };

  Tensor x = input();
  expectTensor(embeddings->embed(x, "a"), {2, 1, 2}, kFloat,
               {row(3, 0), row(3, 1), row(1, 0), row(1, 1)});
  // Mean over the non-zero ids; an empty list pools to zeros.
  expectTensor(
      embeddings->pooled(x, "l"), {2, 1, 2}, kFloat,
      {(row(1, 0) + row(2, 0)) / 2, (row(1, 1) + row(2, 1)) / 2, 0, 0});
  expectTensor(sequence_mask(index.ids(x, "l")), {2, 3}, kFloat,
               {1, 1, 0, 0, 0, 0});

  Inputs inputs = inputs_from_feature_columns(x, embeddings);
  ASSERT_EQ(inputs.sparse.size(), 2u);
  ASSERT_EQ(inputs.dense.size(), 1u);
  Tensor combined = combined_dnn_input(inputs);
  EXPECT_EQ(combined.sizes().vec(), (std::vector<int64_t>{2, 6}));
  EXPECT_DLC_ERROR(embeddings->embed(x, "d"),
                   "EmbeddingDict: 'd' is a dense column; it has no embedding");
  EXPECT_DLC_ERROR(embeddings->pooled(x, "a"),
                   "EmbeddingDict: 'a' is not an id-list column");

  // Sum and max combiners.
  FeatureIndex sums(
      {VarLenSparseFeat(SparseFeat("l", 5, 1), 3, Combiner::Sum)});
  EmbeddingDict sumDict(sums, 1.0);
  std::vector<float> t = sumDict->table("l")->weight.to_vector<float>();
  Tensor ids = tensor({1.f, 2.f, 0.f, 0.f, 0.f, 0.f}).reshape({2, 3});
  expectTensor(sumDict->pooled(ids, "l"), {2, 1, 1}, kFloat, {t[1] + t[2], 0});
  FeatureIndex maxes(
      {VarLenSparseFeat(SparseFeat("l", 5, 1), 3, Combiner::Max)});
  EmbeddingDict maxDict(maxes, 1.0);
  std::vector<float> m = maxDict->table("l")->weight.to_vector<float>();
  expectTensor(maxDict->pooled(ids, "l"), {2, 1, 1}, kFloat,
               {std::max(m[1], m[2]), 0});
}

TEST(FeatureColumns, FromATabularDataset) {
  data::TabularDataset ds =
      data::parse_csv("y,d,a,b,h\n1,0.5,x,p,x q\n0,1.5,z,p,x\n",
                      data::CsvOptions()
                          .label_column("y")
                          .dense_columns({"d"})
                          .categorical_columns({"a", "b"})
                          .sequence_columns({"h"})
                          .sequence_delimiter(' ')
                          .share_vocabulary({"a", "h"}));
  std::vector<FeatureColumn> cols = feature_columns(ds, 8);
  ASSERT_EQ(cols.size(), 4u);
  EXPECT_EQ(name_of(cols[0]), "d");
  const auto &a = std::get<SparseFeat>(cols[1]);
  EXPECT_EQ(a.vocabulary_size(), ds.vocab_sizes()[0]);
  EXPECT_EQ(a.embedding_dim(), 8);
  const auto &h = std::get<VarLenSparseFeat>(cols[3]);
  EXPECT_EQ(h.sparse().table(), "a"); // shares a's vocabulary, so its table
  EXPECT_EQ(h.maxlen(), 2);
  EXPECT_EQ(FeatureIndex(cols).width(), ds.packed_width());
}

TEST(Layers, DiceDnnAndLinearLogit) {
  // Dice in eval mode (running mean 0, variance 1): p = sigmoid(x), alpha = 0.
  Dice dice(2);
  dice->eval();
  {
    NoGradGuard noGrad;
    dice->alpha.copy_(tensor({0.5f, 0.f}));
  }
  Tensor x = tensor({1.f, -2.f}).reshape({1, 2});
  double p0 = 1 / (1 + std::exp(-1.0)), p1 = 1 / (1 + std::exp(2.0));
  expectTensor(dice->forward(x), {1, 2}, kFloat,
               {p0 * 1 + (1 - p0) * 0.5 * 1, p1 * -2}, 1e-5);
  // [B, T, E] works too.
  EXPECT_EQ(dice->forward(dlc::ones({2, 3, 2})).sizes().vec(),
            (std::vector<int64_t>{2, 3, 2}));

  DNN dnn(6, DNNOptions({4, 3}).activation("dice").use_bn(true).dropout(0.1));
  EXPECT_EQ(dnn->output_dim(), 3);
  EXPECT_EQ(dnn->forward(dlc::ones({5, 6})).sizes().vec(),
            (std::vector<int64_t>{5, 3}));
  EXPECT_EQ(dnn->forward(dlc::ones({5, 2, 6})).sizes().vec(),
            (std::vector<int64_t>{5, 2, 3}));
  EXPECT_EQ(errorOf([] { make_activation("swish", 3); }),
            "activation: unknown activation 'swish' (known: relu, sigmoid, "
            "tanh, gelu, prelu, dice, linear)");

  // The linear logit: dense . w + a's 1-d embedding + l's pooled one.
  LinearLogit linear(FeatureIndex(columns()), 1.0);
  std::vector<float> e =
      linear->embeddings->table("a")->weight.to_vector<float>();
  std::vector<float> wd = linear->dense_weight.to_vector<float>();
  expectTensor(linear->forward(input()), {2, 1}, kFloat,
               {0.5 * wd[0] - 1 * wd[1] + e[3] + (e[1] + e[2]) / 2,
                2 * wd[0] + 4 * wd[1] + e[1] + 0},
               1e-5);
}
