//===- Args.h - dlc-train's command line ----------------------------------===//

#ifndef DLC_TOOLS_DLC_TRAIN_ARGS_H
#define DLC_TOOLS_DLC_TRAIN_ARGS_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dlc::tools {

/// Every flag of dlc-train, with its default.
struct TrainArgs {
  std::string model;
  /// `criteo` or `movielens`, and the directory after the colon.
  std::string dataKind;
  std::string dataDir;
  int64_t epochs = 3;
  int64_t batchSize = 1024;
  double lr = 1e-3;
  std::string optimizer = "adam";
  double weightDecay = 0;
  int64_t embeddingDim = 8;
  /// Empty: the model's default tower.
  std::vector<int64_t> dnn;
  double dropout = 0;
  /// Epochs without a better val_auc before stopping; negative: never stop.
  int64_t patience = 2;
  uint64_t seed = 0;
  int64_t workers = 2;
  int64_t threads = 0; ///< 0: dlc's default
  std::string device = "cpu";
  std::string out;
  std::string metricsJson;
  std::optional<int64_t> maxSteps;
  int64_t maxUsers = 0;
  int64_t maxHistory = 50;
  int verbose = 1;
  /// Data parallel under mpirun: one shard of every epoch per process.
  bool distributed = false;
  /// Continue from the last completed epoch saved in --out (last/).
  bool resume = false;
  bool help = false;
};

/// The optimizers --optimizer knows: adam, adamw, sgd, adagrad, rmsprop.
const std::vector<std::string> &optimizer_names();

/// The --help text.
std::string usage();

/// Parses `args` (without the program name); throws dlc::Error naming the
/// flag for an unknown flag, a missing or malformed value, or a value out
/// of range. `--help` sets help and skips the checks of required flags.
TrainArgs parseArgs(const std::vector<std::string> &args);

} // namespace dlc::tools

#endif // DLC_TOOLS_DLC_TRAIN_ARGS_H
