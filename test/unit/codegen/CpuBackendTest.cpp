//===- CpuBackendTest.cpp - Compiled CPU code against the reference -------===//
//
// The OpDB of the CPU backend: every dlc op, built as a graph on random
// inputs (odd sizes, broadcasts, zero-size and rank-0 tensors, sizes that
// are not a multiple of the vector width, NaN and infinities), compiled
// fused and unfused, against the reference executor. Then what surrounds
// the kernels: deterministic reductions, the memory plan, the disk cache in
// a second process, corrupt entries, the reference fallback and the
// reproducer of a failed compile.
//
//===----------------------------------------------------------------------===//

#include "codegen/Compiler.h"
#include "codegen/cpu/CpuExecutable.h"
#include "codegen/cpu/Jit.h"
#include "runtime/Buffer.h"
#include "runtime/Cuda.h"
#include "runtime/Error.h"
#include "runtime/Parallel.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <set>

using namespace mlir::dlc;
namespace rt = ::dlc::rt;
namespace fs = std::filesystem;

namespace {

//===----------------------------------------------------------------------===//
// Graph building
//===----------------------------------------------------------------------===//

using Shape = std::vector<int64_t>;
constexpr ElementType F32 = ElementType::F32, F64 = ElementType::F64,
                      I32 = ElementType::I32, I64 = ElementType::I64,
                      I1 = ElementType::I1;

bool isFloat(ElementType t) { return t == F32 || t == F64; }

size_t elementBytes(ElementType t) {
  switch (t) {
  case F32:
  case I32:
    return 4;
  case F64:
  case I64:
    return 8;
  case I1:
    return 1;
  }
  return 0;
}

const char *typeName(ElementType t) {
  static const char *names[] = {"f32", "f64", "i32", "i64", "i1"};
  return names[static_cast<int>(t)];
}

/// A graph under construction, with helpers per op.
struct Builder {
  Graph g;

  int32_t input(ElementType t, Shape shape) {
    return g.addInput({t, std::move(shape)});
  }
  int32_t node(OpKind op, std::vector<int32_t> operands, TensorType result,
               std::vector<int64_t> ints = {}, int64_t attr = 0) {
    GraphNode n;
    n.op = op;
    n.operands = std::move(operands);
    n.results = {std::move(result)};
    n.ints = std::move(ints);
    n.attr = attr;
    return g.addNode(std::move(n));
  }
  const TensorType &type(int32_t v) const { return g.getType(v); }
  int32_t unary(OpKind op, int32_t x) { return node(op, {x}, type(x)); }
  int32_t binary(OpKind op, int32_t x, int32_t y) {
    return node(op, {x, y}, type(x));
  }
  int32_t splat(ElementType t, Shape shape, double f, int64_t i = 0) {
    GraphNode n;
    n.op = OpKind::Constant;
    n.results = {{t, std::move(shape)}};
    n.value.f = f;
    n.value.i = i;
    return g.addNode(std::move(n));
  }
  int32_t broadcast(int32_t x, Shape to, std::vector<int64_t> dims) {
    return node(OpKind::BroadcastInDim, {x}, {type(x).element, std::move(to)},
                std::move(dims));
  }
  int32_t reduce(OpKind op, int32_t x, std::vector<int64_t> dims,
                 bool keepdim = false) {
    Shape shape;
    const Shape &in = type(x).shape;
    for (size_t d = 0; d < in.size(); ++d) {
      bool reduced = std::find(dims.begin(), dims.end(),
                               static_cast<int64_t>(d)) != dims.end();
      if (!reduced)
        shape.push_back(in[d]);
      else if (keepdim)
        shape.push_back(1);
    }
    return node(op, {x}, {type(x).element, shape}, std::move(dims), keepdim);
  }
  void output(int32_t v) { g.addOutput(v); }
};

//===----------------------------------------------------------------------===//
// Inputs and comparison
//===----------------------------------------------------------------------===//

enum class Domain { Any, Positive, Index };

/// Random inputs: floats in [-3, 3] with NaN, infinities and -0 sprinkled
/// in (Domain::Any), integers in [-20, 20] with 0 and the minimum, bools.
std::vector<rt::BufferPtr> makeInputs(const Graph &g, Domain domain,
                                      uint64_t seed, int64_t indexRange = 0) {
  std::mt19937_64 rng(seed);
  std::vector<rt::BufferPtr> inputs;
  for (const TensorType &type : g.getInputs()) {
    int64_t n = type.numElements();
    auto buffer = rt::Buffer::allocate(
        std::max<size_t>(1, n * elementBytes(type.element)));
    void *p = buffer->data();
    for (int64_t i = 0; i < n; ++i) {
      double u = std::uniform_real_distribution<double>(-3, 3)(rng);
      if (domain == Domain::Positive)
        u = std::fabs(u) + 0.01;
      int64_t k = std::uniform_int_distribution<int64_t>(-20, 20)(rng);
      if (domain == Domain::Index)
        k = std::uniform_int_distribution<int64_t>(-1, indexRange)(rng);
      bool special = domain == Domain::Any && n > 8 && i % 29 == 7;
      switch (type.element) {
      case F32:
      case F64: {
        if (special) {
          const double values[] = {std::numeric_limits<double>::quiet_NaN(),
                                   std::numeric_limits<double>::infinity(),
                                   -std::numeric_limits<double>::infinity(),
                                   -0.0, 0.0};
          u = values[(i / 29) % 5];
        }
        if (type.element == F32)
          static_cast<float *>(p)[i] = static_cast<float>(u);
        else
          static_cast<double *>(p)[i] = u;
        break;
      }
      case I32:
        static_cast<int32_t *>(p)[i] = special && i % 2
                                           ? std::numeric_limits<int32_t>::min()
                                           : static_cast<int32_t>(k);
        break;
      case I64:
        static_cast<int64_t *>(p)[i] =
            special && i % 2 ? std::numeric_limits<int64_t>::min() : k;
        break;
      case I1:
        static_cast<uint8_t *>(p)[i] = rng() & 1;
        break;
      }
    }
    inputs.push_back(std::move(buffer));
  }
  return inputs;
}

double elementAt(const rt::BufferPtr &buffer, ElementType t, int64_t i) {
  const void *p = buffer->data();
  switch (t) {
  case F32:
    return static_cast<const float *>(p)[i];
  case F64:
    return static_cast<const double *>(p)[i];
  case I32:
    return static_cast<const int32_t *>(p)[i];
  case I64:
    return static_cast<double>(static_cast<const int64_t *>(p)[i]);
  case I1:
    return static_cast<const uint8_t *>(p)[i];
  }
  return 0;
}

/// Integers and bools exactly; floats within `rtol` (f32 math functions are
/// polynomials, and sums are reassociated), NaN where NaN is expected.
void expectSame(const Graph &g, const std::vector<rt::BufferPtr> &got,
                const std::vector<rt::BufferPtr> &want, double rtol,
                const std::string &what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t o = 0; o < got.size(); ++o) {
    const TensorType &type = g.getType(g.getOutputs()[o]);
    int64_t n = type.numElements();
    int64_t reported = 0;
    for (int64_t i = 0; i < n; ++i) {
      double a = elementAt(got[o], type.element, i),
             b = elementAt(want[o], type.element, i);
      bool same;
      if (!isFloat(type.element))
        same = a == b;
      else if (std::isnan(b))
        same = std::isnan(a);
      else if (std::isinf(b))
        same = a == b;
      else
        same = std::fabs(a - b) <= rtol * std::max(1.0, std::fabs(b));
      if (!same && reported++ < 5)
        ADD_FAILURE() << what << ": output " << o << " ("
                      << typeName(type.element) << ") element " << i
                      << ": compiled " << a << ", reference " << b;
    }
  }
}

