//===- GradcheckTest.cpp - Gradients of every op against finite differences
//===//
//
// The OpDB of gradients: every differentiable API function, through the
// frontend and backward(), against central differences in f64 (eps 1e-6,
// atol 1e-5, rtol 1e-3, as torch.autograd.gradcheck), on random inputs away
// from kinks. A first-order check compares the vector-Jacobian product with a
// random cotangent; elementwise ops also get a second-order check through
// autograd::grad(create_graph=true).
//
// This binary links the compiler statically (not libdlc.so) to ask the
// autodiff pass for its list of gradient rules: a differentiable primitive
// that no entry below exercises fails the test.
//
//===----------------------------------------------------------------------===//

#include <dlc/dlc.h>

#include "frontend/detail/TensorImpl.h"
#include "passes/Passes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <set>
#include <unordered_set>

using namespace dlc;

namespace {

constexpr double kEps = 1e-6, kAtol = 1e-5, kRtol = 1e-3;

/// The input domain of an entry.
enum class Domain {
  Any, ///< uniform in [-2, 2], at least 0.1 from 0 (kinks of abs, relu, sign)
  Positive, ///< uniform in [0.5, 2] (log, sqrt, non-integer powers)
  Unit, ///< uniform in [-0.9, 0.9] away from 0 (clamp(-1, 1) keeps its kinks
        ///< away)
};

struct Entry {
  std::string name;
  std::vector<std::vector<int64_t>> shapes;
  std::function<Tensor(const std::vector<Tensor> &)> f;
  Domain domain = Domain::Any;
  /// Elementwise ops also get a second-order check.
  bool secondOrder = false;
  /// The finite-difference step (larger for ops that round to f32).
  double eps = kEps;
};

using Inputs = std::vector<std::vector<double>>;

int64_t numelOf(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t s : shape)
    n *= s;
  return n;
}

Inputs randomInputs(const Entry &entry, std::mt19937_64 &rng) {
  Inputs values;
  for (const auto &shape : entry.shapes) {
    std::vector<double> v(numelOf(shape));
    for (double &x : v) {
      do {
        if (entry.domain == Domain::Positive)
          x = std::uniform_real_distribution<double>(0.5, 2.0)(rng);
        else if (entry.domain == Domain::Unit)
          x = std::uniform_real_distribution<double>(-0.9, 0.9)(rng);
        else
          x = std::uniform_real_distribution<double>(-2.0, 2.0)(rng);
      } while (std::fabs(x) < 0.1);
    }
    values.push_back(std::move(v));
  }
  // Different inputs differ: ties between operands of max/min/where are kinks.
  for (size_t i = 1; i < values.size(); ++i)
    for (size_t j = 0; j < values[i].size() && j < values[0].size(); ++j)
      if (std::fabs(values[i][j] - values[0][j]) < 0.1)
        values[i][j] += values[i][j] > values[0][j] ? 0.2 : -0.2;
  return values;
}

std::vector<Tensor> makeTensors(const Entry &entry, const Inputs &values,
                                bool grad) {
  std::vector<Tensor> tensors;
  for (size_t i = 0; i < values.size(); ++i) {
    Tensor t = tensor(values[i], kDouble).reshape(entry.shapes[i]).clone();
    if (grad)
      t.requires_grad_();
    tensors.push_back(t);
  }
  return tensors;
}

/// L(x) = sum(f(x) * w) for a fixed cotangent w.
Tensor loss(const Entry &entry, const std::vector<Tensor> &inputs,
            const Tensor &w) {
  return (entry.f(inputs).to(kDouble) * w).sum();
}

double lossValue(const Entry &entry, const Inputs &values, const Tensor &w) {
  return loss(entry, makeTensors(entry, values, false), w).item<double>();
}

void expectClose(double analytic, double numeric, const std::string &what) {
  EXPECT_LE(std::fabs(analytic - numeric), kAtol + kRtol * std::fabs(numeric))
      << what << ": analytic " << analytic << ", numeric " << numeric;
}

