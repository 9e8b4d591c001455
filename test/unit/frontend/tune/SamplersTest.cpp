//===- SamplersTest.cpp - dlc::tune's samplers, pruners and importance ----===//
//
// No Study exists here: a small loop builds the FrozenTrials by hand, asks
// the sampler for each parameter, evaluates and records the trial.
//
//===----------------------------------------------------------------------===//

#include "frontend/tune/Samplers.h"
#include "frontend/tune/Importance.h"
#include "frontend/tune/Pruners.h"

#include "runtime/Error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <random>
#include <set>

using namespace dlc::tune;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Portable draws (std::*_distribution differ between standard libraries).
class Draws {
public:
  explicit Draws(uint64_t seed) : engine(seed) {}
  double uniform() { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }
  double normal() {
    double u = 1 - uniform(), v = uniform();
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * std::numbers::pi * v);
  }

private:
  std::mt19937_64 engine;
};

struct Param {
  std::string name;
  Distribution distribution;
};

using Objective = std::function<double(const FrozenTrial &trial, Draws &noise)>;

/// Runs `n` trials with `sampler` and returns them (all Complete).
std::vector<FrozenTrial> runStudy(Sampler &sampler,
                                  const std::vector<Param> &params,
                                  const Objective &objective, int n,
                                  uint64_t noiseSeed,
                                  Direction direction = Direction::Minimize) {
  Draws noise(noiseSeed);
  std::vector<FrozenTrial> trials;
  for (int i = 0; i < n; ++i) {
    FrozenTrial current;
    current.id = i;
    current.number = i;
    for (const Param &p : params) {
      double value =
          sampler.sample(trials, current, p.name, p.distribution, direction);
      EXPECT_TRUE(p.distribution.contains(value))
          << p.name << " = " << value << " outside " << p.distribution.str();
      current.params[p.name] = value;
      current.distributions[p.name] = p.distribution;
    }
    current.value = objective(current, noise);
    current.state = TrialState::Complete;
    trials.push_back(current);
  }
  return trials;
}

