//===- Pipeline.cpp - From a dlc function to an executable ----------------===//

#include "codegen/Pipeline.h"
#include "codegen/reference/ReferenceExecutor.h"
#include "ir/DlcDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::dlc {

void registerCompilerDialects(DialectRegistry &registry) {
  registry.insert<DlcDialect, func::FuncDialect>();
}

void buildDefaultPipeline(OpPassManager &pm) {
  OpPassManager &fn = pm.nest<func::FuncOp>();
  fn.addPass(createCanonicalizerPass());
  fn.addPass(createDlcDecompose());
  fn.addPass(createCSEPass());
}

std::unique_ptr<::dlc::rt::Executable> buildExecutable(ModuleOp module,
                                                       StringRef name) {
  auto func = module.lookupSymbol<func::FuncOp>(name);
  if (!func) {
    module.emitError("no function named '") << name << "'";
    return nullptr;
  }
  return buildReferenceExecutable(func);
}

} // namespace mlir::dlc
