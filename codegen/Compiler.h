//===- Compiler.h - The facade the frontend compiles through --------------===//
//
// Graph in, executable out. No MLIR in this header: the frontend records and
// looks up graphs without touching MLIR, which only runs on a cache miss.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_CODEGEN_COMPILER_H
#define DLC_CODEGEN_COMPILER_H

#include "ir/Graph.h"
#include "runtime/Executable.h"

#include <cstdint>
#include <memory>

namespace mlir::dlc {

/// Counters of the compiler's cache.
struct CompilerStats {
  int64_t cacheHits = 0;
  int64_t cacheMisses = 0;
  double compileSeconds = 0;
  /// Kernels in the executables compiled so far.
  int64_t kernels = 0;
};

/// Compiles recorded graphs, with a cache keyed on the graph's signature (a
/// repeated step costs a hash and a lookup). Thread-safe.
///
/// On a miss the graph is built as MLIR, written to `$DLC_DUMP_IR/` when that
/// is set, run through the default pipeline and handed to the backend. A
/// failure throws dlc::Error with the diagnostics and the path of a `.mlir`
/// reproducer that dlc-opt replays.
class Compiler {
public:
  Compiler();
  ~Compiler();
  Compiler(const Compiler &) = delete;
  Compiler &operator=(const Compiler &) = delete;

  /// The process-wide compiler the frontend uses.
  static Compiler &global();

  std::shared_ptr<::dlc::rt::Executable> getOrCompile(const Graph &graph);

  CompilerStats stats() const;
  void resetStats();
  /// Forgets every compiled executable.
  void clearCache();

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace mlir::dlc

#endif // DLC_CODEGEN_COMPILER_H
