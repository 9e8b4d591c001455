//===- Optimizer.h - optim: optimizers and learning-rate schedulers -------===//
//
// As torch::optim. step() records every parameter's update into the pending
// graph (no math on the host) and realizes it together with whatever else
// the step computed: forward, backward and update are one compiled program.
// Values that change from step to step (the learning rate, Adam's bias
// corrections) enter the program as 0-d tensors, so a scheduler changing the
// learning rate does not recompile it. The optimizer state is updated in
// place (its old buffers are given to the program, see Executable::run).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_OPTIM_OPTIMIZER_H
#define DLC_FRONTEND_OPTIM_OPTIMIZER_H

#include "frontend/Tensor.h"
#include "frontend/nn/Module.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace dlc::optim {

/// The options of a parameter group (each optimizer's Options derive from
/// it); get_lr/set_lr are what schedulers use.
class OptimizerOptions {
public:
  virtual ~OptimizerOptions() = default;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
};

template <typename Derived>
class OptimizerCloneableOptions : public OptimizerOptions {
public:
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived &>(*this));
  }
  double get_lr() const override {
    return static_cast<const Derived &>(*this).lr();
  }
  void set_lr(double lr) override { static_cast<Derived &>(*this).lr(lr); }
};

/// Parameters sharing options.
class OptimizerParamGroup {
public:
  /* implicit */ OptimizerParamGroup(std::vector<Tensor> params)
      : params_(std::move(params)) {}
  OptimizerParamGroup(std::vector<Tensor> params,
                      std::unique_ptr<OptimizerOptions> options)
      : params_(std::move(params)), options_(std::move(options)) {}
  OptimizerParamGroup(const OptimizerParamGroup &other);
  OptimizerParamGroup &operator=(const OptimizerParamGroup &other);
  OptimizerParamGroup(OptimizerParamGroup &&) = default;
  OptimizerParamGroup &operator=(OptimizerParamGroup &&) = default;

  bool has_options() const { return options_ != nullptr; }
  OptimizerOptions &options();
  const OptimizerOptions &options() const;
  void set_options(std::unique_ptr<OptimizerOptions> options) {
    options_ = std::move(options);
  }
  std::vector<Tensor> &params() { return params_; }
  const std::vector<Tensor> &params() const { return params_; }

private:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
};

/// The state an optimizer keeps for one parameter: named tensors (momentum
/// buffers, moments) and the number of steps taken.
/// Adam's (beta1, beta2).
using Betas = std::tuple<double, double>;

struct OptimizerParamState {
  int64_t step = 0;
  std::map<std::string, Tensor> tensors;
};

/// The base of every optimizer.
class Optimizer {
public:
  using LossClosure = std::function<Tensor()>;

  Optimizer(std::vector<OptimizerParamGroup> param_groups,
            std::unique_ptr<OptimizerOptions> defaults);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer &) = delete;
  Optimizer &operator=(const Optimizer &) = delete;

  /// Updates every parameter that has a gradient and realizes the step.
  /// With a closure, calls it first (it recomputes the loss and calls
  /// backward) and returns its loss.
  Tensor step(LossClosure closure = nullptr);
  /// Forgets (by default, as LibTorch) or zeroes every gradient.
  void zero_grad(bool set_to_none = true);
  void add_param_group(const OptimizerParamGroup &group);

  std::vector<OptimizerParamGroup> &param_groups() { return groups; }
  const std::vector<OptimizerParamGroup> &param_groups() const {
    return groups;
  }
  OptimizerOptions &defaults() { return *defaults_; }
  /// Every parameter, in group order.
  std::vector<Tensor> parameters() const;
  size_t size() const;

  /// The state of the parameters, for checkpoints: "<group>.<index>.<name>"
  /// → tensor, plus "<group>.<index>.step" as a 0-d int64 tensor.
  std::vector<std::pair<std::string, Tensor>> state_tensors() const;
  /// Restores what state_tensors() gave (matching names and shapes).
  void load_state_tensors(
      const std::vector<std::pair<std::string, Tensor>> &tensors);

protected:
  /// Records the update of `param` from `grad` (a gradient is there).
  virtual void update(OptimizerOptions &options, Tensor &param,
                      const Tensor &grad, OptimizerParamState &state) = 0;
  /// The state of a parameter seen for the first time.
  virtual void initState(OptimizerOptions &options, const Tensor &param,
                         OptimizerParamState &state) = 0;

  /// A 0-d tensor of `param`'s type holding `value`: an input of the step.
  static Tensor scalar(double value, const Tensor &like);

private:
  OptimizerParamState &stateOf(OptimizerOptions &options, const Tensor &param);

  std::vector<OptimizerParamGroup> groups;
  std::unique_ptr<OptimizerOptions> defaults_;
  std::map<const void *, OptimizerParamState> states;
};

