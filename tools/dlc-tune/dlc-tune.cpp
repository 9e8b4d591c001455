//===- dlc-tune.cpp - Hyperparameter search over dlc-train runs -----------===//
//
//   dlc-tune --model deepfm --data criteo:data/criteo-kaggle-sample
//            --trials 30 --space lr=1e-4:1e-2:log,embed=8|16|32 --workers 2
//
// Each trial is one dlc-train run (Train.h) with the parameters the sampler
// proposes, reporting validation AUC after every epoch to the pruner. The
// study lives in an SQLite file (--storage): a killed search resumes where
// it stopped, and --workers N processes share it. The parent prints a row
// per finished trial; at the end it prints the best parameters and the
// parameters' importance, and writes best_params.json, trials.csv and
// history.json (the optimisation history, for plots) into --out.
//
//===----------------------------------------------------------------------===//

#include "Space.h"
#include "Train.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char **environ;

using namespace dlc;
using tools::Json;

namespace {

struct TuneArgs {
  int64_t trials = 30;
  std::string space;
  std::string storage;
  std::string study;
  int64_t workers = 1;
  std::string sampler = "tpe";
  std::string pruner = "median";
  uint64_t samplerSeed = 0;
  bool worker = false;
  bool help = false;
  /// The dlc-train flags, checked by its parser.
  tools::TrainArgs train;
};

std::string usage() {
  return R"(usage: dlc-tune --model NAME --data KIND:DIR --space SPACE [flags]

Searches hyperparameters of a dlc-train run: each trial trains with the
parameters a sampler proposes, reports validation AUC after every epoch
(the pruner may stop it early) and is scored by its best validation AUC.

  --space SPACE        NAME=LOW:HIGH[:log] or NAME=A|B|C, comma-separated;
                       names: lr, embed (--embedding-dim), dropout,
                       weight_decay, batch (--batch-size), dnn (widths joined
                       by '-', e.g. 256-128|400-400), optimizer
                       e.g. lr=1e-4:1e-2:log,embed=8|16|32,dropout=0:0.5
  --trials N           the study's number of trials, over all workers (30)
  --workers N          worker processes sharing the study (1)
  --storage FILE       the study's SQLite file (OUT/study.db); an existing
                       study of the same name resumes
  --study NAME         the study's name in the file (MODEL-KIND)
  --sampler NAME       tpe (the tree-structured Parzen estimator) or random
                       (tpe)
  --sampler-seed N     the sampler's seed (0)
  --pruner NAME        median, halving (successive halving) or none (median)
  --help               this text

Every dlc-train flag sets the trials' fixed settings (see dlc-train --help),
e.g. --epochs 5 --batch-size 256; --out DIR holds the study's files and one
folder per trial (runs/tune-MODEL-KIND).
)";
}

[[noreturn]] void fail(const std::string &message) {
  throw Error("dlc-tune: " + message);
}

int64_t integer(const std::string &flag, const std::string &text,
                int64_t least) {
  int64_t value = 0;
  const char *end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || ptr != end || value < least)
    fail(flag + " expects an integer of at least " + std::to_string(least) +
         ", not '" + text + "'");
  return value;
}

TuneArgs parseTuneArgs(const std::vector<std::string> &args) {
  TuneArgs t;
  std::vector<std::string> rest;
  bool outGiven = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    if (flag == "--help" || flag == "-h") {
      t.help = true;
      return t;
    }
    if (flag == "--worker") {
      t.worker = true;
      continue;
    }
    static const std::set<std::string> own = {
        "--trials",  "--space",   "--storage",      "--study",
        "--workers", "--sampler", "--sampler-seed", "--pruner"};
    std::string value;
    size_t equals = flag.find('=');
    if (equals != std::string::npos && own.count(flag.substr(0, equals))) {
      value = flag.substr(equals + 1);
      flag = flag.substr(0, equals);
    } else if (own.count(flag)) {
      if (i + 1 >= args.size())
        fail(flag + " needs a value");
      value = args[++i];
    } else {
      outGiven = outGiven || flag == "--out" || flag.starts_with("--out=");
      rest.push_back(args[i]);
      continue;
    }
    if (flag == "--trials")
      t.trials = integer(flag, value, 1);
    else if (flag == "--workers")
      t.workers = integer(flag, value, 1);
    else if (flag == "--sampler-seed")
      t.samplerSeed = static_cast<uint64_t>(integer(flag, value, 0));
    else if (flag == "--space")
      t.space = value;
    else if (flag == "--storage")
      t.storage = value;
    else if (flag == "--study")
      t.study = value;
    else if (flag == "--sampler")
      t.sampler = value;
    else if (flag == "--pruner")
      t.pruner = value;
  }
  t.train = tools::parseArgs(rest);
  if (t.space.empty())
    fail("--space is required, e.g. --space lr=1e-4:1e-2:log,embed=8|16|32");
  tools::parse_space(t.space); // errors now, not in a worker
  if (t.sampler != "tpe" && t.sampler != "random")
    fail("unknown sampler '" + t.sampler + "' (known: tpe, random)");
  if (t.pruner != "median" && t.pruner != "halving" && t.pruner != "none")
    fail("unknown pruner '" + t.pruner + "' (known: median, halving, none)");
  if (!outGiven)
    t.train.out = "runs/tune-" + t.train.model + "-" + t.train.dataKind;
  if (t.storage.empty())
    t.storage = t.train.out + "/study.db";
  if (t.study.empty())
    t.study = t.train.model + "-" + t.train.dataKind;
  return t;
}

