//===- ReferenceExecutorTest.cpp - Philox, kernels, the compiler cache ----===//

#include "codegen/Compiler.h"
#include "codegen/reference/Kernels.h"
#include "codegen/reference/Philox.h"
#include "runtime/Buffer.h"
#include "runtime/Error.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace mlir::dlc;

namespace {

TEST(Philox, MatchesRandom123KnownAnswers) {
  using reference::philox4x32;
  EXPECT_EQ(philox4x32(std::array<uint32_t, 4>{0, 0, 0, 0},
                       std::array<uint32_t, 2>{0, 0}),
            (std::array<uint32_t, 4>{0x6627e8d5, 0xe169c58d, 0xbc57ac4c,
                                     0x9b00dbd8}));
  EXPECT_EQ(philox4x32(std::array<uint32_t, 4>{~0u, ~0u, ~0u, ~0u},
                       std::array<uint32_t, 2>{~0u, ~0u}),
            (std::array<uint32_t, 4>{0x408f276d, 0x41c83b0e, 0xa20bc7c6,
                                     0x6d5451fd}));
  EXPECT_EQ(philox4x32(std::array<uint32_t, 4>{0x243f6a88, 0x85a308d3,
                                               0x13198a2e, 0x03707344},
                       std::array<uint32_t, 2>{0xa4093822, 0x299f31d0}),
            (std::array<uint32_t, 4>{0xd16cfe09, 0x94fdcceb, 0x5001e420,
                                     0x24126ea1}));
}

TEST(Kernels, NeverTrapOrReadOutOfBounds) {
  using reference::Kernel;
  using reference::TensorRef;
  // Integer division by zero and INT_MIN / -1.
  int32_t a[3] = {7, INT32_MIN, 5}, b[3] = {0, -1, 2}, y[3];
  Kernel div;
  div.kind = OpKind::Div;
  reference::runKernel(div, {{a, ::dlc::kInt, {3}}, {b, ::dlc::kInt, {3}}},
                       {{y, ::dlc::kInt, {3}}});
  EXPECT_EQ(y[0], 0);
  EXPECT_EQ(y[1], INT32_MIN);
  EXPECT_EQ(y[2], 2);
  // Gather clamps, scatter_add drops.
  float table[3] = {10, 20, 30}, picked[3];
  int64_t ids[3] = {-5, 1, 99};
  Kernel gather;
  gather.kind = OpKind::Gather;
  reference::runKernel(gather,
                       {{table, ::dlc::kFloat, {3}}, {ids, ::dlc::kLong, {3}}},
                       {{picked, ::dlc::kFloat, {3}}});
  EXPECT_EQ(picked[0], 10);
  EXPECT_EQ(picked[1], 20);
  EXPECT_EQ(picked[2], 30);
  float updates[3] = {1, 2, 3}, out[3];
  Kernel scatter;
  scatter.kind = OpKind::ScatterAdd;
  reference::runKernel(scatter,
                       {{table, ::dlc::kFloat, {3}},
                        {ids, ::dlc::kLong, {3}},
                        {updates, ::dlc::kFloat, {3}}},
                       {{out, ::dlc::kFloat, {3}}});
  EXPECT_EQ(out[0], 10);
  EXPECT_EQ(out[1], 22);
  EXPECT_EQ(out[2], 30);
  // Float to integer casts saturate; NaN gives 0.
  float f[4] = {1e20f, -1e20f, NAN, -2.7f};
  int32_t i[4];
  Kernel cast;
  cast.kind = OpKind::Cast;
  reference::runKernel(cast, {{f, ::dlc::kFloat, {4}}},
                       {{i, ::dlc::kInt, {4}}});
  EXPECT_EQ(i[0], INT32_MAX);
  EXPECT_EQ(i[1], INT32_MIN);
  EXPECT_EQ(i[2], 0);
  EXPECT_EQ(i[3], -2);
}

Graph addOne(int64_t n) {
  Graph g;
  int32_t x = g.addInput({ElementType::F32, {n}});
  GraphNode one;
  one.op = OpKind::Constant;
  one.results = {{ElementType::F32, {n}}};
  one.value.f = 1;
  int32_t c = g.addNode(one);
  GraphNode add;
  add.op = OpKind::Add;
  add.operands = {x, c};
  add.results = {{ElementType::F32, {n}}};
  g.addOutput(g.addNode(add));
  return g;
}

TEST(Compiler, CachesBySignatureAndRuns) {
  Compiler compiler;
  auto first = compiler.getOrCompile(addOne(4));
  auto second = compiler.getOrCompile(addOne(4));
  EXPECT_EQ(first, second);
  compiler.getOrCompile(addOne(5));
  CompilerStats s = compiler.stats();
  EXPECT_EQ(s.cacheMisses, 2);
  EXPECT_EQ(s.cacheHits, 1);

  auto input = ::dlc::rt::Buffer::allocate(4 * sizeof(float));
  float values[4] = {1, 2, 3, 4};
  std::memcpy(input->data(), values, sizeof(values));
  auto outputs = first->run({input});
  ASSERT_EQ(outputs.size(), 1u);
  const float *y = static_cast<const float *>(outputs[0]->data());
  EXPECT_EQ(y[0], 2);
  EXPECT_EQ(y[3], 5);
  EXPECT_THROW(first->run({}), ::dlc::Error);
  EXPECT_THROW(first->run({::dlc::rt::Buffer::allocate(4)}), ::dlc::Error);
}

/// exp over a dynamic size, which no backend runs.
static Graph dynamicGraph() {
  Graph g;
  int32_t x = g.addInput({ElementType::F32, {-1}});
  GraphNode exp;
  exp.op = OpKind::Exp;
  exp.operands = {x};
  exp.results = {{ElementType::F32, {-1}}};
  g.addOutput(g.addNode(exp));
  return g;
}

TEST(Compiler, UnrunnableGraphsThrowWithTheDiagnostic) {
  for (Backend backend : {Backend::Reference, Backend::Cpu}) {
    CompilerOptions options;
    options.backend = backend;
    Compiler compiler(options);
    try {
      compiler.getOrCompile(dynamicGraph());
      FAIL() << "expected an error";
    } catch (const ::dlc::Error &error) {
      std::string message = error.what();
      EXPECT_NE(
          message.find(backend == Backend::Cpu
                           ? "the CPU backend needs static shapes"
                           : "the reference executor needs static shapes"),
          std::string::npos)
          << message;
      EXPECT_NE(message.find("reproducer: "), std::string::npos) << message;
      EXPECT_NE(message.find("dlc-autodiff"), std::string::npos)
          << "the replay command names the pipeline: " << message;
    }
  }
}

TEST(Compiler, ExpandsGradientsBeforeRunning) {
  // d/dx sum(x * x) = 2x.
  Compiler compiler;
  Graph g;
  int32_t x = g.addInput({ElementType::F32, {2}});
  GraphNode mul;
  mul.op = OpKind::Mul;
  mul.operands = {x, x};
  mul.results = {{ElementType::F32, {2}}};
  int32_t y = g.addNode(mul);
  GraphNode sum;
  sum.op = OpKind::ReduceSum;
  sum.operands = {y};
  sum.ints = {0};
  sum.results = {{ElementType::F32, {}}};
  int32_t s = g.addNode(sum);
  GraphNode grad;
  grad.op = OpKind::Grad;
  grad.operands = {s, x};
  grad.results = {{ElementType::F32, {2}}};
  g.addOutput(g.addNode(grad));
  auto input = ::dlc::rt::Buffer::allocate(2 * sizeof(float));
  float values[2] = {1.5, -2};
  std::memcpy(input->data(), values, sizeof(values));
  auto outputs = compiler.getOrCompile(g)->run({input});
  const float *gx = static_cast<const float *>(outputs[0]->data());
  EXPECT_EQ(gx[0], 3);
  EXPECT_EQ(gx[1], -4);
}

} // namespace