CompilerOptions cpuOptions(bool fuse = true) {
  CompilerOptions options;
  options.backend = Backend::Cpu;
  options.fuse = fuse;
  return options;
}

CompilerOptions referenceOptions() {
  CompilerOptions options;
  options.backend = Backend::Reference;
  return options;
}

struct Case {
  std::string name;
  Graph graph;
  Domain domain = Domain::Any;
  double rtol = 2e-5;
  int64_t indexRange = 0;
};

/// `buffers` copied to CUDA device 0 (`toDevice`) or back to the host.
std::vector<rt::BufferPtr> moved(const std::vector<rt::BufferPtr> &buffers,
                                 bool toDevice) {
  std::vector<rt::BufferPtr> out;
  for (const rt::BufferPtr &buffer : buffers)
    out.push_back(
        rt::cuda::copyBuffer(buffer, toDevice ? ::dlc::Device(::dlc::kCUDA, 0)
                                              : ::dlc::Device(::dlc::kCPU)));
  return out;
}

/// Runs `c` fused, unfused and on the reference executor. The same graph
/// for CUDA: printed as CUDA C and compiled by NVRTC for compute_90 where
/// NVRTC is installed, and run on the GPU against the reference where one
/// is present (fused and unfused).
void check(const Case &c) {
  static Compiler fused(cpuOptions(true)), unfused(cpuOptions(false)),
      reference(referenceOptions());
  std::vector<rt::BufferPtr> inputs =
      makeInputs(c.graph, c.domain, 1234, c.indexRange);
  std::vector<rt::BufferPtr> want, a, b;
  try {
    want = reference.getOrCompile(c.graph)->run(inputs);
    a = fused.getOrCompile(c.graph)->run(inputs);
    b = unfused.getOrCompile(c.graph)->run(inputs);
  } catch (const ::dlc::Error &error) {
    ADD_FAILURE() << c.name << ": " << error.what();
    return;
  }
  expectSame(c.graph, a, want, c.rtol, c.name + " (fused)");
  expectSame(c.graph, b, want, c.rtol, c.name + " (unfused)");

  Graph onGpu = c.graph;
  onGpu.setDevice(1);
  if (rt::cuda::nvrtcAvailable()) {
    for (Compiler *compiler : {&fused, &unfused}) {
      try {
        Compiler::CudaCode code = compiler->compileCudaCode(onGpu, 90);
        if (code.kernels > 0) {
          EXPECT_NE(code.ptx.find(".entry"), std::string::npos) << c.name;
        }
      } catch (const ::dlc::Error &error) {
        ADD_FAILURE() << c.name << " (CUDA C): " << error.what();
      }
    }
  }
  if (!rt::cuda::isAvailable())
    return;
  try {
    std::vector<rt::BufferPtr> onDevice = moved(inputs, true);
    std::vector<rt::BufferPtr> ga =
        moved(fused.getOrCompile(onGpu)->run(onDevice), false);
    std::vector<rt::BufferPtr> gb =
        moved(unfused.getOrCompile(onGpu)->run(onDevice), false);
    expectSame(c.graph, ga, want, c.rtol, c.name + " (CUDA, fused)");
    expectSame(c.graph, gb, want, c.rtol, c.name + " (CUDA, unfused)");
  } catch (const ::dlc::Error &error) {
    ADD_FAILURE() << c.name << " (CUDA): " << error.what();
  }
}

std::string shapeName(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s + "]";
}

