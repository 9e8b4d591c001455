//===- Gemm.h - Matrix products on the CPU --------------------------------===//

#ifndef DLC_CODEGEN_CPU_GEMM_H
#define DLC_CODEGEN_CPU_GEMM_H

#include "runtime/ScalarType.h"

#include <cstdint>

namespace mlir::dlc::cpu {

/// C[b] = op(A[b]) @ op(B[b]) for `batch` row-major matrices, op(X) = X or
/// X^T. f32 goes to the BLAS library dlc was built with (oneDNN, which
/// detects the CPU's vector extensions by itself); other types to a plain
/// blocked loop. Parallel over the batch when it is large, inside each
/// product otherwise.
void gemm(::dlc::ScalarType type, int64_t batch, int64_t m, int64_t n, int64_t k,
          bool transA, bool transB, const void *a, const void *b, void *c);

/// The library behind f32 products: "oneDNN" or "loops".
const char *gemmLibrary();

} // namespace mlir::dlc::cpu

#endif // DLC_CODEGEN_CPU_GEMM_H
