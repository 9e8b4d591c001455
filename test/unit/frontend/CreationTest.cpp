//===- CreationTest.cpp - tensor, zeros, arange, rand, from_blob, ... -----===//

#include "TestUtil.h"

#include <numeric>

using namespace dlc;
using dlc::test::expectTensor;

namespace {

TEST(Creation, TensorFromListsInfersLibTorchTypes) {
  expectTensor(tensor({1.5, 2.5}), {2}, kFloat, {1.5, 2.5});
  expectTensor(tensor({1, 2, 3}), {3}, kLong, {1, 2, 3});
  expectTensor(tensor({true, false}), {2}, kBool, {1, 0});
  expectTensor(tensor({{1, 2}, {3, 4}, {5, 6}}), {3, 2}, kLong,
               {1, 2, 3, 4, 5, 6});
  expectTensor(tensor({{1.0, 2}, {3, 4}}), {2, 2}, kFloat, {1, 2, 3, 4});
  expectTensor(tensor(3.5), {}, kFloat, {3.5});
  expectTensor(tensor(std::vector<double>{0.25, 0.5}), {2}, kDouble,
               {0.25, 0.5});
  expectTensor(tensor(std::vector<float>{1.f}), {1}, kFloat, {1});
  expectTensor(tensor(std::vector<int32_t>{7, -7}), {2}, kInt, {7, -7});
  expectTensor(tensor(std::vector<int64_t>{}), {0}, kLong, {});
  expectTensor(tensor({1, 2}, kDouble), {2}, kDouble, {1, 2});
  expectTensor(tensor({1.7, -1.7}, dtype(kInt)), {2}, kInt, {1, -1});
}

TEST(Creation, TensorKeepsInt64Exactly) {
  int64_t big = (int64_t(1) << 62) + 1;
  Tensor t = tensor(std::vector<int64_t>{big});
  EXPECT_EQ(t.item<int64_t>(), big);
  EXPECT_EQ(t.to_vector<int64_t>()[0], big);
}

TEST(Creation, Fills) {
  expectTensor(zeros({2, 2}), {2, 2}, kFloat, {0, 0, 0, 0});
  expectTensor(ones({3}, kLong), {3}, kLong, {1, 1, 1});
  expectTensor(full({2}, 7), {2}, kLong, {7, 7});
  expectTensor(full({2}, 0.5), {2}, kFloat, {0.5, 0.5});
  expectTensor(full({1}, true), {1}, kBool, {1});
  expectTensor(full({2}, 2.9, kInt), {2}, kInt, {2, 2});
  expectTensor(empty({0, 3}), {0, 3}, kFloat, {});
  expectTensor(zeros({}), {}, kFloat, {0});
  Tensor like = tensor({1, 2, 3});
  expectTensor(zeros_like(like), {3}, kLong, {0, 0, 0});
  expectTensor(ones_like(like, kDouble), {3}, kDouble, {1, 1, 1});
  expectTensor(full_like(like, 4), {3}, kLong, {4, 4, 4});
}

TEST(Creation, Arange) {
  expectTensor(arange(5), {5}, kLong, {0, 1, 2, 3, 4});
  expectTensor(arange(2, 8, 3), {2}, kLong, {2, 5});
  expectTensor(arange(5, 0, -2), {3}, kLong, {5, 3, 1});
  expectTensor(arange(0, 1, 0.25), {4}, kFloat, {0, 0.25, 0.5, 0.75});
  expectTensor(arange(3, kDouble), {3}, kDouble, {0, 1, 2});
  expectTensor(arange(2, 2), {0}, kLong, {});
  expectTensor(arange(-3, -1), {2}, kLong, {-3, -2});
}

TEST(Creation, Eye) {
  expectTensor(eye(2), {2, 2}, kFloat, {1, 0, 0, 1});
  expectTensor(eye(2, 3, kLong), {2, 3}, kLong, {1, 0, 0, 0, 1, 0});
}

TEST(Creation, RngStateRestoresTheSequence) {
  manual_seed(7);
  (void)randn({10}).to_vector<float>();
  RngState state = get_rng_state();
  EXPECT_EQ(state.seed, 7u);
  EXPECT_EQ(state.offset, 10u);
  std::vector<float> next = randn({5}).to_vector<float>();
  manual_seed(99);
  set_rng_state(state);
  EXPECT_EQ(randn({5}).to_vector<float>(), next);
}

TEST(Creation, RandomIsSeededAndInRange) {
  manual_seed(42);
  std::vector<float> a = rand({1000}).to_vector<float>();
  manual_seed(42);
  std::vector<float> b = rand({1000}).to_vector<float>();
  EXPECT_EQ(a, b);
  std::vector<float> c = rand({1000}).to_vector<float>();
  EXPECT_NE(a, c) << "the second draw continues the sequence";
  double mean = std::accumulate(a.begin(), a.end(), 0.0) / a.size();
  EXPECT_NEAR(mean, 0.5, 0.05);
  for (float v : a) {
    EXPECT_GE(v, 0.f);
    EXPECT_LT(v, 1.f);
  }

  manual_seed(7);
  std::vector<double> n = randn({20000}, kDouble).to_vector<double>();
  double m = std::accumulate(n.begin(), n.end(), 0.0) / n.size();
  double var = 0;
  for (double v : n)
    var += (v - m) * (v - m);
  var /= n.size();
  EXPECT_NEAR(m, 0.0, 0.03);
  EXPECT_NEAR(var, 1.0, 0.05);

  Tensor r = randint(-3, 4, {2000});
  EXPECT_EQ(r.scalar_type(), kLong);
  std::vector<int64_t> ints = r.to_vector<int64_t>();
  EXPECT_EQ(*std::min_element(ints.begin(), ints.end()), -3);
  EXPECT_EQ(*std::max_element(ints.begin(), ints.end()), 3);
  expectTensor(randint(1, {3}, kInt), {3}, kInt, {0, 0, 0});
}

TEST(Creation, RandomMatchesTheDocumentedPhiloxMapping) {
  // Element 0 of the first draw after manual_seed(0): Philox block at
  // counter 0 and key 0 is 6627e8d5 ..., and uniform f32 is (x0 >> 8) / 2^24.
  manual_seed(0);
  float first = rand({1}).item<float>();
  EXPECT_EQ(first, static_cast<float>(0x6627e8d5u >> 8) / 16777216.0f);
}

TEST(Creation, FromBlobBorrowsAndWritesBack) {
  float data[6] = {1, 2, 3, 4, 5, 6};
  Tensor t = from_blob(data, {2, 3});
  EXPECT_EQ(t.data_ptr<float>(), data);
  expectTensor(t, {2, 3}, kFloat, {1, 2, 3, 4, 5, 6});
  data[0] = 10; // the tensor sees the user's memory
  EXPECT_EQ(t.sum().item<float>(), 30);
  t.mul_(2);
  dlc::sync();
  EXPECT_EQ(data[5], 12) << "in-place results go back into the borrowed memory";
  EXPECT_EQ(t.data_ptr<float>(), data);

  bool deleted = false;
  {
    int64_t ids[2] = {3, 4};
    Tensor u = from_blob(ids, {2}, [&](void *) { deleted = true; }, kLong);
    expectTensor(u + 1, {2}, kLong, {4, 5});
  }
  EXPECT_TRUE(deleted);
}

TEST(Creation, ClonesOfBorrowedMemoryDoNotWriteIntoIt) {
  double data[2] = {1, 2};
  Tensor t = from_blob(data, {2}, kDouble);
  Tensor c = t.clone();
  c.data_ptr<double>()[0] = 100;
  EXPECT_EQ(data[0], 1);
  expectTensor(t, {2}, kDouble, {1, 2});
  expectTensor(c, {2}, kDouble, {100, 2});
}

TEST(Creation, RequiresGradOption) {
  Tensor w = zeros({2}, TensorOptions().requires_grad(true));
  EXPECT_TRUE(w.requires_grad());
  EXPECT_TRUE(w.is_leaf());
  Tensor y = w * 2;
  EXPECT_TRUE(y.requires_grad());
  EXPECT_FALSE(y.is_leaf());
  {
    NoGradGuard guard;
    EXPECT_FALSE((w * 2).requires_grad());
  }
}

} // namespace