//===----------------------------------------------------------------------===//
// The OpDB
//===----------------------------------------------------------------------===//

const std::vector<Shape> kShapes = {{}, {0}, {1}, {1031}, {3, 5, 7}, {2, 0, 3}};

TEST(CpuBackend, ElementwiseUnaryOps) {
  struct U {
    OpKind op;
    std::vector<ElementType> types;
    Domain domain;
  };
  std::vector<U> ops = {
      {OpKind::Abs, {F32, F64, I32, I64}, Domain::Any},
      {OpKind::Erf, {F32, F64}, Domain::Any},
      {OpKind::Exp, {F32, F64}, Domain::Any},
      {OpKind::Log, {F32, F64}, Domain::Positive},
      {OpKind::Log, {F32}, Domain::Any},
      {OpKind::Log1p, {F32, F64}, Domain::Positive},
      {OpKind::Neg, {F32, F64, I32, I64}, Domain::Any},
      {OpKind::Not, {I32, I64, I1}, Domain::Any},
      {OpKind::Relu, {F32, F64, I32, I64}, Domain::Any},
      {OpKind::Rsqrt, {F32, F64}, Domain::Positive},
      {OpKind::Sigmoid, {F32, F64}, Domain::Any},
      {OpKind::Sign, {F32, F64, I32, I64}, Domain::Any},
      {OpKind::Sqrt, {F32, F64}, Domain::Any},
      {OpKind::Tanh, {F32, F64}, Domain::Any},
      {OpKind::StopGradient, {F32}, Domain::Any},
  };
  for (const U &u : ops)
    for (ElementType t : u.types)
      for (const Shape &shape : kShapes) {
        Builder b;
        b.output(b.unary(u.op, b.input(t, shape)));
        check({std::string(getOpName(u.op)) + " " + typeName(t) +
                   shapeName(shape),
               b.g, u.domain});
      }
}

TEST(CpuBackend, ElementwiseBinaryOps) {
  struct B {
    OpKind op;
    std::vector<ElementType> types;
  };
  std::vector<B> ops = {
      {OpKind::Add, {F32, F64, I32, I64}}, {OpKind::Sub, {F32, F64, I32, I64}},
      {OpKind::Mul, {F32, F64, I32, I64}}, {OpKind::Div, {F32, F64, I32, I64}},
      {OpKind::Max, {F32, F64, I32, I64}}, {OpKind::Min, {F32, F64, I32, I64}},
      {OpKind::Pow, {F32, F64}},           {OpKind::And, {I32, I64, I1}},
      {OpKind::Or, {I32, I64, I1}},        {OpKind::Xor, {I32, I64, I1}},
  };
  for (const B &op : ops)
    for (ElementType t : op.types) {
      for (const Shape &shape : kShapes) {
        Builder b;
        b.output(b.binary(op.op, b.input(t, shape), b.input(t, shape)));
        check({std::string(getOpName(op.op)) + " " + typeName(t) +
                   shapeName(shape),
               b.g});
      }
      // With broadcasts: a row vector, a column and a scalar.
      Builder b;
      int32_t x = b.input(t, {9, 33}), r = b.input(t, {33}),
              c = b.input(t, {9, 1}), s = b.input(t, {});
      int32_t row = b.broadcast(r, {9, 33}, {1});
      int32_t column = b.broadcast(c, {9, 33}, {0, 1});
      int32_t scalar = b.broadcast(s, {9, 33}, {});
      b.output(b.binary(op.op, b.binary(op.op, b.binary(op.op, x, row), column),
                        scalar));
      check({std::string(getOpName(op.op)) + " broadcast " + typeName(t), b.g});
    }
  // pow by the constant 2 (computed as x * x) and 0.5.
  for (double exponent : {2.0, 0.5, -1.0}) {
    Builder b;
    int32_t x = b.input(F32, {100});
    b.output(b.binary(OpKind::Pow, x, b.splat(F32, {100}, exponent)));
    check({"pow constant " + std::to_string(exponent), b.g, Domain::Any});
  }
}

TEST(CpuBackend, CompareSelectAndCast) {
  for (ElementType t : {F32, F64, I32, I64, I1})
    for (int64_t direction = 0; direction < 6; ++direction) {
      Builder b;
      int32_t x = b.input(t, {5, 13}), y = b.input(t, {5, 13});
      b.output(b.node(OpKind::Compare, {x, y}, {I1, {5, 13}}, {}, direction));
      check({"compare " + std::to_string(direction) + " " + typeName(t), b.g});
    }
  for (ElementType t : {F32, I64, I1}) {
    Builder b;
    int32_t c = b.input(I1, {77});
    int32_t x = b.input(t, {77}), y = b.input(t, {77});
    b.output(b.node(OpKind::Select, {c, x, y}, {t, {77}}));
    check({std::string("select ") + typeName(t), b.g});
  }
  for (ElementType from : {F32, F64, I32, I64, I1})
    for (ElementType to : {F32, F64, I32, I64, I1}) {
      Builder b;
      b.output(b.node(OpKind::Cast, {b.input(from, {300})}, {to, {300}}));
      check(
          {std::string("cast ") + typeName(from) + " to " + typeName(to), b.g});
    }
  // Saturation of float to int casts.
  Builder b;
  int32_t x = b.input(F32, {64});
  int32_t big = b.binary(OpKind::Mul, x, b.splat(F32, {64}, 1e12));
  b.output(b.node(OpKind::Cast, {big}, {I32, {64}}));
  b.output(b.node(OpKind::Cast, {big}, {I64, {64}}));
  check({"cast saturates", b.g});
}

