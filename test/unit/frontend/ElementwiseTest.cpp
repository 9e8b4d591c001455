//===- ElementwiseTest.cpp - Arithmetic, broadcasting, promotion, where ---===//

#include "TestUtil.h"

#include <cmath>
#include <limits>

using namespace dlc;
using dlc::test::expectTensor;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

TEST(Elementwise, Arithmetic) {
  Tensor a = tensor({1.0, 2.0, 3.0});
  Tensor b = tensor({4.0, 5.0, 6.0});
  expectTensor(a + b, {3}, kFloat, {5, 7, 9});
  expectTensor(a - b, {3}, kFloat, {-3, -3, -3});
  expectTensor(a * b, {3}, kFloat, {4, 10, 18});
  expectTensor(b / a, {3}, kFloat, {4, 2.5, 2});
  expectTensor(add(a, b, 2), {3}, kFloat, {9, 12, 15});
  expectTensor(sub(a, b, 0.5), {3}, kFloat, {-1, -0.5, 0});
  expectTensor(a + 1, {3}, kFloat, {2, 3, 4});
  expectTensor(10 - a, {3}, kFloat, {9, 8, 7});
  expectTensor(2 * a, {3}, kFloat, {2, 4, 6});
  expectTensor(6 / a, {3}, kFloat, {6, 3, 2});
  expectTensor(-a, {3}, kFloat, {-1, -2, -3});
  expectTensor(a.add(1, 3), {3}, kFloat, {4, 5, 6});
}

TEST(Elementwise, Broadcasting) {
  Tensor m = tensor({{1, 2, 3}, {4, 5, 6}});
  expectTensor(m + tensor({10, 20, 30}), {2, 3}, kLong,
               {11, 22, 33, 14, 25, 36});
  expectTensor(m + tensor({{100}, {200}}), {2, 3}, kLong,
               {101, 102, 103, 204, 205, 206});
  expectTensor(tensor({{1}, {2}}) * tensor({{1, 10, 100}}), {2, 3}, kLong,
               {1, 10, 100, 2, 20, 200});
  expectTensor(m + tensor(1), {2, 3}, kLong, {2, 3, 4, 5, 6, 7});
  expectTensor(ones({2, 1, 3}) + ones({4, 1}), {2, 4, 3}, kFloat,
               std::vector<double>(24, 2));
  expectTensor(zeros({0, 3}) + ones({3}), {0, 3}, kFloat, {});
}

TEST(Elementwise, TypePromotion) {
  Tensor i32 = tensor(std::vector<int32_t>{1, 2});
  Tensor i64 = tensor({1, 2});
  Tensor f32 = tensor({0.5, 1.5});
  Tensor f64 = tensor(std::vector<double>{0.5, 1.5});
  Tensor b = tensor({true, false});
  EXPECT_EQ((i32 + i64).scalar_type(), kLong);
  EXPECT_EQ((i32 + f32).scalar_type(), kFloat);
  EXPECT_EQ((f32 + f64).scalar_type(), kDouble);
  EXPECT_EQ((b + i32).scalar_type(), kInt);
  EXPECT_EQ((i32 * 2).scalar_type(), kInt)
      << "an integer number keeps the category";
  EXPECT_EQ((i32 * 2.5).scalar_type(), kFloat) << "a float number raises it";
  EXPECT_EQ((f64 * 2.5).scalar_type(), kDouble);
  EXPECT_EQ((b + 1).scalar_type(), kLong);
  EXPECT_EQ((b * 1.5).scalar_type(), kFloat);
  // A 0-d tensor only raises the category of tensors with dimensions.
  EXPECT_EQ((f32 + tensor(std::vector<double>{1.0}).reshape({})).scalar_type(),
            kFloat);
  EXPECT_EQ((i32 + tensor(2.5)).scalar_type(), kFloat);
  EXPECT_EQ((tensor(2.5) + tensor(std::vector<double>{1.0}).reshape({}))
                .scalar_type(),
            kDouble);
  // True division of integers is floating point.
  expectTensor(i64 / tensor({2, 4}), {2}, kFloat, {0.5, 0.5});
  expectTensor(i32 / 2, {2}, kFloat, {0.5, 1});
  expectTensor(i32 * 2.5, {2}, kFloat, {2.5, 5});
  // Bools: + is or, * is and.
  expectTensor(b + tensor({true, true}), {2}, kBool, {1, 1});
  expectTensor(b * tensor({true, true}), {2}, kBool, {1, 0});
}

