//===- StudyTest.cpp - dlc::tune's Study and Trial ------------------------===//

#include "../TestUtil.h"

#include <cmath>

using namespace dlc;
using dlc::test::errorOf;

namespace {

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

tune::Study randomStudy(std::shared_ptr<tune::Storage> storage = nullptr,
                        tune::Direction direction = tune::Direction::Minimize) {
  return tune::Study(tune::StudyOptions()
                         .name("s")
                         .direction(direction)
                         .storage(storage)
                         .sampler(tune::make_random_sampler(3))
                         .pruner(tune::make_nop_pruner()));
}

} // namespace

TEST(Study, OptimizeFindsTheBestTrial) {
  tune::Study study = randomStudy();
  study.optimize(
      [](tune::Trial &trial) {
        double x = trial.suggest_float("x", -3, 3);
        int64_t n = trial.suggest_int("n", 1, 9, 2);
        std::string c = trial.suggest_categorical("c", {"a", "b"});
        EXPECT_EQ(n % 2, 1);
        // Asking again gives the same value.
        EXPECT_EQ(trial.suggest_float("x", -3, 3), x);
        return (x - 1) * (x - 1) + (c == "a" ? 0 : 1) + n;
      },
      tune::OptimizeOptions().n_trials(25));
  std::vector<tune::FrozenTrial> trials = study.trials();
  ASSERT_EQ(trials.size(), 25u);
  double best = INFINITY;
  for (size_t i = 0; i < trials.size(); ++i) {
    EXPECT_EQ(trials[i].number, static_cast<int64_t>(i));
    EXPECT_EQ(trials[i].state, tune::TrialState::Complete);
    best = std::min(best, *trials[i].value);
  }
  EXPECT_EQ(study.best_value(), best);
  std::map<std::string, std::string> params = study.best_params();
  EXPECT_EQ(params.size(), 3u);
  EXPECT_TRUE(params["c"] == "a" || params["c"] == "b");
}

TEST(Study, PrunedFailedAndCaughtTrials) {
  tune::Study study = randomStudy(nullptr, tune::Direction::Maximize);
  int calls = 0;
  auto objective = [&](tune::Trial &trial) -> double {
    ++calls;
    trial.suggest_float("x", 0, 1);
    trial.report(0.25, 0);
    trial.report(0.5, 1);
    if (calls == 1)
      throw tune::TrialPruned();
    if (calls == 2)
      throw Error("diverged");
    return 0.75;
  };
  study.optimize(objective,
                 tune::OptimizeOptions().n_trials(3).catch_errors(true));
  std::vector<tune::FrozenTrial> trials = study.trials();
  ASSERT_EQ(trials.size(), 3u);
  EXPECT_EQ(trials[0].state, tune::TrialState::Pruned);
  EXPECT_EQ(trials[0].value, 0.5); // the last report
  EXPECT_EQ(trials[0].intermediate_values.size(), 2u);
  EXPECT_EQ(trials[1].state, tune::TrialState::Fail);
  EXPECT_TRUE(contains(trials[1].user_attrs.at("fail_reason"), "diverged"));
  EXPECT_EQ(trials[2].state, tune::TrialState::Complete);
  EXPECT_EQ(study.best_value(), 0.75);

  // Without catch_errors the error fails the trial and propagates.
  calls = 1;
  EXPECT_TRUE(contains(errorOf([&] {
                         study.optimize(objective,
                                        tune::OptimizeOptions().n_trials(5));
                       }),
                       "diverged"));
  EXPECT_EQ(study.trials().back().state, tune::TrialState::Fail);
}

