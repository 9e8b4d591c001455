//===- Report.cpp - The table, the targets and the JSON file of dlc-bench -===//

#include "Report.h"
#include "Models.h"
#include "Workloads.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <tuple>

namespace dlcbench {
namespace {

/// The order of modes in the table: dlc first, then what it is compared to.
int modeRank(const std::string &mode) {
  static const std::vector<std::string> order = {
      "dlc",        "dlc-sparse", "dlc-eager",
      "copy-loop",  "read-loop",  "onednn",
      "openblas",   "torch",      "torch-as-installed",
      "per-kernel", "step-cold",  "step-warm"};
  auto it = std::find(order.begin(), order.end(), mode);
  return static_cast<int>(it - order.begin());
}

int workloadRank(const std::string &name) {
  const std::vector<std::string> &names = workloadNames();
  auto it = std::find(names.begin(), names.end(), name);
  return static_cast<int>(it - names.begin());
}

std::string formatNumber(std::optional<double> value) {
  if (!value || !std::isfinite(*value))
    return "";
  char buffer[32];
  double v = *value;
  if (v >= 1000)
    std::snprintf(buffer, sizeof(buffer), "%.0f", v);
  else if (v >= 10)
    std::snprintf(buffer, sizeof(buffer), "%.2f", v);
  else
    std::snprintf(buffer, sizeof(buffer), "%.3f", v);
  return buffer;
}

/// Finds the successful record of a workload, mode and thread count.
class Lookup {
public:
  explicit Lookup(const std::vector<Record> &records) : records(records) {}

