//===- Profile.cpp - Where compiled programs spend their time -------------===//

#include "codegen/cpu/Profile.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

namespace mlir::dlc::cpu {
namespace {

struct Totals {
  double seconds = 0;
  long runs = 0;
};

struct Profile {
  /// The rows printed: DLC_PROFILE=N for N > 1, else 40.
  size_t rows = 40;
  std::mutex mutex;
  std::map<std::string, Totals> steps;

  ~Profile() {
    std::vector<std::pair<std::string, Totals>> sorted(steps.begin(),
                                                       steps.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) {
      return a.second.seconds > b.second.seconds;
    });
    double total = 0;
    for (const auto &[name, totals] : sorted)
      total += totals.seconds;
    std::fprintf(stderr, "dlc profile: %.3f ms in %zu distinct steps\n",
                 total * 1e3, sorted.size());
    std::fprintf(stderr, "%10s %6s %10s %8s  %s\n", "total ms", "%", "runs",
                 "us/run", "step");
    size_t shown = 0;
    for (const auto &[name, totals] : sorted) {
      if (shown++ == rows)
        break;
      std::fprintf(stderr, "%10.3f %6.1f %10ld %8.1f  %s\n",
                   totals.seconds * 1e3,
                   total > 0 ? 100 * totals.seconds / total : 0.0, totals.runs,
                   totals.seconds * 1e6 / static_cast<double>(totals.runs),
                   name.c_str());
    }
  }
};

Profile &profile() {
  // Printed by its destructor at exit.
  static Profile instance;
  return instance;
}

} // namespace

bool profilingEnabled() {
  static const bool enabled = [] {
    const char *value = std::getenv("DLC_PROFILE");
    bool on = value && *value && std::strcmp(value, "0") != 0;
    if (on) {
      // Constructed now, so destroyed after the executables.
      long rows = std::strtol(value, nullptr, 10);
      if (rows > 1)
        profile().rows = static_cast<size_t>(rows);
      else
        profile();
    }
    return on;
  }();
  return enabled;
}

void recordStep(const std::string &name, double seconds) {
  Profile &p = profile();
  std::lock_guard<std::mutex> lock(p.mutex);
  Totals &totals = p.steps[name];
  totals.seconds += seconds;
  ++totals.runs;
}

} // namespace mlir::dlc::cpu