//===----------------------------------------------------------------------===//
// The optimizers (LibTorch's update formulas)
//===----------------------------------------------------------------------===//

struct SGDOptions : public OptimizerCloneableOptions<SGDOptions> {
  /* implicit */ SGDOptions(double lr) : lr_(lr) {}
  DLC_ARG(double, lr);
  DLC_ARG(double, momentum) = 0;
  DLC_ARG(double, dampening) = 0;
  DLC_ARG(double, weight_decay) = 0;
  DLC_ARG(bool, nesterov) = false;
};

class SGD : public Optimizer {
public:
  SGD(std::vector<OptimizerParamGroup> param_groups, SGDOptions defaults);
  SGD(std::vector<Tensor> params, SGDOptions defaults)
      : SGD(std::vector<OptimizerParamGroup>{OptimizerParamGroup(
                std::move(params))},
            std::move(defaults)) {}

protected:
  void update(OptimizerOptions &options, Tensor &param, const Tensor &grad,
              OptimizerParamState &state) override;
  void initState(OptimizerOptions &options, const Tensor &param,
                 OptimizerParamState &state) override;
};

struct AdamOptions : public OptimizerCloneableOptions<AdamOptions> {
  /* implicit */ AdamOptions(double lr = 1e-3) : lr_(lr) {}
  DLC_ARG(double, lr);
  DLC_ARG(Betas, betas) = std::make_tuple(0.9, 0.999);
  DLC_ARG(double, eps) = 1e-8;
  DLC_ARG(double, weight_decay) = 0;
  DLC_ARG(bool, amsgrad) = false;
};

class Adam : public Optimizer {
public:
  Adam(std::vector<OptimizerParamGroup> param_groups,
       AdamOptions defaults = {});
  Adam(std::vector<Tensor> params, AdamOptions defaults = {})
      : Adam(std::vector<OptimizerParamGroup>{OptimizerParamGroup(
                 std::move(params))},
             std::move(defaults)) {}

protected:
  void update(OptimizerOptions &options, Tensor &param, const Tensor &grad,
              OptimizerParamState &state) override;
  void initState(OptimizerOptions &options, const Tensor &param,
                 OptimizerParamState &state) override;
};

struct AdamWOptions : public OptimizerCloneableOptions<AdamWOptions> {
  /* implicit */ AdamWOptions(double lr = 1e-3) : lr_(lr) {}
  DLC_ARG(double, lr);
  DLC_ARG(Betas, betas) = std::make_tuple(0.9, 0.999);
  DLC_ARG(double, eps) = 1e-8;
  DLC_ARG(double, weight_decay) = 1e-2;
  DLC_ARG(bool, amsgrad) = false;
};

class AdamW : public Optimizer {
public:
  AdamW(std::vector<OptimizerParamGroup> param_groups,
        AdamWOptions defaults = {});
  AdamW(std::vector<Tensor> params, AdamWOptions defaults = {})
      : AdamW(std::vector<OptimizerParamGroup>{OptimizerParamGroup(
                  std::move(params))},
              std::move(defaults)) {}

protected:
  void update(OptimizerOptions &options, Tensor &param, const Tensor &grad,
              OptimizerParamState &state) override;
  void initState(OptimizerOptions &options, const Tensor &param,
                 OptimizerParamState &state) override;
};

struct AdagradOptions : public OptimizerCloneableOptions<AdagradOptions> {
  /* implicit */ AdagradOptions(double lr = 1e-2) : lr_(lr) {}
  DLC_ARG(double, lr);
  DLC_ARG(double, lr_decay) = 0;
  DLC_ARG(double, weight_decay) = 0;
  DLC_ARG(double, initial_accumulator_value) = 0;
  DLC_ARG(double, eps) = 1e-10;
};

class Adagrad : public Optimizer {
public:
  Adagrad(std::vector<OptimizerParamGroup> param_groups,
          AdagradOptions defaults = {});
  Adagrad(std::vector<Tensor> params, AdagradOptions defaults = {})
      : Adagrad(std::vector<OptimizerParamGroup>{OptimizerParamGroup(
                    std::move(params))},
                std::move(defaults)) {}

protected:
  void update(OptimizerOptions &options, Tensor &param, const Tensor &grad,
              OptimizerParamState &state) override;
  void initState(OptimizerOptions &options, const Tensor &param,
                 OptimizerParamState &state) override;
};

struct SparseAdamOptions : public OptimizerCloneableOptions<SparseAdamOptions> {
  /* implicit */ SparseAdamOptions(double lr = 1e-3) : lr_(lr) {}
  DLC_ARG(double, lr);
  DLC_ARG(Betas, betas) = std::make_tuple(0.9, 0.999);
  DLC_ARG(double, eps) = 1e-8;
};