TEST(Elementwise, UnaryMath) {
  Tensor x = tensor({0.0, 1.0, -2.0});
  expectTensor(exp(x), {3}, kFloat, {1, std::exp(1.0), std::exp(-2.0)});
  expectTensor(log(tensor({1.0, 4.0})), {2}, kFloat, {0, std::log(4.0)});
  expectTensor(log1p(tensor({0.0, 1e-8})), {2}, kFloat, {0, 1e-8}, 1e-6);
  expectTensor(sqrt(tensor({4.0, 2.0})), {2}, kFloat, {2, std::sqrt(2.0)});
  expectTensor(rsqrt(tensor({4.0})), {1}, kFloat, {0.5});
  expectTensor(sigmoid(x), {3}, kFloat,
               {0.5, 1 / (1 + std::exp(-1.0)), 1 / (1 + std::exp(2.0))});
  expectTensor(tanh(x), {3}, kFloat, {0, std::tanh(1.0), std::tanh(-2.0)});
  expectTensor(erf(x), {3}, kFloat, {0, std::erf(1.0), std::erf(-2.0)});
  expectTensor(relu(x), {3}, kFloat, {0, 1, 0});
  expectTensor(abs(x), {3}, kFloat, {0, 1, 2});
  expectTensor(sign(x), {3}, kFloat, {0, 1, -1});
  expectTensor(square(x), {3}, kFloat, {0, 1, 4});
  expectTensor(x.neg(), {3}, kFloat, {0, -1, 2});
  // Integer inputs of floating functions give the default floating type.
  expectTensor(exp(tensor({0, 1})), {2}, kFloat, {1, std::exp(1.0)});
  expectTensor(abs(tensor({-3, 3})), {2}, kLong, {3, 3});
  expectTensor(relu(tensor({-3, 3})), {2}, kLong, {0, 3});
  expectTensor(logical_not(tensor({0, 2})), {2}, kBool, {1, 0});
  expectTensor(logical_not(tensor({true, false})), {2}, kBool, {0, 1});
  expectTensor(log(tensor({0.0, -1.0})), {2}, kFloat, {-kInf, kNaN});
}

