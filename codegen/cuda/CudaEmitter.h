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
#include "llvm/ADT/StringSet.h"

#include <string>

namespace mlir::dlc::cuda {

/// Prints the kernels of `module` (the functions dlc-cpu-kernels emitted for
/// the fusions of its functions) as one CUDA C translation unit. Every
/// entry is `extern "C" __global__ void sym(char *p0, ..., long long n,
/// long long grain)`: the step's buffers (inputs, result, partials), then
/// the iteration count and the chunk each thread computes. Emits a
/// diagnostic and fails on an op it cannot print.
///
/// A kernel that reduces along rows (a rows fusion, a reduction over
/// trailing dimensions, a partial kernel) runs in block mode where its loops
/// allow: one block per work item, the loops inside it shared by the
/// block's threads (each takes every blockDim.x-th iteration), accumulators
/// folded by warp shuffles after each loop. Its symbol goes into
/// `blockKernels`: the runtime launches one block per work item for it.
FailureOr<std::string>
emitCudaSource(ModuleOp module, llvm::StringSet<> *blockKernels = nullptr);

/// Registers `--dlc-emit-cuda` with dlc-opt: runs nothing, prints the CUDA
/// C of a module that went through dlc-cpu-kernels.
void registerCudaTranslation();

} // namespace mlir::dlc::cuda

#endif // DLC_CODEGEN_CUDA_CUDAEMITTER_H
