//===- Baselines.cpp - Memory loops and direct BLAS calls -----------------===//

#include "Baselines.h"

#include <dlfcn.h>
#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#ifdef DLC_BENCH_HAVE_DNNL
#include <dnnl.h>
#endif

namespace dlcbench {

FloatBuffer::FloatBuffer(int64_t n) : size(n) {
  size_t bytes =
      (static_cast<size_t>(std::max<int64_t>(n, 1)) * sizeof(float) + 63) / 64 *
      64;
  auto *p = static_cast<float *>(std::aligned_alloc(64, bytes));
  if (!p)
    throw std::bad_alloc();
  ptr.reset(p);
  // Fault the pages in now, not inside the first timed run.
  std::memset(p, 0, bytes);
}

void FloatBuffer::Free::operator()(float *p) const { std::free(p); }

void copyLoop(const float *x, float *y, int64_t n, int threads) {
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t i = 0; i < n; ++i)
    y[i] = x[i];
}

/// Sums a contiguous range with enough independent accumulators to keep the
/// loads, not the adds, the bottleneck (without -ffast-math the compiler
/// would not reassociate a single accumulator).
static float sumRange(const float *x, int64_t begin, int64_t end) {
  constexpr int kLanes = 32;
  float lanes[kLanes] = {};
  int64_t i = begin;
  for (; i + kLanes <= end; i += kLanes)
    for (int j = 0; j < kLanes; ++j)
      lanes[j] += x[i + j];
  float total = 0;
  for (; i < end; ++i)
    total += x[i];
  for (float lane : lanes)
    total += lane;
  return total;
}

float readLoop(const float *x, int64_t n, int threads) {
  float total = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
  {
    int64_t parts = omp_get_num_threads();
    int64_t part = omp_get_thread_num();
    total += sumRange(x, n * part / parts, n * (part + 1) / parts);
  }
  return total;
}

void biasReluLoop(float *c, const float *bias, int64_t m, int64_t n,
                  int threads) {
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      c[i * n + j] = std::max(c[i * n + j] + bias[j], 0.0f);
}

//===----------------------------------------------------------------------===//
// oneDNN
//===----------------------------------------------------------------------===//

#ifdef DLC_BENCH_HAVE_DNNL
bool haveOnednn() { return true; }

void onednnSgemm(int64_t m, int64_t n, int64_t k, const float *a,
                 const float *b, float *c, int threads) {
  // oneDNN's OpenMP build sizes its work by omp_get_max_threads().
  omp_set_num_threads(threads);
  dnnl_sgemm('N', 'N', m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
}
#else
bool haveOnednn() { return false; }

void onednnSgemm(int64_t, int64_t, int64_t, const float *, const float *,
                 float *, int) {}
#endif

//===----------------------------------------------------------------------===//
// OpenBLAS
//===----------------------------------------------------------------------===//

const char *openblasCoreType() {
  // SkylakeX kernels need AVX-512; elsewhere OpenBLAS's own detection is
  // right (and forcing them would fault).
  return __builtin_cpu_supports("avx512f") ? "SkylakeX" : nullptr;
}

OpenBlas *OpenBlas::get() {
  static OpenBlas *instance = new OpenBlas();
  return instance;
}

OpenBlas::OpenBlas() {
  // Must precede the dlopen: OpenBLAS picks its kernels when it loads. The
  // baseline is OpenBLAS at its best, whatever core type the environment
  // names.
  if (const char *coreType = openblasCoreType())
    setenv("OPENBLAS_CORETYPE", coreType, /*overwrite=*/1);
  handle = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *message = dlerror();
    loadError = message ? message : "dlopen(libopenblas.so.0) failed";
    return;
  }
  setThreadsFn = reinterpret_cast<void (*)(int)>(
      dlsym(handle, "openblas_set_num_threads"));
  coreNameFn =
      reinterpret_cast<char *(*)()>(dlsym(handle, "openblas_get_corename"));
  sgemmFn = reinterpret_cast<decltype(sgemmFn)>(dlsym(handle, "cblas_sgemm"));
  if (!sgemmFn || !setThreadsFn) {
    loadError =
        "libopenblas.so.0 lacks cblas_sgemm or openblas_set_num_threads";
    dlclose(handle);
    handle = nullptr;
  }
}

std::string OpenBlas::coreName() const {
  const char *name = coreNameFn ? coreNameFn() : nullptr;
  return name ? name : "unknown";
}

void OpenBlas::setNumThreads(int threads) const { setThreadsFn(threads); }

void OpenBlas::sgemm(int64_t m, int64_t n, int64_t k, const float *a,
                     const float *b, float *c) const {
  constexpr int kRowMajor = 101, kNoTrans = 111;
  sgemmFn(kRowMajor, kNoTrans, kNoTrans, static_cast<int>(m),
          static_cast<int>(n), static_cast<int>(k), 1.0f, a,
          static_cast<int>(k), b, static_cast<int>(n), 0.0f, c,
          static_cast<int>(n));
}

} // namespace dlcbench
