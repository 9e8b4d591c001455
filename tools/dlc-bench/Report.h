//===- Report.h - The table, the targets and the JSON file of dlc-bench ---===//

#ifndef DLC_TOOLS_DLC_BENCH_REPORT_H
#define DLC_TOOLS_DLC_BENCH_REPORT_H

#include "Bench.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dlcbench {

/// One performance target of the issue, checked against the records.
struct TargetResult {
  /// One measured value: a ratio (or milliseconds) at a thread count.
  struct Entry {
    int threads = 1;
    double value = 0;
    /// The same ratio against `torch-as-installed`, for targets against
    /// LibTorch.
    std::optional<double> asInstalled;
    /// The ratio against LibTorch code rewritten in place by hand, where
    /// dlc-bench-torch measured that too (elementwise).
    std::optional<double> inPlace;
    /// What dlc was compared with (the best BLAS, for one).
    std::string against;
    /// A related figure printed beside the value.
    std::string detail;
  };

  /// The workload the target is about.
  std::string workload;
  std::string description;
  /// The bound `value` must reach: at least it, or at most it (`atMost`).
  double bound = 0;
  bool atMost = false;
  /// "ms" or "x" (a ratio).
  std::string unit = "x";
  std::vector<Entry> entries;
  /// "holds", "misses" or "n/a" (nothing to compare: not measured, or
  /// LibTorch not built).
  std::string status;
};

/// Checks the targets of the workloads that --filter selects.
std::vector<TargetResult> evaluateTargets(const std::vector<Record> &records,
                                          const Options &options);

/// The records as a table on stdout, by workload, thread count and mode.
void printTable(const std::vector<Record> &records);
void printTargets(const std::vector<TargetResult> &targets);

/// The model suite's records as a table (ms/step, samples/s, first step,
/// compile, peak memory), and its targets.
void printModelTable(const std::vector<Record> &records);
std::vector<TargetResult>
evaluateModelTargets(const std::vector<Record> &records);

/// Facts about the run written beside the records.
struct RunInfo {
  /// "ops" or "models".
  std::string suite = "ops";
  std::string cpu;
  int cores = 0;
  /// The 1-minute load average when the run started (-1 if unknown).
  double loadAverage = -1;
  bool torchBuilt = false;
  /// The variables that change how dlc, OpenMP or the BLAS libraries run
  /// (DLC_*, OMP_*, GOMP_*, OPENBLAS_*, MKL_*), as dlc-bench found them.
  std::vector<std::pair<std::string, std::string>> environment;
};

/// Writes {"quick", "threads", "cpu", ..., "records": [...], "targets": [...]}
/// to `path`; false (with `error`) when it cannot.
bool writeJson(const std::string &path, const std::vector<Record> &records,
               const std::vector<TargetResult> &targets, const Options &options,
               const RunInfo &info, std::string &error);

} // namespace dlcbench

#endif // DLC_TOOLS_DLC_BENCH_REPORT_H
