//===- Importance.cpp - Which parameters mattered -------------------------===//
//
// A parameter's main effect is the part of the objective's variance that
// its value alone explains: Var(E[y | x_i]). Estimated by grouping the
// trials by the parameter (its choice, or a quantile bin) and taking the
// size-weighted variance of the groups' mean objectives.
//
//===----------------------------------------------------------------------===//

#include "frontend/tune/Importance.h"

#include "runtime/Error.h"

#include <algorithm>
#include <cmath>

namespace dlc::tune {

namespace {

/// The group of each value: a categorical's choice, or for a number its
/// quantile bin among `values` (equal values always share a bin).
std::vector<int64_t> groups(const std::vector<double> &values,
                            const Distribution &distribution, int bins) {
  std::vector<int64_t> result(values.size());
  if (distribution.kind == Distribution::Kind::Categorical) {
    for (size_t i = 0; i < values.size(); ++i)
      result[i] = std::llround(values[i]);
    return result;
  }
  std::vector<double> transformed = values;
  if (distribution.log)
    for (double &v : transformed)
      v = std::log(v);
  std::vector<double> sorted = transformed;
  std::sort(sorted.begin(), sorted.end());
  size_t n = sorted.size();
  // Bin j starts at the value of rank floor(j * n / bins).
  std::vector<double> starts;
  for (int j = 1; j < bins; ++j)
    starts.push_back(
        sorted[static_cast<size_t>(j) * n / static_cast<size_t>(bins)]);
  for (size_t i = 0; i < values.size(); ++i)
    result[i] = std::upper_bound(starts.begin(), starts.end(), transformed[i]) -
                starts.begin();
  return result;
}

} // namespace

std::vector<std::pair<std::string, double>>
param_importances(const std::vector<FrozenTrial> &trials, int bins) {
  if (bins < 1)
    throw Error("param_importances: bins must be >= 1, got " +
                std::to_string(bins));
  std::vector<const FrozenTrial *> complete;
  for (const FrozenTrial &t : trials)
    if (t.state == TrialState::Complete && t.value && std::isfinite(*t.value))
      complete.push_back(&t);
  if (complete.size() < 2)
    return {};

  // The parameters every Complete trial has, with one distribution.
  std::vector<std::string> names;
  for (const auto &[name, distribution] : complete.front()->distributions) {
    bool shared = std::all_of(
        complete.begin(), complete.end(), [&](const FrozenTrial *t) {
          auto d = t->distributions.find(name);
          return t->params.count(name) && d != t->distributions.end() &&
                 d->second == distribution;
        });
    if (shared)
      names.push_back(name);
  }
  if (names.empty())
    return {};

  size_t n = complete.size();
  double mean = 0;
  for (const FrozenTrial *t : complete)
    mean += *t->value;
  mean /= static_cast<double>(n);

  std::vector<std::pair<std::string, double>> result;
  double total = 0;
  for (const std::string &name : names) {
    std::vector<double> values;
    for (const FrozenTrial *t : complete)
      values.push_back(t->params.at(name));
    std::vector<int64_t> group =
        groups(values, complete.front()->distributions.at(name), bins);
    std::map<int64_t, std::pair<double, int64_t>> sums; // group -> (sum, n)
    for (size_t i = 0; i < n; ++i) {
      sums[group[i]].first += *complete[i]->value;
      sums[group[i]].second += 1;
    }
    double variance = 0;
    for (const auto &[g, sum] : sums) {
      double groupMean = sum.first / static_cast<double>(sum.second);
      variance += static_cast<double>(sum.second) / static_cast<double>(n) *
                  (groupMean - mean) * (groupMean - mean);
    }
    result.emplace_back(name, variance);
    total += variance;
  }
  // A constant objective: nothing explains anything more than the rest.
  for (auto &[name, importance] : result)
    importance = total > 0 ? importance / total
                           : 1.0 / static_cast<double>(result.size());
  std::stable_sort(
      result.begin(), result.end(),
      [](const auto &a, const auto &b) { return a.second > b.second; });
  return result;
}

} // namespace dlc::tune
