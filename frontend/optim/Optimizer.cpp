//===- Optimizer.cpp - optim: optimizers and schedulers -------------------===//

#include "frontend/optim/Optimizer.h"
#include "frontend/Autograd.h"
#include "frontend/Context.h"
#include "frontend/Functions.h"
#include "frontend/detail/Lazy.h"
#include "frontend/detail/Recorder.h"
#include "runtime/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <numbers>

namespace dlc::optim {

//===----------------------------------------------------------------------===//
// Parameter groups and the base optimizer
//===----------------------------------------------------------------------===//

OptimizerParamGroup::OptimizerParamGroup(const OptimizerParamGroup &other)
    : params_(other.params_),
      options_(other.options_ ? other.options_->clone() : nullptr) {}

OptimizerParamGroup &
OptimizerParamGroup::operator=(const OptimizerParamGroup &other) {
  params_ = other.params_;
  options_ = other.options_ ? other.options_->clone() : nullptr;
  return *this;
}

OptimizerOptions &OptimizerParamGroup::options() {
  if (!options_)
    throw Error("optimizer: this parameter group has no options yet");
  return *options_;
}

const OptimizerOptions &OptimizerParamGroup::options() const {
  if (!options_)
    throw Error("optimizer: this parameter group has no options yet");
  return *options_;
}

Optimizer::Optimizer(std::vector<OptimizerParamGroup> param_groups,
                     std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)) {
  for (const OptimizerParamGroup &group : param_groups)
    add_param_group(group);
}

void Optimizer::add_param_group(const OptimizerParamGroup &group) {
  OptimizerParamGroup copy(group);
  if (!copy.has_options())
    copy.set_options(defaults_->clone());
  for (const Tensor &p : copy.params()) {
    if (!p.defined())
      throw Error("optimizer: a parameter is an undefined tensor");
    if (!p.is_leaf())
      throw Error("optimizer: can only optimize leaf tensors (parameters), got "
                  "one computed "
                  "from others");
    for (const OptimizerParamGroup &other : groups)
      for (const Tensor &q : other.params())
        if (q.unsafeGetImpl() == p.unsafeGetImpl())
          throw Error("optimizer: some parameters appear in more than one "
                      "parameter group");
    if (std::count_if(copy.params().begin(), copy.params().end(),
                      [&](const Tensor &q) {
                        return q.unsafeGetImpl() == p.unsafeGetImpl();
                      }) > 1)
      throw Error(
          "optimizer: a parameter appears twice in one parameter group");
  }
  // Initial values made now (a module's initialization is lazy): the first
  // step then updates each parameter in its own memory instead of holding
  // its initial and its updated value at once.
  detail::realizeOnly(copy.params());
  groups.push_back(std::move(copy));
}

std::vector<Tensor> Optimizer::parameters() const {
  std::vector<Tensor> result;
  for (const OptimizerParamGroup &group : groups)
    result.insert(result.end(), group.params().begin(), group.params().end());
  return result;
}

size_t Optimizer::size() const { return parameters().size(); }

void Optimizer::zero_grad(bool set_to_none) {
  for (const OptimizerParamGroup &group : groups)
    for (Tensor p : group.params()) {
      if (!p.grad().defined())
        continue;
      // A sparse gradient is dropped either way (LibTorch empties it):
      // zeros would be a table-sized tensor.
      if (set_to_none || p.grad().is_sparse())
        p.mutable_grad() = Tensor();
      else
        p.mutable_grad().zero_();
    }
}

Tensor Optimizer::scalar(double value, const Tensor &like) {
  return tensor(value, TensorOptions().dtype(like.scalar_type()));
}

OptimizerParamState &Optimizer::stateOf(OptimizerOptions &options,
                                        const Tensor &param) {
  auto [it, fresh] = states.try_emplace(param.unsafeGetImpl());
  if (fresh) {
    NoGradGuard noGrad;
    initState(options, param, it->second);
  }
  return it->second;
}

Tensor Optimizer::step(LossClosure closure) {
  Tensor loss;
  if (closure)
    loss = closure();
  {
    NoGradGuard noGrad;
    // New state (Adam's moments, ...) made real first, for the same reason
    // as the parameters: the step then updates it in place.
    std::vector<Tensor> fresh;
    for (OptimizerParamGroup &group : groups)
      for (Tensor &param : group.params())
        if (param.grad().defined() && !states.count(param.unsafeGetImpl()))
          for (const auto &[name, t] : stateOf(group.options(), param).tensors)
            fresh.push_back(t);
    detail::realizeOnly(fresh);
    for (OptimizerParamGroup &group : groups)
      for (Tensor &param : group.params()) {
        const Tensor &grad = param.grad();
        if (!grad.defined())
          continue;
        OptimizerParamState &state = stateOf(group.options(), param);
        ++state.step;
        update(group.options(), param, grad, state);
      }
  }
  // The realization point: forward, backward and update as one program.
  dlc::sync();
  return loss;
}

