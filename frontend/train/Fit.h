//===- Fit.h - Keras-style fit(), evaluate() and predict() ----------------===//
//
// The top floor of the API: train a model on a data loader for some epochs,
// with metrics, validation, a progress bar, callbacks and a history, as
// Keras's Model.fit. Two ways in, beside a hand-written loop:
//
//   // A function.
//   auto history = dlc::train::fit(model, nn::BCELoss(), optimizer, *train,
//                                  *val, train::FitOptions().epochs(10));
//   // A class, whose train_step() a subclass may replace.
//   dlc::train::Trainer trainer(model, nn::BCELoss(), optimizer, options);
//   trainer.fit(*train, *val);
//   Tensor p = trainer.predict(*test);
//
// A loader is anything with begin() and end() (a data loader, a pointer to
// one, a vector of batches) whose batches are Examples (data, target),
// vectors of Examples (stacked), TabularBatches or train::Batch. Each step is
// one compiled program: forward, backward and the optimizer update, realized
// by optimizer.step() (DESIGN.md §1).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_TRAIN_FIT_H
#define DLC_FRONTEND_TRAIN_FIT_H

#include "frontend/Functions.h"
#include "frontend/Tensor.h"
#include "frontend/nn/Module.h"
#include "frontend/train/Callbacks.h"
#include "frontend/train/History.h"
#include "frontend/train/Metrics.h"

#include <concepts>
#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace dlc::optim {
class Optimizer;
} // namespace dlc::optim

namespace dlc::train {

struct FitOptions {
  using OutputStream = std::ostream *;

