//===- Study.cpp - dlc::tune: Study and Trial -----------------------------===//

#include "frontend/tune/Study.h"

#include "runtime/Error.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace dlc::tune {

//===----------------------------------------------------------------------===//
// Trial
//===----------------------------------------------------------------------===//

double Trial::suggest(const std::string &name,
                      const Distribution &distribution) {
  auto known = frozen.distributions.find(name);
  if (known != frozen.distributions.end()) {
    if (!(known->second == distribution))
      throw Error("suggest: parameter '" + name + "' of trial " +
                  std::to_string(frozen.number) + " was " +
                  known->second.str() + ", now asked as " + distribution.str());
    return frozen.params.at(name);
  }
  // A re-queued trial brings its values; a new one asks the sampler.
  double value;
  auto fixed = frozen.params.find(name);
  if (fixed != frozen.params.end() && distribution.contains(fixed->second)) {
    value = fixed->second;
  } else {
    std::vector<FrozenTrial> all = study->trials();
    value = study->options.sampler()->sample(all, frozen, name, distribution,
                                             study->direction());
    if (!distribution.contains(value))
      throw Error("suggest: the sampler proposed " + std::to_string(value) +
                  " for '" + name + "', outside " + distribution.str());
  }
  study->storage().set_param(frozen.id, name, value, distribution);
  frozen.params[name] = value;
  frozen.distributions[name] = distribution;
  return value;
}

double Trial::suggest_float(const std::string &name, double low, double high,
                            bool log) {
  return suggest(name, Distribution::Float(low, high, log));
}

int64_t Trial::suggest_int(const std::string &name, int64_t low, int64_t high,
                           int64_t step, bool log) {
  return std::llround(suggest(name, Distribution::Int(low, high, step, log)));
}

std::string
Trial::suggest_categorical(const std::string &name,
                           const std::vector<std::string> &choices) {
  Distribution distribution = Distribution::Categorical(choices);
  return choices.at(static_cast<size_t>(suggest(name, distribution)));
}

void Trial::report(double value, int64_t step) {
  if (step < 0)
    throw Error("report: step must be non-negative, got " +
                std::to_string(step));
  if (!std::isfinite(value))
    throw Error("report: trial " + std::to_string(frozen.number) +
                " reported " + std::to_string(value) + " at step " +
                std::to_string(step));
  study->storage().set_intermediate_value(frozen.id, step, value);
  frozen.intermediate_values[step] = value;
}

bool Trial::should_prune() {
  if (frozen.intermediate_values.empty())
    return false;
  return study->options.pruner()->prune(study->trials(), frozen,
                                        study->direction());
}

void Trial::set_user_attr(const std::string &key, const std::string &value) {
  study->storage().set_user_attr(frozen.id, key, value);
  frozen.user_attrs[key] = value;
}

//===----------------------------------------------------------------------===//
// Study
//===----------------------------------------------------------------------===//

Study::Study(const StudyOptions &options) : options(options) {
  if (!this->options.storage())
    this->options.storage(make_in_memory_storage());
  if (!this->options.sampler())
    this->options.sampler(make_tpe_sampler());
  if (!this->options.pruner())
    this->options.pruner(make_median_pruner());
  studyId = this->options.storage()->create_study(this->options.name(),
                                                  this->options.direction());
}

std::vector<FrozenTrial> Study::trials() const {
  return options.storage()->get_all_trials(studyId);
}

Trial Study::ask(int64_t max_trials) {
  std::optional<int64_t> id = storage().start_trial(studyId, max_trials);
  if (!id)
    throw Error("ask: study '" + name() + "' already holds " +
                std::to_string(max_trials) + " trials");
  return Trial(this, storage().get_trial(*id));
}

void Study::tell(Trial &trial, double value) {
  tell(trial, TrialState::Complete, value);
}

