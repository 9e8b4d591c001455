//===- Gemm.h - Matrix products on the CPU --------------------------------===//

#ifndef DLC_CODEGEN_CPU_GEMM_H
#define DLC_CODEGEN_CPU_GEMM_H

#include "runtime/ScalarType.h"

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace mlir::dlc::cpu {

/// C[b] = op(A[b]) @ op(B[b]) for `batch` row-major matrices, op(X) = X or
/// X^T. f32 goes to the BLAS library dlc was built with (oneDNN, which
/// detects the CPU's vector extensions by itself); other types to a plain
/// blocked loop. Parallel over the batch when it is large, inside each
/// product otherwise.
void gemm(::dlc::ScalarType type, int64_t batch, int64_t m, int64_t n,
          int64_t k, bool transA, bool transB, const void *a, const void *b,
          void *c);

/// The library behind f32 products: "oneDNN" or "loops".
const char *gemmLibrary();

/// An activation applied to a product (plus bias) by the GEMM itself.
enum class GemmActivation : int64_t {
  None = 0,
  Relu = 1,
  Tanh = 2,
  Sigmoid = 3
};

/// One matrix product of fixed shapes, with an optional bias row (`n`
/// values added to every row) and activation: `act(op(A) @ op(B) + bias)`.
/// f32 goes to oneDNN's matmul primitive (made once, at the first run:
/// oneDNN picks and JIT-compiles its kernel for the CPU), with bias and
/// activation as its post-ops (oneDNN's own kernels beat its sgemm, by 1.6x
/// for a transposed B on two threads); other types, or a oneDNN that
/// refuses the shape, to gemm() and plain loops for the rest.
class Gemm {
public:
  Gemm(::dlc::ScalarType type, int64_t batch, int64_t m, int64_t n, int64_t k,
       bool transA, bool transB, bool bias, GemmActivation activation);
  ~Gemm();
  Gemm(const Gemm &) = delete;
  Gemm &operator=(const Gemm &) = delete;

  void run(const void *a, const void *b, const void *bias, void *c);

private:
  struct Primitive;
  ::dlc::ScalarType type;
  int64_t batch, m, n, k;
  bool transA, transB, bias;
  GemmActivation activation;
  /// oneDNN fixes a primitive's split across threads when it makes it: one
  /// per thread count used (null where oneDNN refused).
  std::vector<std::pair<int, std::unique_ptr<Primitive>>> primitives;
};

} // namespace mlir::dlc::cpu

#endif // DLC_CODEGEN_CPU_GEMM_H
