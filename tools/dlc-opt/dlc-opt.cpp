//===- dlc-opt.cpp - Parse, transform and print dlc IR --------------------===//
//
// mlir-opt for dlc: it knows the dlc, func and arith dialects, the dlc passes
// and the upstream passes that dlc's pipelines are built from, and nothing
// else, which keeps it quick to build.
//
//===----------------------------------------------------------------------===//

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

  // Upstream: canonicalize, cse, inline, symbol-dce, ...
  mlir::registerTransformsPasses();
  mlir::dlc::registerDlcPasses();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "dlc optimizer driver: shows dlc IR at every stage\n",
      registry));
}