TEST(Study, MaxTrialsCountsEveryProcessAndEnqueuedTrialsRunFirst) {
  auto storage = tune::make_in_memory_storage();
  tune::Study a = randomStudy(storage), b = randomStudy(storage);
  EXPECT_EQ(a.id(), b.id());
  b.enqueue_trial({{"x", 0.5}}, {{"x", tune::Distribution::Float(0, 1)}});
  auto objective = [](tune::Trial &trial) {
    return trial.suggest_float("x", 0, 1);
  };
  a.optimize(objective, tune::OptimizeOptions().n_trials(4).max_trials(6));
  b.optimize(objective, tune::OptimizeOptions().max_trials(6));
  std::vector<tune::FrozenTrial> trials = a.trials();
  ASSERT_EQ(trials.size(), 6u);
  EXPECT_EQ(trials[0].params.at("x"), 0.5); // the enqueued one
  EXPECT_EQ(a.best_value(), b.best_value());
}

TEST(Study, AskTellAndShouldPrune) {
  tune::Study study(tune::StudyOptions()
                        .sampler(tune::make_random_sampler(1))
                        .pruner(tune::make_median_pruner(
                            tune::MedianPrunerOptions{.n_startup_trials = 2})));
  for (double value : {1.0, 2.0, 3.0}) {
    tune::Trial trial = study.ask();
    trial.report(value, 0);
    // Before two trials completed nothing is pruned; then 3 is worse than
    // the median 1.5.
    EXPECT_EQ(trial.should_prune(), value == 3.0) << value;
    study.tell(trial, value);
  }
  tune::Trial bad = study.ask();
  bad.report(10.0, 0); // worse than the median 2 when minimizing
  EXPECT_TRUE(bad.should_prune());
  study.tell(bad, tune::TrialState::Pruned);
  EXPECT_EQ(study.trials().back().value, 10.0);
  tune::Trial good = study.ask();
  good.report(0.5, 0);
  EXPECT_FALSE(good.should_prune());
}

TEST(Study, Errors) {
  tune::Study study = randomStudy();
  tune::Trial trial = study.ask();
  trial.suggest_float("x", 0, 1);
  EXPECT_TRUE(contains(errorOf([&] { trial.suggest_float("x", 0, 2); }),
                       "suggest: parameter 'x' of trial 0 was float [0, 1], "
                       "now asked as float [0, 2]"));
  EXPECT_TRUE(contains(errorOf([&] { trial.suggest_float("y", 2, 1); }),
                       "suggest_float: expected low <= high"));
  EXPECT_TRUE(contains(errorOf([&] { trial.suggest_float("y", 0, 1, true); }),
                       "suggest_float: a log range needs low > 0"));
  EXPECT_TRUE(contains(errorOf([&] { trial.suggest_int("n", 1, 5, 0); }),
                       "suggest_int: step must be positive"));
  EXPECT_TRUE(contains(errorOf([&] { trial.suggest_categorical("c", {}); }),
                       "suggest_categorical: expected at least one choice"));
  EXPECT_TRUE(contains(errorOf([&] { trial.report(NAN, 0); }),
                       "report: trial 0 reported nan at step 0"));
  EXPECT_TRUE(contains(errorOf([&] { study.tell(trial, NAN); }),
                       "tell: trial 0 needs a finite value to complete"));
  EXPECT_TRUE(contains(errorOf([&] { study.best_trial(); }),
                       "best_trial: study 's' has no complete trial"));
  EXPECT_TRUE(contains(
      errorOf([&] { study.optimize([](tune::Trial &) { return 0.0; }); }),
      "optimize: give n_trials or max_trials"));
  EXPECT_TRUE(
      contains(errorOf([&] {
                 study.enqueue_trial({{"x", 5.0}},
                                     {{"x", tune::Distribution::Float(0, 1)}});
               }),
               "enqueue_trial: 5.000000 for 'x' is outside float [0, 1]"));
  // A study of that name with the other direction.
  auto storage = tune::make_in_memory_storage();
  randomStudy(storage, tune::Direction::Minimize);
  EXPECT_TRUE(contains(
      errorOf([&] { randomStudy(storage, tune::Direction::Maximize); }),
      "direction"));
}