std::vector<std::pair<std::string, Tensor>> Optimizer::state_tensors() const {
  std::vector<std::pair<std::string, Tensor>> result;
  for (size_t g = 0; g < groups.size(); ++g)
    for (size_t i = 0; i < groups[g].params().size(); ++i) {
      auto it = states.find(groups[g].params()[i].unsafeGetImpl());
      if (it == states.end())
        continue;
      std::string prefix = std::to_string(g) + "." + std::to_string(i) + ".";
      result.emplace_back(
          prefix + "step",
          tensor(it->second.step, TensorOptions().dtype(kLong)));
      for (const auto &[name, t] : it->second.tensors)
        result.emplace_back(prefix + name, t);
    }
  return result;
}

void Optimizer::load_state_tensors(
    const std::vector<std::pair<std::string, Tensor>> &tensors) {
  for (const auto &[name, value] : tensors) {
    size_t first = name.find('.'), second = name.find('.', first + 1);
    if (first == std::string::npos || second == std::string::npos)
      throw Error(
          fmt::format("optimizer state: malformed entry name '{}'", name));
    size_t g = std::stoul(name.substr(0, first));
    size_t i = std::stoul(name.substr(first + 1, second - first - 1));
    std::string key = name.substr(second + 1);
    if (g >= groups.size() || i >= groups[g].params().size())
      throw Error(fmt::format(
          "optimizer state: entry '{}' names a parameter this optimizer "
          "does not have",
          name));
    const Tensor &param = groups[g].params()[i];
    OptimizerParamState &state = stateOf(groups[g].options(), param);
    if (key == "step") {
      state.step = value.item<int64_t>();
      continue;
    }
    auto it = state.tensors.find(key);
    if (it == state.tensors.end() || it->second.sizes() != value.sizes())
      throw Error(fmt::format(
          "optimizer state: entry '{}' does not match this optimizer's "
          "state for that parameter",
          name));
    NoGradGuard noGrad;
    it->second.copy_(value);
  }
}

//===----------------------------------------------------------------------===//
// Sparse gradients
//===----------------------------------------------------------------------===//

namespace {

/// A sparse gradient coalesced without a table-sized tensor: `sums` holds
/// each row's contributions added in order (as the dense gradient adds
/// them) at the row's first position, and zeros at its repeats; `first` is
/// 1 at first positions and 0 at repeats, shaped to broadcast over a row.
/// The updates below add zeros at repeats, so each row changes once and
/// exactly as the dense update changes it.
struct Coalesced {
  Tensor indices; ///< [n] int64
  Tensor sums;    ///< [n, ...]
  Tensor first;   ///< [n, 1, ...]
};

Coalesced coalesce(const Tensor &grad) {
  Tensor indices = grad._indices().reshape({-1});
  Tensor values = grad._values();
  int64_t n = indices.size(0);
  detail::Recorder r("coalesce", Loc::current());
  Tensor positions = r.result(r.firstOccurrence(r.value(indices)), {});
  Tensor sums = index_add(zeros_like(values), 0, positions, values);
  std::vector<int64_t> shape(values.dim(), 1);
  shape[0] = n;
  Tensor first = eq(positions, arange(n, TensorOptions().dtype(kLong)))
                     .to(values.scalar_type())
                     .reshape(shape);
  return {indices, sums, first};
}

} // namespace

//===----------------------------------------------------------------------===//
// SGD
//===----------------------------------------------------------------------===//

SGD::SGD(std::vector<OptimizerParamGroup> param_groups, SGDOptions defaults)
    : Optimizer(std::move(param_groups),
                std::make_unique<SGDOptions>(defaults)) {
  if (defaults.lr() < 0)
    throw Error(fmt::format("SGD: invalid learning rate {}", defaults.lr()));
  if (defaults.momentum() < 0)
    throw Error(fmt::format("SGD: invalid momentum {}", defaults.momentum()));
  if (defaults.weight_decay() < 0)
    throw Error(
        fmt::format("SGD: invalid weight_decay {}", defaults.weight_decay()));
  if (defaults.nesterov() &&
      (defaults.momentum() <= 0 || defaults.dampening() != 0))
    throw Error(
        "SGD: nesterov momentum requires a momentum and zero dampening");
}