TEST(CpuBackend, ShapeOps) {
  {
    Builder b;
    int32_t x = b.input(F32, {5}), y = b.input(I1, {3, 1}),
            z = b.input(I64, {}), w = b.input(F64, {4, 1, 3});
    b.output(b.broadcast(x, {3, 4, 5}, {2}));
    b.output(b.broadcast(y, {3, 6}, {0, 1}));
    b.output(b.broadcast(z, {2, 3}, {}));
    b.output(b.broadcast(w, {4, 0, 3}, {0, 1, 2}));
    check({"broadcast_in_dim", b.g});
  }
  {
    Builder b;
    int32_t x = b.input(F32, {2, 3, 4}), y = b.input(I1, {17, 9});
    b.output(b.node(OpKind::Transpose, {x}, {F32, {4, 2, 3}}, {2, 0, 1}));
    b.output(b.node(OpKind::Transpose, {y}, {I1, {9, 17}}, {1, 0}));
    check({"transpose", b.g});
  }
  {
    Builder b;
    int32_t x = b.input(F32, {7, 9}), y = b.input(I32, {10});
    b.output(b.node(OpKind::Slice, {x}, {F32, {3, 3}}, {1, 2, 6, 9, 2, 3}));
    b.output(b.node(OpKind::Slice, {y}, {I32, {0}}, {4, 4, 1}));
    check({"slice", b.g});
  }
  {
    Builder b;
    int32_t x = b.input(F32, {6, 4});
    int32_t r = b.node(OpKind::Reshape, {x}, {F32, {2, 3, 4}});
    b.output(r);
    b.output(b.unary(OpKind::Exp, r));
    b.output(b.node(OpKind::Reshape, {r}, {F32, {24}}));
    check({"reshape", b.g});
  }
  {
    Builder b;
    int32_t x = b.input(F32, {2, 3}), y = b.input(F32, {2, 5}),
            z = b.input(F32, {2, 0});
    int32_t p = b.input(I1, {1, 4}), q = b.input(I1, {3, 4});
    b.output(b.node(OpKind::Concat, {x, y, z}, {F32, {2, 8}}, {}, 1));
    b.output(b.node(OpKind::Concat, {p, q}, {I1, {4, 4}}, {}, 0));
    check({"concat", b.g});
  }
  {
    Builder b;
    b.output(b.node(OpKind::Iota, {}, {I64, {3, 4}}, {}, 1));
    b.output(b.node(OpKind::Iota, {}, {F32, {5, 2}}, {}, 0));
    b.output(b.node(OpKind::Iota, {}, {I32, {0}}, {}, 0));
    check({"iota", b.g});
  }
  {
    Builder b;
    b.output(b.splat(F32, {3, 3}, 2.5));
    b.output(b.splat(I1, {4}, 0, 1));
    b.output(b.splat(I64, {}, 0, -7));
    check({"constant", b.g});
  }
}

TEST(CpuBackend, Reductions) {
  struct R {
    std::vector<int64_t> dims;
    bool keepdim;
  };
  std::vector<R> reductions = {
      {{0}, false},    {{1}, false},       {{2}, true},   {{0, 2}, false},
      {{1, 2}, false}, {{0, 1, 2}, false}, {{0, 1}, true}};
  for (OpKind op : {OpKind::ReduceSum, OpKind::ReduceMax, OpKind::ReduceMin})
    for (ElementType t : {F32, F64, I32, I64, I1}) {
      if (op == OpKind::ReduceSum && t == I1)
        continue;
      for (const R &r : reductions) {
        Builder b;
        b.output(b.reduce(op, b.input(t, {5, 7, 9}), r.dims, r.keepdim));
        check({std::string(getOpName(op)) + " " + typeName(t) + " dims " +
                   std::to_string(r.dims.size()) +
                   (r.keepdim ? " keepdim" : ""),
               b.g});
      }
      // Empty inputs reduce to the identity; rank 0 to itself.
      Builder b;
      int32_t p = b.input(t, {0, 3}), q = b.input(t, {3, 0}),
              r = b.input(t, {0}), s = b.input(t, {});
      b.output(b.reduce(op, p, {0}));
      b.output(b.reduce(op, q, {1}));
      b.output(b.reduce(op, r, {0}));
      b.output(b.reduce(op, s, {}));
      check({std::string(getOpName(op)) + " empty " + typeName(t), b.g});
    }
  // Large enough for several chunks and threads, with a fused producer.
  Builder b;
  int32_t x = b.input(F32, {300001});
  b.output(b.reduce(OpKind::ReduceSum, b.unary(OpKind::Exp, x), {0}));
  b.output(b.reduce(OpKind::ReduceMax, x, {0}));
  check({"large full reductions", b.g, Domain::Positive, 1e-6});
}