  /// Train until this epoch count (Keras's `epochs`: with initial_epoch 2
  /// and epochs 5, three epochs run).
  DLC_ARG(int64_t, epochs) = 1;
  /// The epoch to start from (0-based), to resume a run.
  DLC_ARG(int64_t, initial_epoch) = 0;
  /// A resumed run: the epochs before initial_epoch, kept at the front of
  /// the history (and of the history files).
  DLC_ARG(History, initial_history);
  /// Metrics beside the loss: "auc", "logloss", "accuracy" (see
  /// make_metric); validation logs repeat them with a "val_" prefix.
  DLC_ARG(std::vector<std::string>, metrics);
  /// Options for every metric (from_logits for a model that outputs logits).
  DLC_ARG(MetricOptions, metric_options);
  DLC_ARG(std::vector<AnyCallback>, callbacks);
  /// 0: silent; 1: a progress bar on a terminal, one line per epoch
  /// otherwise; 2: one line per epoch.
  DLC_ARG(int, verbose) = 1;
  /// Batches per epoch at most (all the loader gives by default); also the
  /// progress bar's total before the first epoch has counted it.
  DLC_ARG(std::optional<int64_t>, steps_per_epoch) = std::nullopt;
  /// Write the history to these files after each epoch (CSV, JSON).
  DLC_ARG(std::string, history_csv);
  DLC_ARG(std::string, history_json);
  /// Where the progress bar and verbose callbacks print.
  DLC_ARG(OutputStream, out) = &std::cout;
};

/// One batch as fit() sees it: the model's input and the loss's target
/// (undefined when the loader has none, as in predict()).
struct Batch {
  Tensor data;
  Tensor target;
};

namespace detail {

/// A pull-based stream of one epoch's batches, and a maker of such streams.
using BatchStream = std::function<std::optional<Batch>()>;
using EpochSource = std::function<BatchStream()>;

template <typename T>
concept PointerLike = requires(T &value) {
  *value;
  value->begin();
};

template <typename T>
decltype(auto) rangeOf(T &loader) {
  if constexpr (PointerLike<T>)
    return (*loader);
  else
    return (loader);
}

template <typename T>
struct IsVector : std::false_type {};
template <typename T, typename A>
struct IsVector<std::vector<T, A>> : std::true_type {};

template <typename B>
Batch toBatch(const B &batch) {
  if constexpr (std::is_same_v<B, Batch>) {
    return batch;
  } else if constexpr (std::is_same_v<B, std::pair<Tensor, Tensor>>) {
    return {batch.first, batch.second};
  } else if constexpr (requires {
                         Tensor(batch.data);
                         Tensor(batch.target);
                       }) {
    return {batch.data, batch.target};
  } else if constexpr (requires { Tensor(batch.data); }) {
    return {batch.data, Tensor()};
  } else if constexpr (IsVector<B>::value) {
    // Examples not yet stacked (a loader without transforms::Stack).
    std::vector<Tensor> data, targets;
    for (const auto &example : batch) {
      Batch one = toBatch(example);
      data.push_back(one.data);
      if (one.target.defined())
        targets.push_back(one.target);
    }
    return {dlc::stack(data), targets.empty() ? Tensor() : dlc::stack(targets)};
  } else {
    static_assert(sizeof(B) == 0,
                  "fit: a batch must be an Example (data, target), a vector "
                  "of Examples, a std::pair<Tensor, Tensor> or train::Batch");
  }
}

/// Each call starts an epoch of `loader` (begin() resets a data loader).
template <typename Loader>
EpochSource epochSource(Loader &loader) {
  return [&loader]() -> BatchStream {
    auto &range = rangeOf(loader);
    using Begin = decltype(range.begin());
    using End = decltype(range.end());
    struct Cursor {
      Begin it;
      End end;
      bool started = false;
    };
    auto cursor = std::make_shared<Cursor>(Cursor{range.begin(), range.end()});
    return [cursor]() -> std::optional<Batch> {
      // Advance lazily: the step on the previous batch is done by now.
      if (cursor->started)
        ++cursor->it;
      cursor->started = true;
      if (cursor->it == cursor->end)
        return std::nullopt;
      return toBatch(*cursor->it);
    };
  };
}

template <typename Model>
std::shared_ptr<nn::Module> modulePointer(Model &model) {
  if constexpr (requires { model.ptr(); })
    return model.ptr(); // A ModuleHolder (nn::Linear, a DLC_MODULE type).
  else if constexpr (std::derived_from<Model, nn::Module>)
    return std::shared_ptr<nn::Module>(&model, [](nn::Module *) {});
  else
    return model; // A shared_ptr to a module.
}

template <typename Model>
std::function<Tensor(const Tensor &)> forwardOf(Model &model) {
  if constexpr (requires { model.ptr(); }) {
    return [impl = model.ptr()](const Tensor &x) -> Tensor {
      return impl->forward(x);
    };
  } else if constexpr (std::derived_from<Model, nn::Module>) {
    return [&model](const Tensor &x) -> Tensor { return model.forward(x); };
  } else {
    return
        [impl = model](const Tensor &x) -> Tensor { return impl->forward(x); };
  }
}

/// A validation loader, not the options or the caller's location.
template <typename T>
concept NotFitOptions = !std::same_as<std::decay_t<T>, FitOptions> &&
                        !std::same_as<std::decay_t<T>, Loc>;

} // namespace detail

/// Trains, evaluates and predicts with one model, loss and optimizer. The
/// model is a module holder (nn::Sequential, a DLC_MODULE type), a
/// shared_ptr to a module, or a module (kept by reference); its forward
/// takes the batch's data. The loss is any callable (output, target) ->
/// Tensor: a loss module (nn::BCELoss()) or a lambda. The optimizer is kept
/// by reference and must outlive the Trainer.
///
/// For a model that needs more than one input, or a custom step, subclass
/// and override train_step() / test_step() / predict_step().
class Trainer {
public:
  using Forward = std::function<Tensor(const Tensor &)>;
  using LossFunction = std::function<Tensor(const Tensor &, const Tensor &)>;

  template <typename Model, typename Loss>
    requires std::is_invocable_r_v<Tensor, Loss &, const Tensor &,
                                   const Tensor &>
  Trainer(Model &model, Loss loss_fn, optim::Optimizer &optimizer,
          FitOptions options = {})
      : Trainer(detail::modulePointer(model), detail::forwardOf(model),
                LossFunction(std::move(loss_fn)), &optimizer,
                std::move(options)) {}

  /// For evaluate() and predict() only (fit() throws without an optimizer).
  template <typename Model, typename Loss>
    requires std::is_invocable_r_v<Tensor, Loss &, const Tensor &,
                                   const Tensor &>
  Trainer(Model &model, Loss loss_fn, FitOptions options = {})
      : Trainer(detail::modulePointer(model), detail::forwardOf(model),
                LossFunction(std::move(loss_fn)), nullptr, std::move(options)) {
  }

  /// The general form: `optimizer` may be null, `loss` empty (predict only).
  Trainer(std::shared_ptr<nn::Module> module, Forward forward,
          LossFunction loss, optim::Optimizer *optimizer,
          FitOptions options = {});
  virtual ~Trainer();

