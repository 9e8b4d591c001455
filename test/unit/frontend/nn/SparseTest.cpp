//===- SparseTest.cpp - Sparse embedding gradients and their optimizers ---===//
//
// An embedding with sparse(true) gives its weight a sparse gradient (the
// lookups' rows); SGD and Adagrad apply its rows exactly as their dense
// updates would (bit for bit, repeated ids included), SparseAdam follows
// torch.optim.SparseAdam, and everything else reads the gradient densely.
//
//===----------------------------------------------------------------------===//

#include "../TestUtil.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace dlc;
using dlc::test::errorOf;

namespace {

constexpr int64_t kRows = 10, kDim = 3;

/// Ids with repeats, in two lookups of one table (a target and a history).
Tensor targetIds() { return tensor({4, 1, 4, 7}); }
Tensor historyIds() { return tensor({{1, 1, 0}, {9, 4, 1}}); }

/// A loss whose gradient differs per lookup and per element.
Tensor loss(nn::Embedding &table, const Tensor &scale) {
  Tensor a = table->forward(targetIds());  // [4, 3]
  Tensor b = table->forward(historyIds()); // [2, 3, 3]
  return (a * a * scale).sum() + (b * scale).sum() * 0.5 + a.sum() * b.sum();
}

nn::Embedding makeTable(bool sparse) {
  manual_seed(7);
  return nn::Embedding(nn::EmbeddingOptions(kRows, kDim).sparse(sparse));
}

/// The float bits of a tensor, for exact comparisons.
std::vector<uint32_t> bits(const Tensor &t) {
  std::vector<float> values = t.to_vector<float>();
  std::vector<uint32_t> out(values.size());
  std::memcpy(out.data(), values.data(), values.size() * sizeof(float));
  return out;
}

/// `steps` steps of `make`'s optimizer on a table, dense or sparse; the
/// weight and every state tensor after them.
template <typename Make>
std::vector<Tensor> train(bool sparse, Make make, int steps = 3) {
  nn::Embedding table = makeTable(sparse);
  Tensor scale = tensor({0.5f, -1.0f, 2.0f});
  auto optimizer = make(table->parameters());
  for (int i = 0; i < steps; ++i) {
    optimizer.zero_grad();
    loss(table, scale).backward();
    EXPECT_EQ(table->weight.grad().is_sparse(), sparse);
    optimizer.step();
  }
  std::vector<Tensor> result{table->weight};
  for (const auto &[name, t] : optimizer.state_tensors())
    if (name.find("step") == std::string::npos)
      result.push_back(t);
  return result;
}

template <typename Make>
void expectSparseEqualsDense(Make make) {
  std::vector<Tensor> dense = train(false, make);
  std::vector<Tensor> sparse = train(true, make);
  ASSERT_EQ(dense.size(), sparse.size());
  for (size_t i = 0; i < dense.size(); ++i)
    EXPECT_EQ(bits(sparse[i]), bits(dense[i])) << "tensor " << i;
}

TEST(Sparse, GradientHoldsTheLookupsRowsAndAddsUpToTheDenseOne) {
  Tensor scale = tensor({0.5f, -1.0f, 2.0f});
  nn::Embedding dense = makeTable(false);
  loss(dense, scale).backward();
  nn::Embedding sparse = makeTable(true);
  loss(sparse, scale).backward();
  Tensor g = sparse->weight.grad();
  ASSERT_TRUE(g.is_sparse());
  EXPECT_FALSE(dense->weight.grad().is_sparse());
  // One row per lookup, repeats kept (LibTorch's uncoalesced form).
  EXPECT_EQ(g._nnz(), 4 + 6);
  EXPECT_EQ(g._indices().sizes(), (std::vector<int64_t>{1, 10}));
  EXPECT_EQ(g._values().sizes(), (std::vector<int64_t>{10, kDim}));
  EXPECT_EQ(g.sizes(), (std::vector<int64_t>{kRows, kDim}));
  std::vector<int64_t> ids = g._indices().to_vector<int64_t>();
  std::vector<int64_t> all = {1, 1, 0, 9, 4, 1, 4, 1, 4, 7};
  std::vector<int64_t> sortedIds = ids, sortedAll = all;
  std::sort(sortedIds.begin(), sortedIds.end());
  std::sort(sortedAll.begin(), sortedAll.end());
  EXPECT_EQ(sortedIds, sortedAll);
  // Read densely, it is the dense gradient (to rounding: the lookups'
  // rows may be added in another order).
  std::vector<float> a = g.to_dense().to_vector<float>();
  std::vector<float> b = dense->weight.grad().to_vector<float>();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_NEAR(a[i], b[i], 1e-5 * (1 + std::abs(b[i]))) << i;
  // Any op takes it as the dense tensor.
  EXPECT_NEAR(g.sum().item<float>(), dense->weight.grad().sum().item<float>(),
              1e-4);
}

TEST(Sparse, SyncDoesNotComputeTheDenseGradient) {
  // A table of 4M floats: its dense gradient would be 16 MB more at the
  // peak than the step needs.
  manual_seed(1);
  nn::Embedding table(nn::EmbeddingOptions(1 << 20, 4).sparse(true));
  dlc::sync();
  reset_stats();
  Tensor ids = tensor({3, 5, 3});
  table->forward(ids).sum().backward();
  dlc::sync();
  Stats stats = dlc::stats();
  EXPECT_LT(stats.peak_bytes_allocated - stats.bytes_allocated, 1 << 20);
  EXPECT_LT(stats.bytes_allocated, 17 << 20); // the table and a little
  // Read, it is computed then.
  EXPECT_FLOAT_EQ(table->weight.grad().to_dense().sum().item<float>(), 12.0f);
}

TEST(Sparse, SGDAppliesTheRowsAsTheDenseUpdate) {
  expectSparseEqualsDense([](std::vector<Tensor> p) {
    return optim::SGD(std::move(p), optim::SGDOptions(0.1));
  });
}

TEST(Sparse, AdagradAppliesTheRowsAsTheDenseUpdate) {
  expectSparseEqualsDense([](std::vector<Tensor> p) {
    return optim::Adagrad(
        std::move(p),
        optim::AdagradOptions(0.1).lr_decay(0.01).initial_accumulator_value(
            0.1));
  });
}

TEST(Sparse, OptimizersWithoutARowUpdateReadTheGradientDensely) {
  // SGD with momentum, Adagrad with weight decay, Adam: every row changes
  // each step, so the sparse gradient is read densely; the same results to
  // rounding (the lookups' rows are summed in another order).
  auto near = [](auto make) {
    std::vector<Tensor> dense = train(false, make);
    std::vector<Tensor> sparse = train(true, make);
    ASSERT_EQ(dense.size(), sparse.size());
    for (size_t i = 0; i < dense.size(); ++i) {
      std::vector<float> a = sparse[i].to_vector<float>();
      std::vector<float> b = dense[i].to_vector<float>();
      for (size_t j = 0; j < a.size(); ++j)
        EXPECT_NEAR(a[j], b[j], 1e-5 * (1 + std::abs(b[j]))) << i << " " << j;
    }
  };
  near([](std::vector<Tensor> p) {
    return optim::SGD(std::move(p), optim::SGDOptions(0.1).momentum(0.9));
  });
  near([](std::vector<Tensor> p) {
    return optim::Adagrad(std::move(p),
                          optim::AdagradOptions(0.1).weight_decay(0.01));
  });
  near([](std::vector<Tensor> p) {
    return optim::Adam(std::move(p), optim::AdamOptions(0.01));
  });
}

TEST(Sparse, SparseAdamFollowsTorchsLazyAdam) {
  // torch.optim.SparseAdam by hand, in doubles: each step, the rows the
  // gradient has (summed over repeats) get Adam's update with the global
  // step count; other rows keep their moments and values.
  const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  nn::Embedding table = makeTable(true);
  std::vector<float> start = table->weight.to_vector<float>();
  std::vector<double> w(start.begin(), start.end());
  std::vector<double> m(w.size(), 0), v(w.size(), 0);
  optim::SparseAdam optimizer(table->parameters(),
                              optim::SparseAdamOptions(lr));
  Tensor ids = tensor({2, 5, 2});
  Tensor weights =
      tensor({{1.0f, 2.0f, 3.0f}, {-1.0f, 0.5f, 0.25f}, {0.5f, 0.5f, -2.0f}});
  for (int step = 1; step <= 3; ++step) {
    optimizer.zero_grad();
    (table->forward(ids) * weights).sum().backward();
    optimizer.step();
    std::vector<double> g(w.size(), 0);
    std::vector<int64_t> rows = {2, 5, 2};
    std::vector<float> c = weights.to_vector<float>();
    for (size_t k = 0; k < rows.size(); ++k)
      for (int64_t d = 0; d < kDim; ++d)
        g[rows[k] * kDim + d] += c[k * kDim + d];
    double c1 = 1 - std::pow(b1, step), c2 = 1 - std::pow(b2, step);
    for (int64_t row : {2, 5})
      for (int64_t d = 0; d < kDim; ++d) {
        size_t i = row * kDim + d;
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        w[i] -= lr * std::sqrt(c2) / c1 * m[i] / (std::sqrt(v[i]) + eps);
      }
  }
  std::vector<float> actual = table->weight.to_vector<float>();
  for (size_t i = 0; i < w.size(); ++i)
    EXPECT_NEAR(actual[i], w[i], 1e-5) << i;
  // Untouched rows are exactly as they started.
  for (int64_t d = 0; d < kDim; ++d)
    EXPECT_EQ(actual[d], start[d]);
}

TEST(Sparse, SparseAdamRefusesDenseGradients) {
  nn::Embedding table = makeTable(false);
  optim::SparseAdam optimizer(table->parameters());
  table->forward(tensor({1, 2})).sum().backward();
  EXPECT_NE(errorOf([&] {
              optimizer.step();
            }).find("SparseAdam does not support dense gradients"),
            std::string::npos);
}

TEST(Sparse, ATableAlsoReadDenselyGetsADenseGradient) {
  nn::Embedding table = makeTable(true);
  Tensor ids = tensor({1, 2});
  (table->forward(ids).sum() + table->weight.square().sum()).backward();
  EXPECT_FALSE(table->weight.grad().is_sparse());
  // Without sparse(true) on every lookup, dense too.
  nn::Embedding other = makeTable(true);
  (other->forward(ids).sum() +
   nn::functional::embedding(ids, other->weight).sum())
      .backward();
  EXPECT_FALSE(other->weight.grad().is_sparse());
}

TEST(Sparse, GradientsAccumulateAndZeroGradDropsThem) {
  nn::Embedding table = makeTable(true);
  table->forward(tensor({1})).sum().backward();
  table->forward(tensor({2, 2})).sum().backward();
  Tensor g = table->weight.grad();
  ASSERT_TRUE(g.is_sparse());
  EXPECT_EQ(g._nnz(), 3);
  std::vector<float> dense = g.to_dense().to_vector<float>();
  EXPECT_FLOAT_EQ(dense[1 * kDim], 1.0f);
  EXPECT_FLOAT_EQ(dense[2 * kDim], 2.0f);
  table->zero_grad(/*set_to_none=*/false);
  EXPECT_FALSE(table->weight.grad().defined());
  // Updated in place, a sparse tensor is dense.
  table->forward(tensor({3})).sum().backward();
  Tensor h = table->weight.grad();
  h.mul_(2.0);
  EXPECT_FALSE(h.is_sparse());
  EXPECT_FLOAT_EQ(h.to_vector<float>()[3 * kDim], 2.0f);
}

TEST(Sparse, DenseTensorsRefuseSparseAccessors) {
  Tensor t = ones({2, 2});
  EXPECT_FALSE(t.is_sparse());
  EXPECT_EQ(t.to_dense().data_ptr<float>(), t.data_ptr<float>());
  EXPECT_NE(errorOf([&] { t._values(); }).find("expected a sparse tensor"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { t._indices(); }).find("expected a sparse tensor"),
            std::string::npos);
}

} // namespace