TEST(CpuBackend, SoftmaxAndFriends) {
  for (OpKind op : {OpKind::Softmax, OpKind::LogSoftmax})
    for (auto [shape, dim] :
         std::vector<std::pair<Shape, int64_t>>{{{4, 33}, 1},
                                                {{5, 3}, 0},
                                                {{2, 3, 17}, 2},
                                                {{3, 0}, 1},
                                                {{1, 1000}, 1}}) {
      Builder b;
      b.output(b.node(op, {b.input(F32, shape)}, {F32, shape}, {}, dim));
      check({std::string(getOpName(op)) + shapeName(shape), b.g,
             Domain::Positive});
    }
  // Layer norm over the last dimension, composed as the frontend would.
  Builder b;
  int32_t x = b.input(F32, {6, 37});
  int32_t gamma = b.input(F32, {37}), beta = b.input(F32, {37});
  auto rows = [&](int32_t v) { return b.broadcast(v, {6, 37}, {0, 1}); };
  int32_t mean =
      b.binary(OpKind::Div, b.reduce(OpKind::ReduceSum, x, {1}, true),
               b.splat(F32, {6, 1}, 37));
  int32_t centered = b.binary(OpKind::Sub, x, rows(mean));
  int32_t var =
      b.binary(OpKind::Div,
               b.reduce(OpKind::ReduceSum,
                        b.binary(OpKind::Mul, centered, centered), {1}, true),
               b.splat(F32, {6, 1}, 37));
  int32_t inv = b.unary(OpKind::Rsqrt,
                        b.binary(OpKind::Add, var, b.splat(F32, {6, 1}, 1e-5)));
  int32_t normed = b.binary(OpKind::Mul, centered, rows(inv));
  b.output(
      b.binary(OpKind::Add,
               b.binary(OpKind::Mul, normed, b.broadcast(gamma, {6, 37}, {1})),
               b.broadcast(beta, {6, 37}, {1})));
  check({"layer norm", b.g, Domain::Positive, 1e-4});
}

TEST(CpuBackend, MatmulGatherScatter) {
  for (ElementType t : {F32, F64, I32, I64}) {
    Builder b;
    int32_t a0 = b.input(t, {5, 7}), b0 = b.input(t, {7, 3});
    int32_t a1 = b.input(t, {2, 5, 7}), b1 = b.input(t, {2, 7, 3});
    int32_t a2 = b.input(t, {0, 7}), b2 = b.input(t, {7, 3});
    int32_t a3 = b.input(t, {4, 0}), b3 = b.input(t, {0, 3});
    b.output(b.node(OpKind::Matmul, {a0, b0}, {t, {5, 3}}));
    b.output(b.node(OpKind::Matmul, {a1, b1}, {t, {2, 5, 3}}));
    b.output(b.node(OpKind::Matmul, {a2, b2}, {t, {0, 3}}));
    b.output(b.node(OpKind::Matmul, {a3, b3}, {t, {4, 3}}));
    check({std::string("matmul ") + typeName(t), b.g, Domain::Any, 1e-4});
  }
  {
    // Transposed operands become GEMM flags; a bias and relu epilogue.
    Builder b;
    int32_t a = b.input(F32, {129, 65}), w = b.input(F32, {33, 129}),
            bias = b.input(F32, {33});
    int32_t at = b.node(OpKind::Transpose, {a}, {F32, {65, 129}}, {1, 0});
    int32_t wt = b.node(OpKind::Transpose, {w}, {F32, {129, 33}}, {1, 0});
    int32_t y = b.node(OpKind::Matmul, {at, wt}, {F32, {65, 33}});
    b.output(b.unary(OpKind::Relu, b.binary(OpKind::Add, y,
                                            b.broadcast(bias, {65, 33}, {1}))));
    check({"matmul transposed with epilogue", b.g, Domain::Positive, 1e-4});
  }
  for (ElementType idx : {I32, I64}) {
    Builder b;
    int32_t table = b.input(F32, {10, 4});
    int32_t ids = b.input(idx, {3, 2});
    int32_t updates = b.input(F32, {3, 2, 4});
    b.output(b.node(OpKind::Gather, {table, ids}, {F32, {3, 2, 4}}, {}, 0));
    b.output(b.node(OpKind::Gather, {table, ids}, {F32, {10, 3, 2}}, {}, 1));
    b.output(b.node(OpKind::ScatterAdd, {table, ids, updates}, {F32, {10, 4}},
                    {}, 0));
    check({std::string("gather/scatter_add ") + typeName(idx), b.g,
           Domain::Index, 1e-5, 10});
  }
}

TEST(CpuBackend, RandomAndGradients) {
  for (ElementType t : {F32, F64})
    for (int64_t distribution : {0, 1}) {
      Builder b;
      int32_t seed = b.input(I64, {}), offset = b.input(I64, {});
      b.output(b.node(OpKind::Random, {seed, offset}, {t, {1001}}, {},
                      distribution));
      b.output(b.node(OpKind::Random, {seed, offset}, {t, {3, 7}}, {},
                      distribution));
      check({std::string("random ") + typeName(t) + " " +
                 std::to_string(distribution),
             b.g, Domain::Index, 1e-6, 1000});
    }
  // d/dx sum(softmax(x * w) * c): autodiff, then compiled.
  Builder b;
  int32_t x = b.input(F64, {4, 9}), w = b.input(F64, {4, 9}),
          c = b.input(F64, {4, 9});
  int32_t s = b.node(OpKind::Softmax, {b.binary(OpKind::Mul, x, w)},
                     {F64, {4, 9}}, {}, 1);
  int32_t loss =
      b.reduce(OpKind::ReduceSum, b.binary(OpKind::Mul, s, c), {0, 1});
  GraphNode grad;
  grad.op = OpKind::Grad;
  grad.operands = {loss, x, w};
  grad.results = {{F64, {4, 9}}, {F64, {4, 9}}};
  int32_t gx = b.g.addNode(grad);
  b.output(gx);
  b.output(gx + 1);
  check({"gradients", b.g, Domain::Positive, 1e-10});
}

//===----------------------------------------------------------------------===//
// Around the kernels
//===----------------------------------------------------------------------===//

std::vector<uint8_t> bytesOf(const rt::BufferPtr &buffer, size_t n) {
  const auto *p = static_cast<const uint8_t *>(buffer->data());
  return std::vector<uint8_t>(p, p + n);
}