double bestValue(const std::vector<FrozenTrial> &trials) {
  double best = INFINITY;
  for (const FrozenTrial &t : trials)
    best = std::min(best, *t.value);
  return best;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

std::vector<Param> allKinds() {
  return {{"x", Distribution::Float(-2.5, 7)},
          {"lr", Distribution::Float(1e-5, 1e-1, /*log=*/true)},
          {"units", Distribution::Int(8, 64, 8)},
          {"layers", Distribution::Int(1, 100, 1, /*log=*/true)},
          {"act", Distribution::Categorical({"relu", "tanh", "gelu"})},
          {"fixed", Distribution::Float(3, 3)}};
}

//===----------------------------------------------------------------------===//
// Random search
//===----------------------------------------------------------------------===//

TEST(RandomSampler, StaysInRangeAndCoversIt) {
  auto sampler = make_random_sampler(7);
  std::vector<FrozenTrial> none;
  for (const Param &p : allKinds()) {
    std::set<double> seen;
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < 2000; ++i) {
      FrozenTrial trial;
      trial.number = i;
      double v = sampler->sample(none, trial, p.name, p.distribution,
                                 Direction::Minimize);
      ASSERT_TRUE(p.distribution.contains(v))
          << p.name << " = " << v << " outside " << p.distribution.str();
      seen.insert(v);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    const Distribution &d = p.distribution;
    if (d.kind == Distribution::Kind::Float) {
      // Within 1% of each end (in log space for log ranges).
      auto f = [&](double x) { return d.log ? std::log(x) : x; };
      EXPECT_LT(f(lo) - f(d.low), 0.01 * (f(d.high) - f(d.low)) + 1e-12);
      EXPECT_LT(f(d.high) - f(hi), 0.01 * (f(d.high) - f(d.low)) + 1e-12);
    } else {
      EXPECT_EQ(lo, d.low) << p.name;
      EXPECT_EQ(hi, d.high) << p.name;
    }
    if (p.name == "units") {
      EXPECT_EQ(seen.size(), 8u);
    }
    if (p.name == "act") {
      EXPECT_EQ(seen.size(), 3u);
    }
  }
}

TEST(RandomSampler, LogRangesAreUniformInLogSpace) {
  auto sampler = make_random_sampler(3);
  Distribution d = Distribution::Float(1e-4, 1, /*log=*/true);
  int below = 0, n = 4000;
  for (int i = 0; i < n; ++i) {
    FrozenTrial trial;
    trial.number = i;
    if (sampler->sample({}, trial, "lr", d, Direction::Minimize) < 1e-2)
      ++below;
  }
  // Half of the log range lies below 1e-2.
  EXPECT_NEAR(static_cast<double>(below) / n, 0.5, 0.05);
}

TEST(RandomSampler, DeterministicInSeedNumberAndName) {
  Distribution d = Distribution::Float(0, 1);
  auto a = make_random_sampler(42), b = make_random_sampler(42),
       other = make_random_sampler(43);
  std::set<double> byNumber;
  int sameAcrossNames = 0, sameAcrossSeeds = 0;
  for (int i = 0; i < 50; ++i) {
    FrozenTrial trial;
    trial.number = i;
    double x = a->sample({}, trial, "x", d, Direction::Minimize);
    // The history does not matter to random search.
    std::vector<FrozenTrial> history(3, trial);
    EXPECT_EQ(x, b->sample(history, trial, "x", d, Direction::Maximize));
    byNumber.insert(x);
    sameAcrossNames += x == a->sample({}, trial, "y", d, Direction::Minimize);
    sameAcrossSeeds +=
        x == other->sample({}, trial, "x", d, Direction::Minimize);
  }
  EXPECT_EQ(byNumber.size(), 50u);
  EXPECT_EQ(sameAcrossNames, 0);
  EXPECT_EQ(sameAcrossSeeds, 0);
}

//===----------------------------------------------------------------------===//
// TPE
//===----------------------------------------------------------------------===//

double sumOfParams(const FrozenTrial &t, Draws &) {
  double sum = 0;
  for (const auto &[name, value] : t.params)
    sum += value;
  return sum;
}

TEST(TPESampler, StaysInRange) {
  TPESamplerOptions options;
  options.seed = 5;
  options.n_startup_trials = 5;
  auto sampler = make_tpe_sampler(options);
  // runStudy checks every sample against its distribution.
  std::vector<FrozenTrial> trials =
      runStudy(*sampler, allKinds(), sumOfParams, 60, 1);
  ASSERT_EQ(trials.size(), 60u);
  for (const FrozenTrial &t : trials)
    EXPECT_EQ(t.params.at("fixed"), 3.0);
  // Without a prior, and with every trial in the good group (the bad
  // estimator falls back to the prior alone).
  options.prior_weight = 0;
  options.gamma = 1;
  options.max_good = 1000;
  runStudy(*make_tpe_sampler(options), allKinds(), sumOfParams, 30, 1);
}

TEST(TPESampler, IsDeterministic) {
  TPESamplerOptions options;
  options.seed = 11;
  options.n_startup_trials = 3;
  auto first = make_tpe_sampler(options), second = make_tpe_sampler(options);
  std::vector<FrozenTrial> a = runStudy(*first, allKinds(), sumOfParams, 25, 1);
  std::vector<FrozenTrial> b =
      runStudy(*second, allKinds(), sumOfParams, 25, 1);
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(a[i].params, b[i].params) << "trial " << i;
}

TEST(TPESampler, RejectsBadOptions) {
  TPESamplerOptions options;
  options.gamma = 0;
  EXPECT_THROW(make_tpe_sampler(options), dlc::Error);
  options = {};
  options.n_ei_candidates = 0;
  EXPECT_THROW(make_tpe_sampler(options), dlc::Error);
  options = {};
  options.prior_weight = -1;
  EXPECT_THROW(make_tpe_sampler(options), dlc::Error);
}

/// 30 finished trials of one parameter x in [0, 1] at x = i / 29 with value
/// x; returns the mean of TPE's proposals for 20 new trials.
double meanProposal(Direction direction) {
  Distribution d = Distribution::Float(0, 1);
  std::vector<FrozenTrial> trials;
  for (int i = 0; i < 30; ++i) {
    FrozenTrial t;
    t.number = i;
    t.state = TrialState::Complete;
    t.params["x"] = i / 29.0;
    t.distributions["x"] = d;
    t.value = i / 29.0;
    trials.push_back(t);
  }
  auto sampler = make_tpe_sampler();
  double sum = 0;
  for (int i = 30; i < 50; ++i) {
    FrozenTrial current;
    current.number = i;
    sum += sampler->sample(trials, current, "x", d, direction);
  }
  return sum / 20;
}

TEST(TPESampler, FollowsTheDirection) {
  EXPECT_LT(meanProposal(Direction::Minimize), 0.25);
  EXPECT_GT(meanProposal(Direction::Maximize), 0.75);
}

TEST(TPESampler, RanksPrunedTrialsAfterCompleteOnes) {
  Distribution d = Distribution::Float(0, 1);
  std::vector<FrozenTrial> trials;
  // Complete trials at x in [0.7, 1] (value 10); Pruned ones at x in
  // [0, 0.3] whose last reports (0) would be better values.
  for (int i = 0; i < 30; ++i) {
    FrozenTrial t;
    t.number = i;
    t.params["x"] = i < 10 ? 0.7 + 0.03 * i : 0.3 * (i - 10) / 19.0;
    t.distributions["x"] = d;
    if (i < 10) {
      t.state = TrialState::Complete;
      t.value = 10;
    } else {
      t.state = TrialState::Pruned;
      t.intermediate_values[0] = 100;
      t.intermediate_values[1] = 0;
    }
    trials.push_back(t);
  }
  // A Running trial and a Pruned one without a value are ignored.
  FrozenTrial running;
  running.number = 30;
  running.params["x"] = 0.1;
  running.distributions["x"] = d;
  trials.push_back(running);
  auto sampler = make_tpe_sampler();
  for (int i = 31; i < 41; ++i) {
    FrozenTrial current;
    current.number = i;
    EXPECT_GT(sampler->sample(trials, current, "x", d, Direction::Minimize),
              0.5)
        << "trial " << i;
  }
}

TEST(TPESampler, StartsAtRandom) {
  // Fewer than n_startup_trials matching trials: the proposal is the random
  // sampler's with the same seed.
  TPESamplerOptions options;
  options.seed = 9;
  auto tpe = make_tpe_sampler(options);
  auto random = make_random_sampler(9);
  Distribution d = Distribution::Float(0, 1);
  std::vector<FrozenTrial> trials;
  for (int i = 0; i < 20; ++i) {
    FrozenTrial t;
    t.number = i;
    t.state = TrialState::Complete;
    t.value = i;
    t.params["x"] = 0.5;
    // Only 9 with this distribution; the others have another range.
    t.distributions["x"] = i < 9 ? d : Distribution::Float(0, 2);
    trials.push_back(t);
  }
  FrozenTrial current;
  current.number = 20;
  EXPECT_EQ(tpe->sample(trials, current, "x", d, Direction::Minimize),
            random->sample(trials, current, "x", d, Direction::Minimize));
}

/// A noisy shifted quadratic over two floats, a log-scale float, an int
/// and a categorical; its minimum is 0 (plus noise).
double quadratic(const FrozenTrial &t, Draws &noise) {
  double x = t.params.at("x") - 1.3, y = t.params.at("y") + 2.1;
  double lr = std::log10(t.params.at("lr")) + 2.5;
  double units = (t.params.at("units") - 7) / 2.0;
  static const double penalty[] = {1.0, 0.0, 2.0};
  return x * x + y * y + lr * lr + units * units +
         penalty[static_cast<int>(t.params.at("act"))] + 0.1 * noise.normal();
}

/// Branin (minimum 0.397887) with noise.
double branin(const FrozenTrial &t, Draws &noise) {
  double x1 = t.params.at("x1"), x2 = t.params.at("x2");
  double pi = std::numbers::pi;
  double b = 5.1 / (4 * pi * pi), c = 5 / pi, s = 10, tt = 1 / (8 * pi);
  double r = x2 - b * x1 * x1 + c * x1 - 6;
  return r * r + s * (1 - tt) * std::cos(x1) + s + 0.1 * noise.normal();
}

/// Median over 20 seeds of the best value in 60 trials, TPE and random.
std::pair<double, double> medianBests(const std::vector<Param> &params,
                                      const Objective &objective) {
  std::vector<double> tpe, random;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    TPESamplerOptions options;
    options.seed = seed;
    auto tpeSampler = make_tpe_sampler(options);
    auto randomSampler = make_random_sampler(seed);
    tpe.push_back(
        bestValue(runStudy(*tpeSampler, params, objective, 60, 1000 + seed)));
    random.push_back(bestValue(
        runStudy(*randomSampler, params, objective, 60, 1000 + seed)));
  }
  return {median(tpe), median(random)};
}

