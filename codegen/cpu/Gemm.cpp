//===- Gemm.cpp - Matrix products on the CPU ------------------------------===//

#include "codegen/cpu/Gemm.h"
#include "runtime/Parallel.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <vector>

#ifdef DLC_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl.hpp>
#endif

#include <cmath>

namespace mlir::dlc::cpu {
namespace {

/// Integers accumulate in uint64_t: products and sums wrap modulo 2^64, as
/// the reference kernels' do (signed overflow would be undefined), and the
/// conversion back to int32/int64 keeps the low bits.
template <typename T>
using Acc = std::conditional_t<std::is_floating_point_v<T>, T, uint64_t>;

/// One product with the loop order that keeps the innermost loop contiguous
/// in B and C (vectorizable); rows [rowBegin, rowEnd).
template <typename T>
void loopGemm(int64_t rowBegin, int64_t rowEnd, int64_t n, int64_t k,
              bool transA, bool transB, const T *a, const T *b, T *c,
              int64_t m) {
  thread_local std::vector<Acc<T>> row;
  row.resize(n);
  for (int64_t i = rowBegin; i < rowEnd; ++i) {
    std::fill(row.begin(), row.end(), Acc<T>(0));
    for (int64_t l = 0; l < k; ++l) {
      Acc<T> av = transA ? a[l * m + i] : a[i * k + l];
      if (transB) {
        for (int64_t j = 0; j < n; ++j)
          row[j] += av * static_cast<Acc<T>>(b[j * k + l]);
      } else {
        const T *bl = b + l * n;
        for (int64_t j = 0; j < n; ++j)
          row[j] += av * static_cast<Acc<T>>(bl[j]);
      }
    }
    for (int64_t j = 0; j < n; ++j)
      c[i * n + j] = static_cast<T>(row[j]);
  }
}

template <typename T>
void loopGemmBatched(int64_t batch, int64_t m, int64_t n, int64_t k,
                     bool transA, bool transB, const T *a, const T *b, T *c) {
  // One work item per (matrix, row).
  ::dlc::rt::parallelFor(
      batch * m, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, n * k)),
      [&](int64_t begin, int64_t end) {
        for (int64_t item = begin; item < end;) {
          int64_t p = item / m, i = item % m;
          int64_t last = std::min(end - p * m, m);
          loopGemm<T>(i, last, n, k, transA, transB, a + p * m * k,
                      b + p * k * n, c + p * m * n, m);
          item = p * m + last;
        }
      });
}

} // namespace

const char *gemmLibrary() {
#ifdef DLC_HAVE_ONEDNN
  return "oneDNN";
#else
  return "loops";
#endif
}

void gemm(::dlc::ScalarType type, int64_t batch, int64_t m, int64_t n,
          int64_t k, bool transA, bool transB, const void *a, const void *b,
          void *c) {
  if (batch == 0 || m == 0 || n == 0)
    return;
  switch (type) {
  case ::dlc::ScalarType::Float: {
    const auto *fa = static_cast<const float *>(a);
    const auto *fb = static_cast<const float *>(b);
    auto *fc = static_cast<float *>(c);
    if (k == 0) {
      std::memset(fc, 0, sizeof(float) * batch * m * n);
      return;
    }
#ifdef DLC_HAVE_ONEDNN
    auto one = [&](int64_t p) {
      dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', m, n, k, 1.0f,
                 fa + p * m * k, transA ? m : k, fb + p * k * n, transB ? k : n,
                 0.0f, fc + p * m * n, n);
    };
    // Many small products: one per thread; few large ones: the library
    // splits each.
    if (batch >= ::dlc::rt::getNumThreads() && batch > 1)
      ::dlc::rt::parallelFor(batch, 1, [&](int64_t begin, int64_t end) {
        for (int64_t p = begin; p < end; ++p)
          one(p);
      });
    else
      for (int64_t p = 0; p < batch; ++p)
        one(p);
#else
    loopGemmBatched<float>(batch, m, n, k, transA, transB, fa, fb, fc);
#endif
    return;
  }
  case ::dlc::ScalarType::Double:
    return loopGemmBatched<double>(
        batch, m, n, k, transA, transB, static_cast<const double *>(a),
        static_cast<const double *>(b), static_cast<double *>(c));
  case ::dlc::ScalarType::Int:
    return loopGemmBatched<int32_t>(
        batch, m, n, k, transA, transB, static_cast<const int32_t *>(a),
        static_cast<const int32_t *>(b), static_cast<int32_t *>(c));
  case ::dlc::ScalarType::Long:
    return loopGemmBatched<int64_t>(
        batch, m, n, k, transA, transB, static_cast<const int64_t *>(a),
        static_cast<const int64_t *>(b), static_cast<int64_t *>(c));
  case ::dlc::ScalarType::Bool:
    return;
  }
}

//===----------------------------------------------------------------------===//
// Gemm: oneDNN's matmul primitive with post-ops
//===----------------------------------------------------------------------===//

#ifdef DLC_HAVE_ONEDNN
struct Gemm::Primitive {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  dnnl::memory::desc a, b, bias, c;
  dnnl::matmul matmul;
};
#else
struct Gemm::Primitive {};
#endif

