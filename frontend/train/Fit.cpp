//===- Fit.cpp - Keras-style fit(), evaluate() and predict() --------------===//

#include "frontend/train/Fit.h"

#include "frontend/Autograd.h"
#include "frontend/Context.h"
#include "frontend/optim/Optimizer.h"
#include "frontend/train/Progress.h"
#include "runtime/Distributed.h"
#include "runtime/Error.h"

#include <fmt/format.h>

namespace dlc::train {
namespace {

/// Puts the module back in the mode it had, however the scope ends.
class ModeGuard {
public:
  ModeGuard(nn::Module &module, bool training)
      : module(module), previous(module.is_training()) {
    module.train(training);
  }
  ~ModeGuard() { module.train(previous); }
  ModeGuard(const ModeGuard &) = delete;
  ModeGuard &operator=(const ModeGuard &) = delete;

private:
  nn::Module &module;
  bool previous;
};

/// The rows of a batch: the target's first dimension, else the data's.
int64_t batchRows(const Batch &batch, const Tensor &output) {
  for (const Tensor *tensor : {&batch.target, &batch.data, &output})
    if (tensor->defined() && tensor->dim() > 0)
      return tensor->size(0);
  return 1;
}

/// The loss and the metrics of one pass over batches.
class Meters {
public:
  Meters(const FitOptions &options, Loc loc) {
    for (const std::string &name : options.metrics())
      if (name != "loss")
        metrics.push_back(make_metric(name, options.metric_options(), loc));
  }

  void add(const Batch &batch, const Tensor &output, double loss, Loc loc) {
    lossMeter.update_loss(loss, batchRows(batch, output), loc);
    if (metrics.empty())
      return;
    if (!batch.target.defined())
      dlc::detail::throwError(
          "fit", "a metric needs targets, and the batch has none", loc);
    for (const auto &metric : metrics)
      metric->update(output, batch.target, loc);
  }

  double loss() const { return lossMeter.compute(); }
  /// Combines every process's samples (a job of several processes).
  void synchronize() {
    if (rt::dist::world_size() <= 1)
      return;
    lossMeter.synchronize();
    for (const auto &metric : metrics)
      metric->synchronize();
  }

