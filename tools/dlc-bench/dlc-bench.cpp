//===- dlc-bench.cpp - dlc's benchmarks against its baselines -------------===//
//
// dlc-bench [--suite ops|models] [--quick] [--json FILE] [--threads 1,2]
//           [--filter SUBSTR] [--reps N]
//
// The `ops` suite (the default):
// Measures every workload in dlc's compiled path and eager mode, beside its
// baselines: the memory limit of the machine (plain copy and read loops) for
// memory-bound workloads, oneDNN and OpenBLAS called directly for GEMMs, and
// LibTorch (dlc-bench-torch, built when CMake finds Torch, run as a child
// process so that its BLAS environment is set before it loads). Prints a
// table, then whether each performance target of dlc holds; `--json` writes
// the records too. `--quick` shrinks every size so that the whole run takes
// seconds: the CI smoke test.
//
//===----------------------------------------------------------------------===//

#include "Baselines.h"
#include "Models.h"
#include "Process.h"
#include "Report.h"
#include "Workloads.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

extern char **environ;

using namespace dlcbench;

namespace {

const char *const kUsage =
    "usage: dlc-bench [--suite ops|models] [--quick] [--json FILE] "
    "[--threads 1,2] [--filter SUBSTR] [--reps N]\n"
    "  --suite NAME     ops: kernels and small steps (default); models: the "
    "CTR models' training steps\n"
    "  --quick          small sizes and few repetitions (seconds in all)\n"
    "  --json FILE      also write the records as JSON\n"
    "  --threads LIST   thread counts to measure (default 1,2)\n"
    "  --filter SUBSTR  only the workloads whose name contains SUBSTR\n"
    "  --reps N         at least N timed runs per measurement (default 10)\n"
    "ops workloads: elementwise softmax layer_norm sum matmul_1024 "
    "matmul_bias_relu mlp_step tiny_mlp_step compile\n"
    "models: deepfm dcn fibinet din dien\n";

struct CommandLine {
  Options options;
  std::string suite = "ops";
  std::string jsonPath;
  /// `--child NAME`: run one compile measurement for the parent.
  std::string child;
};

/// Parses the arguments; false (after printing why) on a mistake.
bool parseArgs(int argc, char **argv, CommandLine &cl) {
  std::optional<int> reps, warmup;
  std::optional<double> minSeconds;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string &out) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "dlc-bench: %s needs a value\n%s", arg.c_str(),
                     kUsage);
        return false;
      }
      out = argv[++i];
      return true;
    };
    std::string text;
    if (arg == "--quick") {
      cl.options.quick = true;
    } else if (arg == "--json") {
      if (!value(cl.jsonPath))
        return false;
    } else if (arg == "--filter") {
      if (!value(cl.options.filter))
        return false;
    } else if (arg == "--suite") {
      if (!value(cl.suite))
        return false;
      if (cl.suite != "ops" && cl.suite != "models") {
        std::fprintf(stderr, "dlc-bench: unknown suite `%s` (ops, models)\n",
                     cl.suite.c_str());
        return false;
      }
    } else if (arg == "--warmup" || arg == "--min-seconds") {
      // What a parent passes to its children (Models.cpp).
      if (!value(text))
        return false;
      char *end = nullptr;
      double v = std::strtod(text.c_str(), &end);
      if (text.empty() || *end || v < 0 || v > 1e6) {
        std::fprintf(stderr, "dlc-bench: %s wants a number, not `%s`\n",
                     arg.c_str(), text.c_str());
        return false;
      }
      if (arg == "--warmup")
        warmup = static_cast<int>(v);
      else
        minSeconds = v;
    } else if (arg == "--child") {
      if (!value(cl.child))
        return false;
    } else if (arg == "--threads") {
      if (!value(text))
        return false;
      cl.options.threads = parseThreadList(text);
      if (cl.options.threads.empty()) {
        std::fprintf(stderr,
                     "dlc-bench: --threads wants positive counts such as "
                     "1,2, not `%s`\n",
                     text.c_str());
        return false;
      }
    } else if (arg == "--reps") {
      if (!value(text))
        return false;
      char *end = nullptr;
      long n = std::strtol(text.c_str(), &end, 10);
      if (text.empty() || *end || n < 1 || n > 1000000) {
        std::fprintf(stderr,
                     "dlc-bench: --reps wants a positive count, not "
                     "`%s`\n",
                     text.c_str());
        return false;
      }
      reps = static_cast<int>(n);
    } else if (arg == "--help" || arg == "-h") {
      std::printf("%s", kUsage);
      std::exit(0);
    } else {
      std::fprintf(stderr, "dlc-bench: unknown argument `%s`\n%s", arg.c_str(),
                   kUsage);
      return false;
    }
  }
  if (cl.options.quick) {
    cl.options.minReps = 3;
    cl.options.minSeconds = 0.02;
  }
  if (reps)
    cl.options.minReps = *reps;
  if (warmup)
    cl.options.warmup = *warmup;
  if (minSeconds)
    cl.options.minSeconds = *minSeconds;
  return true;
}

