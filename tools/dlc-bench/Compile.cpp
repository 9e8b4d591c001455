//===- Compile.cpp - The compile workload: dlc's compile times ------------===//
//
// Compile times depend on what the kernel cache (DLC_CACHE_DIR) already
// holds, and a process only reads its environment once, so each measurement
// runs in a child process of dlc-bench (`dlc-bench --child ...`) pointed at
// a cache directory of its own: empty for the per-kernel times and the cold
// step, the one the cold step filled for the warm step.
//
//===----------------------------------------------------------------------===//

#include "Models.h"
#include "Process.h"
#include "Workloads.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <stdexcept>

namespace dlcbench {
namespace {

/// The ops the generated graphs chain: elementwise, so that each graph is
/// one fused kernel.
const std::vector<std::function<dlc::Tensor(const dlc::Tensor &)>> &chainOps() {
  static const std::vector<std::function<dlc::Tensor(const dlc::Tensor &)>>
      ops = {
          [](const dlc::Tensor &t) { return t * 1.25; },
          [](const dlc::Tensor &t) { return t + 0.5; },
          [](const dlc::Tensor &t) { return dlc::relu(t); },
          [](const dlc::Tensor &t) { return dlc::sigmoid(t); },
          [](const dlc::Tensor &t) { return dlc::tanh(t); },
          [](const dlc::Tensor &t) { return dlc::abs(t) - 0.25; },
          [](const dlc::Tensor &t) { return t * t; },
          [](const dlc::Tensor &t) { return dlc::exp(-dlc::abs(t)); },
          [](const dlc::Tensor &t) { return dlc::sqrt(dlc::abs(t) + 1.0); },
          [](const dlc::Tensor &t) { return dlc::clamp(t, -1.0, 1.0); },
          [](const dlc::Tensor &t) { return dlc::maximum(t, t * 0.5); },
          [](const dlc::Tensor &t) { return dlc::where(t > 0, t, t * 0.1); },
      };
  return ops;
}

/// The `index`-th generated graph over `x`: a chain of 3 to 6 ops picked by
/// a linear congruential sequence, so that every graph differs in its op
/// mix (and, by its input shape, in its sizes).
dlc::Tensor chainGraph(const dlc::Tensor &x, int index) {
  const auto &ops = chainOps();
  uint32_t state = 2654435761u * static_cast<uint32_t>(index + 1);
  int length = 3 + index % 4;
  dlc::Tensor y = x;
  for (int i = 0; i < length; ++i) {
    state = state * 1664525u + 1013904223u;
    y = ops[(state >> 16) % ops.size()](y);
  }
  return y;
}

int kernelsChild(const Options &options, int threads) {
  Sizes sizes = makeSizes(options.quick);
  std::vector<double> compileMs, kernels;
  for (int g = 0; g < sizes.compileGraphs; ++g) {
    const int64_t rows = 16 + g, cols = 24 + 8 * (g % 5);
    std::vector<float> data(static_cast<size_t>(rows * cols), 0.5f);
    dlc::Tensor x = dlc::from_blob(data.data(), {rows, cols});
    dlc::Stats before = dlc::stats();
    dlc::Tensor y = chainGraph(x, g);
    dlc::sync();
    dlc::Stats after = dlc::stats();
    doNotOptimize(*y.data_ptr<float>());
    compileMs.push_back((after.compile_seconds - before.compile_seconds) * 1e3);
    kernels.push_back(static_cast<double>(after.kernels - before.kernels));
  }
  Record record =
      makeRecord("compile", "per-kernel", threads, summarize(compileMs));
  record.set("graphs", static_cast<double>(compileMs.size()));
  record.set("kernels_per_graph", summarize(kernels).medianMs);
  record.set("note", "median compile time of small elementwise graphs, "
                     "empty kernel cache");
  std::printf("%s\n", toJson(record).c_str());
  return 0;
}

int stepChild(const Options &options, int threads) {
  Sizes sizes = makeSizes(options.quick);
  DlcMlp mlp(sizes.mlp, sizes.mlpBatch);
  dlc::Stats before = dlc::stats();
  auto start = std::chrono::steady_clock::now();
  doNotOptimize(mlp.step());
  std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
  dlc::Stats after = dlc::stats();
  double ms = (after.compile_seconds - before.compile_seconds) * 1e3;
  Record record = makeRecord("compile", "step", threads, summarize({ms}));
  record.set("first_step_ms", wall.count() * 1e3);
  record.set("kernels", static_cast<double>(after.kernels - before.kernels));
  record.set("cache_misses",
             static_cast<double>(after.cache_misses - before.cache_misses));
  std::printf("%s\n", toJson(record).c_str());
  return 0;
}

/// Runs `dlc-bench --child what` with DLC_CACHE_DIR=`cacheDir` and returns
/// the record it prints.
Record runChildRecord(const Options &options, int threads,
                      const std::string &what, const std::string &cacheDir) {
  std::filesystem::create_directories(cacheDir);
  std::vector<std::string> argv = {selfPath(), "--child", what, "--threads",
                                   std::to_string(threads)};
  if (options.quick)
    argv.push_back("--quick");
  return runRecordProcess(argv, EnvChanges{{{"DLC_CACHE_DIR", cacheDir}}, {}},
                          "child `--child " + what + "`");
}

} // namespace

int runChild(const std::string &name, const Options &options, int threads) {
  try {
    dlc::set_num_threads(threads);
    if (name == "kernels")
      return kernelsChild(options, threads);
    if (name == "step")
      return stepChild(options, threads);
    if (name.rfind("model:", 0) == 0)
      return runModelChild(name.substr(6), options, threads);
    std::fprintf(stderr, "dlc-bench: unknown child `%s`\n", name.c_str());
  } catch (const std::exception &e) {
    std::fprintf(stderr, "dlc-bench --child %s: %s\n", name.c_str(), e.what());
  }
  return 1;
}

void runCompileWorkload(Results &results, int threads,
                        const std::string &cacheRoot) {
  const Options &options = results.options;
  results.attempt("compile", "per-kernel", threads, [&] {
    return runChildRecord(options, threads, "kernels", cacheRoot + "/kernels");
  });

  std::optional<Record> cold;
  const std::string stepCache = cacheRoot + "/step";
  results.attempt("compile", "step-cold", threads, [&] {
    cold = runChildRecord(options, threads, "step", stepCache);
    cold->mode = "step-cold";
    cold->set("note", "compile time of the first mlp_step, empty cache");
    return *cold;
  });
  results.attempt("compile", "step-warm", threads, [&] {
    if (!cold)
      throw std::runtime_error("the cold step failed: nothing to compare");
    Record warm = runChildRecord(options, threads, "step", stepCache);
    warm.mode = "step-warm";
    warm.set("note", "compile time of the first mlp_step in a second "
                     "process with the cache of the first");
    if (cold->medianMs > 0)
      warm.set("warm_over_cold", warm.medianMs / cold->medianMs);
    double coldWall = cold->number("first_step_ms").value_or(0);
    if (coldWall > 0)
      warm.set("first_step_warm_over_cold",
               warm.number("first_step_ms").value_or(0) / coldWall);
    return warm;
  });
}

} // namespace dlcbench
