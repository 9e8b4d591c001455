//===- Callbacks.h - Hooks into fit(): early stopping, checkpoints, logs --===//
//
// Keras's callbacks for dlc's fit(): a Callback sees the start and end of
// training, of each epoch and of each batch, with the epoch's logs, and can
// stop the training. EarlyStopping, ModelCheckpoint, LearningRateScheduler,
// ReduceLROnPlateau, TensorBoard, CSVLogger, TerminateOnNaN and
// LambdaCallback behave as their Keras namesakes; epochs are 0-based in
// callbacks and histories, as in Keras, and 1-based on the progress line.
//
//   auto history = dlc::train::fit(model, loss_fn, optimizer, *train, *val,
//       dlc::train::FitOptions().epochs(20).metrics({"auc"}).callbacks({
//           dlc::train::EarlyStopping(dlc::train::EarlyStoppingOptions()
//                                         .monitor("val_auc").patience(3)),
//           dlc::train::ModelCheckpoint("best.safetensors"),
//           dlc::train::TensorBoard("runs/exp1")}));
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_TRAIN_CALLBACKS_H
#define DLC_FRONTEND_TRAIN_CALLBACKS_H

#include "frontend/Tensor.h"
#include "frontend/nn/Module.h"
#include "frontend/train/History.h"

#include <concepts>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace dlc::optim {
class Optimizer;
class LRScheduler;
class ReduceLROnPlateauScheduler;
} // namespace dlc::optim

namespace dlc::train {

class SummaryWriter;

/// What callbacks see of a running fit().
struct TrainState {
  /// The model being trained.
  nn::Module *module = nullptr;
  /// Its optimizer (null in evaluate() and predict()).
  optim::Optimizer *optimizer = nullptr;
  /// The epochs finished so far.
  const History *history = nullptr;
  /// The current epoch (0-based) and the epoch count fit() ends before.
  int64_t epoch = 0;
  int64_t epochs = 0;
  /// Batches trained since fit() began.
  int64_t global_step = 0;
  /// Batches per epoch: as FitOptions::steps_per_epoch says, or counted in
  /// the first epoch; -1 while unknown.
  int64_t steps_per_epoch = -1;
  /// Set it to end training after the current epoch (Keras's
  /// `model.stop_training`); a batch callback setting it ends the epoch
  /// after that batch.
  bool stop_training = false;
  /// Where callbacks with `verbose` print.
  std::ostream *out = &std::cout;
  /// The fit() call, which callbacks' errors name.
  std::source_location loc = std::source_location::current();
};

/// The base of every callback: each hook does nothing by default.
class Callback {
public:
  virtual ~Callback();

  virtual void on_train_begin(TrainState &state) {}
  /// Runs when training ends: after the last epoch or a stop (not when an
  /// exception ends it).
  virtual void on_train_end(TrainState &state) {}
  virtual void on_epoch_begin(TrainState &state) {}
  /// `logs` holds the epoch's "loss", metrics, "val_*" and "lr".
  virtual void on_epoch_end(TrainState &state, const Logs &logs) {}
  virtual void on_train_batch_begin(TrainState &state, int64_t batch) {}
  /// `batch` is 0-based within the epoch; `logs` holds "loss", the running
  /// mean of the epoch so far (metrics are computed at the epoch's end).
  virtual void on_train_batch_end(TrainState &state, int64_t batch,
                                  const Logs &logs) {}
};

/// A callback in FitOptions::callbacks: a callback object (copied) or a
/// shared_ptr to one (shared, so that the caller can read it afterwards,
/// e.g. EarlyStopping::stopped_epoch()).
class AnyCallback {
public:
  template <typename C>
    requires std::derived_from<std::decay_t<C>, Callback> &&
             std::copy_constructible<std::decay_t<C>>
  /* implicit */ AnyCallback(C &&callback)
      : impl(std::make_shared<std::decay_t<C>>(std::forward<C>(callback))) {}
  template <typename C>
    requires std::derived_from<C, Callback>
  /* implicit */ AnyCallback(std::shared_ptr<C> callback)
      : impl(std::move(callback)) {}

