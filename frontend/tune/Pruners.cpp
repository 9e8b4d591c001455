//===- Pruners.cpp - Median and successive-halving pruning ----------------===//
//
// Both pruners keep no state: every decision is recomputed from the trials'
// intermediate values, so any worker process can make it.
//
//===----------------------------------------------------------------------===//

#include "frontend/tune/Pruners.h"

#include "runtime/Error.h"

#include <algorithm>
#include <cmath>

namespace dlc::tune {

namespace {

bool sameTrial(const FrozenTrial &a, const FrozenTrial &b) {
  return a.id == b.id && a.number == b.number;
}

/// Whether `a` is strictly better than `b`.
bool better(double a, double b, Direction direction) {
  return direction == Direction::Minimize ? a < b : a > b;
}

class NopPruner : public Pruner {
public:
  bool prune(const std::vector<FrozenTrial> &, const FrozenTrial &,
             Direction) override {
    return false;
  }
};

//===----------------------------------------------------------------------===//
// Median
//===----------------------------------------------------------------------===//

class MedianPruner : public Pruner {
public:
  explicit MedianPruner(const MedianPrunerOptions &options) : options(options) {
    if (options.n_startup_trials < 0)
      throw Error("make_median_pruner: n_startup_trials must be >= 0, got " +
                  std::to_string(options.n_startup_trials));
    if (options.n_warmup_steps < 0)
      throw Error("make_median_pruner: n_warmup_steps must be >= 0, got " +
                  std::to_string(options.n_warmup_steps));
    if (options.interval_steps < 1)
      throw Error("make_median_pruner: interval_steps must be >= 1, got " +
                  std::to_string(options.interval_steps));
  }

  bool prune(const std::vector<FrozenTrial> &trials, const FrozenTrial &trial,
             Direction direction) override {
    if (trial.intermediate_values.empty())
      return false;
    int64_t step = trial.intermediate_values.rbegin()->first;
    if (step < options.n_warmup_steps ||
        (step - options.n_warmup_steps) % options.interval_steps != 0)
      return false;
    int64_t completed = 0;
    for (const FrozenTrial &t : trials)
      if (t.state == TrialState::Complete && !sameTrial(t, trial))
        ++completed;
    if (completed < options.n_startup_trials)
      return false;

    std::optional<double> best;
    for (const auto &[s, value] : trial.intermediate_values)
      if (!std::isnan(value) && (!best || better(value, *best, direction)))
        best = value;
    // A trial that reported nothing but NaN cannot be worth going on with.
    if (!best)
      return true;

    std::vector<double> others;
    for (const FrozenTrial &t : trials) {
      if (sameTrial(t, trial) ||
          (t.state != TrialState::Complete && t.state != TrialState::Pruned))
        continue;
      auto at = t.intermediate_values.find(step);
      if (at != t.intermediate_values.end() && !std::isnan(at->second))
        others.push_back(at->second);
    }
    if (others.empty())
      return false;
    std::sort(others.begin(), others.end());
    size_t n = others.size();
    double median =
        n % 2 ? others[n / 2] : 0.5 * (others[n / 2 - 1] + others[n / 2]);
    return better(median, *best, direction);
  }

private:
  MedianPrunerOptions options;
};

//===----------------------------------------------------------------------===//
// Successive halving
//===----------------------------------------------------------------------===//

class SuccessiveHalvingPruner : public Pruner {
public:
  explicit SuccessiveHalvingPruner(const SuccessiveHalvingOptions &options)
      : options(options) {
    if (options.min_resource < 1)
      throw Error("make_successive_halving_pruner: min_resource must be >= 1, "
                  "got " +
                  std::to_string(options.min_resource));
    if (options.reduction_factor < 2)
      throw Error("make_successive_halving_pruner: reduction_factor must be "
                  ">= 2, got " +
                  std::to_string(options.reduction_factor));
    if (options.min_early_stopping_rate < 0)
      throw Error("make_successive_halving_pruner: min_early_stopping_rate "
                  "must be >= 0, got " +
                  std::to_string(options.min_early_stopping_rate));
  }

  bool prune(const std::vector<FrozenTrial> &trials, const FrozenTrial &trial,
             Direction direction) override {
    const auto &reports = trial.intermediate_values;
    if (reports.empty())
      return false;
    int64_t step = reports.rbegin()->first;
    // The trial passed every rung at or below its previous report (it was
    // not pruned then); the rungs up to `step` beyond that are new.
    std::optional<int64_t> previous;
    if (reports.size() > 1)
      previous = std::prev(reports.end(), 2)->first;

    int64_t rung = options.min_resource;
    for (int64_t i = 0; i < options.min_early_stopping_rate; ++i) {
      if (rung > step / options.reduction_factor)
        return false;
      rung *= options.reduction_factor;
    }
    while (rung <= step) {
      if ((!previous || rung > *previous) &&
          !promoted(trials, trial, rung, direction))
        return true;
      if (rung > step / options.reduction_factor)
        break;
      rung *= options.reduction_factor;
    }
    return false;
  }

private:
  /// The value at a rung: the latest report at or before its step (the
  /// first report when all came later).
  static double valueAt(const FrozenTrial &t, int64_t rung) {
    auto after = t.intermediate_values.upper_bound(rung);
    if (after == t.intermediate_values.begin())
      return after->second;
    return std::prev(after)->second;
  }

  bool promoted(const std::vector<FrozenTrial> &trials,
                const FrozenTrial &trial, int64_t rung,
                Direction direction) const {
    double value = valueAt(trial, rung);
    if (std::isnan(value))
      return false;
    int64_t n = 1, ahead = 0;
    for (const FrozenTrial &t : trials) {
      if (sameTrial(t, trial) || t.intermediate_values.empty() ||
          t.intermediate_values.rbegin()->first < rung)
        continue;
      ++n;
      double other = valueAt(t, rung);
      // NaN ranks last.
      if (!std::isnan(other) && better(other, value, direction))
        ++ahead;
    }
    int64_t top = std::max<int64_t>(1, n / options.reduction_factor);
    return ahead < top;
  }

  SuccessiveHalvingOptions options;
};

} // namespace

std::shared_ptr<Pruner> make_nop_pruner() {
  return std::make_shared<NopPruner>();
}

std::shared_ptr<Pruner> make_median_pruner(const MedianPrunerOptions &options) {
  return std::make_shared<MedianPruner>(options);
}

std::shared_ptr<Pruner>
make_successive_halving_pruner(const SuccessiveHalvingOptions &options) {
  return std::make_shared<SuccessiveHalvingPruner>(options);
}

} // namespace dlc::tune