void SGD::initState(OptimizerOptions &base, const Tensor &param,
                    OptimizerParamState &state) {
  auto &options = static_cast<SGDOptions &>(base);
  if (options.momentum() != 0)
    state.tensors["momentum_buffer"] = zeros_like(param);
}

void SGD::update(OptimizerOptions &base, Tensor &param, const Tensor &grad,
                 OptimizerParamState &state) {
  auto &options = static_cast<SGDOptions &>(base);
  if (grad.is_sparse() && options.momentum() == 0 &&
      options.weight_decay() == 0) {
    // The rows the gradient has: p - lr * g there, p elsewhere, as the
    // dense update computes it. (With momentum or weight decay every row
    // changes: the dense update below reads the gradient densely.)
    Coalesced g = coalesce(grad);
    param.index_add_(0, g.indices, -(g.sums * scalar(options.lr(), param)));
    return;
  }
  Tensor d = grad;
  if (options.weight_decay() != 0)
    d = d + param * options.weight_decay();
  if (options.momentum() != 0) {
    Tensor &buffer = state.tensors["momentum_buffer"];
    if (!buffer.defined())
      buffer = zeros_like(param);
    if (options.dampening() == 0) {
      // The first step's buffer is d itself: zeros * momentum + d.
      buffer.mul_(options.momentum()).add_(d);
    } else {
      // LibTorch starts the buffer at d (no dampening); a 0-d input says
      // whether this is the first step, so every step runs one program.
      Tensor first = scalar(state.step == 1 ? 1.0 : 0.0, param);
      Tensor next = buffer * options.momentum() + d * (1 - options.dampening());
      buffer.copy_(first * d + (1 - first) * next);
    }
    d = options.nesterov() ? d + buffer * options.momentum() : buffer;
  }
  param.sub_(d * scalar(options.lr(), param));
}

//===----------------------------------------------------------------------===//
// Adam and AdamW
//===----------------------------------------------------------------------===//

static void checkAdam(const char *name, double lr, const Betas &betas,
                      double eps, double weight_decay) {
  auto [b1, b2] = betas;
  if (lr < 0)
    throw Error(fmt::format("{}: invalid learning rate {}", name, lr));
  if (eps < 0)
    throw Error(fmt::format("{}: invalid epsilon {}", name, eps));
  if (b1 < 0 || b1 >= 1 || b2 < 0 || b2 >= 1)
    throw Error(fmt::format(
        "{}: invalid betas ({}, {}): each must be in [0, 1)", name, b1, b2));
  if (weight_decay < 0)
    throw Error(fmt::format("{}: invalid weight_decay {}", name, weight_decay));
}

static Tensor adamScalar(double value, const Tensor &like) {
  return tensor(value, TensorOptions().dtype(like.scalar_type()));
}

/// The Adam update shared by Adam and AdamW (weight decay already applied).
static void adamUpdate(Tensor &param, const Tensor &grad,
                       OptimizerParamState &state, double lr,
                       const Betas &betas, double eps, bool amsgrad) {
  auto [b1, b2] = betas;
  Tensor &m = state.tensors["exp_avg"];
  Tensor &v = state.tensors["exp_avg_sq"];
  m.mul_(b1).add_(grad * (1 - b1));
  v.mul_(b2).add_(grad * grad * (1 - b2));
  double correction1 = 1 - std::pow(b1, static_cast<double>(state.step));
  double correction2 = 1 - std::pow(b2, static_cast<double>(state.step));
  Tensor second = v;
  if (amsgrad) {
    Tensor &best = state.tensors["max_exp_avg_sq"];
    best.copy_(maximum(best, v));
    second = best;
  }
  Tensor denominator =
      sqrt(second) / adamScalar(std::sqrt(correction2), param) + eps;
  param.sub_(m / denominator * adamScalar(lr / correction1, param));
}

Adam::Adam(std::vector<OptimizerParamGroup> param_groups, AdamOptions defaults)
    : Optimizer(std::move(param_groups),
                std::make_unique<AdamOptions>(defaults)) {
  checkAdam("Adam", defaults.lr(), defaults.betas(), defaults.eps(),
            defaults.weight_decay());
}