TEST(CpuBackend, ReductionsAreDeterministicAcrossRunsAndThreads) {
  Builder b;
  int32_t x = b.input(F32, {1 << 20});
  int32_t m = b.input(F32, {512, 1023});
  b.output(b.reduce(OpKind::ReduceSum, x, {0}));
  b.output(b.reduce(OpKind::ReduceSum, m, {0}));
  b.output(b.reduce(OpKind::ReduceSum, m, {1}));
  Compiler compiler(cpuOptions());
  auto executable = compiler.getOrCompile(b.g);
  std::vector<rt::BufferPtr> inputs = makeInputs(b.g, Domain::Positive, 7);
  int threads = rt::getNumThreads();
  std::vector<std::vector<uint8_t>> first;
  for (int t : {1, 2, 1, 2}) {
    rt::setNumThreads(t);
    std::vector<rt::BufferPtr> out = executable->run(inputs);
    std::vector<std::vector<uint8_t>> bytes = {bytesOf(out[0], 4),
                                               bytesOf(out[1], 1023 * 4),
                                               bytesOf(out[2], 512 * 4)};
    if (first.empty())
      first = bytes;
    else
      EXPECT_EQ(bytes, first) << "with " << t << " threads";
  }
  rt::setNumThreads(threads);
}

TEST(CpuBackend, MemoryPlanReusesBuffersByLifetime) {
  // Twelve elementwise ops, unfused: twelve temporaries of 4 KiB, of which
  // at most two are alive at once.
  Builder b;
  int32_t v = b.input(F32, {1024});
  for (int i = 0; i < 12; ++i)
    v = b.unary(i % 2 ? OpKind::Exp : OpKind::Neg, v);
  b.output(v);
  Compiler compiler(cpuOptions(/*fuse=*/false));
  auto executable = compiler.getOrCompile(b.g);
  auto *cpu = dynamic_cast<cpu::CpuExecutable *>(executable.get());
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu->numKernels(), 12u);
  EXPECT_LE(cpu->getPlan().workspaceBytes, 2 * 4096);
  // Fused: one kernel, no temporaries.
  Compiler fused(cpuOptions(/*fuse=*/true));
  auto one = fused.getOrCompile(b.g);
  EXPECT_EQ(one->numKernels(), 1u);
  EXPECT_EQ(
      dynamic_cast<cpu::CpuExecutable *>(one.get())->getPlan().workspaceBytes,
      0);
}

TEST(CpuBackend, ResultsTakeTheBuffersOfInputsTheCallerGivesUp) {
  // y = x * 2 + x: the kernel reads x only at the element it writes.
  Builder b;
  int32_t x = b.input(F32, {1000});
  b.output(b.binary(OpKind::Add,
                    b.binary(OpKind::Mul, x, b.splat(F32, {1000}, 2)), x));
  std::string dir =
      ::testing::TempDir() + "dlc-donation-" + std::to_string(::getpid());
  for (bool fromDisk : {false, true}) {
    CompilerOptions options = cpuOptions();
    options.cacheDir = dir;
    Compiler compiler(options);
    auto executable = compiler.getOrCompile(b.g);
    EXPECT_EQ(compiler.stats().diskHits, fromDisk ? 1 : 0);
    auto *cpu = dynamic_cast<cpu::CpuExecutable *>(executable.get());
    ASSERT_NE(cpu, nullptr);
    rt::BufferPtr input = makeInputs(b.g, Domain::Positive, 5)[0];
    float first = static_cast<float *>(input->data())[0];
    // The caller keeps its buffer: a fresh result, the input untouched.
    std::vector<rt::BufferPtr> kept = executable->run({input});
    EXPECT_NE(kept[0]->data(), input->data());
    EXPECT_EQ(static_cast<float *>(input->data())[0], first);
    EXPECT_EQ(cpu->getDonations(), 0);
    // The caller gives it up: the result is written into it.
    void *memory = input->data();
    std::vector<rt::BufferPtr> given;
    given.push_back(std::move(input));
    std::vector<rt::BufferPtr> donated = executable->run(std::move(given));
    EXPECT_EQ(donated[0]->data(), memory)
        << (fromDisk ? "from disk" : "compiled");
    EXPECT_EQ(cpu->getDonations(), 1);
    EXPECT_FLOAT_EQ(static_cast<float *>(donated[0]->data())[0], 3 * first);
  }
  std::filesystem::remove_all(dir);
}

TEST(CpuBackend, ChainedScattersAddInPlace) {
  // A table's gradient from two lookups: zeros, then two scatter_adds. The
  // second adds into the first's bytes (no copy of the table), and both
  // share the result buffer, so the workspace holds no table.
  Builder b;
  int32_t ids1 = b.input(I64, {3}), up1 = b.input(F32, {3, 4});
  int32_t ids2 = b.input(I64, {5}), up2 = b.input(F32, {5, 4});
  int32_t zeros = b.splat(F32, {1000, 4}, 0);
  int32_t g1 =
      b.node(OpKind::ScatterAdd, {zeros, ids1, up1}, {F32, {1000, 4}}, {}, 0);
  b.output(
      b.node(OpKind::ScatterAdd, {g1, ids2, up2}, {F32, {1000, 4}}, {}, 0));
  check({"chained scatter_add", b.g, Domain::Index, 1e-6, 1000});
  Compiler compiler(cpuOptions());
  auto executable = compiler.getOrCompile(b.g);
  auto *cpu = dynamic_cast<cpu::CpuExecutable *>(executable.get());
  ASSERT_NE(cpu, nullptr);
  const cpu::Plan &plan = cpu->getPlan();
  EXPECT_LT(plan.workspaceBytes, 1000 * 4 * 4);
  std::vector<int32_t> written;
  for (const cpu::Step &step : plan.steps)
    if (step.kind == cpu::StepKind::ScatterAdd)
      written.push_back(plan.slots[step.slots.back()].storage);
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[0], written[1]);
}