/// The primitive ops in the history of `t` (what the entry exercises).
void collectOps(const Tensor &t, std::set<std::string> &ops) {
  std::unordered_set<const detail::Node *> seen;
  std::vector<const detail::Node *> stack{t.unsafeGetImpl()->value.node.get()};
  while (!stack.empty()) {
    const detail::Node *node = stack.back();
    stack.pop_back();
    if (!seen.insert(node).second)
      continue;
    if (!node->inputs.empty() || node->buffers.empty())
      ops.insert(mlir::dlc::getOpName(node->def.op));
    for (const detail::Value &in : node->inputs)
      stack.push_back(in.node.get());
  }
}

void gradcheck(const Entry &entry, std::set<std::string> &ops) {
  SCOPED_TRACE(entry.name);
  std::mt19937_64 rng(std::hash<std::string>()(entry.name));
  Inputs values = randomInputs(entry, rng);

  std::vector<Tensor> inputs = makeTensors(entry, values, true);
  Tensor out = entry.f(inputs);
  collectOps(out, ops);
  std::vector<double> wv(out.numel());
  for (double &x : wv)
    x = std::uniform_real_distribution<double>(-1, 1)(rng);
  Tensor w = tensor(wv, kDouble).reshape(out.sizes().vec());

  Tensor l = loss(entry, inputs, w);
  l.backward();
  for (size_t i = 0; i < inputs.size(); ++i) {
    ASSERT_TRUE(inputs[i].grad().defined())
        << "input " << i << " got no gradient";
    std::vector<double> analytic = inputs[i].grad().to_vector<double>();
    for (size_t j = 0; j < values[i].size(); ++j) {
      Inputs plus = values, minus = values;
      plus[i][j] += entry.eps;
      minus[i][j] -= entry.eps;
      double numeric =
          (lossValue(entry, plus, w) - lossValue(entry, minus, w)) /
          (2 * entry.eps);
      expectClose(analytic[j], numeric,
                  "d/d input " + std::to_string(i) + "[" + std::to_string(j) +
                      "]");
    }
  }
  if (!entry.secondOrder)
    return;

  // d/dx sum(grad_x L * v), against central differences of the analytic
  // first-order gradient.
  std::vector<double> vv(values[0].size());
  for (double &x : vv)
    x = std::uniform_real_distribution<double>(-1, 1)(rng);
  Tensor v = tensor(vv, kDouble).reshape(entry.shapes[0]);
  auto firstOrder = [&](const Inputs &at) {
    std::vector<Tensor> xs = makeTensors(entry, at, true);
    Tensor g = autograd::grad({loss(entry, xs, w)}, {xs[0]}, {}, {}, true)[0];
    return std::make_pair(xs, (g * v).sum());
  };
  auto [xs, second] = firstOrder(values);
  second.backward();
  std::vector<double> analytic = xs[0].grad().to_vector<double>();
  for (size_t j = 0; j < values[0].size(); ++j) {
    Inputs plus = values, minus = values;
    plus[0][j] += kEps;
    minus[0][j] -= kEps;
    double numeric = (firstOrder(plus).second.item<double>() -
                      firstOrder(minus).second.item<double>()) /
                     (2 * kEps);
    expectClose(analytic[j], numeric,
                "second order [" + std::to_string(j) + "]");
  }
}

using T = std::vector<Tensor>;