void Adam::initState(OptimizerOptions &base, const Tensor &param,
                     OptimizerParamState &state) {
  auto &options = static_cast<AdamOptions &>(base);
  state.tensors["exp_avg"] = zeros_like(param);
  state.tensors["exp_avg_sq"] = zeros_like(param);
  if (options.amsgrad())
    state.tensors["max_exp_avg_sq"] = zeros_like(param);
}

void Adam::update(OptimizerOptions &base, Tensor &param, const Tensor &grad,
                  OptimizerParamState &state) {
  auto &options = static_cast<AdamOptions &>(base);
  Tensor g = options.weight_decay() != 0 ? grad + param * options.weight_decay()
                                         : grad;
  adamUpdate(param, g, state, options.lr(), options.betas(), options.eps(),
             options.amsgrad());
}

AdamW::AdamW(std::vector<OptimizerParamGroup> param_groups,
             AdamWOptions defaults)
    : Optimizer(std::move(param_groups),
                std::make_unique<AdamWOptions>(defaults)) {
  checkAdam("AdamW", defaults.lr(), defaults.betas(), defaults.eps(),
            defaults.weight_decay());
}

void AdamW::initState(OptimizerOptions &base, const Tensor &param,
                      OptimizerParamState &state) {
  auto &options = static_cast<AdamWOptions &>(base);
  state.tensors["exp_avg"] = zeros_like(param);
  state.tensors["exp_avg_sq"] = zeros_like(param);
  if (options.amsgrad())
    state.tensors["max_exp_avg_sq"] = zeros_like(param);
}

void AdamW::update(OptimizerOptions &base, Tensor &param, const Tensor &grad,
                   OptimizerParamState &state) {
  auto &options = static_cast<AdamWOptions &>(base);
  // Decoupled weight decay: param *= 1 - lr * weight_decay.
  if (options.weight_decay() != 0)
    param.mul_(1 - scalar(options.lr() * options.weight_decay(), param));
  adamUpdate(param, grad, state, options.lr(), options.betas(), options.eps(),
             options.amsgrad());
}

//===----------------------------------------------------------------------===//
// Adagrad and RMSprop
//===----------------------------------------------------------------------===//

Adagrad::Adagrad(std::vector<OptimizerParamGroup> param_groups,
                 AdagradOptions defaults)
    : Optimizer(std::move(param_groups),
                std::make_unique<AdagradOptions>(defaults)) {
  if (defaults.lr() < 0 || defaults.lr_decay() < 0 ||
      defaults.weight_decay() < 0 || defaults.initial_accumulator_value() < 0 ||
      defaults.eps() < 0)
    throw Error("Adagrad: lr, lr_decay, weight_decay, "
                "initial_accumulator_value and eps must "
                "not be negative");
}

void Adagrad::initState(OptimizerOptions &base, const Tensor &param,
                        OptimizerParamState &state) {
  auto &options = static_cast<AdagradOptions &>(base);
  state.tensors["sum"] = full_like(param, options.initial_accumulator_value());
}

void Adagrad::update(OptimizerOptions &base, Tensor &param, const Tensor &grad,
                     OptimizerParamState &state) {
  auto &options = static_cast<AdagradOptions &>(base);
  double clr = options.lr() /
               (1 + static_cast<double>(state.step - 1) * options.lr_decay());
  Tensor &sum = state.tensors["sum"];
  if (grad.is_sparse() && options.weight_decay() == 0) {
    // PyTorch's sparse Adagrad: the rows the gradient has, as the dense
    // update computes them; the others do not change (their update adds
    // zero). With weight decay every row changes: dense below.
    Coalesced g = coalesce(grad);
    sum.index_add_(0, g.indices, g.sums * g.sums);
    Tensor rows = index_select(sum, 0, g.indices);
    param.index_add_(0, g.indices,
                     -(g.sums / (sqrt(rows) + options.eps()) *
                       scalar(clr, param)));
    return;
  }
  Tensor g = options.weight_decay() != 0 ? grad + param * options.weight_decay()
                                         : grad;
  sum.add_(g * g);
  param.sub_(g / (sqrt(sum) + options.eps()) * scalar(clr, param));
}

//===----------------------------------------------------------------------===//
// SparseAdam
//===----------------------------------------------------------------------===//

SparseAdam::SparseAdam(std::vector<OptimizerParamGroup> param_groups,
                       SparseAdamOptions defaults)
    : Optimizer(std::move(param_groups),
                std::make_unique<SparseAdamOptions>(defaults)) {
  checkAdam("SparseAdam", defaults.lr(), defaults.betas(), defaults.eps(), 0);
}

