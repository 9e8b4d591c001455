//===- Types.h - dlc::tune's vocabulary: distributions, trials ------------===//
//
// What the parts of dlc::tune exchange: a parameter's distribution, a
// trial as stored (FrozenTrial), and the interfaces of the three pluggable
// parts — Storage (where a study lives), Sampler (what the next trial
// tries) and Pruner (whether a running trial stops early). Study and Trial
// (Study.h) tie them together, as Optuna's do.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_TUNE_TYPES_H
#define DLC_FRONTEND_TUNE_TYPES_H

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dlc::tune {

/// Whether smaller or larger objective values are better.
enum class Direction { Minimize, Maximize };

/// A parameter's search range. Values are stored as doubles: the value of a
/// float, the value of an int, the index into `choices` of a categorical.
struct Distribution {
  enum class Kind { Float, Int, Categorical };
  Kind kind = Kind::Float;
  /// Float and Int: the closed range [low, high].
  double low = 0, high = 1;
  /// Float and Int: sampled uniformly in log space (low > 0).
  bool log = false;
  /// Int: values are low, low + step, ... <= high. Float: 0 (continuous).
  double step = 0;
  /// Categorical: the choices, as text.
  std::vector<std::string> choices;

  static Distribution Float(double low, double high, bool log = false);
  static Distribution Int(int64_t low, int64_t high, int64_t step = 1,
                          bool log = false);
  static Distribution Categorical(std::vector<std::string> choices);

  /// Whether `value` (an internal value, see above) lies in the range.
  bool contains(double value) const;
  /// "float [0.0001, 0.01] log", "int [8, 64] step 8", "categorical {a, b}".
  std::string str() const;
  /// A JSON object {"kind":..., "low":..., ...} for storage, and back.
  std::string to_json() const;
  static Distribution from_json(const std::string &json);
  bool operator==(const Distribution &other) const;
};

enum class TrialState { Waiting, Running, Complete, Pruned, Fail };

/// "WAITING", "RUNNING", "COMPLETE", "PRUNED", "FAIL", and back (throws
/// dlc::Error for other text).
const char *to_string(TrialState state);
TrialState trial_state_from_string(const std::string &text);

/// A trial as the storage holds it.
struct FrozenTrial {
  /// The storage's id (unique across studies) and the number in its study
  /// (0, 1, 2, ... in creation order).
  int64_t id = -1;
  int64_t number = -1;
  TrialState state = TrialState::Running;
  /// The objective's value (Complete; a Pruned trial's last reported value).
  std::optional<double> value;
  /// Internal values (see Distribution) and distributions, by name.
  std::map<std::string, double> params;
  std::map<std::string, Distribution> distributions;
  /// report(value, step): step -> value.
  std::map<int64_t, double> intermediate_values;
  /// Free-form attributes (e.g. the worker's host and pid, a failure).
  std::map<std::string, std::string> user_attrs;
  /// Unix seconds; the end is unset while running.
  double datetime_start = 0;
  std::optional<double> datetime_complete;

  bool finished() const {
    return state == TrialState::Complete || state == TrialState::Pruned ||
           state == TrialState::Fail;
  }
  /// The value of parameter `name` as the user sees it (a categorical's
  /// choice as text, an int as digits).
  std::string param_text(const std::string &name) const;
};

/// Where studies live: in memory (one process) or in an SQLite file
/// (several processes, surviving a crash). Every method is atomic; methods
/// throw dlc::Error naming the storage and the problem.
class Storage {
public:
  virtual ~Storage() = default;

  /// The id of study `name`, created with `direction` when it does not
  /// exist. An existing study with the other direction is an error.
  virtual int64_t create_study(const std::string &name,
                               Direction direction) = 0;
  /// The id of study `name`, or nullopt when there is none (creates
  /// nothing).
  virtual std::optional<int64_t> find_study(const std::string &name) = 0;
  virtual Direction study_direction(int64_t study_id) = 0;
  /// Names of all studies.
  virtual std::vector<std::string> study_names() = 0;

  /// Atomically: when the study has fewer than `max_trials` started trials
  /// that did not fail (Running, Complete or Pruned; 0: no limit), either
  /// takes the oldest Waiting trial
  /// (making it Running) or creates a new Running trial with the next
  /// number; returns its id. Returns nullopt when the limit is reached.
  /// Several processes calling this together never exceed the limit and
  /// never get the same trial.
  virtual std::optional<int64_t> start_trial(int64_t study_id,
                                             int64_t max_trials) = 0;
  /// A Waiting trial with these fixed parameters (Optuna's enqueue_trial;
  /// used to re-run a trial lost with its process).
  virtual int64_t
  enqueue_trial(int64_t study_id, const std::map<std::string, double> &params,
                const std::map<std::string, Distribution> &distributions) = 0;

  virtual void set_param(int64_t trial_id, const std::string &name,
                         double value, const Distribution &distribution) = 0;
  virtual void set_intermediate_value(int64_t trial_id, int64_t step,
                                      double value) = 0;
  /// Allowed in any state (a failure's reason is set after the end).
  virtual void set_user_attr(int64_t trial_id, const std::string &key,
                             const std::string &value) = 0;
  /// Ends a Running trial (Complete, Pruned or Fail) with its value.
  /// Ending a trial that is not Running is an error.
  virtual void finish_trial(int64_t trial_id, TrialState state,
                            std::optional<double> value) = 0;
  /// Records that the Running trial's process is alive (now); nothing for
  /// a trial that is not Running.
  virtual void heartbeat(int64_t trial_id) = 0;
  /// Running trials whose last heartbeat (or start) is older than
  /// `grace_seconds`: each becomes Fail, and a Waiting copy of its params
  /// is enqueued so that no trial is lost. Returns how many were failed.
  virtual int64_t fail_stale_trials(int64_t study_id, double grace_seconds) = 0;

  virtual FrozenTrial get_trial(int64_t trial_id) = 0;
  /// Every trial of the study, by number.
  virtual std::vector<FrozenTrial> get_all_trials(int64_t study_id) = 0;
};

/// Storage in this process's memory.
std::shared_ptr<Storage> make_in_memory_storage();
/// Storage in the SQLite file at `path` (created when missing), safe for
/// several processes at once. Each process opens its own: a storage whose
/// connection is open cannot be used in a child after fork() (SQLite's
/// locks do not survive it); exec'd workers are fine.
std::shared_ptr<Storage> make_sqlite_storage(const std::string &path);

/// Proposes the parameters of a new trial. The study asks for one
/// parameter at a time, when the objective suggests it.
class Sampler {
public:
  virtual ~Sampler() = default;
  /// An internal value for `name` in `distribution`, for `trial` (the
  /// running one, with the parameters suggested so far), given every
  /// trial of the study (`trials`, finished and not).
  virtual double sample(const std::vector<FrozenTrial> &trials,
                        const FrozenTrial &trial, const std::string &name,
                        const Distribution &distribution,
                        Direction direction) = 0;
};

/// Decides whether a running trial stops early, from its intermediate
/// values and those of the other trials.
class Pruner {
public:
  virtual ~Pruner() = default;
  /// `trial`'s intermediate_values hold its reports so far; its last step
  /// is the one being decided.
  virtual bool prune(const std::vector<FrozenTrial> &trials,
                     const FrozenTrial &trial, Direction direction) = 0;
};

} // namespace dlc::tune

#endif // DLC_FRONTEND_TUNE_TYPES_H