std::vector<Entry> entries() {
  std::vector<Entry> e;
  auto unary = [&](std::string name, std::function<Tensor(const Tensor &)> f,
                   Domain domain = Domain::Any) {
    e.push_back(
        {name, {{2, 3}}, [f](const T &x) { return f(x[0]); }, domain, true});
  };
  auto binary = [&](std::string name,
                    std::function<Tensor(const Tensor &, const Tensor &)> f,
                    std::vector<int64_t> a, std::vector<int64_t> b,
                    Domain domain = Domain::Any, bool second = true) {
    e.push_back({name,
                 {a, b},
                 [f](const T &x) { return f(x[0], x[1]); },
                 domain,
                 second});
  };
  // Elementwise.
  unary("neg", [](const Tensor &x) { return -x; });
  unary("abs", [](const Tensor &x) { return abs(x); });
  unary("exp", [](const Tensor &x) { return exp(x); });
  unary("log", [](const Tensor &x) { return log(x); }, Domain::Positive);
  unary("log1p", [](const Tensor &x) { return log1p(x); }, Domain::Positive);
  unary("sqrt", [](const Tensor &x) { return sqrt(x); }, Domain::Positive);
  unary("rsqrt", [](const Tensor &x) { return rsqrt(x); }, Domain::Positive);
  unary("square", [](const Tensor &x) { return square(x); });
  unary("relu", [](const Tensor &x) { return relu(x); });
  unary("sigmoid", [](const Tensor &x) { return sigmoid(x); });
  unary("tanh", [](const Tensor &x) { return tanh(x); });
  unary("erf", [](const Tensor &x) { return erf(x); });
  unary("sign", [](const Tensor &x) { return sign(x) * x; });
  unary("gelu", [](const Tensor &x) { return gelu(x); });
  unary("gelu_tanh", [](const Tensor &x) { return gelu(x, "tanh"); });
  unary(
      "pow_scalar", [](const Tensor &x) { return pow(x, 2.5); },
      Domain::Positive);
  unary("pow_int", [](const Tensor &x) { return x.pow(3); });
  unary("pow_base", [](const Tensor &x) { return pow(1.5, x); });
  unary(
      "clamp", [](const Tensor &x) { return clamp(x * 2, -1, 1); },
      Domain::Unit);
  unary(
      "clamp_min", [](const Tensor &x) { return clamp_min(x, 0.5); },
      Domain::Unit);
  unary(
      "clamp_max", [](const Tensor &x) { return x.clamp_max(-0.5); },
      Domain::Unit);
  unary("scalar_arithmetic",
        [](const Tensor &x) { return (2 - x * 3 + 1) / 4; });
  unary(
      "scalar_division", [](const Tensor &x) { return 2 / x; },
      Domain::Positive);
  unary("masked_fill",
        [](const Tensor &x) { return x.masked_fill(x > 0.5, 0.25); });
  unary("where_scalar", [](const Tensor &x) { return where(x > 0, x, 2.0); });
  // Through f32 and back: linear, so a wide step measures it exactly.
  unary("to_float",
        [](const Tensor &x) { return x.to(kFloat).to(kDouble) + x; });
  e.back().eps = 1e-2;
  unary("clone_contiguous",
        [](const Tensor &x) { return x.clone().contiguous() * x; });
  // In-place ops on intermediate values are differentiable: they rebind.
  unary("in_place", [](const Tensor &x) {
    Tensor y = x * 2;
    y.mul_(x);
    y.add_(x, 0.5);
    y.sub_(1);
    y.div_(3);
    y.clamp_(-1.5, 1.5);
    y.masked_fill_(x > 1.5, 0.25);
    Tensor z = zeros_like(x);
    z.copy_(y * y);
    return z;
  });
  binary("add", [](const Tensor &a, const Tensor &b) { return a + b; }, {2, 3},
         {2, 3});
  binary("add_alpha",
         [](const Tensor &a, const Tensor &b) { return add(a, b, 0.5); },
         {2, 3}, {3});
  binary("sub", [](const Tensor &a, const Tensor &b) { return a - b; }, {2, 3},
         {2, 1});
  binary("mul", [](const Tensor &a, const Tensor &b) { return a * b; }, {2, 3},
         {3});
  binary("div", [](const Tensor &a, const Tensor &b) { return a / b; }, {2, 3},
         {2, 3});
  binary(
      "pow", [](const Tensor &a, const Tensor &b) { return pow(a, b); }, {2, 3},
      {2, 3}, Domain::Positive);
  binary("maximum",
         [](const Tensor &a, const Tensor &b) { return maximum(a, b); }, {2, 3},
         {2, 3});
  binary("minimum",
         [](const Tensor &a, const Tensor &b) { return minimum(a, b); }, {2, 3},
         {2, 3});
  binary(
      "where",
      [](const Tensor &a, const Tensor &b) { return where(a > b, a, b * 2); },
      {2, 3}, {2, 3});
  binary(
      "clamp_tensors",
      [](const Tensor &a, const Tensor &b) {
        return clamp(a, std::optional<Tensor>(b - 1),
                     std::optional<Tensor>(b + 1));
      },
      {2, 3}, {2, 3}, Domain::Unit);
  // Reductions.
  auto reduction = [&](std::string name,
                       std::function<Tensor(const Tensor &)> f,
                       std::vector<int64_t> shape = {2, 3, 2}) {
    e.push_back({name, {shape}, [f](const T &x) { return f(x[0]); }});
  };
  reduction("sum", [](const Tensor &x) { return x.sum(); });
  reduction("sum_dims", [](const Tensor &x) { return x.sum({0, 2}, true); });
  reduction("mean", [](const Tensor &x) { return x.mean(1); });
  reduction("max", [](const Tensor &x) { return x.max(); });
  reduction("max_dim", [](const Tensor &x) { return std::get<0>(x.max(1)); });
  reduction("min_dim",
            [](const Tensor &x) { return std::get<0>(x.min(-1, true)); });
  reduction("min", [](const Tensor &x) { return x.min(); });
  reduction("amax", [](const Tensor &x) { return x.amax({0, 1}); });
  reduction("amin", [](const Tensor &x) { return x.amin(2); });
  reduction("softmax", [](const Tensor &x) { return softmax(x, 1); });
  reduction("log_softmax", [](const Tensor &x) { return x.log_softmax(-1); });
  reduction("logsumexp", [](const Tensor &x) { return logsumexp(x, {0, 2}); });
  // Linear algebra.
  binary(
      "matmul", [](const Tensor &a, const Tensor &b) { return matmul(a, b); },
      {2, 3}, {3, 2}, Domain::Any, false);
  binary(
      "matmul_vector",
      [](const Tensor &a, const Tensor &b) { return matmul(a, b); }, {3},
      {3, 2}, Domain::Any, false);
  binary(
      "matmul_batched",
      [](const Tensor &a, const Tensor &b) { return matmul(a, b); },
      {2, 1, 2, 3}, {3, 3, 2}, Domain::Any, false);
  // A batch times one matrix (folded into one GEMM), and times a vector.
  binary(
      "matmul_batch_by_matrix",
      [](const Tensor &a, const Tensor &b) { return matmul(a, b); },
      {2, 4, 3}, {3, 2}, Domain::Any, false);
  binary(
      "matmul_batch_by_vector",
      [](const Tensor &a, const Tensor &b) { return matmul(a, b); },
      {2, 4, 3}, {3}, Domain::Any, false);
  binary(
      "mm", [](const Tensor &a, const Tensor &b) { return mm(a, b.t()); },
      {2, 3}, {2, 3}, Domain::Any, false);
  binary(
      "bmm", [](const Tensor &a, const Tensor &b) { return bmm(a, b); },
      {2, 2, 3}, {2, 3, 2}, Domain::Any, false);
  // Shapes and indexing.
  auto shape = [&](std::string name, std::function<Tensor(const Tensor &)> f) {
    e.push_back({name, {{2, 3, 4}}, [f](const T &x) { return f(x[0]); }});
  };
  shape("reshape", [](const Tensor &x) { return x.reshape({6, 4}) * 2; });
  shape("view_flatten",
        [](const Tensor &x) { return x.view({-1}).flatten() * 2; });
  shape("transpose", [](const Tensor &x) { return x.transpose(0, 2) * 2; });
  shape("permute", [](const Tensor &x) { return x.permute({1, 2, 0}) * 2; });
  shape("t", [](const Tensor &x) { return x.select(0, 1).t() * 2; });
  shape("unsqueeze_squeeze",
        [](const Tensor &x) { return x.unsqueeze(1).squeeze() * 2; });
  shape("expand", [](const Tensor &x) {
    return x.narrow(1, 0, 1).expand({2, 5, 4}) * 2;
  });
  shape("narrow", [](const Tensor &x) { return x.narrow(2, 1, 2) * 2; });
  shape("slice", [](const Tensor &x) { return x.slice(2, 0, 4, 3) * 2; });
  shape("index", [](const Tensor &x) {
    using namespace indexing;
    return x.index({Slice(), 1, Slice(1, None, 2)}) * 2;
  });
  shape("index_tensor", [](const Tensor &x) {
    return x.index({indexing::Ellipsis, tensor({3, 0, 3})});
  });
  shape("split_chunk", [](const Tensor &x) {
    std::vector<Tensor> parts = x.split(3, 2);
    std::vector<Tensor> chunks = x.chunk(2, 0);
    return parts[1].sum() * chunks[0].sum() + parts[0] * 2;
  });
  binary(
      "cat",
      [](const Tensor &a, const Tensor &b) { return cat({a, b * 2}, 1); },
      {2, 3}, {2, 2}, Domain::Any, false);
  binary(
      "stack",
      [](const Tensor &a, const Tensor &b) { return stack({a, b}, 1) * 2; },
      {2, 3}, {2, 3}, Domain::Any, false);
  shape("index_select",
        [](const Tensor &x) { return x.index_select(1, tensor({2, 0, 2})); });
  shape("gather", [](const Tensor &x) {
    return x.gather(
        2, tensor({{{3, 0}, {1, 1}, {2, 0}}, {{0, 0}, {3, 2}, {1, 3}}}));
  });
  e.push_back({"embedding", {{5, 3}}, [](const T &x) {
                 return embedding(x[0], tensor({{4, 0}, {4, 2}}));
               }});
  // Several slices of one tensor along one dimension, with a gap: their
  // adjoints join into one concat (joinSliceAdjoints).
  e.push_back({"time steps", {{2, 5, 3}}, [](const T &x) {
                 return x[0].select(1, 0) * x[0].select(1, 1) +
                        x[0].select(1, 4).tanh() + x[0].narrow(1, 1, 2).sum(1);
               }});
  // One process here: the rule must give the identity's gradient
  // (test/distributed checks it across two).
  e.push_back({"all_reduce", {{2, 3}}, [](const T &x) {
                 using distributed::ReduceOp;
                 return distributed::all_reduced(x[0] * x[0], ReduceOp::SUM) +
                        distributed::all_reduced(x[0], ReduceOp::AVG);
               }});
  return e;
}