TEST(CpuBackend, IdenticalKernelsAreCompiledOnce) {
  // The same elementwise chain on four inputs (a sequence model's time
  // steps): four kernel steps, one compiled kernel.
  Builder b;
  std::vector<int32_t> xs;
  for (int i = 0; i < 5; ++i)
    xs.push_back(b.input(F32, {64}));
  for (int i = 0; i < 4; ++i)
    b.output(b.unary(OpKind::Exp, b.unary(OpKind::Neg, xs[i])));
  b.output(b.unary(OpKind::Tanh, xs[4])); // a different kernel
  check({"identical kernels", b.g, Domain::Any, 1e-6});
  Compiler compiler(cpuOptions());
  auto executable = compiler.getOrCompile(b.g);
  auto *cpu = dynamic_cast<cpu::CpuExecutable *>(executable.get());
  ASSERT_NE(cpu, nullptr);
  std::set<std::string> symbols;
  size_t steps = 0;
  for (const cpu::Step &step : cpu->getPlan().steps)
    if (step.kind == cpu::StepKind::Kernel) {
      ++steps;
      symbols.insert(step.symbol);
    }
  EXPECT_EQ(steps, 5u);
  EXPECT_EQ(symbols.size(), 2u);
}

TEST(CpuBackend, ObjectsPackAndUnpack) {
  // Kernels compiled on several threads are several objects in one
  // artifact (and one disk-cache entry); one object stays as it is.
  std::vector<std::string> objects;
  ASSERT_TRUE(cpu::unpackObjects("\x7f"
                                 "ELF one",
                                 objects));
  EXPECT_EQ(objects, std::vector<std::string>{"\x7f"
                                              "ELF one"});
  EXPECT_EQ(cpu::packObjects({"only"}), "only");
  std::string packed = cpu::packObjects({"first", "", "third"});
  ASSERT_TRUE(cpu::unpackObjects(packed, objects));
  EXPECT_EQ(objects, (std::vector<std::string>{"first", "", "third"}));
  for (size_t cut = 12; cut < packed.size(); ++cut)
    EXPECT_FALSE(cpu::unpackObjects(packed.substr(0, cut), objects)) << cut;
}

TEST(CpuBackend, FallbackRunsOnTheReferenceKernelsAndWarnsOnce) {
  ::setenv("DLC_CPU_REFERENCE_OPS", "dlc.matmul", 1);
  Builder b;
  int32_t l = b.input(F32, {3, 4}), r = b.input(F32, {4, 2});
  int32_t y = b.node(OpKind::Matmul, {l, r}, {F32, {3, 2}});
  b.output(b.unary(OpKind::Exp, y));
  Compiler compiler(cpuOptions());
  testing::internal::CaptureStderr();
  auto executable = compiler.getOrCompile(b.g);
  Builder other;
  int32_t p = other.input(F32, {2, 2}), q = other.input(F32, {2, 2});
  other.output(other.node(OpKind::Matmul, {p, q}, {F32, {2, 2}}));
  compiler.getOrCompile(other.g);
  std::string warnings = testing::internal::GetCapturedStderr();
  ::unsetenv("DLC_CPU_REFERENCE_OPS");
  EXPECT_NE(warnings.find("no CPU code for dlc.matmul"), std::string::npos)
      << warnings;
  EXPECT_EQ(warnings.find("dlc.matmul"), warnings.rfind("dlc.matmul"))
      << "warned twice";
  Compiler reference(referenceOptions());
  std::vector<rt::BufferPtr> inputs = makeInputs(b.g, Domain::Any, 3);
  expectSame(b.g, executable->run(inputs),
             reference.getOrCompile(b.g)->run(inputs), 1e-5, "fallback");
}

//===----------------------------------------------------------------------===//
// The disk cache
//===----------------------------------------------------------------------===//