TEST(TPESampler, BeatsRandomSearchOnAQuadratic) {
  std::vector<Param> params = {
      {"x", Distribution::Float(-5, 5)},
      {"y", Distribution::Float(-5, 5)},
      {"lr", Distribution::Float(1e-5, 1, /*log=*/true)},
      {"units", Distribution::Int(0, 20)},
      {"act", Distribution::Categorical({"relu", "tanh", "gelu"})}};
  auto [tpe, random] = medianBests(params, quadratic);
  std::cout << "quadratic: median best of 60 trials over 20 seeds: TPE " << tpe
            << ", random " << random << "\n";
  EXPECT_LT(tpe, random);
}

TEST(TPESampler, BeatsRandomSearchOnBranin) {
  std::vector<Param> params = {{"x1", Distribution::Float(-5, 10)},
                               {"x2", Distribution::Float(0, 15)}};
  auto [tpe, random] = medianBests(params, branin);
  std::cout << "branin: median best of 60 trials over 20 seeds: TPE " << tpe
            << ", random " << random << "\n";
  EXPECT_LT(tpe, random);
}

//===----------------------------------------------------------------------===//
// Pruners
//===----------------------------------------------------------------------===//

/// A trial with reports curve(0), ..., curve(steps - 1).
FrozenTrial withCurve(int64_t number, TrialState state, int64_t steps,
                      const std::function<double(int64_t)> &curve) {
  FrozenTrial t;
  t.id = number;
  t.number = number;
  t.state = state;
  for (int64_t s = 0; s < steps; ++s)
    t.intermediate_values[s] = curve(s);
  if (state != TrialState::Running && steps > 0)
    t.value = t.intermediate_values.rbegin()->second;
  return t;
}