TEST(Gradcheck, EveryDifferentiableOp) {
  std::set<std::string> exercised;
  for (const Entry &entry : entries())
    gradcheck(entry, exercised);

  // Every primitive the autodiff pass has a rule for is exercised above,
  // except dlc.scatter_add, whose rule runs inside the gradient of gather
  // (second order below).
  for (const std::string &op : mlir::dlc::getDifferentiableOpNames()) {
    if (op == "dlc.scatter_add")
      continue;
    EXPECT_TRUE(exercised.count(op))
        << op << " has a gradient rule but no gradcheck entry";
  }
}

TEST(Gradcheck, ScatterAddThroughSecondOrderOfGather) {
  // d/dW sum((dL/dW) * v) with L = sum(embedding(W, ids)^2 * c): the first
  // gradient contains a scatter_add, the second differentiates it.
  Tensor c = tensor({{1.0, -2.0}, {0.5, 3.0}}, kDouble);
  Tensor ids = tensor({1, 1});
  Tensor v = tensor({{1.0, 0.5}, {-1.0, 2.0}, {0.25, 1.0}}, kDouble);
  Tensor w =
      tensor({{0.3, -0.7}, {1.1, 0.4}, {-0.2, 0.9}}, kDouble).requires_grad_();
  Tensor l = (embedding(w, ids).square() * c).sum();
  Tensor g = autograd::grad({l}, {w}, {}, {}, true)[0];
  (g * v).sum().backward();
  // By hand: dL/dW[1] = 2 W[1] (c0 + c1), so d/dW[1] sum(g v) = 2 (c0 + c1) *
  // v[1].
  std::vector<double> h = w.grad().to_vector<double>();
  EXPECT_NEAR(h[0], 0, 1e-12);
  EXPECT_NEAR(h[2], 2 * (1.0 + 0.5) * -1.0, 1e-12);
  EXPECT_NEAR(h[3], 2 * (-2.0 + 3.0) * 2.0, 1e-12);
}

} // namespace
