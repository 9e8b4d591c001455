//===- Pipeline.cpp - From a dlc function to an executable ----------------===//

#include "codegen/Pipeline.h"
#include "codegen/cpu/Passes.h"
#include "codegen/cuda/CudaBackend.h"
#include "codegen/reference/ReferenceExecutor.h"
#include "ir/DlcDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

#include <cassert>
#include <cstring>
#include <mutex>

namespace mlir::dlc {

void registerCompilerDialects(DialectRegistry &registry) {
  registry.insert<DlcDialect, func::FuncDialect>();
  cpu::registerCpuDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

const char *getDefaultPipeline() {
  // Autodiff comes first: a rewrite before it (reshape of reshape, x * 1)
  // could make the differentiated value stop depending on a wrt value that
  // is an intermediate result.
  return "builtin.module(func.func(dlc-autodiff,canonicalize,cse,dlc-decompose,"
         "cse,dlc-schedule-collectives))";
}

std::string getCpuPipeline(bool fuse) {
  std::string text = getDefaultPipeline();
  // Into the func.func(...) nest, then after it at module level.
  text.erase(text.size() - 2);
  text += fuse ? ",dlc-fuse)" : ",dlc-fuse{single-ops=true})";
  return text + ",dlc-cpu-kernels)";
}

std::string getCudaPipeline(bool fuse) {
  std::string text = getCpuPipeline(fuse);
  text.erase(text.size() - 1);
  return text + "{flatten-elementwise=true partial-elements=" +
         std::to_string(cuda::kPartialElements) + "})";
}

void buildPipeline(OpPassManager &pm, StringRef pipeline) {
  // The pipeline text is the one place it is written down; parsing it needs
  // its passes in the registry.
  static std::once_flag registered;
  std::call_once(registered, [] {
    registerCanonicalizer();
    registerCSE();
    registerDlcAutodiff();
    registerDlcDecompose();
    registerDlcFuse();
    registerDlcScheduleCollectives();
    cpu::registerCpuPasses();
  });
  StringRef text = pipeline;
  text.consume_front("builtin.module(");
  text.consume_back(")");
  LogicalResult parsed = parsePassPipeline(text, pm);
  assert(succeeded(parsed) && "a dlc pipeline does not parse");
  (void)parsed;
}

void registerDlcPipelines() {
  static std::once_flag once;
  std::call_once(once, [] {
    PassPipelineRegistration<>(
        "dlc-pipeline",
        "What every recorded graph goes through: " +
            std::string(getDefaultPipeline()),
        [](OpPassManager &pm) { buildDefaultPipeline(pm); });
    PassPipelineRegistration<>("dlc-cpu-pipeline",
                               "The CPU backend's pipeline, up to kernels: " +
                                   getCpuPipeline(/*fuse=*/true),
                               [](OpPassManager &pm) {
                                 buildPipeline(pm,
                                               getCpuPipeline(/*fuse=*/true));
                               });
    PassPipelineRegistration<>("dlc-cuda-pipeline",
                               "The CUDA backend's pipeline, up to kernels "
                               "(--dlc-emit-cuda prints them): " +
                                   getCudaPipeline(/*fuse=*/true),
                               [](OpPassManager &pm) {
                                 buildPipeline(pm,
                                               getCudaPipeline(/*fuse=*/true));
                               });
  });
}

void buildDefaultPipeline(OpPassManager &pm) {
  buildPipeline(pm, getDefaultPipeline());
}

std::unique_ptr<::dlc::rt::Executable>
buildExecutable(ModuleOp module, StringRef name, bool checkFinite) {
  auto func = module.lookupSymbol<func::FuncOp>(name);
  if (!func) {
    module.emitError("no function named '") << name << "'";
    return nullptr;
  }
  return buildReferenceExecutable(func, checkFinite);
}

} // namespace mlir::dlc