/// 10 Complete trials: trial i reports (1 + 0.1 i) / (1 + step), steps
/// 0..9, so the median at a step is 1.45 / (1 + step). `sign` -1 turns
/// them into a maximisation.
std::vector<FrozenTrial> tenCurves(double sign = 1) {
  std::vector<FrozenTrial> trials;
  for (int i = 0; i < 10; ++i)
    trials.push_back(withCurve(i, TrialState::Complete, 10, [=](int64_t s) {
      return sign * (1 + 0.1 * i) / (1.0 + static_cast<double>(s));
    }));
  return trials;
}

/// The first step at which `pruner` prunes a trial reporting `curve`, or
/// -1.
int64_t prunedAt(Pruner &pruner, const std::vector<FrozenTrial> &trials,
                 const std::function<double(int64_t)> &curve,
                 Direction direction = Direction::Minimize,
                 int64_t steps = 10) {
  FrozenTrial trial = withCurve(100, TrialState::Running, 0, curve);
  for (int64_t s = 0; s < steps; ++s) {
    trial.intermediate_values[s] = curve(s);
    if (pruner.prune(trials, trial, direction))
      return s;
  }
  return -1;
}

TEST(NopPruner, NeverPrunes) {
  auto pruner = make_nop_pruner();
  EXPECT_EQ(prunedAt(*pruner, tenCurves(), [](int64_t) { return 1e9; }), -1);
}

