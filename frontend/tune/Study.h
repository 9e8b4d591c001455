//===- Study.h - dlc::tune: Study and Trial -------------------------------===//
//
// Hyperparameter search as Optuna does it, in C++:
//
//   tune::Study study(tune::StudyOptions()
//                         .name("deepfm")
//                         .direction(tune::Direction::Maximize)
//                         .storage(tune::make_sqlite_storage("study.db")));
//   study.optimize([](tune::Trial &trial) {
//     double lr = trial.suggest_float("lr", 1e-4, 1e-2, /*log=*/true);
//     int64_t dim = trial.suggest_int("embed", 4, 32, 4);
//     for (int epoch = 0; epoch < 10; ++epoch) {
//       double auc = train_one_epoch(lr, dim);
//       trial.report(auc, epoch);
//       if (trial.should_prune())
//         throw tune::TrialPruned();
//     }
//     return auc;
//   }, tune::OptimizeOptions().n_trials(30));
//   study.best_params();  // {"embed": "16", "lr": "0.0021"}
//
// The sampler proposes each parameter when the objective asks for it (a
// define-by-run search space); the pruner decides from reported values; the
// storage keeps everything, so a study survives its process and several
// processes (dlc-tune --workers) can share one SQLite file.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_TUNE_STUDY_H
#define DLC_FRONTEND_TUNE_STUDY_H

#include "frontend/nn/Module.h"
#include "frontend/tune/Importance.h"
#include "frontend/tune/Pruners.h"
#include "frontend/tune/Samplers.h"
#include "frontend/tune/Types.h"

#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dlc::tune {

/// Thrown by an objective to end its trial as Pruned.
class TrialPruned : public std::exception {
public:
  const char *what() const noexcept override { return "trial pruned"; }
};

struct StudyOptions {
  /// The study's name in its storage; a study of that name is loaded.
  DLC_ARG(std::string, name) = "study";
  DLC_ARG(Direction, direction) = Direction::Minimize;
  /// Null: in memory.
  DLC_ARG(std::shared_ptr<Storage>, storage);
  /// Null: TPE with seed 0.
  DLC_ARG(std::shared_ptr<Sampler>, sampler);
  /// Null: the median pruner.
  DLC_ARG(std::shared_ptr<Pruner>, pruner);
};

struct OptimizeOptions {
  /// Trials this call runs at most (0: until max_trials stops it).
  DLC_ARG(int64_t, n_trials) = 0;
  /// The study holds at most this many trials that did not fail, across
  /// every process working on it (0: no limit). dlc-tune --trials N.
  DLC_ARG(int64_t, max_trials) = 0;
  /// An objective's dlc::Error (or std::exception) fails its trial and the
  /// search goes on; otherwise optimize() rethrows it after failing it.
  DLC_ARG(bool, catch_errors) = false;
  /// A running trial's heartbeat period in seconds (0: none). With a
  /// heartbeat, optimize() first fails the trials of processes that died
  /// (no heartbeat for `grace_seconds`) and re-queues their parameters.
  DLC_ARG(double, heartbeat_seconds) = 0;
  DLC_ARG(double, grace_seconds) = 60;
  /// Called after each trial this process finishes.
  DLC_ARG(std::function<void(const FrozenTrial &)>, callback);
};

class Study;

/// One evaluation of the objective: suggests parameters and reports
/// intermediate values. Made by Study::optimize() or Study::ask().
class Trial {
public:
  /// The trial's number in its study (0, 1, ...).
  int64_t number() const { return frozen.number; }

  /// A float in [low, high] (log-uniform with log). Asking again for the
  /// same name returns the same value; the same name with another range is
  /// a dlc::Error.
  double suggest_float(const std::string &name, double low, double high,
                       bool log = false);
  /// An int in {low, low + step, ...} not above high.
  int64_t suggest_int(const std::string &name, int64_t low, int64_t high,
                      int64_t step = 1, bool log = false);
  /// One of `choices`.
  std::string suggest_categorical(const std::string &name,
                                  const std::vector<std::string> &choices);

  /// Records the objective's intermediate value at `step` (an epoch).
  void report(double value, int64_t step);
  /// Whether the pruner would stop this trial now (after the last report).
  bool should_prune();
  void set_user_attr(const std::string &key, const std::string &value);

  /// The trial as stored (parameters as suggested so far).
  const FrozenTrial &state() const { return frozen; }

private:
  friend class Study;
  Trial(Study *study, FrozenTrial frozen) : study(study), frozen(frozen) {}
  double suggest(const std::string &name, const Distribution &distribution);

  Study *study;
  FrozenTrial frozen;
};

class Study {
public:
  explicit Study(const StudyOptions &options = {});

  /// Runs trials until n_trials or max_trials says stop. The objective
  /// returns the value; throwing TrialPruned prunes the trial (its last
  /// reported value is kept).
  void optimize(const std::function<double(Trial &)> &objective,
                const OptimizeOptions &options = {});

  /// Ask-and-tell: a new Running trial (a dlc::Error when the study
  /// already holds max_trials trials), then its end.
  Trial ask(int64_t max_trials = 0);
  void tell(Trial &trial, double value);
  void tell(Trial &trial, TrialState state,
            std::optional<double> value = std::nullopt);

  /// A trial with fixed parameters (internal values, see Distribution) that
  /// the next ask() runs first; every name must have a distribution.
  void enqueue_trial(const std::map<std::string, double> &params,
                     const std::map<std::string, Distribution> &distributions);

  const std::string &name() const { return options.name(); }
  Direction direction() const { return options.direction(); }
  Storage &storage() { return *options.storage(); }
  int64_t id() const { return studyId; }

  /// Every trial, by number.
  std::vector<FrozenTrial> trials() const;
  /// The best Complete trial; throws dlc::Error when there is none.
  FrozenTrial best_trial() const;
  double best_value() const;
  /// The best trial's parameters as text, by name.
  std::map<std::string, std::string> best_params() const;

private:
  friend class Trial;
  StudyOptions options;
  int64_t studyId = -1;
};

/// Whether `a` is better than `b` in `direction`.
inline bool better(double a, double b, Direction direction) {
  return direction == Direction::Minimize ? a < b : a > b;
}

} // namespace dlc::tune

#endif // DLC_FRONTEND_TUNE_STUDY_H
