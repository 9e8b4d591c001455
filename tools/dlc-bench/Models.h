//===- Models.h - The model suite of dlc-bench ----------------------------===//
//
// `dlc-bench --suite models`: a training step of each CTR model (DeepFM,
// DCN, FiBiNET, DIN, DIEN) at the shapes of modelShapes, in dlc's compiled
// and eager modes and in LibTorch, each in a process of its own.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TOOLS_DLC_BENCH_MODELS_H
#define DLC_TOOLS_DLC_BENCH_MODELS_H

#include "Process.h"
#include "Workloads.h"

#include <functional>
#include <string>
#include <vector>

namespace dlcbench {

/// The models in table order.
const std::vector<std::string> &modelNames();

/// The environment dlc-bench-torch runs in for a mode (`torch`: LibTorch at
/// its best, its BLAS and allocator tuned before it loads;
/// `torch-as-installed`: as dlc-bench found it) at a thread count.
using TorchEnvironment =
    std::function<EnvChanges(const std::string &mode, int threads)>;

/// Runs every selected model at every thread count, each measurement in a
/// child process with a kernel cache of its own under `cacheRoot`, and adds
/// the records (samples_per_s, first_step_ms, compile_ms, peak_rss_mib).
/// Returns whether dlc-bench-torch was there to run.
bool runModelSuite(Results &results, const std::string &cacheRoot,
                   const TorchEnvironment &torchEnv);

/// `dlc-bench --child model:NAME:MODE`: one model's record on stdout.
int runModelChild(const std::string &what, const Options &options, int threads);

} // namespace dlcbench

#endif // DLC_TOOLS_DLC_BENCH_MODELS_H