TEST(Elementwise, Gelu) {
  Tensor x = tensor({-1.0, 0.0, 2.0});
  auto exact = [](double v) {
    return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
  };
  auto approx = [](double v) {
    return 0.5 * v *
           (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
  };
  expectTensor(gelu(x), {3}, kFloat, {exact(-1), 0, exact(2)});
  expectTensor(gelu(x, "tanh"), {3}, kFloat, {approx(-1), 0, approx(2)});
}

TEST(Elementwise, Pow) {
  expectTensor(pow(tensor({2.0, 3.0}), 2), {2}, kFloat, {4, 9});
  expectTensor(tensor({4.0, 9.0}).pow(0.5), {2}, kFloat, {2, 3});
  expectTensor(pow(tensor({2, 3}), 3), {2}, kLong, {8, 27});
  expectTensor(pow(tensor({2, 3}), 0), {2}, kLong, {1, 1});
  expectTensor(pow(tensor({2, 3}), 0.5), {2}, kFloat,
               {std::sqrt(2.0), std::sqrt(3.0)});
  expectTensor(pow(2, tensor({1.0, 3.0})), {2}, kFloat, {2, 8});
  expectTensor(pow(tensor({2.0, 2.0}), tensor({3.0, -1.0})), {2}, kFloat,
               {8, 0.5});
}

TEST(Elementwise, ClampMaximumMinimum) {
  Tensor x = tensor({-2.0, 0.5, 3.0, kNaN});
  expectTensor(clamp(x, -1, 1), {4}, kFloat, {-1, 0.5, 1, kNaN});
  expectTensor(x.clamp(0), {4}, kFloat, {0, 0.5, 3, kNaN});
  expectTensor(x.clamp(std::nullopt, 0), {4}, kFloat, {-2, 0, 0, kNaN});
  expectTensor(clamp_min(x, 1), {4}, kFloat, {1, 1, 3, kNaN});
  expectTensor(clamp_max(x, 1), {4}, kFloat, {-2, 0.5, 1, kNaN});
  expectTensor(clamp(tensor({1, 5, 9}), 2, 6), {3}, kLong, {2, 5, 6});
  expectTensor(clamp(tensor({1, 5}), 2.5), {2}, kFloat, {2.5, 5});
  expectTensor(clamp(tensor({1.0, 5.0}),
                     std::optional<Tensor>(tensor({2.0, 2.0})),
                     std::optional<Tensor>(tensor({3.0, 4.0}))),
               {2}, kFloat, {2, 4});
  Tensor y = tensor({1.0, kNaN, -1.0});
  Tensor z = tensor({0.0, 1.0, 1.0});
  expectTensor(maximum(y, z), {3}, kFloat, {1, kNaN, 1});
  expectTensor(minimum(y, z), {3}, kFloat, {0, kNaN, -1});
}

TEST(Elementwise, Comparisons) {
  Tensor a = tensor({1, 2, 3});
  Tensor b = tensor({3.0, 2.0, 1.0});
  expectTensor(a == b, {3}, kBool, {0, 1, 0});
  expectTensor(a != b, {3}, kBool, {1, 0, 1});
  expectTensor(a < b, {3}, kBool, {1, 0, 0});
  expectTensor(a <= b, {3}, kBool, {1, 1, 0});
  expectTensor(a > b, {3}, kBool, {0, 0, 1});
  expectTensor(a >= b, {3}, kBool, {0, 1, 1});
  expectTensor(a.gt(1.5), {3}, kBool, {0, 1, 1});
  expectTensor(eq(a, 2), {3}, kBool, {0, 1, 0});
  Tensor n = tensor({kNaN});
  expectTensor(n == n, {1}, kBool, {0});
  expectTensor(n != n, {1}, kBool, {1});
}

TEST(Elementwise, WhereAndMaskedFill) {
  Tensor cond = tensor({true, false, true});
  expectTensor(where(cond, tensor({1, 2, 3}), tensor({-1.0, -2.0, -3.0})), {3},
               kFloat, {1, -2, 3});
  expectTensor(where(cond, 0, tensor({5, 6, 7})), {3}, kLong, {0, 6, 0});
  expectTensor(where(tensor({{true}, {false}}), 1.5, 2.5), {2, 1}, kFloat,
               {1.5, 2.5});
  Tensor x = tensor({{1.0, 2.0}, {3.0, 4.0}});
  expectTensor(x.masked_fill(tensor({true, false}), -1), {2, 2}, kFloat,
               {-1, 2, -1, 4});
  expectTensor(x.masked_fill(x > 2, tensor(0.0)), {2, 2}, kFloat, {1, 2, 0, 0});
  expectTensor(x.where(x > 2, zeros({2, 2})), {2, 2}, kFloat, {0, 0, 3, 4});
}

TEST(Elementwise, InPlace) {
  Tensor x = tensor({1.0, 2.0});
  Tensor alias = x; // another handle to the same tensor
  x.add_(1);
  expectTensor(alias, {2}, kFloat, {2, 3});
  x.mul_(tensor({2.0, 3.0}));
  x -= 1;
  x /= 2;
  expectTensor(x, {2}, kFloat, {1.5, 4});
  x.sub_(tensor({1.0, 1.0}), 0.5);
  expectTensor(x, {2}, kFloat, {1, 3.5});
  x.clamp_(2, 3);
  expectTensor(x, {2}, kFloat, {2, 3});
  x.masked_fill_(tensor({false, true}), 9);
  expectTensor(x, {2}, kFloat, {2, 9});
  x.fill_(4);
  expectTensor(x, {2}, kFloat, {4, 4});
  x.zero_();
  expectTensor(x, {2}, kFloat, {0, 0});
  x.copy_(tensor({7, 8}));
  expectTensor(x, {2}, kFloat, {7, 8});
  x.copy_(tensor(1.5));
  expectTensor(x, {2}, kFloat, {1.5, 1.5});
  Tensor i = tensor({1, 2});
  i.add_(1);
  i.copy_(tensor({2.7, -2.7}));
  expectTensor(i, {2}, kLong, {2, -2});
  Tensor y = x.clone();
  x.add_(1);
  // A clone does not see later updates.
  expectTensor(y, {2}, kFloat, {1.5, 1.5});
}

} // namespace