  Callback &operator*() const { return *impl; }
  Callback *operator->() const { return impl.get(); }
  const std::shared_ptr<Callback> &ptr() const { return impl; }

private:
  std::shared_ptr<Callback> impl;
};

/// "min", "max" or "auto" (max for a monitor naming auc or accuracy, min
/// otherwise), as Keras's `mode`.
enum class MonitorMode { Auto, Min, Max };

//===----------------------------------------------------------------------===//
// EarlyStopping
//===----------------------------------------------------------------------===//

struct EarlyStoppingOptions {
  EarlyStoppingOptions() = default;
  /* implicit */ EarlyStoppingOptions(std::string monitor)
      : monitor_(std::move(monitor)) {}
  /// The log to watch.
  DLC_ARG(std::string, monitor) = "val_loss";
  /// The least change that counts as an improvement.
  DLC_ARG(double, min_delta) = 0;
  /// Epochs without improvement before stopping.
  DLC_ARG(int64_t, patience) = 0;
  DLC_ARG(MonitorMode, mode) = MonitorMode::Auto;
  /// Stop also while the monitor is not better than this.
  DLC_ARG(std::optional<double>, baseline) = std::nullopt;
  /// On stopping, put back the weights of the best epoch.
  DLC_ARG(bool, restore_best_weights) = false;
  /// Epochs to train before watching.
  DLC_ARG(int64_t, start_from_epoch) = 0;
  /// Print a line when stopping.
  DLC_ARG(bool, verbose) = false;
};

/// Stops training when `monitor` has not improved for `patience` epochs,
/// as keras.callbacks.EarlyStopping. Throws dlc::Error at the first epoch
/// end whose logs lack `monitor`, naming the logs there are.
class EarlyStopping : public Callback {
public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});

  void on_train_begin(TrainState &state) override;
  void on_epoch_end(TrainState &state, const Logs &logs) override;
  void on_train_end(TrainState &state) override;

  /// The epoch training stopped at (0 if it did not stop early).
  int64_t stopped_epoch() const { return stoppedEpoch; }
  /// The best value seen and its epoch (-1 before any).
  double best() const { return bestValue; }
  int64_t best_epoch() const { return bestEpoch; }
  /// Epochs since the last improvement.
  int64_t wait_count() const { return wait; }
  const EarlyStoppingOptions &options() const { return opts; }
  /// A resumed run: the best so far and the epochs waited since, from the
  /// interrupted run (applied at train begin; restore_best_weights then
  /// starts from the weights the run resumes with).
  void resume(double best, int64_t best_epoch, int64_t wait_count);

private:
  bool isImprovement(double value, double reference) const;

  std::optional<std::tuple<double, int64_t, int64_t>> resumed;
  EarlyStoppingOptions opts;
  bool maximize = false;
  int64_t wait = 0;
  int64_t stoppedEpoch = 0;
  double bestValue = 0;
  int64_t bestEpoch = -1;
  /// The best epoch's parameters and buffers, by name.
  std::vector<std::pair<std::string, Tensor>> bestWeights;
};

//===----------------------------------------------------------------------===//
// ModelCheckpoint
//===----------------------------------------------------------------------===//

struct ModelCheckpointOptions {
  /// The log that decides which checkpoint is the best.
  DLC_ARG(std::string, monitor) = "val_loss";
  DLC_ARG(MonitorMode, mode) = MonitorMode::Auto;
  /// Write only when `monitor` improves (else after every epoch).
  DLC_ARG(bool, save_best_only) = false;
  /// Also write the optimizer's state, to `<path>.optimizer` with the
  /// extension kept (`best.safetensors` -> `best.optimizer.safetensors`).
  DLC_ARG(bool, save_optimizer) = false;
  /// When training ends, load the best checkpoint written back into the
  /// model (dlc's own; Keras leaves this to the caller).
  DLC_ARG(bool, load_best_on_train_end) = false;
  /// Print a line for each checkpoint written.
  DLC_ARG(bool, verbose) = false;
};

/// Saves the model (dlc::save, a safetensors file) at the end of each
/// epoch, as keras.callbacks.ModelCheckpoint. In a distributed job only rank
/// 0 writes (every rank tracks the best, from the same combined logs), and
/// load_best_on_train_end loads on rank 0 and broadcasts the parameters. `path`
/// may name the epoch (1-based, as Keras) and logs:
/// `ckpt-{epoch:02d}-{val_loss:.4f}.safetensors` (a printf-style spec after the
/// colon). The directory is created. Throws dlc::Error for a `{name}` that is
/// not in the logs and, with save_best_only or load_best_on_train_end, when
/// `monitor` is missing.
class ModelCheckpoint : public Callback {
public:
  explicit ModelCheckpoint(std::string path,
                           ModelCheckpointOptions options = {});

  void on_train_begin(TrainState &state) override;
  void on_epoch_end(TrainState &state, const Logs &logs) override;
  void on_train_end(TrainState &state) override;

  /// The file of the best epoch so far (empty before any), its monitor
  /// value and epoch.
  const std::string &best_path() const { return bestPath; }
  double best() const { return bestValue; }
  int64_t best_epoch() const { return bestEpoch; }
  /// Every file written, in order.
  const std::vector<std::string> &saved_paths() const { return savedPaths; }
  const ModelCheckpointOptions &options() const { return opts; }
  /// A resumed run: the best so far comes from the interrupted run, so
  /// that a worse epoch does not replace its file (applied at train begin).
  void resume(double best, int64_t best_epoch, std::string best_path);

private:
  std::optional<std::tuple<double, int64_t, std::string>> resumed;
  std::string pathTemplate;
  ModelCheckpointOptions opts;
  bool maximize = false;
  std::string bestPath;
  double bestValue = 0;
  int64_t bestEpoch = -1;
  std::vector<std::string> savedPaths;
};

/// `pattern` with each `{name}` or `{name:spec}` replaced by `epoch + 1`
/// ("epoch") or the log `name`, formatted by the printf conversion `spec`
/// (`02d`, `.4f`; `{}`'s default is the shortest exact form). Throws
/// dlc::Error for an unknown name, a bad spec or an unclosed brace.
std::string format_checkpoint_path(
    const std::string &pattern, int64_t epoch, const Logs &logs,
    std::source_location loc = std::source_location::current());

