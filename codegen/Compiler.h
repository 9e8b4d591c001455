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
#include <functional>
#include <memory>
#include <string>

namespace mlir::dlc {

/// Where graphs run: compiled for the CPU through LLVM (the default), or
/// op by op on the reference kernels (the oracle).
enum class Backend { Cpu, Reference };

struct CompilerOptions {
  Backend backend = Backend::Cpu;
  /// Fuse ops into kernels (off: one kernel per op, the baseline fusion is
  /// checked against).
  bool fuse = true;
  /// Where compiled programs are kept across processes; empty: nowhere.
  std::string cacheDir;
  /// Reference backend only: after every op, check its floating-point
  /// results and throw dlc::Error naming the first op (and its source line)
  /// that produced a NaN or an infinity (autograd::set_detect_anomaly).
  bool checkFinite = false;

  /// From the environment: DLC_BACKEND=cpu|reference, DLC_FUSION=0,
  /// DLC_CACHE_DIR (default ~/.cache/dlc; DLC_DISK_CACHE=0 turns it off).
  static CompilerOptions fromEnvironment();
};

/// Counters of the compiler's cache.
struct CompilerStats {
  int64_t cacheHits = 0;
  int64_t cacheMisses = 0;
  /// Misses served from the disk cache (no compilation).
  int64_t diskHits = 0;
  double compileSeconds = 0;
  /// Kernels in the executables compiled so far.
  int64_t kernels = 0;
};

/// Compiles recorded graphs, with a cache keyed on the graph's signature (a
/// repeated step costs a hash and a lookup). Thread-safe.
///
/// On a miss the disk cache is tried first: an entry keyed by the graph,
/// the backend options, the host CPU's features and this build of dlc
/// loads without any MLIR work. Otherwise the graph is built as MLIR,
/// written to `$DLC_DUMP_IR/` when that is set, run through the backend's
/// pipeline and compiled; the result is written to the disk cache
/// atomically. A corrupt or foreign entry is ignored and replaced. A
/// failure throws dlc::Error with the diagnostics and the path of a `.mlir`
/// reproducer that dlc-opt replays.
class Compiler {
public:
  explicit Compiler(
      CompilerOptions options = CompilerOptions::fromEnvironment());
  ~Compiler();
  Compiler(const Compiler &) = delete;
  Compiler &operator=(const Compiler &) = delete;

  /// The process-wide compiler the frontend uses.
  static Compiler &global();
  /// The one it uses while anomaly detection is on: the reference backend
  /// checking every op's results (checkFinite), nothing on disk.
  static Compiler &anomalyChecking();

  std::shared_ptr<::dlc::rt::Executable> getOrCompile(const Graph &graph);
  /// The same for a graph known by its signature (SignatureBuilder):
  /// `build` makes the graph only on a miss.
  std::shared_ptr<::dlc::rt::Executable>
  getOrCompile(const std::vector<uint64_t> &signature,
               const std::function<Graph()> &build);

  /// The CUDA C and PTX (for compute_<arch>) of `graph` as it would run
  /// on a GPU, compiled without one (NVRTC only): what dlc-opt
  /// --dlc-emit-cuda shows, for compile tests. Throws dlc::Error.
  struct CudaCode {
    std::string source, ptx;
    /// Kernel steps of the plan (fusions), and all steps.
    size_t kernels = 0, steps = 0;
  };
  CudaCode compileCudaCode(const Graph &graph, int arch);

  CompilerStats stats() const;
  void resetStats();
  /// Forgets every compiled executable (the disk cache stays).
  void clearCache();

  const CompilerOptions &options() const;

  /// The disk-cache file a graph's program is kept in (empty without a
  /// cache directory).
  std::string cachePath(const Graph &graph) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace mlir::dlc

#endif // DLC_CODEGEN_COMPILER_H