tune::Study openStudy(const TuneArgs &t) {
  std::shared_ptr<tune::Sampler> sampler =
      t.sampler == "random" ? tune::make_random_sampler(t.samplerSeed)
                            : tune::make_tpe_sampler(tune::TPESamplerOptions{
                                  .seed = t.samplerSeed});
  std::shared_ptr<tune::Pruner> pruner =
      t.pruner == "median"    ? tune::make_median_pruner()
      : t.pruner == "halving" ? tune::make_successive_halving_pruner()
                              : tune::make_nop_pruner();
  return tune::Study(tune::StudyOptions()
                         .name(t.study)
                         .direction(tune::Direction::Maximize)
                         .storage(tune::make_sqlite_storage(t.storage))
                         .sampler(sampler)
                         .pruner(pruner));
}

std::string hostName() {
  char name[256] = {};
  gethostname(name, sizeof(name) - 1);
  return name;
}

/// Trials left Running by a process of this host that no longer exists
/// (a killed dlc-tune): failed, and their parameters queued again.
int64_t recoverDeadTrials(tune::Study &study) {
  int64_t recovered = 0;
  std::string host = hostName();
  for (const tune::FrozenTrial &trial : study.trials()) {
    if (trial.state != tune::TrialState::Running)
      continue;
    auto h = trial.user_attrs.find("host");
    auto p = trial.user_attrs.find("pid");
    if (h == trial.user_attrs.end() || p == trial.user_attrs.end() ||
        h->second != host)
      continue;
    pid_t pid = static_cast<pid_t>(std::stol(p->second));
    if (kill(pid, 0) == 0 || errno != ESRCH)
      continue;
    study.storage().set_user_attr(trial.id, "fail_reason",
                                  "its process " + p->second + " died");
    study.storage().finish_trial(trial.id, tune::TrialState::Fail,
                                 std::nullopt);
    study.enqueue_trial(trial.params, trial.distributions);
    ++recovered;
  }
  return recovered;
}

double objective(tune::Trial &trial, const TuneArgs &t,
                 const std::vector<tools::SpaceParam> &space) {
  trial.set_user_attr("host", hostName());
  trial.set_user_attr("pid", std::to_string(getpid()));
  tools::TrainArgs a = tools::suggest_args(trial, space, t.train);
  char folder[32];
  std::snprintf(folder, sizeof(folder), "/trial-%03lld",
                static_cast<long long>(trial.number()));
  a.out = t.train.out + folder;
  a.verbose = 0;
  a.metricsJson = a.out + "/metrics.json";
  bool pruned = false;
  train::LambdaCallback report;
  report.epoch_end = [&](train::TrainState &state, const train::Logs &logs) {
    std::optional<double> auc = train::find_log(logs, "val_auc");
    if (!auc || !std::isfinite(*auc))
      return;
    trial.report(*auc, state.epoch);
    if (trial.should_prune()) {
      pruned = true;
      state.stop_training = true;
    }
  };
  tools::TrainHooks hooks;
  hooks.callbacks.push_back(report);
  hooks.baselines = false;
  Json metrics = tools::train_model(a, hooks);
  if (pruned)
    throw tune::TrialPruned();
  return metrics["valid"]["auc"].get<double>();
}

//===----------------------------------------------------------------------===//
// Output
//===----------------------------------------------------------------------===//

/// name=value pairs for the table: floats to 4 significant digits.
std::string paramsText(const tune::FrozenTrial &trial) {
  std::string text;
  for (const auto &[name, value] : trial.params) {
    std::string shown = trial.param_text(name);
    if (trial.distributions.at(name).kind == tune::Distribution::Kind::Float) {
      char buffer[32];
      std::snprintf(buffer, sizeof(buffer), "%.4g", value);
      shown = buffer;
    }
    text += (text.empty() ? "" : " ") + name + "=" + shown;
  }
  return text;
}