  /// "loss" then each metric, each name after `prefix`.
  Logs logs(const std::string &prefix = "") const {
    Logs values{{prefix + "loss", lossMeter.compute()}};
    for (const auto &metric : metrics)
      values.emplace_back(prefix + metric->name(), metric->compute());
    return values;
  }

private:
  MeanLoss lossMeter;
  std::vector<std::unique_ptr<Metric>> metrics;
};

std::unique_ptr<Progress> makeProgress(const FitOptions &options,
                                       int64_t totalSteps) {
  // In a distributed job only rank 0 prints.
  if (options.verbose() <= 0 || rt::dist::rank() != 0)
    return nullptr;
  std::ostream &out = options.out() ? *options.out() : std::cout;
  bool interactive =
      options.verbose() == 1 && &out == &std::cout && stdout_is_terminal();
  return std::make_unique<Progress>(totalSteps, interactive, out);
}

double learningRate(const optim::Optimizer &optimizer) {
  const auto &groups = optimizer.param_groups();
  return groups.empty() ? 0.0 : groups.front().options().get_lr();
}

} // namespace

Trainer::Trainer(std::shared_ptr<nn::Module> module, Forward forward,
                 LossFunction loss, optim::Optimizer *optimizer,
                 FitOptions options)
    : module_(std::move(module)), forward_(std::move(forward)),
      loss_(std::move(loss)), optimizer_(optimizer),
      options_(std::move(options)) {
  if (!module_ || !forward_)
    throw Error("Trainer: the model is null");
}

Trainer::~Trainer() = default;

optim::Optimizer &Trainer::optimizer() {
  if (!optimizer_)
    throw Error("Trainer: no optimizer was given (pass one to the "
                "constructor to fit)");
  return *optimizer_;
}

Tensor Trainer::forward(const Tensor &input) { return forward_(input); }

Tensor Trainer::compute_loss(const Tensor &output, const Tensor &target) {
  if (!loss_)
    throw Error("Trainer: no loss function was given");
  if (!target.defined())
    throw Error("Trainer: the loss needs targets, and the batch has none");
  return loss_(output, target);
}

Trainer::StepResult Trainer::train_step(const Batch &batch) {
  optim::Optimizer &opt = optimizer();
  opt.zero_grad();
  Tensor output = forward(batch.data);
  Tensor loss = compute_loss(output, batch.target);
  loss.backward();
  opt.step();
  return {output, loss};
}

Trainer::StepResult Trainer::test_step(const Batch &batch) {
  Tensor output = forward(batch.data);
  return {output, compute_loss(output, batch.target)};
}

Tensor Trainer::predict_step(const Batch &batch) { return forward(batch.data); }

History Trainer::fitEpochs(const detail::EpochSource &train,
                           const detail::EpochSource *validation, Loc loc) {
  optim::Optimizer &opt = optimizer();
  const FitOptions &o = options_;
  if (o.epochs() < 0 || o.initial_epoch() < 0)
    dlc::detail::throwError(
        "fit",
        fmt::format("epochs {} and initial_epoch {} must not be "
                    "negative",
                    o.epochs(), o.initial_epoch()),
        loc);
  if (o.steps_per_epoch() && *o.steps_per_epoch() <= 0)
    dlc::detail::throwError(
        "fit",
        fmt::format("steps_per_epoch {} is not positive", *o.steps_per_epoch()),
        loc);
  // Unknown metric names fail here, before any training.
  (void)Meters(o, loc);

  history_ = o.initial_history();
  TrainState state;
  state.module = module_.get();
  state.optimizer = &opt;
  state.history = &history_;
  state.epochs = o.epochs();
  state.steps_per_epoch = o.steps_per_epoch().value_or(-1);
  state.out = o.out() ? o.out() : &std::cout;
  state.loc = loc;
  std::vector<std::shared_ptr<Callback>> callbacks;
  for (const AnyCallback &callback : o.callbacks())
    callbacks.push_back(callback.ptr());

  ModeGuard training(*module_, true);
  for (const auto &callback : callbacks)
    callback->on_train_begin(state);

  for (int64_t epoch = o.initial_epoch();
       epoch < o.epochs() && !state.stop_training; ++epoch) {
    state.epoch = epoch;
    module_->train();
    for (const auto &callback : callbacks)
      callback->on_epoch_begin(state);

    Meters meters(o, loc);
    std::unique_ptr<Progress> progress = makeProgress(o, state.steps_per_epoch);
    if (progress)
      progress->begin_epoch(epoch + 1, o.epochs(), loc);

    detail::BatchStream stream = train();
    int64_t step = 0;
    while (!o.steps_per_epoch() || step < *o.steps_per_epoch()) {
      std::optional<Batch> batch = stream();
      if (!batch)
        break;
      for (const auto &callback : callbacks)
        callback->on_train_batch_begin(state, step);
      StepResult result = train_step(*batch);
      if (!result.loss.defined())
        dlc::detail::throwError("fit", "train_step returned no loss", loc);
      meters.add(*batch, result.output, result.loss.item<double>(), loc);
      ++step;
      ++state.global_step;

      Logs batchLogs{{"loss", meters.loss()}};
      for (const auto &callback : callbacks)
        callback->on_train_batch_end(state, step - 1, batchLogs);
      // Metrics such as AUC cost a pass over the epoch's samples: compute
      // them only when the bar is about to be drawn.
      if (progress) {
        bool last = step == state.steps_per_epoch;
        progress->update(
            step, last || progress->due() ? meters.logs() : batchLogs, loc);
      }
      if (state.stop_training)
        break;
    }
    if (step == 0)
      dlc::detail::throwError(
          "fit",
          fmt::format("the training loader gave no batches in epoch {} (an "
                      "empty dataset, or drop_last with fewer rows than a "
                      "batch)",
                      epoch),
          loc);
    if (state.steps_per_epoch < 0)
      state.steps_per_epoch = step;

    Logs logs = meters.logs();
    if (validation) {
      Logs validationLogs = evaluateEpoch(*validation, 0, loc);
      for (auto &[name, value] : validationLogs)
        logs.emplace_back("val_" + name, value);
    }
    logs.emplace_back("lr", learningRate(opt));
    if (progress)
      progress->finish(logs);
    history_.append(epoch, logs, loc);
    for (const auto &callback : callbacks)
      callback->on_epoch_end(state, logs);
    // One writer in a distributed job: rank 0.
    if (!o.history_csv().empty() && rt::dist::rank() == 0)
      history_.save_csv(o.history_csv(), ',', loc);
    if (!o.history_json().empty() && rt::dist::rank() == 0)
      history_.save_json(o.history_json(), loc);
  }

  for (const auto &callback : callbacks)
    callback->on_train_end(state);
  return history_;
}

Logs Trainer::evaluateEpoch(const detail::EpochSource &source, int verbose,
                            Loc loc) {
  ModeGuard eval(*module_, false);
  NoGradGuard noGrad;
  Meters meters(options_, loc);
  FitOptions progressOptions = options_;
  progressOptions.verbose(verbose);
  std::unique_ptr<Progress> progress = makeProgress(progressOptions, -1);

  detail::BatchStream stream = source();
  int64_t step = 0;
  while (std::optional<Batch> batch = stream()) {
    StepResult result = test_step(*batch);
    if (!result.loss.defined())
      dlc::detail::throwError("evaluate", "test_step returned no loss", loc);
    meters.add(*batch, result.output, result.loss.item<double>(), loc);
    ++step;
    if (progress)
      progress->update(
          step, progress->due() ? meters.logs() : Logs{{"loss", meters.loss()}},
          loc);
  }
  if (step == 0 && rt::dist::world_size() <= 1)
    dlc::detail::throwError("evaluate", "the loader gave no batches", loc);
  meters.synchronize();
  Logs logs = meters.logs();
  if (progress)
    progress->finish(logs);
  return logs;
}

Tensor Trainer::predictEpochs(const detail::EpochSource &source, Loc loc) {
  ModeGuard eval(*module_, false);
  NoGradGuard noGrad;
  // Each batch's output is copied to the host as it comes, so that the
  // graph of one batch never holds another's.
  auto bytes = std::make_shared<std::vector<uint8_t>>();
  std::vector<int64_t> shape;
  ScalarType type = ScalarType::Float;
  detail::BatchStream stream = source();
  int64_t batches = 0;
  while (std::optional<Batch> batch = stream()) {
    Tensor output = predict_step(*batch);
    if (!output.defined() || output.dim() == 0)
      dlc::detail::throwError(
          "predict", "the model's output must have a batch dimension", loc);
    std::vector<int64_t> sizes = output.sizes().vec();
    if (batches == 0) {
      shape = sizes;
      type = output.scalar_type();
    } else {
      if (output.scalar_type() != type ||
          !std::equal(sizes.begin() + 1, sizes.end(), shape.begin() + 1,
                      shape.end()))
        dlc::detail::throwError(
            "predict",
            fmt::format("batch {} gave a {} {} output after {} {} ones",
                        batches, toString(output.scalar_type()),
                        fmt::join(sizes, "x"), toString(type),
                        fmt::join(shape, "x")),
            loc);
      shape[0] += sizes[0];
    }
    size_t size = static_cast<size_t>(output.numel()) * elementSize(type);
    size_t offset = bytes->size();
    bytes->resize(offset + size);
    if (size > 0)
      output.copyTo(bytes->data() + offset, type);
    ++batches;
  }
  if (batches == 0)
    dlc::detail::throwError("predict", "the loader gave no batches", loc);
  void *data = bytes->data();
  return dlc::from_blob(
      data, shape, [bytes](void *) mutable { bytes.reset(); },
      TensorOptions().dtype(type));
}

} // namespace dlc::train
