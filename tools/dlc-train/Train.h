//===- Train.h - One dlc-train run, for dlc-train and dlc-tune ------------===//

#ifndef DLC_TOOLS_DLC_TRAIN_TRAIN_H
#define DLC_TOOLS_DLC_TRAIN_TRAIN_H

#include "Args.h"

#include <dlc/dlc.h>
#include <nlohmann/json.hpp>

#include <vector>

namespace dlc::tools {

using Json = nlohmann::ordered_json;

/// What a caller adds to a run.
struct TrainHooks {
  /// Callbacks after dlc-train's own (timing, checkpoint, TensorBoard,
  /// early stopping): dlc-tune's reporting and pruning.
  std::vector<train::AnyCallback> callbacks;
  /// Score the baselines on the test split (dlc-tune's trials skip them).
  bool baselines = true;
};

/// Trains `a.model` on `a`'s data as dlc-train does, printing what
/// a.verbose asks for; returns the metrics (model, data, rows, epochs_run,
/// best_epoch, train/valid/test metrics of the best epoch, baselines,
/// timings, compiler), which it also writes to a.metricsJson when set.
/// Throws dlc::Error for bad data, paths or settings.
Json train_model(const TrainArgs &a, const TrainHooks &hooks = {});

} // namespace dlc::tools

#endif // DLC_TOOLS_DLC_TRAIN_TRAIN_H
