//===- Compiler.cpp - The facade the frontend compiles through ------------===//

#include "codegen/Compiler.h"
#include "codegen/Pipeline.h"
#include "ir/GraphToMlir.h"
#include "runtime/Error.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <unordered_map>

namespace mlir::dlc {

struct Compiler::Impl {
  Impl() : context(makeRegistry(), MLIRContext::Threading::DISABLED) {
    context.loadAllAvailableDialects();
  }

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    registerCompilerDialects(registry);
    return registry;
  }

  struct Entry {
    std::vector<uint64_t> signature;
    std::shared_ptr<::dlc::rt::Executable> executable;
  };

  std::shared_ptr<::dlc::rt::Executable> compile(const Graph &graph,
                                                 uint64_t key);

  mutable std::mutex mutex;
  MLIRContext context;
  std::unordered_map<uint64_t, std::vector<Entry>> cache;
  CompilerStats counters;
};

/// Writes `module` with locations to `path`; returns false on failure.
static bool writeModule(ModuleOp module, const std::string &path) {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error);
  if (error)
    return false;
  module->print(os, OpPrintingFlags().enableDebugInfo(/*enable=*/true,
                                                      /*prettyForm=*/false));
  return true;
}

static std::string hexKey(uint64_t key) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format_hex_no_prefix(key, 16);
  return text;
}

std::shared_ptr<::dlc::rt::Executable>
Compiler::Impl::compile(const Graph &graph, uint64_t key) {
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    llvm::raw_string_ostream os(diagnostics);
    os << diag.getLocation() << ": " << diag << '\n';
    return success();
  });
  std::string name = "graph_" + hexKey(key);
  OwningOpRef<ModuleOp> module = buildModule(&context, graph, name);
  if (!module)
    throw ::dlc::Error("internal error: the recorded graph does not verify "
                       "(please report this):\n" +
                       diagnostics);

  if (const char *dir = std::getenv("DLC_DUMP_IR"); dir && *dir) {
    llvm::sys::fs::create_directories(dir);
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, name + ".mlir");
    writeModule(*module, std::string(path));
  }
  // Kept to write a reproducer if a pass fails.
  OwningOpRef<ModuleOp> original = module->clone();

  PassManager pm(&context);
  buildDefaultPipeline(pm);
  std::unique_ptr<::dlc::rt::Executable> executable;
  if (succeeded(pm.run(*module)))
    executable = buildExecutable(*module, name);
  if (!executable) {
    llvm::SmallString<256> path;
    llvm::sys::path::system_temp_directory(/*ErasedOnReboot=*/true, path);
    llvm::sys::path::append(path, "dlc-reproducer-" + hexKey(key) + ".mlir");
    std::string where = writeModule(*original, std::string(path))
                            ? "\nreproducer: " + std::string(path) +
                                  " (replay with dlc-opt --pass-pipeline='" +
                                  getDefaultPipeline() + "')"
                            : "";
    throw ::dlc::Error("compiling the graph failed:\n" + diagnostics + where);
  }
  return executable;
}

Compiler::Compiler() : impl(std::make_unique<Impl>()) {}
Compiler::~Compiler() = default;

Compiler &Compiler::global() {
  // Never destroyed: executables may be used by static objects' destructors.
  static Compiler *compiler = new Compiler();
  return *compiler;
}

std::shared_ptr<::dlc::rt::Executable>
Compiler::getOrCompile(const Graph &graph) {
  std::vector<uint64_t> signature = graph.signature();
  uint64_t key = Graph::hash(signature);
  std::lock_guard<std::mutex> lock(impl->mutex);
  std::vector<Impl::Entry> &bucket = impl->cache[key];
  for (const Impl::Entry &entry : bucket) {
    if (entry.signature == signature) {
      ++impl->counters.cacheHits;
      return entry.executable;
    }
  }
  auto start = std::chrono::steady_clock::now();
  std::shared_ptr<::dlc::rt::Executable> executable = impl->compile(graph, key);
  std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  ++impl->counters.cacheMisses;
  impl->counters.compileSeconds += elapsed.count();
  impl->counters.kernels += static_cast<int64_t>(executable->numKernels());
  bucket.push_back({std::move(signature), executable});
  return executable;
}

CompilerStats Compiler::stats() const {
  std::lock_guard<std::mutex> lock(impl->mutex);
  return impl->counters;
}

void Compiler::resetStats() {
  std::lock_guard<std::mutex> lock(impl->mutex);
  impl->counters = CompilerStats();
}

void Compiler::clearCache() {
  std::lock_guard<std::mutex> lock(impl->mutex);
  impl->cache.clear();
}

} // namespace mlir::dlc