double seconds(const tune::FrozenTrial &trial) {
  return trial.datetime_complete
             ? *trial.datetime_complete - trial.datetime_start
             : 0;
}

void printRow(const tune::FrozenTrial &trial, double best) {
  char value[32] = "-";
  if (trial.value)
    std::snprintf(value, sizeof(value), "%.4f", *trial.value);
  std::string params = paramsText(trial);
  auto reason = trial.user_attrs.find("fail_reason");
  if (trial.state == tune::TrialState::Fail && reason != trial.user_attrs.end())
    params += "  (" + reason->second + ")";
  std::printf("%5lld  %-8s  %8s  %8.4f  %6.1f  %s\n",
              static_cast<long long>(trial.number),
              tune::to_string(trial.state), value, best, seconds(trial),
              params.c_str());
  std::fflush(stdout);
}

/// Writes `text` to `path`; a dlc::Error when it cannot.
void writeText(const std::string &path, const std::string &text) {
  std::ofstream file(path);
  file << text;
  if (!file.flush())
    fail("cannot write " + path);
}

/// The best Complete value among trials[0..i], for each i (NaN before the
/// first).
std::vector<double> bestSoFar(const std::vector<tune::FrozenTrial> &trials) {
  std::vector<double> best;
  double value = NAN;
  for (const tune::FrozenTrial &trial : trials) {
    if (trial.state == tune::TrialState::Complete && trial.value &&
        (std::isnan(value) || *trial.value > value))
      value = *trial.value;
    best.push_back(value);
  }
  return best;
}

/// Writes trials.csv, history.json and best_params.json; prints the summary.
void report(tune::Study &study, const TuneArgs &t) {
  std::vector<tune::FrozenTrial> trials = study.trials();
  std::vector<double> best = bestSoFar(trials);
  std::set<std::string> names;
  for (const tune::FrozenTrial &trial : trials)
    for (const auto &[name, value] : trial.params)
      names.insert(name);
  const std::string &out = t.train.out;

  std::ostringstream csv;
  csv << "number,state,value,best_value,seconds";
  for (const std::string &name : names)
    csv << "," << name;
  csv << "\n";
  for (size_t i = 0; i < trials.size(); ++i) {
    const tune::FrozenTrial &trial = trials[i];
    csv << trial.number << "," << tune::to_string(trial.state) << ","
        << (trial.value ? std::to_string(*trial.value) : "") << ","
        << (std::isnan(best[i]) ? "" : std::to_string(best[i])) << ","
        << seconds(trial);
    for (const std::string &name : names)
      csv << "," << (trial.params.count(name) ? trial.param_text(name) : "");
    csv << "\n";
  }
  writeText(out + "/trials.csv", csv.str());

  std::vector<std::pair<std::string, double>> importances =
      tune::param_importances(trials);
  Json history = Json::array();
  for (size_t i = 0; i < trials.size(); ++i) {
    const tune::FrozenTrial &trial = trials[i];
    Json row = {{"number", trial.number},
                {"state", tune::to_string(trial.state)},
                {"value", trial.value ? Json(*trial.value) : Json()},
                {"best_value", std::isnan(best[i]) ? Json() : Json(best[i])},
                {"intermediate_values", Json::object()},
                {"params", Json::object()}};
    for (const auto &[step, value] : trial.intermediate_values)
      row["intermediate_values"][std::to_string(step)] = value;
    for (const auto &[name, value] : trial.params)
      row["params"][name] = trial.param_text(name);
    history.push_back(row);
  }
  Json imp = Json::array();
  for (const auto &[name, share] : importances)
    imp.push_back({{"param", name}, {"importance", share}});
  writeText(
      out + "/history.json",
      Json{{"study", t.study},
           {"direction", "maximize"},
           {"objective", "val_auc"},
           {"importance_method", "binned first-order variance decomposition"},
           {"importances", imp},
           {"trials", history}}
              .dump(2) +
          "\n");

  tune::FrozenTrial bestTrial = study.best_trial();
  Json params = Json::object();
  for (const auto &[name, value] : bestTrial.params)
    params[name] = bestTrial.param_text(name);
  writeText(out + "/best_params.json", Json{{"number", bestTrial.number},
                                            {"val_auc", *bestTrial.value},
                                            {"params", params}}
                                               .dump(2) +
                                           "\n");
  int64_t complete = 0, pruned = 0, failed = 0;
  for (const tune::FrozenTrial &trial : trials) {
    complete += trial.state == tune::TrialState::Complete;
    pruned += trial.state == tune::TrialState::Pruned;
    failed += trial.state == tune::TrialState::Fail;
  }
  std::printf("\n%zu trials: %lld complete, %lld pruned, %lld failed\n",
              trials.size(), static_cast<long long>(complete),
              static_cast<long long>(pruned), static_cast<long long>(failed));
  std::printf("best: trial %lld, val auc %.4f, %s\n",
              static_cast<long long>(bestTrial.number), *bestTrial.value,
              paramsText(bestTrial).c_str());
  if (!importances.empty()) {
    std::printf("parameter importance (binned first-order variance "
                "decomposition of val auc):\n");
    for (const auto &[name, share] : importances)
      std::printf("  %-13s %5.1f%%\n", name.c_str(), 100 * share);
  }
  std::printf("wrote %s/best_params.json, trials.csv, history.json; study "
              "'%s' in %s\n",
              out.c_str(), t.study.c_str(), t.storage.c_str());
}

