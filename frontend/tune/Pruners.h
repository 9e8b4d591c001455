//===- Pruners.h - Median and successive-halving pruning ------------------===//

#ifndef DLC_FRONTEND_TUNE_PRUNERS_H
#define DLC_FRONTEND_TUNE_PRUNERS_H

#include "frontend/tune/Types.h"

#include <cstdint>
#include <memory>

namespace dlc::tune {

/// Never prunes.
std::shared_ptr<Pruner> make_nop_pruner();

struct MedianPrunerOptions {
  /// No pruning until this many trials have completed (5).
  int64_t n_startup_trials = 5;
  /// No pruning at steps below this (0).
  int64_t n_warmup_steps = 0;
  /// Decide only every interval_steps steps after the warm-up (1).
  int64_t interval_steps = 1;
};

/// Optuna's MedianPruner: prunes when the trial's best intermediate value
/// so far is worse than the median of the other finished trials' values at
/// the same step (trials without a report at that step do not count).
std::shared_ptr<Pruner>
make_median_pruner(const MedianPrunerOptions &options = {});

struct SuccessiveHalvingOptions {
  /// The first rung is at step min_resource (1).
  int64_t min_resource = 1;
  /// Rung k is at min_resource * reduction_factor^(k +
  /// min_early_stopping_rate); a trial goes on past a rung only if its value
  /// there is in the best 1 / reduction_factor of the values of all trials at
  /// that rung (4).
  int64_t reduction_factor = 4;
  int64_t min_early_stopping_rate = 0;
};

/// Asynchronous successive halving (Li et al., "A System for Massively
/// Parallel Hyperparameter Tuning", MLSys 2020; Optuna's
/// SuccessiveHalvingPruner): at each rung a trial is compared with every
/// trial that reached the rung before it, by its value at the rung's step
/// (the latest report at or before it).
std::shared_ptr<Pruner>
make_successive_halving_pruner(const SuccessiveHalvingOptions &options = {});

} // namespace dlc::tune

#endif // DLC_FRONTEND_TUNE_PRUNERS_H