  /// Trains for options().epochs() epochs (fewer if a callback stops it),
  /// validating on `validation` after each; returns the history.
  template <typename TrainLoader>
  History fit(TrainLoader &&train, Loc loc = Loc::current()) {
    return fitEpochs(detail::epochSource(train), nullptr, loc);
  }
  template <typename TrainLoader, typename ValidationLoader>
    requires detail::NotFitOptions<ValidationLoader>
  History fit(TrainLoader &&train, ValidationLoader &&validation,
              Loc loc = Loc::current()) {
    detail::EpochSource source = detail::epochSource(validation);
    return fitEpochs(detail::epochSource(train), &source, loc);
  }

  /// The loss and metrics over every batch of `loader`, in eval mode and
  /// without gradients: {"loss", 0.31}, {"auc", 0.78}, ...
  template <typename Loader>
  Logs evaluate(Loader &&loader, Loc loc = Loc::current()) {
    return evaluateEpoch(detail::epochSource(loader), options_.verbose(), loc);
  }

  /// The model's outputs for every batch of `loader`, concatenated along
  /// the first dimension, in eval mode and without gradients.
  template <typename Loader>
  Tensor predict(Loader &&loader, Loc loc = Loc::current()) {
    return predictEpochs(detail::epochSource(loader), loc);
  }

  FitOptions &options() { return options_; }
  const FitOptions &options() const { return options_; }
  /// The history of the last fit().
  const History &history() const { return history_; }
  nn::Module &module() { return *module_; }
  /// Throws dlc::Error when the Trainer has no optimizer.
  optim::Optimizer &optimizer();

protected:
  struct StepResult {
    /// The model's output (for the metrics) and the batch's mean loss.
    Tensor output;
    Tensor loss;
  };
  /// zero_grad, forward, loss, backward, step: one compiled program.
  virtual StepResult train_step(const Batch &batch);
  /// Forward and loss (called in eval mode, without gradients).
  virtual StepResult test_step(const Batch &batch);
  /// Forward (called in eval mode, without gradients).
  virtual Tensor predict_step(const Batch &batch);

  /// The model's forward and the loss, as given to the constructor.
  Tensor forward(const Tensor &input);
  Tensor compute_loss(const Tensor &output, const Tensor &target);

private:
  History fitEpochs(const detail::EpochSource &train,
                    const detail::EpochSource *validation, Loc loc);
  Logs evaluateEpoch(const detail::EpochSource &source, int verbose, Loc loc);
  Tensor predictEpochs(const detail::EpochSource &source, Loc loc);

  std::shared_ptr<nn::Module> module_;
  Forward forward_;
  LossFunction loss_;
  optim::Optimizer *optimizer_;
  FitOptions options_;
  History history_;
};

/// Trainer(model, loss_fn, optimizer, options).fit(train).
template <typename Model, typename Loss, typename TrainLoader>
History fit(Model &model, Loss loss_fn, optim::Optimizer &optimizer,
            TrainLoader &&train, FitOptions options = {},
            Loc loc = Loc::current()) {
  Trainer trainer(model, std::move(loss_fn), optimizer, std::move(options));
  return trainer.fit(std::forward<TrainLoader>(train), loc);
}

/// Trainer(model, loss_fn, optimizer, options).fit(train, validation).
template <typename Model, typename Loss, typename TrainLoader,
          typename ValidationLoader>
  requires detail::NotFitOptions<ValidationLoader>
History fit(Model &model, Loss loss_fn, optim::Optimizer &optimizer,
            TrainLoader &&train, ValidationLoader &&validation,
            FitOptions options = {}, Loc loc = Loc::current()) {
  Trainer trainer(model, std::move(loss_fn), optimizer, std::move(options));
  return trainer.fit(std::forward<TrainLoader>(train),
                     std::forward<ValidationLoader>(validation), loc);
}

/// Trainer(model, loss_fn, options).evaluate(loader).
template <typename Model, typename Loss, typename Loader>
Logs evaluate(Model &model, Loss loss_fn, Loader &&loader,
              FitOptions options = {}, Loc loc = Loc::current()) {
  Trainer trainer(model, std::move(loss_fn), std::move(options));
  return trainer.evaluate(std::forward<Loader>(loader), loc);
}

/// The model's outputs for every batch of `loader`, concatenated.
template <typename Model, typename Loader>
Tensor predict(Model &model, Loader &&loader, Loc loc = Loc::current()) {
  Trainer trainer(detail::modulePointer(model), detail::forwardOf(model), {},
                  nullptr, FitOptions().verbose(0));
  return trainer.predict(std::forward<Loader>(loader), loc);
}

} // namespace dlc::train

#endif // DLC_FRONTEND_TRAIN_FIT_H
