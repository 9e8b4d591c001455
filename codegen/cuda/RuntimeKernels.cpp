//===- RuntimeKernels.cpp - The CUDA kernels every program shares ---------===//

#include "codegen/cuda/RuntimeKernels.h"

#include <map>
#include <mutex>

namespace mlir::dlc::cuda {

namespace rt = ::dlc::rt;

const char *runtimeKernelSource() {
  return R"(// dlc's runtime kernels: every grid-stride loop over 64-bit indices.
#define DLC_LOOP(i, n)                                                         \
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
       i += (long long)gridDim.x * blockDim.x)

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

static __device__ __forceinline__ long long dlc_index(const char *indices,
                                                      int wide, long long i) {
  return wide ? ((const long long *)indices)[i] : ((const int *)indices)[i];
}

// dlc.gather: rows of `rowUnits` units picked along an axis of `size`
// (indices clamped into range).
#define DLC_GATHER(T)                                                          \
  extern "C" __global__ void dlc_gather_##T(                                   \
      const T *in, const char *indices, int wide, T *out, long long outer,     \
      long long size, long long count, long long rowUnits) {                   \
    DLC_LOOP(t, outer * count * rowUnits) {                                    \
      long long item = t / rowUnits, c = t - item * rowUnits;                  \
      long long o = item / count, i = item - o * count;                        \
      long long j = dlc_index(indices, wide, i);                               \
      j = j < 0 ? 0 : (j >= size ? size - 1 : j);                              \
      out[t] = in[(o * size + j) * rowUnits + c];                              \
    }                                                                          \
  }
DLC_GATHER(u8)
DLC_GATHER(u32)
DLC_GATHER(u64)

// dlc.scatter_add into `out` (already a copy of the input): indices out of
// range are skipped. Atomic: rows hit twice in one batch add up.
#define DLC_SCATTER_ADD(NAME, T, ATOMIC_T)                                     \
  extern "C" __global__ void dlc_scatter_add_##NAME(                           \
      const char *indices, int wide, const T *updates, T *out,                 \
      long long outer, long long size, long long count, long long inner) {     \
    DLC_LOOP(t, outer * count * inner) {                                       \
      long long item = t / inner, c = t - item * inner;                        \
      long long o = item / count, i = item - o * count;                        \
      long long j = dlc_index(indices, wide, i);                               \
      if (j < 0 || j >= size)                                                  \
        continue;                                                              \
      atomicAdd((ATOMIC_T *)&out[(o * size + j) * inner + c],                  \
                (ATOMIC_T)updates[t]);                                         \
    }                                                                          \
  }
DLC_SCATTER_ADD(f32, float, float)
DLC_SCATTER_ADD(f64, double, double)
DLC_SCATTER_ADD(i32, int, int)
DLC_SCATTER_ADD(i64, long long, unsigned long long)

// Rows of one tensor into a wider one (dlc.concat, one input at a time).
#define DLC_COPY_ROWS(T)                                                       \
  extern "C" __global__ void dlc_copy_rows_##T(                                \
      const T *src, T *dst, long long rows, long long rowUnits,                \
      long long srcStride, long long dstStride) {                              \
    DLC_LOOP(t, rows * rowUnits) {                                             \
      long long r = t / rowUnits, c = t - r * rowUnits;                        \
      dst[r * dstStride + c] = src[r * srcStride + c];                         \
    }                                                                          \
  }
DLC_COPY_ROWS(u8)
DLC_COPY_ROWS(u32)
DLC_COPY_ROWS(u64)

#define DLC_FILL(T)                                                            \
  extern "C" __global__ void dlc_fill_##T(T *out, long long n, T value) {      \
    DLC_LOOP(i, n) out[i] = value;                                             \
  }
DLC_FILL(u8)
DLC_FILL(u32)
DLC_FILL(u64)

// Folds a reduction's partials: 0 sum, 1 max, 2 min (NaN wins). One block:
// thread t folds partials t, t + blockDim.x, ... in order, then thread 0
// folds the threads' results in order: the same bits every run.
#define DLC_COMBINE(NAME, ACC, OUT, LOWEST, HIGHEST, IS_NAN, NAN_VALUE)        \
  extern "C" __global__ void dlc_combine_##NAME(const ACC *partials,           \
                                                long long count, int op,       \
                                                OUT *out) {                    \
    __shared__ ACC folded[1024];                                               \
    __shared__ bool nans[1024];                                                \
    if (blockIdx.x != 0)                                                       \
      return;                                                                  \
    ACC acc = op == 0 ? (ACC)0 : (op == 1 ? (LOWEST) : (HIGHEST));             \
    bool nan = false;                                                          \
    for (long long i = threadIdx.x; i < count; i += blockDim.x) {              \
      ACC v = partials[i];                                                     \
      if (op == 0) {                                                           \
        acc += v;                                                              \
        continue;                                                              \
      }                                                                        \
      if (IS_NAN(v))                                                           \
        nan = true;                                                            \
      acc = op == 1 ? (v > acc ? v : acc) : (v < acc ? v : acc);               \
    }                                                                          \
    folded[threadIdx.x] = acc;                                                 \
    nans[threadIdx.x] = nan;                                                   \
    __syncthreads();                                                           \
    if (threadIdx.x != 0)                                                      \
      return;                                                                  \
    for (unsigned t = 1; t < blockDim.x; ++t) {                                \
      ACC v = folded[t];                                                       \
      nan = nan || nans[t];                                                    \
      acc = op == 0 ? acc + v                                                  \
                    : (op == 1 ? (v > acc ? v : acc) : (v < acc ? v : acc));   \
    }                                                                          \
    if (nan)                                                                   \
      acc = NAN_VALUE;                                                         \
    *out = (OUT)acc;                                                           \
  }
