//===- RuntimeKernels.h - The CUDA kernels every program shares -----------===//
//
// The steps that are not fusions (gather, scatter_add, concat, fill, the
// fold of a reduction's partials, a GEMM's bias and activation, integer
// GEMMs) run fixed kernels, written once in CUDA C here and compiled by
// NVRTC the first time a device needs them.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_CODEGEN_CUDA_RUNTIMEKERNELS_H
#define DLC_CODEGEN_CUDA_RUNTIMEKERNELS_H

#include "runtime/Cuda.h"

#include <memory>

namespace mlir::dlc::cuda {

/// The CUDA C of the runtime kernels.
const char *runtimeKernelSource();

/// The runtime kernels loaded on `device` (compiled and loaded once per
/// process and device). Throws dlc::Error when NVRTC or the driver fails.
std::shared_ptr<::dlc::rt::cuda::Module> runtimeKernels(int device);

} // namespace mlir::dlc::cuda

#endif // DLC_CODEGEN_CUDA_RUNTIMEKERNELS_H
