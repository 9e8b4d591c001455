//===- ReductionTest.cpp - sum, mean, max, argmax, softmax, logsumexp -----===//

#include "TestUtil.h"

#include <cmath>
#include <limits>

using namespace dlc;
using dlc::test::expectTensor;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

TEST(Reduction, SumAndMean) {
  Tensor m = tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  expectTensor(m.sum(), {}, kFloat, {21});
  expectTensor(m.sum(0), {3}, kFloat, {5, 7, 9});
  expectTensor(m.sum(-1), {2}, kFloat, {6, 15});
  expectTensor(m.sum(1, true), {2, 1}, kFloat, {6, 15});
  expectTensor(m.sum({0, 1}), {}, kFloat, {21});
  expectTensor(m.sum(0, false, kDouble), {3}, kDouble, {5, 7, 9});
  expectTensor(m.mean(), {}, kFloat, {3.5});
  expectTensor(m.mean(0), {3}, kFloat, {2.5, 3.5, 4.5});
  expectTensor(mean(m, {1}, true), {2, 1}, kFloat, {2, 5});
  // Integers and bools sum to int64.
  expectTensor(tensor({1, 2, 3}).sum(), {}, kLong, {6});
  expectTensor(tensor(std::vector<int32_t>{1, 2}).sum(), {}, kLong, {3});
  expectTensor(tensor({true, true, false}).sum(), {}, kLong, {2});
  expectTensor(tensor({1, 2}).mean(kDouble), {}, kDouble, {1.5});
  // Empty reductions: the sum is 0, the mean NaN.
  expectTensor(zeros({0}).sum(), {}, kFloat, {0});
  expectTensor(zeros({2, 0}).sum(1), {2}, kFloat, {0, 0});
  expectTensor(zeros({0}).mean(), {}, kFloat, {kNaN});
  // A 0-d tensor sums to itself.
  expectTensor(tensor(2.5).sum(), {}, kFloat, {2.5});
}

TEST(Reduction, SumOfManyFloatsIsAccurate) {
  // 10^6 times 0.1f: naive float accumulation drifts by ~1%.
  Tensor x = full({1000000}, 0.1);
  EXPECT_NEAR(x.sum().item<double>(), 100000.0 * (double)0.1f * 10, 1e-1);
}

TEST(Reduction, MaxMinAndIndices) {
  Tensor m = tensor({{1.0, 5.0, 5.0}, {7.0, 2.0, 7.0}});
  expectTensor(m.max(), {}, kFloat, {7});
  expectTensor(m.min(), {}, kFloat, {1});
  auto [values, indices] = m.max(1);
  expectTensor(values, {2}, kFloat, {5, 7});
  expectTensor(indices, {2}, kLong, {1, 0}); // the first maximum
  auto [minValues, minIndices] = m.min(0, true);
  expectTensor(minValues, {1, 3}, kFloat, {1, 2, 5});
  expectTensor(minIndices, {1, 3}, kLong, {0, 1, 0});
  expectTensor(m.amax(0), {3}, kFloat, {7, 5, 7});
  expectTensor(m.amin({0, 1}, true), {1, 1}, kFloat, {1});
  expectTensor(m.argmax(), {}, kLong, {3});
  expectTensor(m.argmax(0), {3}, kLong, {1, 0, 1});
  expectTensor(m.argmin(1, true), {2, 1}, kLong, {0, 1});
  expectTensor(tensor({3, 1, 2}).max(), {}, kLong, {3});
  expectTensor(tensor({true, false}).max(), {}, kBool, {1});
  // NaN is the maximum and the minimum, as in PyTorch.
  Tensor n = tensor({1.0, kNaN, 3.0});
  expectTensor(n.max(), {}, kFloat, {kNaN});
  expectTensor(n.argmax(), {}, kLong, {1});
  expectTensor(n.argmin(), {}, kLong, {1});
}

TEST(Reduction, SoftmaxFamily) {
  Tensor x = tensor({{1.0, 2.0, 3.0}, {1.0, 1.0, 1.0}});
  double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  expectTensor(softmax(x, 1), {2, 3}, kFloat,
               {std::exp(1.0) / z, std::exp(2.0) / z, std::exp(3.0) / z, 1. / 3,
                1. / 3, 1. / 3});
  expectTensor(x.log_softmax(-1), {2, 3}, kFloat,
               {1 - std::log(z), 2 - std::log(z), 3 - std::log(z),
                -std::log(3.0), -std::log(3.0), -std::log(3.0)});
  expectTensor(softmax(x, 0), {2, 3}, kFloat,
               {0.5, std::exp(2.0) / (std::exp(2.0) + std::exp(1.0)),
                std::exp(3.0) / (std::exp(3.0) + std::exp(1.0)), 0.5,
                std::exp(1.0) / (std::exp(2.0) + std::exp(1.0)),
                std::exp(1.0) / (std::exp(3.0) + std::exp(1.0))});
  // Large logits do not overflow.
  expectTensor(softmax(tensor({1000.0, 1000.0}), 0), {2}, kFloat, {0.5, 0.5});
  expectTensor(softmax(tensor({1, 2}), 0, kDouble), {2}, kDouble,
               {1 / (1 + std::exp(1.0)), std::exp(1.0) / (1 + std::exp(1.0))});
  expectTensor(softmax(tensor(4.0), 0), {}, kFloat, {1});
  expectTensor(logsumexp(x, 1), {2}, kFloat, {std::log(z), 1 + std::log(3.0)});
  expectTensor(logsumexp(x, {0, 1}, true), {1, 1}, kFloat,
               {std::log(z + 3 * std::exp(1.0))});
  expectTensor(logsumexp(tensor({-kInf, -kInf}), 0), {}, kFloat, {-kInf});
  expectTensor(logsumexp(tensor({1000.0, 1000.0}), 0), {}, kFloat,
               {1000 + std::log(2.0)});
  expectTensor(logsumexp(tensor({0, 0}), 0), {}, kFloat, {std::log(2.0)});
}

} // namespace
