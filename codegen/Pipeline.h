//===- Pipeline.h - From a dlc function to an executable ------------------===//

#ifndef DLC_CODEGEN_PIPELINE_H
#define DLC_CODEGEN_PIPELINE_H

#include "runtime/Executable.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <memory>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::dlc {

/// The dialects a dlc module may contain (dlc, func), those code
/// generation creates, and their translations to LLVM IR.
void registerCompilerDialects(DialectRegistry &registry);

/// The passes every recorded graph goes through before a backend sees it, in
/// dlc-opt's --pass-pipeline syntax: dlc-autodiff, canonicalize, cse,
/// dlc-decompose, cse.
const char *getDefaultPipeline();

/// Adds getDefaultPipeline() to `pm` (a module-level pass manager).
void buildDefaultPipeline(OpPassManager &pm);

/// The CPU backend's pipeline: the default one, then dlc-fuse (with
/// `single-ops` when `fuse` is false: one kernel per op) and
/// dlc-cpu-kernels. What the CPU planner reads.
std::string getCpuPipeline(bool fuse = true);

/// The CUDA backend's: the CPU one with full reductions in chunks of
/// cuda::kPartialElements (many partials for many threads).
std::string getCudaPipeline(bool fuse = true);

/// Registers dlc's pipelines as named passes (`--dlc-pipeline`: the
/// default one; `--dlc-cpu-pipeline`: the CPU backend's;
/// `--dlc-cuda-pipeline`), for dlc-opt.
void registerDlcPipelines();

/// Adds a pipeline in --pass-pipeline syntax ("builtin.module(...)") to
/// `pm`, registering dlc's passes first.
void buildPipeline(OpPassManager &pm, StringRef pipeline);

/// An executable for the function `name` of `module` (already through the
/// pipeline), from the reference backend (checking every op's results with
/// `checkFinite`: see buildReferenceExecutable). Emits diagnostics and
/// returns null on failure.
std::unique_ptr<::dlc::rt::Executable>
buildExecutable(ModuleOp module, StringRef name, bool checkFinite = false);

} // namespace mlir::dlc

#endif // DLC_CODEGEN_PIPELINE_H