  const Record *find(const std::string &name, const std::string &mode,
                     int threads) const {
    for (const Record &r : records)
      if (r.name == name && r.mode == mode && r.threads == threads &&
          !r.failed() && r.medianMs > 0)
        return &r;
    return nullptr;
  }

private:
  const std::vector<Record> &records;
};

TargetResult::Entry entry(int threads, double value, std::string against) {
  TargetResult::Entry e;
  e.threads = threads;
  e.value = value;
  e.against = std::move(against);
  return e;
}

void finishTarget(TargetResult &target) {
  if (target.entries.empty()) {
    target.status = "n/a";
    return;
  }
  bool holds = true;
  for (const TargetResult::Entry &e : target.entries)
    holds = holds &&
            (target.atMost ? e.value <= target.bound : e.value >= target.bound);
  target.status = holds ? "holds" : "misses";
}

} // namespace

std::vector<TargetResult> evaluateTargets(const std::vector<Record> &records,
                                          const Options &options) {
  Lookup lookup(records);
  std::vector<TargetResult> targets;
  auto add = [&](TargetResult target) {
    if (!selected(options, target.workload))
      return;
    finishTarget(target);
    targets.push_back(std::move(target));
  };

  // dlc's speedup over LibTorch (time ratio torch / dlc).
  auto versusTorch = [&](const std::string &name, double bound,
                         const std::vector<int> &threads,
                         const std::string &description) {
    TargetResult target;
    target.workload = name;
    target.description = description;
    target.bound = bound;
    for (int t : threads) {
      const Record *dlc = lookup.find(name, "dlc", t);
      const Record *torch = lookup.find(name, "torch", t);
      if (!dlc || !torch)
        continue;
      TargetResult::Entry e =
          entry(t, torch->medianMs / dlc->medianMs, "torch");
      if (const Record *installed = lookup.find(name, "torch-as-installed", t))
        e.asInstalled = installed->medianMs / dlc->medianMs;
      if (std::optional<double> inPlace = torch->number("inplace_median_ms"))
        e.inPlace = *inPlace / dlc->medianMs;
      target.entries.push_back(e);
    }
    add(target);
  };

  // dlc's throughput as a fraction of the best of `baselines`.
  auto fractionOf = [&](const std::string &name,
                        const std::vector<std::string> &baselines,
                        const std::string &metric, double bound,
                        const std::string &description) {
    TargetResult target;
    target.workload = name;
    target.description = description;
    target.bound = bound;
    for (int t : options.threads) {
      const Record *dlc = lookup.find(name, "dlc", t);
      if (!dlc || !dlc->number(metric))
        continue;
      const Record *best = nullptr;
      for (const std::string &mode : baselines) {
        const Record *r = lookup.find(name, mode, t);
        if (r && r->number(metric) &&
            (!best || *r->number(metric) > *best->number(metric)))
          best = r;
      }
      if (!best || *best->number(metric) <= 0)
        continue;
      target.entries.push_back(
          entry(t, *dlc->number(metric) / *best->number(metric), best->mode));
    }
    add(target);
  };

  fractionOf("elementwise", {"copy-loop"}, "gbps", 0.8,
             "elementwise: compiled >= 80% of the copy loop's GB/s");
  versusTorch("elementwise", 10, options.threads, "elementwise: >= 10x torch");
  versusTorch("softmax", 1.5, options.threads, "softmax: >= 1.5x torch");
  versusTorch("layer_norm", 1.8, options.threads, "layer_norm: >= 1.8x torch");
  fractionOf("sum", {"read-loop"}, "gbps", 0.9,
             "sum: >= 90% of the read loop's GB/s");
  fractionOf("matmul_1024", {"onednn", "openblas"}, "gflops", 0.95,
             "matmul_1024: >= 95% of the best BLAS's GFLOP/s");
  fractionOf("matmul_bias_relu", {"onednn", "openblas"}, "gflops", 0.95,
             "matmul_bias_relu: >= 95% of the best BLAS (GEMM + loop)");
  versusTorch("mlp_step", 1.2, {1}, "mlp_step: >= 1.2x torch at 1 thread");

  {
    TargetResult target;
    target.workload = "mlp_step";
    target.description = "mlp_step: 2 threads >= 1.7x dlc's own 1 thread";
    target.bound = 1.7;
    const Record *one = lookup.find("mlp_step", "dlc", 1);
    const Record *two = lookup.find("mlp_step", "dlc", 2);
    if (one && two)
      target.entries.push_back(entry(2, one->medianMs / two->medianMs, "dlc"));
    add(target);
  }
  {
    TargetResult target;
    target.workload = "compile";
    target.description = "compile: per-kernel median <= 25 ms";
    target.bound = 25;
    target.atMost = true;
    target.unit = "ms";
    for (const Record &r : records)
      if (r.name == "compile" && r.mode == "per-kernel" && !r.failed())
        target.entries.push_back(entry(r.threads, r.medianMs, ""));
    add(target);
  }
  {
    TargetResult target;
    target.workload = "compile";
    target.description = "compile: warm first step <= 10% of cold";
    target.bound = 0.1;
    target.atMost = true;
    for (const Record &r : records) {
      if (r.name != "compile" || r.mode != "step-warm" || r.failed() ||
          !r.number("warm_over_cold"))
        continue;
      TargetResult::Entry e =
          entry(r.threads, *r.number("warm_over_cold"), "step-cold");
      if (std::optional<double> wall = r.number("first_step_warm_over_cold"))
        e.detail = "first step wall time " + formatNumber(*wall) + "x";
      target.entries.push_back(e);
    }
    add(target);
  }
  versusTorch("tiny_mlp_step", 5, options.threads,
              "tiny_mlp_step: >= 5x torch eager");
  return targets;
}

namespace {

/// Prints `sorted` a row each, a blank line between workloads; a failed
/// record prints its error's first line under the name columns' widths.
template <typename Row>
void printRows(const std::vector<const Record *> &sorted, int nameWidth,
               int modeWidth, Row row) {
  std::string previous;
  for (const Record *r : sorted) {
    if (!previous.empty() && r->name != previous)
      std::printf("\n");
    previous = r->name;
    if (std::optional<std::string> error = r->string("error")) {
      std::string line = error->substr(0, error->find('\n'));
      std::printf("%-*s %-*s %3d error: %s\n", nameWidth, r->name.c_str(),
                  modeWidth, r->mode.c_str(), r->threads, line.c_str());
      continue;
    }
    row(r);
  }
}

} // namespace

void printTable(const std::vector<Record> &records) {
  std::vector<const Record *> sorted;
  for (const Record &r : records)
    sorted.push_back(&r);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Record *a, const Record *b) {
                     auto key = [](const Record *r) {
                       return std::make_tuple(workloadRank(r->name), r->threads,
                                              modeRank(r->mode));
                     };
                     return key(a) < key(b);
                   });
  std::printf("%-17s %-19s %3s %11s %11s %11s %9s %9s\n", "workload", "mode",
              "thr", "median ms", "min ms", "max ms", "GB/s", "GFLOP/s");
  printRows(sorted, 17, 19, [](const Record *r) {
    std::printf("%-17s %-19s %3d %11s %11s %11s %9s %9s\n", r->name.c_str(),
                r->mode.c_str(), r->threads, formatNumber(r->medianMs).c_str(),
                formatNumber(r->minMs).c_str(), formatNumber(r->maxMs).c_str(),
                formatNumber(r->number("gbps")).c_str(),
                formatNumber(r->number("gflops")).c_str());
  });
}