#define DLC_FLOAT_NAN(v) ((v) != (v))
#define DLC_NO_NAN(v) false
#define DLC_F64_INF __longlong_as_double(0x7ff0000000000000LL)
#define DLC_F64_NAN __longlong_as_double(0x7ff8000000000000LL)
#define DLC_F32_INF __int_as_float(0x7f800000)
#define DLC_F32_NAN __int_as_float(0x7fc00000)
DLC_COMBINE(f64_f32, double, float, -DLC_F64_INF, DLC_F64_INF, DLC_FLOAT_NAN,
            DLC_F64_NAN)
DLC_COMBINE(f64_f64, double, double, -DLC_F64_INF, DLC_F64_INF, DLC_FLOAT_NAN,
            DLC_F64_NAN)
DLC_COMBINE(f32_f32, float, float, -DLC_F32_INF, DLC_F32_INF, DLC_FLOAT_NAN,
            DLC_F32_NAN)
DLC_COMBINE(i64_i32, long long, int, (long long)0x8000000000000000ULL,
            0x7fffffffffffffffLL, DLC_NO_NAN, acc)
DLC_COMBINE(i64_i64, long long, long long, (long long)0x8000000000000000ULL,
            0x7fffffffffffffffLL, DLC_NO_NAN, acc)
DLC_COMBINE(i32_i32, int, int, (int)0x80000000, 0x7fffffff, DLC_NO_NAN, acc)
DLC_COMBINE(u8_u8, u8, u8, 0, 1, DLC_NO_NAN, acc)

// A GEMM's epilogue: c = act(c + bias row); 1 relu, 2 tanh, 3 sigmoid.
#define DLC_EPILOGUE(NAME, T, TANH, EXP)                                       \
  extern "C" __global__ void dlc_epilogue_##NAME(                              \
      T *c, const T *bias, long long rows, long long n, int act) {             \
    DLC_LOOP(t, rows * n) {                                                    \
      T v = c[t];                                                              \
      if (bias)                                                                \
        v += bias[t % n];                                                      \
      if (act == 1)                                                            \
        v = v > (T)0 ? v : (T)0;                                               \
      else if (act == 2)                                                       \
        v = TANH(v);                                                           \
      else if (act == 3)                                                       \
        v = (T)1 / ((T)1 + EXP(-v));                                           \
      c[t] = v;                                                                \
    }                                                                          \
  }
DLC_EPILOGUE(f32, float, tanhf, expf)
DLC_EPILOGUE(f64, double, tanh, exp)

// Integer matrix products (rare: cuBLAS has none), one thread per element.
#define DLC_GEMM(NAME, T)                                                      \
  extern "C" __global__ void dlc_gemm_##NAME(                                  \
      const T *a, const T *b, T *c, long long batch, long long m, long long n, \
      long long k, int transA, int transB) {                                   \
    DLC_LOOP(t, batch * m * n) {                                               \
      long long p = t / (m * n), r = (t / n) % m, col = t % n;                 \
      const T *A = a + p * m * k, *B = b + p * k * n;                          \
      T acc = 0;                                                               \
      for (long long q = 0; q < k; ++q)                                        \
        acc += (transA ? A[q * m + r] : A[r * k + q]) *                        \
               (transB ? B[col * k + q] : B[q * n + col]);                     \
      c[t] = acc;                                                              \
    }                                                                          \
  }
DLC_GEMM(i32, int)
DLC_GEMM(i64, long long)
)";
}

std::shared_ptr<rt::cuda::Module> runtimeKernels(int device) {
  static std::mutex mutex;
  static std::string *ptx = nullptr;
  static std::map<int, std::shared_ptr<rt::cuda::Module>> *loaded =
      new std::map<int, std::shared_ptr<rt::cuda::Module>>();
  std::lock_guard<std::mutex> lock(mutex);
  auto it = loaded->find(device);
  if (it != loaded->end())
    return it->second;
  int arch = rt::cuda::targetArchitecture(device);
  if (!ptx)
    ptx = new std::string(
        rt::cuda::compileToPtx(runtimeKernelSource(), "dlc_runtime.cu", arch));
  std::shared_ptr<rt::cuda::Module> module =
      rt::cuda::Module::load(device, *ptx);
  loaded->emplace(device, module);
  return module;
}

} // namespace mlir::dlc::cuda
