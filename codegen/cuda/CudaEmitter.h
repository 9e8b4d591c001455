//===- CudaEmitter.h - The CPU backend's loop nests as CUDA C -------------===//
//
// dlc-cpu-kernels writes every dlc.fusion as a loop nest over [begin, end)
// of its iteration space (scf, arith, math, llvm pointers). The CUDA
// backend prints the same loop nests as CUDA C: each `sym_impl` becomes a
// __device__ function and each kernel an `extern "C" __global__` entry in
// which every thread of a grid-stride loop computes one iteration (or, for
// a reduction over every dimension, one chunk: one partial).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_CODEGEN_CUDA_CUDAEMITTER_H
#define DLC_CODEGEN_CUDA_CUDAEMITTER_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::dlc::cuda {

/// Prints the kernels of `module` (the functions dlc-cpu-kernels emitted for
/// the fusions of its functions) as one CUDA C translation unit. Every
/// entry is `extern "C" __global__ void sym(char *p0, ..., long long n,
/// long long grain)`: the step's buffers (inputs, result, partials), then
/// the iteration count and the chunk each thread computes. Emits a
/// diagnostic and fails on an op it cannot print.
FailureOr<std::string> emitCudaSource(ModuleOp module);

/// Registers `--dlc-emit-cuda` with dlc-opt: runs nothing, prints the CUDA
/// C of a module that went through dlc-cpu-kernels.
void registerCudaTranslation();

} // namespace mlir::dlc::cuda

#endif // DLC_CODEGEN_CUDA_CUDAEMITTER_H