void printTargets(const std::vector<TargetResult> &targets) {
  std::printf("\nTargets (dlc compiled against the `torch` mode; "
              "torch-as-installed in brackets):\n");
  for (const TargetResult &target : targets) {
    std::string values;
    for (const TargetResult::Entry &e : target.entries) {
      char buffer[128];
      std::snprintf(buffer, sizeof(buffer), "  %dt %s%s", e.threads,
                    formatNumber(e.value).c_str(), target.unit.c_str());
      values += buffer;
      if (e.asInstalled) {
        std::snprintf(buffer, sizeof(buffer), " [%s%s]",
                      formatNumber(*e.asInstalled).c_str(),
                      target.unit.c_str());
        values += buffer;
      }
      if (e.inPlace) {
        std::snprintf(buffer, sizeof(buffer), " (in-place torch %s%s)",
                      formatNumber(*e.inPlace).c_str(), target.unit.c_str());
        values += buffer;
      }
      if (e.against == "onednn" || e.against == "openblas")
        values += " vs " + e.against;
      if (!e.detail.empty())
        values += " (" + e.detail + ")";
    }
    if (target.entries.empty())
      values = "  (not measured)";
    std::printf("  %-7s %-56s%s\n",
                target.status == "holds"    ? "holds"
                : target.status == "misses" ? "MISSES"
                                            : "n/a",
                target.description.c_str(), values.c_str());
  }
}

//===--- The model suite --------------------------------------------------===//

void printModelTable(const std::vector<Record> &records) {
  std::vector<const Record *> sorted;
  for (const Record &r : records)
    sorted.push_back(&r);
  const std::vector<std::string> &names = modelNames();
  auto rank = [&](const std::string &name) {
    return std::find(names.begin(), names.end(), name) - names.begin();
  };
  std::stable_sort(
      sorted.begin(), sorted.end(), [&](const Record *a, const Record *b) {
        return std::make_tuple(rank(a->name), a->threads, modeRank(a->mode)) <
               std::make_tuple(rank(b->name), b->threads, modeRank(b->mode));
      });
  std::printf("%-9s %-10s %3s %10s %10s %11s %11s %10s\n", "model", "mode",
              "thr", "ms/step", "samples/s", "1st step s", "compile s",
              "peak MiB");
  printRows(sorted, 9, 10, [](const Record *r) {
    auto seconds = [&](const char *key) -> std::optional<double> {
      if (std::optional<double> ms = r->number(key))
        return *ms * 1e-3;
      return std::nullopt;
    };
    std::printf("%-9s %-10s %3d %10s %10s %11s %11s %10s\n", r->name.c_str(),
                r->mode.c_str(), r->threads, formatNumber(r->medianMs).c_str(),
                formatNumber(r->number("samples_per_s")).c_str(),
                formatNumber(seconds("first_step_ms")).c_str(),
                formatNumber(seconds("compile_ms")).c_str(),
                formatNumber(r->number("peak_rss_mib")).c_str());
  });
}

std::vector<TargetResult>
evaluateModelTargets(const std::vector<Record> &records) {
  Lookup lookup(records);
  std::vector<TargetResult> targets;
  std::vector<int> threads;
  for (const Record &r : records)
    if (std::find(threads.begin(), threads.end(), r.threads) == threads.end())
      threads.push_back(r.threads);
  std::sort(threads.begin(), threads.end());
  auto add = [&](TargetResult target) {
    finishTarget(target);
    targets.push_back(std::move(target));
  };
  auto present = [&](const std::string &name) {
    for (const Record &r : records)
      if (r.name == name)
        return true;
    return false;
  };

  // Against LibTorch at 1 thread (the targets); other thread counts
  // are printed as details.
  const std::vector<std::pair<std::string, double>> versusTorch = {
      {"deepfm", 2.5},
      {"dcn", 2.0},
      {"fibinet", 2.0},
      {"din", 3.0},
      {"dien", 2.0}};
  for (const auto &[name, bound] : versusTorch) {
    if (!present(name))
      continue;
    TargetResult target;
    target.workload = name;
    target.description = name + " samples/s >= " + formatNumber(bound) +
                         "x LibTorch's at 1 thread";
    target.bound = bound;
    const Record *dlc = lookup.find(name, "dlc", 1);
    const Record *torch = lookup.find(name, "torch", 1);
    if (dlc && torch) {
      TargetResult::Entry e =
          entry(1, torch->medianMs / dlc->medianMs, "torch");
      if (const Record *installed = lookup.find(name, "torch-as-installed", 1))
        e.asInstalled = installed->medianMs / dlc->medianMs;
      for (int t : threads) {
        const Record *d = lookup.find(name, "dlc", t);
        const Record *l = lookup.find(name, "torch", t);
        if (t != 1 && d && l)
          e.detail += (e.detail.empty() ? "" : ", ") + std::to_string(t) +
                      "t " + formatNumber(l->medianMs / d->medianMs) + "x";
      }
      target.entries.push_back(e);
    }
    add(target);
  }
  for (const std::string &name : modelNames()) {
    if (!present(name))
      continue;
    TargetResult scaling;
    scaling.workload = name;
    scaling.description = name + " compiled, 2 threads >= 1.7x 1 thread";
    scaling.bound = 1.7;
    const Record *one = lookup.find(name, "dlc", 1);
    const Record *two = lookup.find(name, "dlc", 2);
    if (one && two)
      scaling.entries.push_back(entry(2, one->medianMs / two->medianMs, "dlc"));
    add(scaling);

    TargetResult eager;
    eager.workload = name;
    eager.description = name + " compiled >= 3x dlc eager";
    eager.bound = 3;
    for (int t : threads) {
      const Record *dlc = lookup.find(name, "dlc", t);
      const Record *e = lookup.find(name, "dlc-eager", t);
      if (dlc && e)
        eager.entries.push_back(
            entry(t, e->medianMs / dlc->medianMs, "dlc-eager"));
    }
    add(eager);

    TargetResult compile;
    compile.workload = name;
    compile.description = name + " first-step compile <= 3 s";
    compile.bound = 3;
    compile.atMost = true;
    compile.unit = " s";
    for (int t : threads)
      if (const Record *dlc = lookup.find(name, "dlc", t))
        if (std::optional<double> ms = dlc->number("compile_ms"))
          compile.entries.push_back(entry(t, *ms * 1e-3, ""));
    add(compile);
  }
  if (present("deepfm")) {
    TargetResult rss;
    rss.workload = "deepfm";
    rss.description = "deepfm compiled peak resident memory <= 300 MiB";
    rss.bound = 300;
    rss.atMost = true;
    rss.unit = " MiB";
    for (int t : threads)
      if (const Record *dlc = lookup.find("deepfm", "dlc", t))
        if (std::optional<double> mib = dlc->number("peak_rss_mib")) {
          TargetResult::Entry e = entry(t, *mib, "");
          if (const Record *torch = lookup.find("deepfm", "torch", t))
            if (std::optional<double> tm = torch->number("peak_rss_mib"))
              e.detail = "LibTorch " + formatNumber(*tm) + " MiB";
          rss.entries.push_back(e);
        }
    add(rss);
  }
  return targets;
}