TEST(MedianPruner, PrunesWorseCurvesOnly) {
  auto pruner = make_median_pruner();
  std::vector<FrozenTrial> trials = tenCurves();
  auto bad = [](int64_t s) { return 3 / (1.0 + static_cast<double>(s)); };
  auto good = [](int64_t s) { return 1 / (1.0 + static_cast<double>(s)); };
  EXPECT_EQ(prunedAt(*pruner, trials, bad), 0);
  EXPECT_EQ(prunedAt(*pruner, trials, good), -1);
  // Good until step 4 (0.2), then flat at 1: its best so far, 0.2, is
  // still better than the median 1.45 / 7 at step 6, not 1.45 / 8 at 7.
  auto stalls = [](int64_t s) {
    return s < 5 ? 1 / (1.0 + static_cast<double>(s)) : 1.0;
  };
  EXPECT_EQ(prunedAt(*pruner, trials, stalls), 7);
}

TEST(MedianPruner, FollowsTheDirection) {
  auto pruner = make_median_pruner();
  std::vector<FrozenTrial> trials = tenCurves(-1);
  auto bad = [](int64_t s) { return -3 / (1.0 + static_cast<double>(s)); };
  auto good = [](int64_t s) { return -1 / (1.0 + static_cast<double>(s)); };
  // Maximising, the larger (less negative) curve is the better one.
  EXPECT_EQ(prunedAt(*pruner, trials, good, Direction::Maximize), -1);
  EXPECT_EQ(prunedAt(*pruner, trials, bad, Direction::Maximize), 0);
}

TEST(MedianPruner, RespectsWarmUpIntervalAndStartup) {
  auto bad = [](int64_t s) { return 3 / (1.0 + static_cast<double>(s)); };
  std::vector<FrozenTrial> trials = tenCurves();

  MedianPrunerOptions warmUp;
  warmUp.n_warmup_steps = 3;
  EXPECT_EQ(prunedAt(*make_median_pruner(warmUp), trials, bad), 3);

  // A constant 0.4 falls behind the median 1.45 / (1 + step) at step 3;
  // deciding only at steps 0, 2, 4, ... it is pruned at 4.
  auto flat = [](int64_t) { return 0.4; };
  EXPECT_EQ(prunedAt(*make_median_pruner(), trials, flat), 3);
  MedianPrunerOptions interval;
  interval.interval_steps = 2;
  EXPECT_EQ(prunedAt(*make_median_pruner(interval), trials, flat), 4);
  interval.n_warmup_steps = 1;
  EXPECT_EQ(prunedAt(*make_median_pruner(interval), trials, flat), 3);

  // Four Complete trials (and Pruned ones, which do not count) are fewer
  // than the five needed.
  std::vector<FrozenTrial> few(trials.begin(), trials.begin() + 4);
  for (int i = 4; i < 10; ++i) {
    few.push_back(trials[i]);
    few.back().state = TrialState::Pruned;
  }
  auto pruner = make_median_pruner();
  EXPECT_EQ(prunedAt(*pruner, few, bad), -1);
  few[4].state = TrialState::Complete;
  EXPECT_EQ(prunedAt(*pruner, few, bad), 0);

  // No other trial reported at step 12: no decision.
  FrozenTrial late = withCurve(100, TrialState::Running, 0, bad);
  late.intermediate_values[12] = 1e9;
  EXPECT_FALSE(pruner->prune(trials, late, Direction::Minimize));
}

TEST(MedianPruner, IgnoresRunningTrialsAndItself) {
  auto pruner = make_median_pruner();
  std::vector<FrozenTrial> trials = tenCurves();
  // Many Running trials with terrible curves do not move the median.
  for (int i = 10; i < 30; ++i)
    trials.push_back(
        withCurve(i, TrialState::Running, 10, [](int64_t) { return 1e9; }));
  auto bad = [](int64_t s) { return 3 / (1.0 + static_cast<double>(s)); };
  EXPECT_EQ(prunedAt(*pruner, trials, bad), 0);
  // Nor does the trial itself (same id and number), whatever its state.
  FrozenTrial self = withCurve(100, TrialState::Running, 1, bad);
  std::vector<FrozenTrial> withSelf = tenCurves();
  for (int i = 0; i < 20; ++i) {
    withSelf.push_back(self);
    withSelf.back().state = TrialState::Complete;
  }
  EXPECT_TRUE(pruner->prune(withSelf, self, Direction::Minimize));
}

