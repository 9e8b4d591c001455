//===- Baselines.h - What dlc is measured against, besides LibTorch -------===//
//
// The memory limit of a memory-bound workload (plain OpenMP copy and read
// loops over the same bytes) and the best BLAS on the machine called
// directly: oneDNN's dnnl_sgemm (when dlc-bench was built with it) and
// OpenBLAS's cblas_sgemm, loaded with dlopen so that its core type can be set
// first.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TOOLS_DLC_BENCH_BASELINES_H
#define DLC_TOOLS_DLC_BENCH_BASELINES_H

#include <cstdint>
#include <memory>
#include <string>

namespace dlcbench {

/// A 64-byte aligned float array, its pages touched.
struct FloatBuffer {
  explicit FloatBuffer(int64_t n);
  float *data() const { return ptr.get(); }
  int64_t size;

private:
  struct Free {
    void operator()(float *p) const;
  };
  std::unique_ptr<float, Free> ptr;
};

/// `y[i] = x[i]` for i < n on `threads` OpenMP threads.
void copyLoop(const float *x, float *y, int64_t n, int threads);
/// The sum of x[0..n) on `threads` OpenMP threads: a pure read stream.
float readLoop(const float *x, int64_t n, int threads);
/// `c[i][j] = max(c[i][j] + bias[j], 0)` for an [m, n] matrix.
void biasReluLoop(float *c, const float *bias, int64_t m, int64_t n,
                  int threads);

/// Whether dlc-bench was built with oneDNN.
bool haveOnednn();
/// Row-major C[m, n] = A[m, k] B[k, n] with oneDNN on `threads` threads.
void onednnSgemm(int64_t m, int64_t n, int64_t k, const float *a,
                 const float *b, float *c, int threads);

/// The OPENBLAS_CORETYPE to give OpenBLAS 0.3.21 on this CPU: "SkylakeX" on
/// AVX-512 CPUs it misdetects as Prescott, null where its detection is right.
const char *openblasCoreType();

/// OpenBLAS, opened on first use. OpenBLAS 0.3.21 takes AVX-512 CPUs for a
/// Prescott (5-8x slower) unless OPENBLAS_CORETYPE is set when it loads;
/// get() sets it to openblasCoreType() (where that is not null) first.
class OpenBlas {
public:
  /// Opens libopenblas.so.0; false (see error()) when it is not there.
  static OpenBlas *get();
  const std::string &error() const { return loadError; }
  /// The core OpenBLAS selected (openblas_get_corename).
  std::string coreName() const;
  void setNumThreads(int threads) const;
  /// Row-major C[m, n] = A[m, k] B[k, n].
  void sgemm(int64_t m, int64_t n, int64_t k, const float *a, const float *b,
             float *c) const;
  bool loaded() const { return handle != nullptr; }

private:
  OpenBlas();
  void *handle = nullptr;
  std::string loadError;
  void (*setThreadsFn)(int) = nullptr;
  char *(*coreNameFn)() = nullptr;
  void (*sgemmFn)(int, int, int, int, int, int, float, const float *, int,
                  const float *, int, float, float *, int) = nullptr;
};

} // namespace dlcbench

#endif // DLC_TOOLS_DLC_BENCH_BASELINES_H