/// Where ModelCheckpoint writes the optimizer for the model file `path`.
std::string optimizer_checkpoint_path(const std::string &path);

//===----------------------------------------------------------------------===//
// Learning rates
//===----------------------------------------------------------------------===//

/// Steps an optim::LRScheduler (StepLR, ExponentialLR, CosineAnnealingLR,
/// ...) after each epoch, or sets the learning rate of every group at each
/// epoch's start to `schedule(epoch, lr)` (keras.callbacks.
/// LearningRateScheduler). The scheduler must drive the optimizer fit() is
/// given.
class LearningRateScheduler : public Callback {
public:
  using Schedule = std::function<double(int64_t epoch, double lr)>;
  explicit LearningRateScheduler(std::shared_ptr<optim::LRScheduler> scheduler,
                                 bool verbose = false);
  explicit LearningRateScheduler(Schedule schedule, bool verbose = false);

  void on_epoch_begin(TrainState &state) override;
  void on_epoch_end(TrainState &state, const Logs &logs) override;

private:
  std::shared_ptr<optim::LRScheduler> scheduler;
  Schedule schedule;
  bool verbose;
};

/// Steps an optim::ReduceLROnPlateauScheduler with the log `monitor` after
/// each epoch (keras.callbacks.ReduceLROnPlateau, with LibTorch's
/// scheduler). Throws dlc::Error when the logs lack `monitor`.
class ReduceLROnPlateau : public Callback {
public:
  explicit ReduceLROnPlateau(
      std::shared_ptr<optim::ReduceLROnPlateauScheduler> scheduler,
      std::string monitor = "val_loss", bool verbose = false);

  void on_epoch_end(TrainState &state, const Logs &logs) override;

private:
  std::shared_ptr<optim::ReduceLROnPlateauScheduler> scheduler;
  std::string monitor;
  bool verbose;
};

//===----------------------------------------------------------------------===//
// Logs
//===----------------------------------------------------------------------===//

struct TensorBoardOptions {
  /// Also write "batch_loss" every this many batches (0: epochs only).
  DLC_ARG(int64_t, update_freq) = 0;
};

/// Writes each epoch's logs as TensorBoard scalars, laid out as Keras does:
/// `<log_dir>/train` holds `epoch_loss`, `epoch_<metric>` and
/// `epoch_learning_rate`, `<log_dir>/validation` the `val_*` logs without
/// the prefix (so TensorBoard draws train and validation on one chart), at
/// step = epoch. Files are flushed after each epoch.
class TensorBoard : public Callback {
public:
  explicit TensorBoard(std::string log_dir, TensorBoardOptions options = {});

  void on_train_begin(TrainState &state) override;
  void on_epoch_end(TrainState &state, const Logs &logs) override;
  void on_train_batch_end(TrainState &state, int64_t batch,
                          const Logs &logs) override;
  void on_train_end(TrainState &state) override;

  const std::string &log_dir() const { return logDir; }

private:
  std::string logDir;
  TensorBoardOptions opts;
  std::shared_ptr<SummaryWriter> trainWriter;
  std::shared_ptr<SummaryWriter> validationWriter;
};

/// Appends each epoch's logs to a CSV file as a row (keras.callbacks.
/// CSVLogger): `epoch` then the first epoch's keys; the file is rewritten
/// whole (atomically) each epoch, so it is never half a row. With `append`,
/// the rows of an earlier file are kept.
class CSVLogger : public Callback {
public:
  explicit CSVLogger(std::string path, char separator = ',',
                     bool append = false);

  void on_train_begin(TrainState &state) override;
  void on_epoch_end(TrainState &state, const Logs &logs) override;

private:
  std::string path;
  char separator;
  bool append;
  std::string header;
  std::string text;
};

/// Stops training at the first batch whose loss is NaN or infinite.
class TerminateOnNaN : public Callback {
public:
  void on_train_batch_end(TrainState &state, int64_t batch,
                          const Logs &logs) override;
};

/// A callback made of functions (keras.callbacks.LambdaCallback): each one
/// set runs at its hook.
struct LambdaCallback : Callback {
  std::function<void(TrainState &)> train_begin;
  std::function<void(TrainState &)> train_end;
  std::function<void(TrainState &)> epoch_begin;
  std::function<void(TrainState &, const Logs &)> epoch_end;
  std::function<void(TrainState &, int64_t)> batch_begin;
  std::function<void(TrainState &, int64_t, const Logs &)> batch_end;

  void on_train_begin(TrainState &state) override;
  void on_train_end(TrainState &state) override;
  void on_epoch_begin(TrainState &state) override;
  void on_epoch_end(TrainState &state, const Logs &logs) override;
  void on_train_batch_begin(TrainState &state, int64_t batch) override;
  void on_train_batch_end(TrainState &state, int64_t batch,
                          const Logs &logs) override;
};

} // namespace dlc::train

#endif // DLC_FRONTEND_TRAIN_CALLBACKS_H