void SparseAdam::initState(OptimizerOptions &, const Tensor &param,
                           OptimizerParamState &state) {
  state.tensors["exp_avg"] = zeros_like(param);
  state.tensors["exp_avg_sq"] = zeros_like(param);
}

void SparseAdam::update(OptimizerOptions &base, Tensor &param,
                        const Tensor &grad, OptimizerParamState &state) {
  auto &options = static_cast<SparseAdamOptions &>(base);
  if (!grad.is_sparse())
    throw Error("SparseAdam does not support dense gradients, please "
                "consider Adam instead");
  auto [b1, b2] = options.betas();
  // torch.optim.SparseAdam's formulas, on the rows of the coalesced
  // gradient; repeats add zeros (`first`).
  Coalesced g = coalesce(grad);
  Tensor &m = state.tensors["exp_avg"];
  Tensor &v = state.tensors["exp_avg_sq"];
  Tensor oldM = index_select(m, 0, g.indices);
  Tensor mUpdate = (g.sums - oldM) * (1 - b1) * g.first;
  m.index_add_(0, g.indices, mUpdate);
  Tensor oldV = index_select(v, 0, g.indices);
  Tensor vUpdate = (g.sums * g.sums - oldV) * (1 - b2) * g.first;
  v.index_add_(0, g.indices, vUpdate);
  Tensor numerator = mUpdate + oldM;
  Tensor denominator = sqrt(vUpdate + oldV) + options.eps();
  double correction1 = 1 - std::pow(b1, static_cast<double>(state.step));
  double correction2 = 1 - std::pow(b2, static_cast<double>(state.step));
  double stepSize = options.lr() * std::sqrt(correction2) / correction1;
  param.index_add_(0, g.indices,
                   -(numerator / denominator * scalar(stepSize, param)) *
                       g.first);
}

RMSprop::RMSprop(std::vector<OptimizerParamGroup> param_groups,
                 RMSpropOptions defaults)
    : Optimizer(std::move(param_groups),
                std::make_unique<RMSpropOptions>(defaults)) {
  if (defaults.lr() < 0 || defaults.eps() < 0 || defaults.momentum() < 0 ||
      defaults.weight_decay() < 0 || defaults.alpha() < 0)
    throw Error("RMSprop: lr, alpha, eps, momentum and weight_decay must not "
                "be negative");
}

void RMSprop::initState(OptimizerOptions &base, const Tensor &param,
                        OptimizerParamState &state) {
  auto &options = static_cast<RMSpropOptions &>(base);
  state.tensors["square_avg"] = zeros_like(param);
  if (options.momentum() > 0)
    state.tensors["momentum_buffer"] = zeros_like(param);
  if (options.centered())
    state.tensors["grad_avg"] = zeros_like(param);
}

void RMSprop::update(OptimizerOptions &base, Tensor &param, const Tensor &grad,
                     OptimizerParamState &state) {
  auto &options = static_cast<RMSpropOptions &>(base);
  Tensor g = options.weight_decay() != 0 ? grad + param * options.weight_decay()
                                         : grad;
  double alpha = options.alpha();
  Tensor &square = state.tensors["square_avg"];
  square.mul_(alpha).add_(g * g * (1 - alpha));
  Tensor average;
  if (options.centered()) {
    Tensor &mean = state.tensors["grad_avg"];
    mean.mul_(alpha).add_(g * (1 - alpha));
    average = sqrt(square - mean * mean) + options.eps();
  } else {
    average = sqrt(square) + options.eps();
  }
  Tensor lr = scalar(options.lr(), param);
  if (options.momentum() > 0) {
    Tensor &buffer = state.tensors["momentum_buffer"];
    buffer.mul_(options.momentum()).add_(g / average);
    param.sub_(buffer * lr);
  } else {
    param.sub_(g / average * lr);
  }
}

//===----------------------------------------------------------------------===//
// Schedulers
//===----------------------------------------------------------------------===//

LRScheduler::LRScheduler(Optimizer &optimizer) : optimizer_(optimizer) {
  base_lrs = current_lrs();
}

std::vector<double> LRScheduler::current_lrs() const {
  std::vector<double> lrs;
  for (const OptimizerParamGroup &group : optimizer_.param_groups())
    lrs.push_back(group.options().get_lr());
  return lrs;
}