/// Complete trials 0..7 with the constant curve i * sign at steps 1..8.
std::vector<FrozenTrial> eightConstants(double sign = 1) {
  std::vector<FrozenTrial> trials;
  for (int i = 0; i < 8; ++i) {
    FrozenTrial t = withCurve(i, TrialState::Complete, 0, nullptr);
    for (int64_t s = 1; s <= 8; ++s)
      t.intermediate_values[s] = sign * i;
    t.value = sign * i;
    trials.push_back(t);
  }
  return trials;
}

/// The step at which successive halving prunes a trial that reports
/// curve(1), curve(2), ... curve(8), or -1.
int64_t halvedAt(const SuccessiveHalvingOptions &options,
                 const std::vector<FrozenTrial> &trials,
                 const std::function<double(int64_t)> &curve,
                 Direction direction = Direction::Minimize) {
  auto pruner = make_successive_halving_pruner(options);
  FrozenTrial trial = withCurve(100, TrialState::Running, 0, nullptr);
  for (int64_t s = 1; s <= 8; ++s) {
    trial.intermediate_values[s] = curve(s);
    if (pruner->prune(trials, trial, direction))
      return s;
  }
  return -1;
}

TEST(SuccessiveHalving, KeepsTheBestFractionAtEachRung) {
  std::vector<FrozenTrial> trials = eightConstants();
  auto constant = [](double v) { return [=](int64_t) { return v; }; };
  // Halving: 9 values at each rung, the best 4 go on.
  SuccessiveHalvingOptions half;
  half.reduction_factor = 2;
  EXPECT_EQ(halvedAt(half, trials, constant(2.5)), -1);
  EXPECT_EQ(halvedAt(half, trials, constant(3.5)), 1);
  EXPECT_EQ(halvedAt(half, trials, constant(-1)), -1);
  // Quartering (the default): the best 2 of 9.
  SuccessiveHalvingOptions quarter;
  EXPECT_EQ(halvedAt(quarter, trials, constant(0.5)), -1);
  EXPECT_EQ(halvedAt(quarter, trials, constant(1.5)), 1);
  // Good at rungs 1 and 2, then bad: pruned at the rung at step 4 — not at
  // step 3, which is no rung.
  auto fades = [](int64_t s) { return s <= 2 ? 0.5 : 7.5; };
  EXPECT_EQ(halvedAt(half, trials, fades), 4);
}

TEST(SuccessiveHalving, FollowsTheDirection) {
  std::vector<FrozenTrial> trials = eightConstants(-1);
  SuccessiveHalvingOptions half;
  half.reduction_factor = 2;
  auto constant = [](double v) { return [=](int64_t) { return v; }; };
  EXPECT_EQ(halvedAt(half, trials, constant(-2.5), Direction::Maximize), -1);
  EXPECT_EQ(halvedAt(half, trials, constant(-3.5), Direction::Maximize), 1);
}