void Study::tell(Trial &trial, TrialState state, std::optional<double> value) {
  if (state == TrialState::Complete && (!value || !std::isfinite(*value)))
    throw Error("tell: trial " + std::to_string(trial.number()) +
                " needs a finite value to complete, got " +
                (value ? std::to_string(*value) : std::string("none")));
  if (state == TrialState::Pruned && !value &&
      !trial.frozen.intermediate_values.empty())
    value = trial.frozen.intermediate_values.rbegin()->second;
  storage().finish_trial(trial.frozen.id, state, value);
  trial.frozen = storage().get_trial(trial.frozen.id);
}

void Study::enqueue_trial(
    const std::map<std::string, double> &params,
    const std::map<std::string, Distribution> &distributions) {
  for (const auto &[name, value] : params) {
    auto distribution = distributions.find(name);
    if (distribution == distributions.end())
      throw Error("enqueue_trial: parameter '" + name +
                  "' has no distribution");
    if (!distribution->second.contains(value))
      throw Error("enqueue_trial: " + std::to_string(value) + " for '" + name +
                  "' is outside " + distribution->second.str());
  }
  storage().enqueue_trial(studyId, params, distributions);
}

namespace {

/// Beats a running trial's heartbeat on a thread until destroyed.
class Heartbeat {
public:
  Heartbeat(Storage &storage, int64_t trialId, double seconds)
      : storage(storage), trialId(trialId) {
    if (seconds <= 0)
      return;
    thread = std::thread([this, seconds] {
      std::unique_lock<std::mutex> lock(mutex);
      while (!done.wait_for(lock, std::chrono::duration<double>(seconds),
                            [this] { return stopping; })) {
        try {
          this->storage.heartbeat(this->trialId);
        } catch (const std::exception &) {
          // A busy database misses one beat; the grace period covers it.
        }
      }
    });
  }
  ~Heartbeat() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    done.notify_all();
    if (thread.joinable())
      thread.join();
  }

private:
  Storage &storage;
  int64_t trialId;
  std::mutex mutex;
  std::condition_variable done;
  bool stopping = false;
  std::thread thread;
};

} // namespace

void Study::optimize(const std::function<double(Trial &)> &objective,
                     const OptimizeOptions &run) {
  if (run.n_trials() <= 0 && run.max_trials() <= 0)
    throw Error("optimize: give n_trials or max_trials, or it never ends");
  if (run.heartbeat_seconds() > 0)
    storage().fail_stale_trials(studyId, run.grace_seconds());
  for (int64_t done = 0; run.n_trials() <= 0 || done < run.n_trials(); ++done) {
    std::optional<int64_t> id =
        storage().start_trial(studyId, run.max_trials());
    if (!id)
      return;
    Trial trial(this, storage().get_trial(*id));
    std::optional<std::string> failure;
    {
      Heartbeat heartbeat(storage(), *id, run.heartbeat_seconds());
      try {
        double value = objective(trial);
        if (!std::isfinite(value))
          throw Error("optimize: trial " + std::to_string(trial.number()) +
                      " returned " + std::to_string(value));
        tell(trial, value);
      } catch (const TrialPruned &) {
        tell(trial, TrialState::Pruned);
      } catch (const std::exception &error) {
        failure = error.what();
        trial.set_user_attr("fail_reason", *failure);
        tell(trial, TrialState::Fail);
        if (!run.catch_errors()) {
          if (run.callback())
            run.callback()(trial.state());
          throw;
        }
      }
    }
    if (run.callback())
      run.callback()(trial.state());
  }
}

FrozenTrial Study::best_trial() const {
  std::optional<FrozenTrial> best;
  for (FrozenTrial &trial : trials())
    if (trial.state == TrialState::Complete && trial.value &&
        (!best || better(*trial.value, *best->value, direction())))
      best = std::move(trial);
  if (!best)
    throw Error("best_trial: study '" + name() + "' has no complete trial");
  return *best;
}

double Study::best_value() const { return *best_trial().value; }

std::map<std::string, std::string> Study::best_params() const {
  FrozenTrial best = best_trial();
  std::map<std::string, std::string> params;
  for (const auto &[name, value] : best.params)
    params[name] = best.param_text(name);
  return params;
}

} // namespace dlc::tune