void LRScheduler::step() {
  ++step_count_;
  std::vector<double> lrs = get_lrs();
  auto &groups = optimizer_.param_groups();
  for (size_t i = 0; i < groups.size() && i < lrs.size(); ++i)
    groups[i].options().set_lr(lrs[i]);
}

std::vector<double> LRScheduler::get_last_lr() const { return current_lrs(); }

StepLR::StepLR(Optimizer &optimizer, unsigned step_size, double gamma)
    : LRScheduler(optimizer), step_size(step_size), gamma(gamma) {
  if (step_size == 0)
    throw Error("StepLR: step_size must be positive");
}

std::vector<double> StepLR::get_lrs() {
  std::vector<double> lrs = current_lrs();
  if (step_count_ % step_size == 0)
    for (double &lr : lrs)
      lr *= gamma;
  return lrs;
}

ExponentialLR::ExponentialLR(Optimizer &optimizer, double gamma)
    : LRScheduler(optimizer), gamma(gamma) {}

std::vector<double> ExponentialLR::get_lrs() {
  std::vector<double> lrs = current_lrs();
  for (double &lr : lrs)
    lr *= gamma;
  return lrs;
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer &optimizer, unsigned T_max,
                                     double eta_min)
    : LRScheduler(optimizer), T_max(T_max), eta_min(eta_min) {
  if (T_max == 0)
    throw Error("CosineAnnealingLR: T_max must be positive");
}

std::vector<double> CosineAnnealingLR::get_lrs() {
  std::vector<double> lrs;
  double phase = std::numbers::pi * static_cast<double>(step_count_) / T_max;
  for (double base : base_lrs)
    lrs.push_back(eta_min + (base - eta_min) * (1 + std::cos(phase)) / 2);
  return lrs;
}

ReduceLROnPlateauScheduler::ReduceLROnPlateauScheduler(
    Optimizer &optimizer, SchedulerMode mode, float factor, int patience,
    double threshold, ThresholdMode threshold_mode, int cooldown,
    const std::vector<float> &min_lr, double eps, bool verbose)
    : optimizer_(optimizer), mode(mode), factor(factor), patience(patience),
      threshold(threshold), thresholdMode(threshold_mode), cooldown(cooldown),
      eps(eps), verbose(verbose) {
  if (factor >= 1)
    throw Error(fmt::format("ReduceLROnPlateau: factor should be < 1.0, got {}",
                            factor));
  size_t groups = optimizer.param_groups().size();
  if (min_lr.empty())
    minLrs.assign(groups, 0.0);
  else if (min_lr.size() == 1)
    minLrs.assign(groups, min_lr[0]);
  else if (min_lr.size() == groups)
    minLrs.assign(min_lr.begin(), min_lr.end());
  else
    throw Error(fmt::format(
        "ReduceLROnPlateau: {} min_lr values for {} parameter groups",
        min_lr.size(), groups));
  best = mode == min ? std::numeric_limits<double>::infinity()
                     : -std::numeric_limits<double>::infinity();
}

bool ReduceLROnPlateauScheduler::isBetter(double metric) const {
  if (mode == min)
    return thresholdMode == rel ? metric < best * (1 - threshold)
                                : metric < best - threshold;
  return thresholdMode == rel ? metric > best * (1 + threshold)
                              : metric > best + threshold;
}

void ReduceLROnPlateauScheduler::step(float metric) {
  if (isBetter(metric)) {
    best = metric;
    badEpochs = 0;
  } else {
    ++badEpochs;
  }
  if (cooldownCounter > 0) {
    --cooldownCounter;
    badEpochs = 0;
  }
  if (badEpochs > patience) {
    auto &groups = optimizer_.param_groups();
    for (size_t i = 0; i < groups.size(); ++i) {
      double old = groups[i].options().get_lr();
      double next = std::max(old * factor, minLrs[i]);
      if (old - next > eps) {
        groups[i].options().set_lr(next);
        if (verbose)
          std::cout << "ReduceLROnPlateau: reducing the learning rate of group "
                    << i << " to " << next << "\n";
      }
    }
    cooldownCounter = cooldown;
    badEpochs = 0;
  }
}

std::vector<double> ReduceLROnPlateauScheduler::get_last_lr() const {
  std::vector<double> lrs;
  for (const OptimizerParamGroup &group : optimizer_.param_groups())
    lrs.push_back(group.options().get_lr());
  return lrs;
}

} // namespace dlc::optim