TEST(SuccessiveHalving, ComparesOnlyTrialsThatReachedTheRung) {
  auto constant = [](double v) { return [=](int64_t) { return v; }; };
  SuccessiveHalvingOptions half;
  half.reduction_factor = 2;
  // The first trial is always promoted.
  EXPECT_EQ(halvedAt(half, {}, constant(1e9)), -1);
  // Trials that stopped at step 3 take part at rungs 1 and 2, not 4.
  std::vector<FrozenTrial> trials = eightConstants();
  for (FrozenTrial &t : trials) {
    t.intermediate_values.erase(t.intermediate_values.find(4),
                                t.intermediate_values.end());
    t.state = TrialState::Pruned;
  }
  auto fades = [](int64_t s) { return s <= 2 ? 0.5 : 7.5; };
  EXPECT_EQ(halvedAt(half, trials, fades), -1);
  // A later first rung (min_early_stopping_rate 1: rungs at 2, 4, 8).
  SuccessiveHalvingOptions late = half;
  late.min_early_stopping_rate = 1;
  auto startsBad = [](int64_t s) { return s < 2 ? 7.5 : 0.5; };
  EXPECT_EQ(halvedAt(late, eightConstants(), startsBad), -1);
  EXPECT_EQ(halvedAt(half, eightConstants(), startsBad), 1);
}

TEST(Pruners, RejectBadOptions) {
  MedianPrunerOptions median;
  median.interval_steps = 0;
  EXPECT_THROW(make_median_pruner(median), dlc::Error);
  SuccessiveHalvingOptions halving;
  halving.reduction_factor = 1;
  EXPECT_THROW(make_successive_halving_pruner(halving), dlc::Error);
}

//===----------------------------------------------------------------------===//
// Importance
//===----------------------------------------------------------------------===//

TEST(Importance, RanksByMainEffect) {
  // y = 5 a + 0.5 log10(b), whatever c: a explains most, b some, c none.
  Distribution unit = Distribution::Float(0, 1);
  Distribution logRange = Distribution::Float(1e-3, 1, /*log=*/true);
  Distribution choice = Distribution::Categorical({"x", "y", "z"});
  Draws draws(17);
  std::vector<FrozenTrial> trials;
  for (int i = 0; i < 400; ++i) {
    FrozenTrial t;
    t.number = i;
    t.state = TrialState::Complete;
    double a = draws.uniform(), b = std::pow(10.0, -3 * draws.uniform());
    t.params = {{"a", a}, {"b", b}, {"c", std::floor(3 * draws.uniform())}};
    t.distributions = {{"a", unit}, {"b", logRange}, {"c", choice}};
    t.value = 5 * a + 0.5 * std::log10(b);
    trials.push_back(t);
  }
  // Unfinished trials do not count.
  FrozenTrial running;
  running.params = {{"a", 0}, {"b", 1}, {"c", 0}};
  running.distributions = trials[0].distributions;
  running.value = 1e9;
  trials.push_back(running);

  auto importances = param_importances(trials);
  ASSERT_EQ(importances.size(), 3u);
  EXPECT_EQ(importances[0].first, "a");
  EXPECT_EQ(importances[1].first, "b");
  EXPECT_EQ(importances[2].first, "c");
  double sum = 0;
  for (const auto &[name, importance] : importances)
    sum += importance;
  EXPECT_NEAR(sum, 1, 1e-12);
  EXPECT_GT(importances[0].second, 0.8);
  EXPECT_LT(importances[2].second, 0.05);
}

TEST(Importance, EmptyAndPartialCases) {
  EXPECT_TRUE(param_importances({}).empty());
  FrozenTrial t;
  t.state = TrialState::Complete;
  t.value = 1;
  t.params = {{"a", 0.5}};
  t.distributions = {{"a", Distribution::Float(0, 1)}};
  // One Complete trial is not enough.
  EXPECT_TRUE(param_importances({t}).empty());
  FrozenTrial u = t;
  u.params["a"] = 0.1;
  u.value = 2;
  // Only the parameters every Complete trial has count.
  FrozenTrial v = u;
  v.params["only"] = 0.3;
  v.distributions["only"] = Distribution::Float(0, 1);
  auto importances = param_importances({t, u, v});
  ASSERT_EQ(importances.size(), 1u);
  EXPECT_EQ(importances[0].first, "a");
  EXPECT_DOUBLE_EQ(importances[0].second, 1);
  // No parameter at all.
  FrozenTrial bare;
  bare.state = TrialState::Complete;
  bare.value = 3;
  EXPECT_TRUE(param_importances({bare, bare}).empty());
  EXPECT_THROW(param_importances({t, u}, 0), dlc::Error);
}

} // namespace
