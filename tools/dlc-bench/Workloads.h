//===- Workloads.h - The dlc side of dlc-bench ----------------------------===//
//
// Each workload runs dlc's compiled path, dlc's eager mode and the baselines
// that are not LibTorch (memory loops, BLAS) at one thread count, and adds
// one record per mode. LibTorch runs in another process (dlc-bench-torch).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TOOLS_DLC_BENCH_WORKLOADS_H
#define DLC_TOOLS_DLC_BENCH_WORKLOADS_H

#include "Bench.h"

#include <dlc/dlc.h>

#include <functional>
#include <string>
#include <vector>

namespace dlcbench {

/// Where the records of a run go.
class Results {
public:
  explicit Results(const Options &options)
      : options(options), sizes(makeSizes(options.quick)) {}

  /// Runs `measureOne`, which returns the record, and adds it; an exception
  /// becomes an error record (and a failed run).
  void attempt(const std::string &name, const std::string &mode, int threads,
               const std::function<Record()> &measureOne);
  void add(Record record);

  const Options &options;
  const Sizes sizes;
  std::vector<Record> records;
  /// Whether a measurement failed (the exit status says so).
  bool failed = false;
};

/// A multilayer perceptron (ReLU between layers) trained with
/// cross-entropy and SGD with momentum on one fixed batch, written with raw
/// tensors: dlc has no nn or optim yet.
class DlcMlp {
public:
  DlcMlp(const std::vector<int64_t> &widths, int64_t batch);
  /// One training step, realized (forward, backward, update, dlc::sync()).
  /// Returns the loss.
  float step();

private:
  dlc::Tensor input, labels;
  std::vector<dlc::Tensor> params, velocities;
};

/// Runs every dlc-side workload (not `compile`) that passes the filter, at
/// `threads` threads.
void runDlcWorkloads(Results &results, int threads);

/// The `compile` workload, in child processes of this executable, each with
/// an empty kernel cache made under `cacheRoot`: the median compile time of
/// small single-kernel graphs, and the compile time of the first mlp_step
/// in a process with a cold cache and in one with the cache it left.
void runCompileWorkload(Results &results, int threads,
                        const std::string &cacheRoot);

/// What `dlc-bench --child NAME` runs (`kernels` or `step`): prints one JSON
/// record on stdout; returns the exit status.
int runChild(const std::string &name, const Options &options, int threads);

/// The workloads in table order (compile included).
const std::vector<std::string> &workloadNames();

} // namespace dlcbench

#endif // DLC_TOOLS_DLC_BENCH_WORKLOADS_H
