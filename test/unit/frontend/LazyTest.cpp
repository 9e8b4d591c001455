//===- LazyTest.cpp - Recording, realization, the cache, eager mode -------===//

#include "TestUtil.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace dlc;
using dlc::test::expectTensor;
using dlc::test::printed;

namespace {

/// Eager mode for one scope, whatever the test does.
struct EagerScope {
  EagerScope() { set_eager(true); }
  ~EagerScope() { set_eager(false); }
};

/// One step of a small model: the same graph every call.
Tensor step(const Tensor &x, const Tensor &w) {
  return relu(matmul(x, w) + 1).sum(1).softmax(0);
}

TEST(Lazy, ARepeatedLoopCompilesOnce) {
  Tensor w = rand({8, 4});
  dlc::sync();
  reset_stats();
  for (int i = 0; i < 100; ++i) {
    Tensor x = rand({16, 8});
    float first = step(x, w)[0].item<float>();
    ASSERT_GT(first, 0);
  }
  Stats s = stats();
  EXPECT_EQ(s.cache_misses, 1);
  EXPECT_EQ(s.cache_hits, 99);
  EXPECT_EQ(s.executions, 100);

  // A new shape is a new graph.
  Tensor x1 = rand({32, 8});
  step(x1, w)[0].item<float>();
  EXPECT_EQ(stats().cache_misses, 2);
  // The same computation recorded on other lines is the same graph.
  Tensor x2 = rand({32, 8});
  Tensor y2 = relu(matmul(x2, w) + 1).sum(1).softmax(0);
  y2[0].item<float>();
  EXPECT_EQ(stats().cache_misses, 2);
}

TEST(Lazy, NothingRunsUntilDataIsAsked) {
  dlc::sync();
  reset_stats();
  Tensor a = ones({3});
  Tensor b = a * 2 + 1;
  Tensor c = b.exp();
  EXPECT_EQ(stats().executions, 0);
  EXPECT_EQ(c.sizes().vec(), std::vector<int64_t>{3});
  EXPECT_EQ(c.scalar_type(), kFloat);
  EXPECT_EQ(stats().executions, 0)
      << "shapes and dtypes are known without running";
  // One realization computes every pending value together.
  EXPECT_FLOAT_EQ(b[0].item<float>(), 3);
  EXPECT_EQ(stats().executions, 1);
  expectTensor(c, {3}, kFloat, {std::exp(3.0), std::exp(3.0), std::exp(3.0)},
               1e-6);
  EXPECT_EQ(stats().executions, 1);
  Tensor d = c - 1;
  dlc::sync();
  EXPECT_EQ(stats().executions, 2);
  printed(d);
  EXPECT_EQ(stats().executions, 2);
}

TEST(Lazy, EagerModeGivesTheSameNumbers) {
  auto compute = [] {
    manual_seed(3);
    Tensor x = randn({4, 5});
    Tensor y = (x.softmax(1) * 3 - x.abs().sqrt()).logsumexp({0});
    return y.to_vector<float>();
  };
  std::vector<float> lazy = compute();
  std::vector<float> eager;
  int64_t perOp = 0;
  {
    EagerScope scope;
    EXPECT_TRUE(is_eager());
    reset_stats();
    eager = compute();
    perOp = stats().executions;
  }
  EXPECT_FALSE(is_eager());
  EXPECT_EQ(lazy, eager);
  EXPECT_GT(perOp, 5) << "eager mode runs op by op";
}

TEST(Lazy, EagerModeCompilesEachOpOnce) {
  EagerScope scope;
  Tensor a = ones({2, 2});
  a.add(1); // compiles the op
  reset_stats();
  for (int i = 0; i < 10; ++i)
    a.add(1);
  EXPECT_EQ(stats().executions, 10);
  EXPECT_EQ(stats().cache_misses, 0);
}

TEST(Lazy, DataPointerWritesChangeOnlyThatTensor) {
  Tensor a = tensor({1.0, 2.0});
  Tensor shared = a.clone(); // shares the value until someone writes
  a.data_ptr<float>()[0] = 9;
  expectTensor(a, {2}, kFloat, {9, 2});
  expectTensor(shared, {2}, kFloat, {1, 2});
  Tensor b = a * 1; // recorded before the write below: sees the old values
  dlc::sync();
  a.data_ptr<float>()[1] = 7;
  expectTensor(b, {2}, kFloat, {9, 2});
  expectTensor(a, {2}, kFloat, {9, 7});
  float *p = a.data_ptr<float>();
  EXPECT_EQ(p, a.data_ptr<float>()) << "a tensor that owns its memory keeps it";
}

TEST(Lazy, LongHistoriesAreReleasedWithoutDeepRecursion) {
  // A million pending adds: dropping them must not overflow the stack.
  Tensor acc = zeros({1});
  Tensor one = ones({1});
  for (int i = 0; i < 1000000; ++i)
    acc = acc + one;
  acc = Tensor();
  SUCCEED();
}

TEST(Lazy, ZeroSizeAndRankZero) {
  Tensor empty = zeros({2, 0, 3});
  EXPECT_EQ(empty.numel(), 0);
  expectTensor(empty.sum(1), {2, 3}, kFloat, {0, 0, 0, 0, 0, 0});
  expectTensor(empty.exp().transpose(0, 2), {3, 0, 2}, kFloat, {});
  expectTensor(cat({empty, ones({2, 1, 3})}, 1), {2, 1, 3}, kFloat,
               std::vector<double>(6, 1));
  Tensor s = tensor(2.0);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.numel(), 1);
  expectTensor(s * s + 1, {}, kFloat, {5});
  expectTensor(s.unsqueeze(0), {1}, kFloat, {2});
  expectTensor(s.reshape({1, 1}), {1, 1}, kFloat, {2});
  EXPECT_EQ(s.item<int>(), 2);
}