bool writeJson(const std::string &path, const std::vector<Record> &records,
               const std::vector<TargetResult> &targets, const Options &options,
               const RunInfo &info, std::string &error) {
  std::string out =
      "{\n  \"tool\": \"dlc-bench\",\n  \"suite\": " + jsonString(info.suite) +
      ",\n";
  out += "  \"quick\": " + std::string(options.quick ? "true" : "false") +
         ",\n  \"threads\": [";
  for (size_t i = 0; i < options.threads.size(); ++i)
    out += (i ? ", " : "") + std::to_string(options.threads[i]);
  out += "],\n  \"cpu\": " + jsonString(info.cpu) +
         ",\n  \"cores\": " + std::to_string(info.cores) +
         ",\n  \"load_average\": " + jsonNumber(info.loadAverage) +
         ",\n  \"torch_built\": " + (info.torchBuilt ? "true" : "false") +
         ",\n  \"environment\": {";
  for (size_t i = 0; i < info.environment.size(); ++i)
    out += (i ? ", " : "") + jsonString(info.environment[i].first) + ": " +
           jsonString(info.environment[i].second);
  out += "},\n  \"records\": [\n";
  for (size_t i = 0; i < records.size(); ++i)
    out +=
        "    " + toJson(records[i]) + (i + 1 < records.size() ? ",\n" : "\n");
  out += "  ],\n  \"targets\": [\n";
  for (size_t i = 0; i < targets.size(); ++i) {
    const TargetResult &t = targets[i];
    out += "    {\"target\": " + jsonString(t.description) +
           ", \"status\": " + jsonString(t.status) +
           ", \"bound\": " + jsonNumber(t.bound) +
           ", \"at_most\": " + (t.atMost ? "true" : "false") +
           ", \"unit\": " + jsonString(t.unit) + ", \"values\": [";
    for (size_t j = 0; j < t.entries.size(); ++j) {
      const TargetResult::Entry &e = t.entries[j];
      out += std::string(j ? ", " : "") +
             "{\"threads\": " + std::to_string(e.threads) +
             ", \"value\": " + jsonNumber(e.value);
      if (e.asInstalled)
        out += ", \"as_installed\": " + jsonNumber(*e.asInstalled);
      if (e.inPlace)
        out += ", \"inplace\": " + jsonNumber(*e.inPlace);
      if (!e.against.empty())
        out += ", \"against\": " + jsonString(e.against);
      if (!e.detail.empty())
        out += ", \"detail\": " + jsonString(e.detail);
      out += "}";
    }
    out += std::string("]}") + (i + 1 < targets.size() ? ",\n" : "\n");
  }
  out += "  ]\n}\n";

  std::ofstream file(path);
  if (!file) {
    error = "cannot open " + path + " for writing";
    return false;
  }
  file << out;
  file.close();
  if (!file) {
    error = "cannot write " + path;
    return false;
  }
  return true;
}

} // namespace dlcbench
