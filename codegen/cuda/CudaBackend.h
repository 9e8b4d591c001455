//===- CudaBackend.h - dlc functions as CUDA executables ------------------===//
//
// The CUDA backend shares the CPU backend's front half: the same pipeline
// (with smaller chunks for full reductions), the same plan of buffers and
// steps. Its kernels are the same loop nests printed as CUDA C and compiled
// by NVRTC to PTX; GEMMs go to cuBLAS, gathers, scatters, concats, fills and
// the folding of partials to a fixed set of runtime kernels, and the ops
// without a kernel to the reference kernels on the host (their operands are
// copied over and back).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_CODEGEN_CUDA_CUDABACKEND_H
#define DLC_CODEGEN_CUDA_CUDABACKEND_H

#include "codegen/cpu/Plan.h"
#include "runtime/Executable.h"

#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <string>

namespace mlir::dlc::cuda {

/// The elements per partial of a reduction over every dimension on a GPU
/// (the dlc-cpu-kernels option the CUDA pipeline sets).
inline constexpr int64_t kPartialElements = 16384;

/// The `attr` of a kernel step whose kernel runs one block per work item
/// (emitCudaSource's block mode); 0: one thread per work item.
inline constexpr int64_t kBlockPerItem = 1;

/// What the disk cache keeps of a CUDA program: the plan, and the PTX of
/// its kernels for compute_<arch>.
struct CudaArtifact {
  cpu::Plan plan;
  std::string ptx;
  std::string source; ///< the CUDA C (not cached; for DLC_DUMP_IR)
};

/// Compiles the function `name` of `module` (through getCudaPipeline()):
/// plans it, prints its kernels as CUDA C and compiles them with NVRTC for
/// compute_<arch>. Needs no GPU. Emits diagnostics on failure.
FailureOr<CudaArtifact> compileCudaArtifact(ModuleOp module, StringRef name,
                                            int arch);

/// Loads an artifact on CUDA device `device`. Returns null and `error` when
/// it does not load (no GPU, or PTX the driver refuses).
std::unique_ptr<::dlc::rt::Executable>
loadCudaExecutable(cpu::Plan plan, const std::string &ptx, int device,
                   std::string &error);

/// Runs `host` (an executable of host buffers) on the buffers of CUDA
/// device `device`: inputs are copied to the host and results back. How
/// the reference backend (and anomaly detection) serves CUDA tensors.
std::unique_ptr<::dlc::rt::Executable>
wrapHostExecutable(std::shared_ptr<::dlc::rt::Executable> host, int device);

/// The other way round: `device` (a CUDA executable) behind host buffers,
/// copied over and back at every run. For tools (dlc-run --device cuda).
std::unique_ptr<::dlc::rt::Executable>
wrapDeviceExecutable(std::shared_ptr<::dlc::rt::Executable> device, int index);

} // namespace mlir::dlc::cuda

#endif // DLC_CODEGEN_CUDA_CUDABACKEND_H