TEST(Lazy, Printing) {
  EXPECT_EQ(printed(tensor({{1.0, 2.0}, {3.0, 4.0}})),
            " 1  2\n 3  4\n[ CPUFloatType{2,2} ]");
  EXPECT_EQ(printed(tensor({0.5, 0.25})),
            " 0.5000\n 0.2500\n[ CPUFloatType{2} ]");
  EXPECT_EQ(printed(tensor({10, -200})), "  10\n-200\n[ CPULongType{2} ]");
  EXPECT_EQ(printed(tensor({true, false})), " 1\n 0\n[ CPUBoolType{2} ]");
  EXPECT_EQ(printed(tensor(1.5)), "1.5\n[ CPUFloatType{} ]");
  EXPECT_EQ(printed(zeros({0})), "[ CPUFloatType{0} ]");
  EXPECT_EQ(printed(tensor({1e-6, 1.0})),
            " 1.0000e-06\n 1.0000e+00\n[ CPUFloatType{2} ]");
  EXPECT_EQ(printed(arange(4).reshape({2, 1, 2})),
            "(1,.,.) = \n 0  1\n\n(2,.,.) = \n 2  3\n[ CPULongType{2,1,2} ]");
  EXPECT_EQ(printed(Tensor()), "[ Tensor (undefined) ]");
}

TEST(Lazy, OptimizerStateIsUpdatedInPlace) {
  // The old value of v is read by nothing after the step: the compiled
  // step writes the new value into its buffer, so no step needs memory
  // beyond what v and g already hold.
  Tensor v = zeros({1000});
  Tensor g = full({1000}, 2.0);
  v.mul_(0.9).add_(g);
  dlc::sync(); // compiled here
  double expected = 2;
  reset_stats();
  int64_t held = stats().bytes_allocated;
  for (int step = 0; step < 3; ++step) {
    v.mul_(0.9).add_(g);
    dlc::sync();
    expected = expected * 0.9 + 2;
  }
  EXPECT_EQ(stats().peak_bytes_allocated, held);
  std::vector<float> values = v.to_vector<float>();
  EXPECT_NEAR(values[0], expected, 1e-5);
  EXPECT_NEAR(values[999], expected, 1e-5);
}

TEST(Lazy, ValuesStillReadAreNotOverwritten) {
  Tensor v = arange(1000, kFloat);
  dlc::sync();
  Tensor snapshot = v.clone(); // reads the old value in the same graph
  Tensor doubled = v * 2;      // too
  v.add_(1);
  Tensor after = v * 3; // reads the new value
  dlc::sync();
  EXPECT_EQ(snapshot.to_vector<float>()[7], 7);
  EXPECT_EQ(doubled.to_vector<float>()[7], 14);
  EXPECT_EQ(v.to_vector<float>()[7], 8);
  EXPECT_EQ(after.to_vector<float>()[7], 24);
  // A value another tensor still holds is not given away.
  Tensor w = arange(10, kFloat);
  dlc::sync();
  Tensor alias = w.detach();
  w.mul_(5);
  dlc::sync();
  EXPECT_EQ(alias.to_vector<float>()[3], 3);
  EXPECT_EQ(w.to_vector<float>()[3], 15);
}

TEST(Lazy, DumpIrWritesEachNewGraph) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("dlc-dump-ir-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ::setenv("DLC_DUMP_IR", dir.c_str(), 1);
  Tensor x = arange(6, kFloat).reshape({2, 3});
  float v = (x * 3).tanh().sum().item<float>();
  ::unsetenv("DLC_DUMP_IR");
  ASSERT_GT(v, 0);
  int files = 0;
  std::string text;
  for (const auto &entry : std::filesystem::directory_iterator(dir)) {
    // Beside the graph, the CPU backend's kernels (.kernels.ll, .kernels.s).
    if (entry.path().extension() != ".mlir")
      continue;
    ++files;
    std::ifstream in(entry.path());
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::filesystem::remove_all(dir);
  EXPECT_EQ(files, 1);
  EXPECT_NE(text.find("dlc.tanh"), std::string::npos) << text;
  EXPECT_NE(text.find("LazyTest.cpp"), std::string::npos)
      << "the user's source locations are the ops' locations: " << text;
}

TEST(Lazy, ThreadsRecordAndRealizeSafely) {
  std::vector<std::thread> threads;
  std::vector<double> sums(4);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      Tensor acc = zeros({8});
      for (int i = 0; i < 50; ++i)
        acc = acc + full({8}, t);
      sums[t] = acc.sum().item<double>();
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < 4; ++t)
    EXPECT_EQ(sums[t], 50.0 * 8 * t);
}

} // namespace
