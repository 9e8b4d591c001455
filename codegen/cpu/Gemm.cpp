//===- Gemm.cpp - Matrix products on the CPU ------------------------------===//

#include "codegen/cpu/Gemm.h"
#include "runtime/Parallel.h"

#include <algorithm>
#include <cstring>
#include <vector>

#ifdef DLC_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#endif

namespace mlir::dlc::cpu {
namespace {

template <typename T> using Acc = std::conditional_t<std::is_floating_point_v<T>, T, int64_t>;

/// One product with the loop order that keeps the innermost loop contiguous
/// in B and C (vectorizable); rows [rowBegin, rowEnd).
template <typename T>
void loopGemm(int64_t rowBegin, int64_t rowEnd, int64_t n, int64_t k, bool transA,
              bool transB, const T *a, const T *b, T *c, int64_t m) {
  std::vector<Acc<T>> row(n);
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
void loopGemmBatched(int64_t batch, int64_t m, int64_t n, int64_t k, bool transA, bool transB,
                     const T *a, const T *b, T *c) {
  // One work item per (matrix, row).
  ::dlc::rt::parallelFor(batch * m, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, n * k)),
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

void gemm(::dlc::ScalarType type, int64_t batch, int64_t m, int64_t n, int64_t k, bool transA,
          bool transB, const void *a, const void *b, void *c) {
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
      dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', m, n, k, 1.0f, fa + p * m * k,
                 transA ? m : k, fb + p * k * n, transB ? k : n, 0.0f, fc + p * m * n, n);
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
    return loopGemmBatched<double>(batch, m, n, k, transA, transB, static_cast<const double *>(a),
                                   static_cast<const double *>(b), static_cast<double *>(c));
  case ::dlc::ScalarType::Int:
    return loopGemmBatched<int32_t>(batch, m, n, k, transA, transB,
                                    static_cast<const int32_t *>(a),
                                    static_cast<const int32_t *>(b), static_cast<int32_t *>(c));
  case ::dlc::ScalarType::Long:
    return loopGemmBatched<int64_t>(batch, m, n, k, transA, transB,
                                    static_cast<const int64_t *>(a),
                                    static_cast<const int64_t *>(b), static_cast<int64_t *>(c));
  case ::dlc::ScalarType::Bool:
    return;
  }
}

} // namespace mlir::dlc::cpu