std::string cpuName() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("model name", 0) == 0) {
      size_t colon = line.find(':');
      if (colon != std::string::npos)
        return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  return "unknown";
}

/// The variables of the environment that tune dlc, OpenMP or a BLAS.
std::vector<std::pair<std::string, std::string>> tuningEnvironment() {
  std::vector<std::pair<std::string, std::string>> found;
  for (char **e = environ; *e; ++e) {
    std::string entry = *e;
    size_t eq = entry.find('=');
    std::string name = entry.substr(0, eq);
    for (const char *prefix : {"DLC_", "OMP_", "GOMP_", "OPENBLAS_", "MKL_"})
      if (name.rfind(prefix, 0) == 0) {
        found.emplace_back(name, eq == std::string::npos
                                     ? std::string()
                                     : entry.substr(eq + 1));
        break;
      }
  }
  std::sort(found.begin(), found.end());
  return found;
}

/// The 1-minute load average, before this run adds to it; -1 if unknown.
double loadAverage() {
  std::ifstream file("/proc/loadavg");
  double load = -1;
  file >> load;
  return file ? load : -1;
}

/// A new directory for the kernel caches of this run, under DLC_CACHE_DIR
/// when set (the smoke test keeps it in the build tree), else under TMPDIR.
std::string makeCacheRoot() {
  const char *base = std::getenv("DLC_CACHE_DIR");
  if (!base || !*base)
    base = std::getenv("TMPDIR");
  if (!base || !*base)
    base = "/tmp";
  std::error_code ec;
  std::filesystem::create_directories(base, ec);
  std::string pattern = std::string(base) + "/dlc-bench-XXXXXX";
  if (!mkdtemp(pattern.data()))
    return {};
  return pattern;
}

bool anyTorchWorkload(const Options &options) {
  for (const std::string &name : workloadNames())
    if (name != "compile" && selected(options, name))
      return true;
  return false;
}

/// What `torch` sets before LibTorch loads: OpenBLAS's core type (0.3.21
/// misdetects AVX-512 CPUs) and both thread pools at the same count.
EnvChanges torchEnvironment(int threads) {
  EnvChanges env;
  std::string n = std::to_string(threads);
  if (const char *coreType = openblasCoreType())
    env.set.emplace_back("OPENBLAS_CORETYPE", coreType);
  env.set.emplace_back("OMP_WAIT_POLICY", "PASSIVE");
  env.set.emplace_back("OMP_NUM_THREADS", n);
  env.set.emplace_back("OPENBLAS_NUM_THREADS", n);
  env.set.emplace_back("MKL_NUM_THREADS", n);
  return env;
}

/// `torch-as-installed` gets the environment dlc-bench was started with
/// (loading OpenBLAS here may have set OPENBLAS_CORETYPE since).
EnvChanges torchInstalledEnvironment(const RunInfo &info) {
  EnvChanges env;
  std::optional<std::string> startCoreType;
  for (const auto &[name, value] : info.environment)
    if (name == "OPENBLAS_CORETYPE")
      startCoreType = value;
  if (startCoreType)
    env.set.emplace_back("OPENBLAS_CORETYPE", *startCoreType);
  else
    env.unset.push_back("OPENBLAS_CORETYPE");
  return env;
}

