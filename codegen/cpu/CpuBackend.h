//===- CpuBackend.h - dlc functions as CPU executables --------------------===//

#ifndef DLC_CODEGEN_CPU_CPUBACKEND_H
#define DLC_CODEGEN_CPU_CPUBACKEND_H

#include "codegen/cpu/Plan.h"
#include "runtime/Executable.h"

#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <string>

namespace mlir::dlc::cpu {

/// Everything a process needs to run a compiled function: the plan and the
/// object code of its kernels (the steps name their symbols). What the disk
/// cache stores.
struct CpuArtifact {
  Plan plan;
  std::string object;
};

/// Plans the function `name` of `module` (through the CPU pipeline): its
/// buffers and steps, kernels named by symbol. What the CUDA backend runs
/// too, with the same kernels printed as CUDA C.
FailureOr<Plan> planFunction(ModuleOp module, StringRef name);

/// Compiles the function `name` of `module`, which has been through the CPU
/// pipeline (getCpuPipeline(): fused, kernels emitted): plans its buffers and
/// steps, lowers the kernels to LLVM and compiles them for the host. Ops
/// without CPU code run on the reference kernels, with a warning on stderr
/// the first time each kind of op does. Emits diagnostics on failure.
FailureOr<CpuArtifact> compileCpuArtifact(ModuleOp module, StringRef name);

/// Loads an artifact's code. Returns null and `error` when it does not load.
std::unique_ptr<::dlc::rt::Executable> loadCpuExecutable(CpuArtifact artifact,
                                                         std::string &error);

} // namespace mlir::dlc::cpu

#endif // DLC_CODEGEN_CPU_CPUBACKEND_H
