//===- AutogradTest.cpp - backward(), grad(), detach() and the classics ---===//

#include "TestUtil.h"

#include <cmath>

using namespace dlc;
using dlc::test::expectTensor;

namespace {

TEST(Autograd, SquareUsedTwice) {
  Tensor x = tensor({1.0, -2.0, 3.0}).requires_grad_();
  (x * x).sum().backward();
  expectTensor(x.grad(), {3}, kFloat, {2, -4, 6});
}

TEST(Autograd, SumOfSoftmaxHasZeroGradient) {
  Tensor x =
      tensor({{0.3, -1.2, 2.0}, {1.0, 1.0, 0.5}}, kDouble).requires_grad_();
  softmax(x, 1).sum().backward();
  for (double g : x.grad().to_vector<double>())
    EXPECT_NEAR(g, 0, 1e-12);
}

TEST(Autograd, LogSoftmaxAndNllIsTheCrossEntropyGradient) {
  // Mean NLL of log_softmax: d/dlogits = (softmax - onehot) / N.
  Tensor logits =
      tensor({{1.0, 2.0, 0.5}, {-1.0, 0.0, 3.0}}, kDouble).requires_grad_();
  Tensor labels = tensor({1, 2});
  Tensor picked = logits.log_softmax(1).gather(1, labels.unsqueeze(1));
  Tensor loss = -picked.mean();
  loss.backward();
  std::vector<double> p = softmax(logits.detach(), 1).to_vector<double>();
  std::vector<double> expected = p;
  expected[1] -= 1;
  expected[5] -= 1;
  for (double &v : expected)
    v /= 2;
  expectTensor(logits.grad(), {2, 3}, kDouble, expected, 1e-12);
}

TEST(Autograd, MatmulChainMatchesTheClosedForm) {
  // L = sum((A B C) * G): dL/dB = A^T G C^T.
  Tensor a = tensor({{1.0, 2.0}, {0.5, -1.0}, {3.0, 0.0}}, kDouble);
  Tensor b =
      tensor({{0.2, -0.4, 1.0}, {1.5, 0.3, -0.6}}, kDouble).requires_grad_();
  Tensor c = tensor({{1.0, 0.0}, {2.0, -1.0}, {0.5, 0.5}}, kDouble);
  Tensor g = tensor({{1.0, -1.0}, {0.5, 2.0}, {-3.0, 1.0}}, kDouble);
  (matmul(matmul(a, b), c) * g).sum().backward();
  Tensor expected = matmul(matmul(a.t(), g), c.t());
  expectTensor(b.grad(), {2, 3}, kDouble, expected.to_vector<double>(), 1e-12);
}

TEST(Autograd, GradientsAccumulateUntilReset) {
  Tensor w = tensor({1.0, 2.0}).requires_grad_();
  (w * 3).sum().backward();
  (w * w).sum().backward();
  expectTensor(w.grad(), {2}, kFloat, {3 + 2, 3 + 4});
  w.mutable_grad().zero_();
  (w * 3).sum().backward();
  expectTensor(w.grad(), {2}, kFloat, {3, 3});
  w.mutable_grad() = Tensor();
  EXPECT_FALSE(w.grad().defined());
  // The output already realized: its history is still there.
  Tensor loss = (w * w * w).sum();
  EXPECT_FLOAT_EQ(loss.item<float>(), 9);
  loss.backward();
  expectTensor(w.grad(), {2}, kFloat, {3, 12});
  loss.backward(); // a second backward works too (histories live with tensors)
  expectTensor(w.grad(), {2}, kFloat, {6, 24});
}

TEST(Autograd, BackwardFreesTheGraphUnlessRetained) {
  // As PyTorch: once the step that ran a backward() has been realized, the
  // graph it went through is freed (a parameter's old value is no longer
  // held for another gradient), and a second backward is an error...
  Tensor w = tensor({1.0f, 2.0f}).requires_grad_();
  Tensor loss = (w * w).sum();
  loss.backward();
  dlc::sync();
  std::string error = test::errorOf([&] { loss.backward(); });
  EXPECT_NE(error.find("Trying to backward through the graph a second time"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("retain_graph=true"), std::string::npos);
  // ... unless the first one retained it.
  w.mutable_grad() = Tensor();
  Tensor kept = (w * w).sum();
  kept.backward({}, /*retain_graph=*/true);
  dlc::sync();
  kept.backward();
  expectTensor(w.grad(), {2}, kFloat, {4, 8});
  // A new history from the same leaves is fine.
  (w * 3).sum().backward();
  expectTensor(w.grad(), {2}, kFloat, {7, 11});
}

TEST(Autograd, ExplicitGradientForNonScalars) {
  Tensor x = tensor({1.0, 2.0, 3.0}).requires_grad_();
  Tensor y = x * x;
  y.backward(tensor({1.0, 0.0, -1.0}));
  expectTensor(x.grad(), {3}, kFloat, {2, 0, -6});
}

TEST(Autograd, LeavesAndIntermediates) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor y = x * 2;
  EXPECT_TRUE(x.is_leaf());
  EXPECT_FALSE(y.is_leaf());
  EXPECT_TRUE(y.requires_grad());
  Tensor z = (y * y).sum();
  z.backward();
  EXPECT_FALSE(y.grad().defined()) << "only leaves accumulate";
  expectTensor(x.grad(), {2}, kFloat, {8, 16});
  EXPECT_FALSE((x > 1).requires_grad()) << "masks carry no gradient";
  EXPECT_FALSE(x.argmax().requires_grad());
  Tensor data = tensor({5.0, 6.0});
  EXPECT_TRUE(data.is_leaf());
  EXPECT_FALSE((data * 2).requires_grad());
}

TEST(Autograd, DetachAndNoGradBlockGradients) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor d = x.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE(d.is_leaf());
  (x * d).sum().backward();
  expectTensor(x.grad(), {2}, kFloat, {1, 2}); // d counts as a constant
  Tensor c;
  {
    NoGradGuard guard;
    c = x * 3;
  }
  EXPECT_FALSE(c.requires_grad());
  expectTensor(c, {2}, kFloat, {3, 6});
}