/// Runs dlc-bench-torch for both modes at every thread count and adds its
/// records. Returns false when it was not built.
bool runTorch(Results &results, const RunInfo &info,
              std::vector<std::string> &problems) {
  const Options &options = results.options;
  std::string self = selfPath();
  std::string exe =
      std::filesystem::path(self).parent_path() / "dlc-bench-torch";
  if (access(exe.c_str(), X_OK) != 0)
    return false;

  for (const char *mode : {"torch", "torch-as-installed"}) {
    for (int t : options.threads) {
      std::fprintf(stderr, "  LibTorch          %-9s %d thread%s\n", mode, t,
                   t == 1 ? "" : "s");
      EnvChanges env = std::strcmp(mode, "torch") == 0
                           ? torchEnvironment(t)
                           : torchInstalledEnvironment(info);
      std::vector<std::string> argv = {exe,
                                       "--mode",
                                       mode,
                                       "--threads",
                                       std::to_string(t),
                                       "--warmup",
                                       std::to_string(options.warmup),
                                       "--reps",
                                       std::to_string(options.minReps),
                                       "--min-seconds",
                                       std::to_string(options.minSeconds)};
      if (options.quick)
        argv.push_back("--quick");
      if (!options.filter.empty()) {
        argv.push_back("--filter");
        argv.push_back(options.filter);
      }
      std::string output, error;
      bool ok = runProcess(argv, env, output, error);
      size_t start = 0;
      while (start < output.size()) {
        size_t end = output.find('\n', start);
        std::string line = output.substr(start, end - start);
        if (!line.empty() && line[0] == '{') {
          if (std::optional<Record> record = parseRecord(line))
            results.add(std::move(*record));
        }
        start = end == std::string::npos ? output.size() : end + 1;
      }
      if (!ok)
        problems.push_back(std::string("LibTorch (") + mode + ", " +
                           std::to_string(t) + " threads): " + error);
    }
  }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  CommandLine cl;
  if (!parseArgs(argc, argv, cl))
    return 2;
  if (!cl.child.empty())
    return runChild(cl.child, cl.options, cl.options.threads.front());

  const Options &options = cl.options;
  RunInfo info;
  info.environment = tuningEnvironment();
  // Before dlc's first call: this run's kernels go to a cache of its own,
  // removed at the end.
  std::string cacheRoot = makeCacheRoot();
  if (cacheRoot.empty()) {
    std::fprintf(stderr, "dlc-bench: cannot create a cache directory: %s\n",
                 std::strerror(errno));
    return 1;
  }
  setenv("DLC_CACHE_DIR", (cacheRoot + "/main").c_str(), 1);

  info.cpu = cpuName();
  info.cores = static_cast<int>(std::thread::hardware_concurrency());
  info.loadAverage = loadAverage();
  std::fprintf(stderr, "dlc-bench: %s, %d cores%s\n", info.cpu.c_str(),
               info.cores, options.quick ? " (quick)" : "");
  // Another busy process takes cores from the parallel regions: with
  // spinning OpenMP threads a 2-thread loop can then wait a whole scheduler
  // time slice at each barrier.
  std::string loadLine;
  if (info.loadAverage > 0.5) {
    char buffer[256];
    std::snprintf(buffer, sizeof(buffer),
                  "warning: load average %.2f before the run: other "
                  "processes compete for the cores, so multi-thread times "
                  "are not reliable",
                  info.loadAverage);
    loadLine = buffer;
    std::fprintf(stderr, "%s\n", buffer);
  }

  Results results(options);
  // Prints the targets, writes the JSON, removes the run's caches; the
  // exit status.
  auto finish = [&](const std::vector<TargetResult> &targets) {
    printTargets(targets);
    std::fflush(stdout);
    int status = results.failed ? 1 : 0;
    if (!cl.jsonPath.empty()) {
      std::string error;
      if (!writeJson(cl.jsonPath, results.records, targets, options, info,
                     error)) {
        std::fprintf(stderr, "dlc-bench: %s\n", error.c_str());
        status = 1;
      }
    }
    std::error_code ec;
    std::filesystem::remove_all(cacheRoot, ec);
    return status;
  };
  if (cl.suite == "models") {
    info.suite = "models";
    // LibTorch at its best on these steps also needs glibc's allocator
    // tuned: by default each 64 MB temporary (a table's dense gradient,
    // Adam's intermediates) is a fresh mmap, page-faulted in on every step.
    auto modelEnvironment = [&info](const std::string &mode, int threads) {
      if (mode != "torch")
        return torchInstalledEnvironment(info);
      EnvChanges env = torchEnvironment(threads);
      env.set.emplace_back("MALLOC_MMAP_MAX_", "0");
      env.set.emplace_back("MALLOC_TRIM_THRESHOLD_", "68719476736");
      return env;
    };
    info.torchBuilt = runModelSuite(results, cacheRoot, modelEnvironment);
    std::printf("\n");
    if (!loadLine.empty())
      std::printf("%s\n\n", loadLine.c_str());
    printModelTable(results.records);
    return finish(evaluateModelTargets(results.records));
  }
  for (int t : options.threads)
    runDlcWorkloads(results, t);
  if (selected(options, "compile"))
    runCompileWorkload(results, options.threads.front(), cacheRoot);

  std::vector<std::string> problems;
  std::string torchLine;
  if (anyTorchWorkload(options)) {
    info.torchBuilt = runTorch(results, info, problems);
    if (!info.torchBuilt)
      torchLine = "LibTorch: not compared, dlc-bench-torch was not built "
                  "(install LibTorch with `scripts/bootstrap.sh --bench`, "
                  "then re-run CMake and build)";
  }

  std::printf("\n");
  if (!loadLine.empty())
    std::printf("%s\n\n", loadLine.c_str());
  printTable(results.records);
  if (!torchLine.empty())
    std::printf("\n%s\n", torchLine.c_str());
  for (const std::string &problem : problems)
    std::printf("\n%s\n", problem.c_str());
  return finish(evaluateTargets(results.records, options));
}