/// A fresh directory under the test's cache directory.
std::string freshDirectory(const std::string &name) {
  const char *base = std::getenv("DLC_CACHE_DIR");
  fs::path dir =
      fs::path(base && *base ? base : fs::temp_directory_path().string()) /
      ("test-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

Graph cachedGraph() {
  Builder b;
  int32_t x = b.input(F32, {1000});
  int32_t y =
      b.unary(OpKind::Tanh, b.binary(OpKind::Mul, x, b.splat(F32, {1000}, 3)));
  b.output(b.reduce(OpKind::ReduceSum, y, {0}));
  b.output(y);
  return b.g;
}

CompilerOptions cachedOptions(const std::string &dir) {
  CompilerOptions options = cpuOptions();
  options.cacheDir = dir;
  return options;
}

void expectCachedGraphRuns(Compiler &compiler) {
  Graph g = cachedGraph();
  std::vector<rt::BufferPtr> inputs = makeInputs(g, Domain::Positive, 11);
  Compiler reference(referenceOptions());
  expectSame(g, compiler.getOrCompile(g)->run(inputs),
             reference.getOrCompile(g)->run(inputs), 1e-5, "cached graph");
}

/// The child half of SecondProcessLoadsFromDisk: run by the parent with
/// DLC_TEST_CHILD_CACHE set, skipped otherwise.
TEST(DiskCache, ChildProcess) {
  const char *dir = std::getenv("DLC_TEST_CHILD_CACHE");
  if (!dir)
    GTEST_SKIP() << "runs as the child of DiskCache.SecondProcessLoadsFromDisk";
  Compiler compiler(cachedOptions(dir));
  expectCachedGraphRuns(compiler);
  EXPECT_EQ(compiler.stats().diskHits, 1);
  EXPECT_EQ(compiler.stats().cacheMisses, 1);
}

TEST(DiskCache, SecondProcessLoadsFromDisk) {
  if (std::getenv("DLC_TEST_CHILD_CACHE"))
    GTEST_SKIP() << "the parent's half";
  std::string dir = freshDirectory("second-process");
  {
    Compiler compiler(cachedOptions(dir));
    expectCachedGraphRuns(compiler);
    EXPECT_EQ(compiler.stats().diskHits, 0);
    EXPECT_TRUE(fs::exists(compiler.cachePath(cachedGraph())));
  }
  std::string command =
      "DLC_TEST_CHILD_CACHE='" + dir + "' /proc/" + std::to_string(::getpid()) +
      "/exe --gtest_filter=DiskCache.ChildProcess > " + dir + "/child.log 2>&1";
  int status = std::system(command.c_str());
  std::ifstream log(dir + "/child.log");
  std::string text((std::istreambuf_iterator<char>(log)),
                   std::istreambuf_iterator<char>());
  EXPECT_EQ(status, 0) << text;
  EXPECT_NE(text.find("[  PASSED  ] 1 test"), std::string::npos) << text;
  fs::remove_all(dir);
}

TEST(DiskCache, CorruptOrForeignEntriesAreRebuilt) {
  std::string dir = freshDirectory("corrupt");
  std::string path;
  {
    Compiler compiler(cachedOptions(dir));
    expectCachedGraphRuns(compiler);
    path = compiler.cachePath(cachedGraph());
  }
  ASSERT_TRUE(fs::exists(path));
  auto size = fs::file_size(path);
  auto damage = [&](const std::function<void(std::fstream &)> &how) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    how(file);
  };
  std::vector<std::function<void()>> corruptions = {
      [&] { // a flipped byte in the middle (the object code)
        damage([&](std::fstream &f) {
          f.seekp(static_cast<std::streamoff>(size / 2));
          f.put('\x5a');
        });
      },
      [&] { fs::resize_file(path, size / 3); }, // truncated
      [&] { std::ofstream(path, std::ios::trunc) << "not a dlc cache entry"; },
      [&] { std::ofstream(path, std::ios::trunc); }, // empty
  };
  for (size_t i = 0; i < corruptions.size(); ++i) {
    corruptions[i]();
    Compiler compiler(cachedOptions(dir));
    expectCachedGraphRuns(compiler);
    EXPECT_EQ(compiler.stats().diskHits, 0) << "corruption " << i;
    // Rebuilt and rewritten: the next process loads it.
    Compiler next(cachedOptions(dir));
    expectCachedGraphRuns(next);
    EXPECT_EQ(next.stats().diskHits, 1) << "corruption " << i;
    size = fs::file_size(path);
  }
  // No temporary files are left behind.
  for (const auto &entry : fs::directory_iterator(dir))
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos)
        << entry.path();
  fs::remove_all(dir);
}

TEST(DiskCache, AnUnwritableDirectoryOnlyCostsTheCache) {
  // /proc refuses new files even to root: neither the directory nor an
  // entry can be written. Compiling still works, every time.
  CompilerOptions options = cachedOptions("/proc/dlc-unwritable-cache");
  for (int i = 0; i < 2; ++i) {
    Compiler compiler(options);
    expectCachedGraphRuns(compiler);
    EXPECT_EQ(compiler.stats().diskHits, 0);
  }
  EXPECT_FALSE(fs::exists("/proc/dlc-unwritable-cache"));
}

TEST(DiskCache, OptionsAreKeptApart) {
  std::string dir = freshDirectory("options");
  CompilerOptions unfused = cachedOptions(dir);
  unfused.fuse = false;
  Compiler a(cachedOptions(dir)), b(unfused);
  EXPECT_NE(a.cachePath(cachedGraph()), b.cachePath(cachedGraph()));
  EXPECT_EQ(Compiler(CompilerOptions{}).cachePath(cachedGraph()), "");
  fs::remove_all(dir);
}

//===----------------------------------------------------------------------===//
// Reproducers
//===----------------------------------------------------------------------===//

TEST(Reproducer, IsWrittenAndReplaysWithDlcOpt) {
  Builder b;
  b.output(b.unary(OpKind::Exp, b.input(F32, {-1})));
  Compiler compiler(cpuOptions());
  std::string message;
  try {
    compiler.getOrCompile(b.g);
    FAIL() << "expected a compile error";
  } catch (const ::dlc::Error &error) {
    message = error.what();
  }
  EXPECT_NE(message.find("the CPU backend needs static shapes"),
            std::string::npos)
      << message;
  std::string marker = "replay with: ";
  size_t at = message.find(marker);
  ASSERT_NE(at, std::string::npos) << message;
  std::string command = message.substr(at + marker.size());
  command = command.substr(0, command.find('\n'));
  ASSERT_EQ(command.rfind("dlc-opt ", 0), 0u) << command;
  std::string log =
      fs::temp_directory_path() / ("dlc-replay-" + std::to_string(::getpid()));
  int status =
      std::system((std::string(DLC_OPT_PATH) +
                   command.substr(strlen("dlc-opt")) + " > " + log + " 2>&1")
                      .c_str());
  std::ifstream in(log);
  std::string replay((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
  fs::remove(log);
  EXPECT_NE(status, 0);
  EXPECT_NE(replay.find("the CPU backend needs static shapes"),
            std::string::npos)
      << replay;
}

} // namespace
