//===- IrFuzzer.cpp - Fuzz the dlc IR parser and verifier -----------------===//
//
// Whatever bytes arrive are parsed as an MLIR module with the dialects a dlc
// module may hold (dlc, func, arith) and verified. A diagnostic is the
// expected answer to bad input; a crash, a sanitizer report or a hang is a
// bug. With DLC_FUZZ_PIPELINE the module, when it verifies, also goes through
// the CPU backend's pipeline (dlc-opt's default passes, fusion, the CPU
// kernels), which must answer with a diagnostic too.
//
//===----------------------------------------------------------------------===//

#include "codegen/Pipeline.h"
#include "ir/DlcDialect.h"
#include "ir/Nesting.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

mlir::MLIRContext &context() {
  static mlir::MLIRContext *ctx = [] {
    mlir::DialectRegistry registry;
    mlir::dlc::registerCompilerDialects(registry);
    registry.insert<mlir::arith::ArithDialect>();
    auto *c = new mlir::MLIRContext(registry);
    c->loadAllAvailableDialects();
    // One thread: fast, deterministic, and what a fuzzer can reproduce.
    c->disableMultithreading();
    // Diagnostics are the expected output for bad input: drop them.
    c->getDiagEngine().registerHandler([](mlir::Diagnostic &) {});
    return c;
  }();
  return *ctx;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // Inputs beyond this only slow the search down.
  if (size > 16 * 1024)
    return -1;
  // MLIR's lexer reads up to a NUL after the text, as files and
  // std::string have it (the fuzzer's bytes do not: without the copy the
  // lexer runs past them, which the first 30-minute run found).
  std::string text(reinterpret_cast<const char *>(data), size);
  // What dlc's tools refuse before parsing (ir/Nesting.h).
  if (mlir::dlc::findExcessiveNesting(text))
    return 0;
  mlir::ParserConfig config(&context(), /*verifyAfterParse=*/true);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, config);
  if (!module)
    return 0;
  if (mlir::failed(mlir::verify(*module)))
    return 0;
#ifdef DLC_FUZZ_PIPELINE
  mlir::PassManager pm(&context());
  mlir::dlc::buildPipeline(pm, mlir::dlc::getCpuPipeline());
  (void)pm.run(*module);
#endif
  return 0;
}