/// torch.optim.SparseAdam: Adam for sparse gradients (embeddings with
/// sparse(true)), "lazy": a step updates the moments and values of the
/// rows its gradient has, and leaves the others as they are. Dense
/// gradients are an error, as in PyTorch (use Adam).
class SparseAdam : public Optimizer {
public:
  SparseAdam(std::vector<OptimizerParamGroup> param_groups,
             SparseAdamOptions defaults = {});
  SparseAdam(std::vector<Tensor> params, SparseAdamOptions defaults = {})
      : SparseAdam(std::vector<OptimizerParamGroup>{OptimizerParamGroup(
                       std::move(params))},
                   std::move(defaults)) {}

protected:
  void update(OptimizerOptions &options, Tensor &param, const Tensor &grad,
              OptimizerParamState &state) override;
  void initState(OptimizerOptions &options, const Tensor &param,
                 OptimizerParamState &state) override;
};

struct RMSpropOptions : public OptimizerCloneableOptions<RMSpropOptions> {
  /* implicit */ RMSpropOptions(double lr = 1e-2) : lr_(lr) {}
  DLC_ARG(double, lr);
  DLC_ARG(double, alpha) = 0.99;
  DLC_ARG(double, eps) = 1e-8;
  DLC_ARG(double, weight_decay) = 0;
  DLC_ARG(double, momentum) = 0;
  DLC_ARG(bool, centered) = false;
};

class RMSprop : public Optimizer {
public:
  RMSprop(std::vector<OptimizerParamGroup> param_groups,
          RMSpropOptions defaults = {});
  RMSprop(std::vector<Tensor> params, RMSpropOptions defaults = {})
      : RMSprop(std::vector<OptimizerParamGroup>{OptimizerParamGroup(
                    std::move(params))},
                std::move(defaults)) {}

protected:
  void update(OptimizerOptions &options, Tensor &param, const Tensor &grad,
              OptimizerParamState &state) override;
  void initState(OptimizerOptions &options, const Tensor &param,
                 OptimizerParamState &state) override;
};

//===----------------------------------------------------------------------===//
// Learning-rate schedulers
//===----------------------------------------------------------------------===//

/// Sets the learning rate of every group at each step(), as
/// torch::optim::LRScheduler (call it once per epoch, after the epoch's
/// optimizer steps).
class LRScheduler {
public:
  explicit LRScheduler(Optimizer &optimizer);
  virtual ~LRScheduler() = default;
  void step();
  std::vector<double> get_last_lr() const;

protected:
  /// The learning rates for the step about to be counted (step_count).
  virtual std::vector<double> get_lrs() = 0;
  std::vector<double> current_lrs() const;

  Optimizer &optimizer_;
  std::vector<double> base_lrs;
  unsigned step_count_ = 0;
};

/// lr = base_lr * gamma^(epoch / step_size).
class StepLR : public LRScheduler {
public:
  StepLR(Optimizer &optimizer, unsigned step_size, double gamma = 0.1);

private:
  std::vector<double> get_lrs() override;
  unsigned step_size;
  double gamma;
};

/// lr = base_lr * gamma^epoch.
class ExponentialLR : public LRScheduler {
public:
  ExponentialLR(Optimizer &optimizer, double gamma);

private:
  std::vector<double> get_lrs() override;
  double gamma;
};

/// lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2.
class CosineAnnealingLR : public LRScheduler {
public:
  CosineAnnealingLR(Optimizer &optimizer, unsigned T_max, double eta_min = 0);

private:
  std::vector<double> get_lrs() override;
  unsigned T_max;
  double eta_min;
};

/// Divides the learning rate by 1 / factor when a metric has not improved
/// for `patience` epochs, as torch::optim::ReduceLROnPlateauScheduler.
class ReduceLROnPlateauScheduler {
public:
  enum SchedulerMode { min, max };
  enum ThresholdMode { rel, abs };
  explicit ReduceLROnPlateauScheduler(Optimizer &optimizer,
                                      SchedulerMode mode = min,
                                      float factor = 0.1, int patience = 10,
                                      double threshold = 1e-4,
                                      ThresholdMode threshold_mode = rel,
                                      int cooldown = 0,
                                      const std::vector<float> &min_lr = {},
                                      double eps = 1e-8, bool verbose = false);
  void step(float metric);
  std::vector<double> get_last_lr() const;

private:
  bool isBetter(double metric) const;

  Optimizer &optimizer_;
  SchedulerMode mode;
  double factor;
  int patience;
  double threshold;
  ThresholdMode thresholdMode;
  int cooldown;
  std::vector<double> minLrs;
  double eps;
  bool verbose;
  double best;
  int badEpochs = 0;
  int cooldownCounter = 0;
};
using ReduceLROnPlateau = ReduceLROnPlateauScheduler;

} // namespace dlc::optim

#endif // DLC_FRONTEND_OPTIM_OPTIMIZER_H
