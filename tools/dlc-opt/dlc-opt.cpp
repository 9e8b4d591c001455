//===- dlc-opt.cpp - Parse, transform and print dlc IR --------------------===//
//
// mlir-opt for dlc: it knows the dlc dialect and the dialects code generation
// lowers to, the dlc passes (dlc-cpu-kernels and dlc-cpu-lower included) and
// the upstream passes that dlc's pipelines are built from, and nothing else,
// which keeps it quick to build.
//
//===----------------------------------------------------------------------===//

#include "codegen/Pipeline.h"
#include "codegen/cpu/Passes.h"
#include "ir/DlcDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::dlc::DlcDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect>();
  mlir::dlc::cpu::registerCpuDialects(registry);

  // Upstream: canonicalize, cse, inline, symbol-dce, ...
  mlir::registerTransformsPasses();
  mlir::dlc::registerDlcPasses();
  mlir::dlc::cpu::registerCpuPasses();
  mlir::dlc::registerDlcPipelines();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "dlc optimizer driver: shows dlc IR at every stage\n",
      registry));
}