/// Starts `count` worker processes running this program with --worker.
std::vector<pid_t> spawnWorkers(int64_t count, int argc, char **argv) {
  std::vector<std::string> args(argv, argv + argc);
  args.push_back("--worker");
  std::vector<char *> pointers;
  for (std::string &arg : args)
    pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  std::vector<pid_t> pids;
  for (int64_t i = 0; i < count; ++i) {
    pid_t pid;
    int error = posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr,
                            pointers.data(), environ);
    if (error != 0)
      fail(std::string("cannot start a worker: ") + std::strerror(error));
    pids.push_back(pid);
  }
  return pids;
}

int run(const TuneArgs &t, int argc, char **argv) {
  std::vector<tools::SpaceParam> space = tools::parse_space(t.space);
  std::error_code error;
  std::filesystem::create_directories(t.train.out, error);
  if (error)
    fail("cannot create the --out directory " + t.train.out + ": " +
         error.message());
  tune::Study study = openStudy(t);
  auto optimizeOptions = tune::OptimizeOptions()
                             .max_trials(t.trials)
                             .catch_errors(true)
                             .heartbeat_seconds(5)
                             .grace_seconds(120);
  if (t.worker) {
    study.optimize(
        [&](tune::Trial &trial) { return objective(trial, t, space); },
        optimizeOptions);
    return 0;
  }

  int64_t recovered = recoverDeadTrials(study);
  std::printf("dlc-tune: study '%s' in %s: %zu trials so far%s; %lld "
              "trials with %lld worker%s, %s sampler, %s pruner\n",
              t.study.c_str(), t.storage.c_str(), study.trials().size(),
              recovered ? (", " + std::to_string(recovered) +
                           " lost with a killed process queued again")
                              .c_str()
                        : "",
              static_cast<long long>(t.trials),
              static_cast<long long>(t.workers), t.workers == 1 ? "" : "s",
              t.sampler.c_str(), t.pruner.c_str());
  std::printf("%5s  %-8s  %8s  %8s  %6s  %s\n", "trial", "state", "val_auc",
              "best", "s", "params");
  std::set<int64_t> printed;
  double best = NAN;
  auto printNew = [&] {
    for (const tune::FrozenTrial &trial : study.trials()) {
      if (!trial.finished() || printed.count(trial.number))
        continue;
      printed.insert(trial.number);
      if (trial.state == tune::TrialState::Complete && trial.value &&
          (std::isnan(best) || *trial.value > best))
        best = *trial.value;
      printRow(trial, best);
    }
  };
  printNew(); // a resumed study's trials
  if (t.workers == 1) {
    study.optimize(
        [&](tune::Trial &trial) { return objective(trial, t, space); },
        optimizeOptions.callback(
            [&](const tune::FrozenTrial &) { printNew(); }));
  } else {
    std::vector<pid_t> pids = spawnWorkers(t.workers, argc, argv);
    size_t running = pids.size();
    int failures = 0;
    while (running > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      printNew();
      for (pid_t &pid : pids) {
        int status = 0;
        if (pid > 0 && waitpid(pid, &status, WNOHANG) == pid) {
          failures += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
          pid = -1;
          --running;
        }
      }
    }
    printNew();
    if (failures)
      fail(std::to_string(failures) + " worker process" +
           (failures == 1 ? "" : "es") + " failed (see above)");
  }
  report(study, t);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    TuneArgs t = parseTuneArgs(std::vector<std::string>(argv + 1, argv + argc));
    if (t.help) {
      std::cout << usage();
      return 0;
    }
    return run(t, argc, argv);
  } catch (const Error &error) {
    std::cerr << error.what() << "\n";
    return 1;
  } catch (const std::exception &error) {
    std::cerr << "dlc-tune: " << error.what() << "\n";
    return 1;
  }
}
