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
#include "codegen/cuda/CudaEmitter.h"
#include "ir/DlcDialect.h"
#include "ir/Nesting.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::dlc::DlcDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect>();
  mlir::dlc::cpu::registerCpuDialects(registry);

  // Upstream: canonicalize, cse, inline, symbol-dce, ...
  mlir::registerTransformsPasses();
  mlir::dlc::registerDlcPasses();
  mlir::dlc::cpu::registerCpuPasses();
  mlir::dlc::cuda::registerCudaTranslation();
  mlir::dlc::registerDlcPipelines();

  // mlir-opt's main, with the input read here first: a file nesting
  // brackets deeper than MLIR's parser can recurse gets a diagnostic
  // (ir/Nesting.h).
  auto [inputName, outputName] = mlir::registerAndParseCLIOptions(
      argc, argv, "dlc optimizer driver: shows dlc IR at every stage\n",
      registry);
  mlir::MlirOptMainConfig config =
      mlir::MlirOptMainConfig::createFromCLOptions();
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      mlir::openInputFile(inputName, &error);
  if (!input) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (std::optional<size_t> at =
          mlir::dlc::findExcessiveNesting(input->getBuffer())) {
    llvm::SourceMgr sources;
    const char *where = input->getBufferStart() + *at;
    sources.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
    sources.PrintMessage(
        llvm::SMLoc::getFromPointer(where), llvm::SourceMgr::DK_Error,
        "brackets nested deeper than " +
            llvm::Twine(mlir::dlc::kMaxBracketNesting) + " levels");
    return 1;
  }
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputName, &error);
  if (!output) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (mlir::failed(
          mlir::MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1;
  output->keep();
  return 0;
}