Gemm::Gemm(::dlc::ScalarType type, int64_t batch, int64_t m, int64_t n,
           int64_t k, bool transA, bool transB, bool bias,
           GemmActivation activation)
    : type(type), batch(batch), m(m), n(n), k(k), transA(transA),
      transB(transB), bias(bias), activation(activation) {}

Gemm::~Gemm() = default;

namespace {

template <typename T>
void applyEpilogue(T *c, const T *bias, int64_t rows, int64_t n,
                   GemmActivation activation) {
  ::dlc::rt::parallelFor(rows,
                         std::max<int64_t>(1, 16384 / std::max<int64_t>(n, 1)),
                         [&](int64_t begin, int64_t end) {
                           for (int64_t i = begin; i < end; ++i)
                             for (int64_t j = 0; j < n; ++j) {
                               T &v = c[i * n + j];
                               if (bias)
                                 v += bias[j];
                               switch (activation) {
                               case GemmActivation::None:
                                 break;
                               case GemmActivation::Relu:
                                 v = std::isnan(v) ? v : (v > 0 ? v : T(0));
                                 break;
                               case GemmActivation::Tanh:
                                 v = std::tanh(v);
                                 break;
                               case GemmActivation::Sigmoid:
                                 v = T(1) / (T(1) + std::exp(-v));
                                 break;
                               }
                             }
                         });
}

} // namespace

void Gemm::run(const void *a, const void *b, const void *biasData, void *c) {
  if (batch == 0 || m == 0 || n == 0)
    return;
  bool tiny = batch * m * n * k <= 16384;
#ifdef DLC_HAVE_ONEDNN
  Primitive *primitive = nullptr;
  int threads = ::dlc::rt::getNumThreads();
  auto known =
      std::find_if(primitives.begin(), primitives.end(),
                   [&](const auto &entry) { return entry.first == threads; });
  // Tiny products (a batch of one through a small layer) cost less in a
  // plain loop than a library call's setup.
  if (known != primitives.end()) {
    primitive = known->second.get();
  } else if (type == ::dlc::ScalarType::Float && k > 0 && !tiny) {
    try {
      using dnnl::memory;
      auto p = std::make_unique<Primitive>();
      // Row-major operands, transposed ones as swapped strides.
      memory::dims aDims = {batch, m, k}, bDims = {batch, k, n},
                   cDims = {batch, m, n};
      p->a = memory::desc(aDims, memory::data_type::f32,
                          transA ? memory::format_tag::acb
                                 : memory::format_tag::abc);
      p->b = memory::desc(bDims, memory::data_type::f32,
                          transB ? memory::format_tag::acb
                                 : memory::format_tag::abc);
      p->c =
          memory::desc(cDims, memory::data_type::f32, memory::format_tag::abc);
      if (bias)
        p->bias = memory::desc({1, 1, n}, memory::data_type::f32,
                               memory::format_tag::abc);
      dnnl::post_ops ops;
      switch (activation) {
      case GemmActivation::None:
        break;
      case GemmActivation::Relu:
        ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
        break;
      case GemmActivation::Tanh:
        ops.append_eltwise(1.f, dnnl::algorithm::eltwise_tanh, 0.f, 0.f);
        break;
      case GemmActivation::Sigmoid:
        ops.append_eltwise(1.f, dnnl::algorithm::eltwise_logistic, 0.f, 0.f);
        break;
      }
      dnnl::primitive_attr attributes;
      attributes.set_post_ops(ops);
      dnnl::matmul::desc desc =
          bias ? dnnl::matmul::desc(p->a, p->b, p->bias, p->c)
               : dnnl::matmul::desc(p->a, p->b, p->c);
      dnnl::matmul::primitive_desc pd(desc, attributes, p->engine);
      p->matmul = dnnl::matmul(pd);
      primitive = p.get();
      primitives.emplace_back(threads, std::move(p));
    } catch (const dnnl::error &) {
      // Shapes oneDNN does not take: the fallback below.
      primitives.emplace_back(threads, nullptr);
    }
  }
  if (primitive) {
    using dnnl::memory;
    memory a0(primitive->a, primitive->engine, const_cast<void *>(a));
    memory b0(primitive->b, primitive->engine, const_cast<void *>(b));
    memory c0(primitive->c, primitive->engine, c);
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SRC, a0}, {DNNL_ARG_WEIGHTS, b0}, {DNNL_ARG_DST, c0}};
    if (bias)
      args.emplace(DNNL_ARG_BIAS, memory(primitive->bias, primitive->engine,
                                         const_cast<void *>(biasData)));
    primitive->matmul.execute(primitive->stream, args);
    primitive->stream.wait();
    return;
  }
#endif
  if (tiny && type == ::dlc::ScalarType::Float && k > 0)
    loopGemmBatched<float>(
        batch, m, n, k, transA, transB, static_cast<const float *>(a),
        static_cast<const float *>(b), static_cast<float *>(c));
  else
    gemm(type, batch, m, n, k, transA, transB, a, b, c);
  if (!bias && activation == GemmActivation::None)
    return;
  if (type == ::dlc::ScalarType::Float)
    applyEpilogue(static_cast<float *>(c), static_cast<const float *>(biasData),
                  batch * m, n, activation);
  else if (type == ::dlc::ScalarType::Double)
    applyEpilogue(static_cast<double *>(c),
                  static_cast<const double *>(biasData), batch * m, n,
                  activation);
}

} // namespace mlir::dlc::cpu