TEST(Autograd, GradWithCreateGraphGivesSecondDerivatives) {
  Tensor x = tensor({0.5, -1.0, 2.0}, kDouble).requires_grad_();
  Tensor y = (x * x * x + exp(x)).sum();
  Tensor g = autograd::grad({y}, {x}, {}, {}, /*create_graph=*/true)[0];
  EXPECT_TRUE(g.requires_grad());
  expectTensor(g, {3}, kDouble,
               {0.75 + std::exp(0.5), 3 + std::exp(-1.0), 12 + std::exp(2.0)},
               1e-12);
  Tensor h = autograd::grad({g.sum()}, {x})[0];
  EXPECT_FALSE(h.requires_grad());
  expectTensor(h, {3}, kDouble,
               {3 + std::exp(0.5), -6 + std::exp(-1.0), 12 + std::exp(2.0)},
               1e-12);
}

TEST(Autograd, MatmulSecondDerivative) {
  // L = sum((X W)^2): dL/dW = 2 X^T X W, and d/dW sum(dL/dW * V) = 2 X^T X V.
  Tensor xs = tensor({{1.0, 2.0, 0.0}, {-1.0, 0.5, 3.0}}, kDouble);
  Tensor w =
      tensor({{0.1, 0.2}, {0.3, -0.4}, {0.5, 0.6}}, kDouble).requires_grad_();
  Tensor v = tensor({{1.0, -1.0}, {2.0, 0.0}, {0.5, 1.5}}, kDouble);
  Tensor loss = matmul(xs, w).square().sum();
  Tensor g = autograd::grad({loss}, {w}, {}, {}, true)[0];
  expectTensor(g, {3, 2}, kDouble,
               (2 * matmul(matmul(xs.t(), xs), w)).to_vector<double>(), 1e-12);
  (g * v).sum().backward();
  expectTensor(w.grad(), {3, 2}, kDouble,
               (2 * matmul(matmul(xs.t(), xs), v)).to_vector<double>(), 1e-12);
}

TEST(Autograd, SeveralOutputsAndUnusedInputs) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor y = tensor({3.0, 4.0}).requires_grad_();
  Tensor z = tensor({5.0}).requires_grad_();
  std::vector<Tensor> grads =
      autograd::grad({x * y, x.sum()}, {x, y, z},
                     {tensor({1.0, -1.0}), tensor(2.0)}, {}, false,
                     /*allow_unused=*/true);
  ASSERT_EQ(grads.size(), 3u);
  expectTensor(grads[0], {2}, kFloat, {3 + 2, -4 + 2});
  expectTensor(grads[1], {2}, kFloat, {1, -2});
  EXPECT_FALSE(grads[2].defined());
  EXPECT_FALSE(x.grad().defined()) << "autograd::grad does not accumulate";
}

TEST(Autograd, ATrainingStepIsOneProgram) {
  // Linear regression by gradient descent: each step records forward,
  // backward and update, and realizes them as one graph.
  Tensor xs = tensor({{1.0, 2.0, -1.0},
                      {0.5, -1.0, 2.0},
                      {-1.5, 0.0, 1.0},
                      {2.0, 1.0, 0.5},
                      {0.0, -2.0, -1.0}},
                     kDouble);
  Tensor truth = tensor({0.5, -1.0, 2.0}, kDouble);
  Tensor target = matmul(xs, truth);
  Tensor w = zeros({3}, kDouble).requires_grad_();
  dlc::sync();
  reset_stats();
  double last = 0;
  for (int step = 0; step < 200; ++step) {
    Tensor loss = (matmul(xs, w) - target).square().mean();
    loss.backward();
    {
      NoGradGuard noGrad;
      w.sub_(w.grad() * 0.1);
      w.mutable_grad() = Tensor();
    }
    dlc::sync(); // what optimizer.step() will do
    last = loss.item<double>();
  }
  EXPECT_LT(last, 1e-10);
  expectTensor(w, {3}, kDouble, {0.5, -1.0, 2.0}, 1e-5);
  EXPECT_EQ(stats().cache_misses, 1);
  EXPECT_EQ(stats().cache_hits, 199);
  EXPECT_TRUE(w.is_leaf());
  EXPECT_TRUE(w.requires_grad());
}

} // namespace
