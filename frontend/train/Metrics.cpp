//===- Metrics.cpp - Streaming training metrics ---------------------------===//

#include "frontend/train/Metrics.h"
#include "runtime/Distributed.h"

#include "frontend/Tensor.h"
#include "runtime/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

namespace dlc::train {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string formatValue(double value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

/// Throws unless every target is exactly 0 or 1.
void checkBinaryTargets(std::string_view op, std::span<const float> targets,
                        const std::source_location &loc) {
  for (size_t i = 0; i < targets.size(); ++i)
    if (targets[i] != 0.0f && targets[i] != 1.0f)
      detail::throwError(op,
                         "target " + std::to_string(i) + " is " +
                             formatValue(targets[i]) +
                             ", not a binary label 0 or 1",
                         loc);
}

/// Throws unless every prediction is a probability (or NaN, which then
/// propagates into the result).
void checkProbabilities(std::string_view op, std::span<const float> predictions,
                        const std::source_location &loc) {
  for (size_t i = 0; i < predictions.size(); ++i)
    if (predictions[i] < 0.0f || predictions[i] > 1.0f)
      detail::throwError(op,
                         "prediction " + std::to_string(i) + " is " +
                             formatValue(predictions[i]) +
                             ", not a probability in [0, 1] (for logits, pass "
                             "MetricOptions().from_logits(true))",
                         loc);
}

void checkBinary(std::string_view op, size_t numClasses,
                 const std::source_location &loc) {
  if (numClasses != 1)
    detail::throwError(op,
                       "needs one binary prediction per target, got " +
                           std::to_string(numClasses) +
                           " per target (a multi-class output)",
                       loc);
}

void checkThreshold(double threshold, const std::source_location &loc) {
  if (!(threshold > 0.0 && threshold < 1.0))
    detail::throwError(
        "accuracy",
        "threshold must be in (0, 1), got " + formatValue(threshold), loc);
}

} // namespace

//===----------------------------------------------------------------------===//
// Metric
//===----------------------------------------------------------------------===//

Metric::~Metric() = default;

void Metric::update(std::span<const float> predictions,
                    std::span<const float> targets, std::source_location loc) {
  if (targets.empty()) {
    if (!predictions.empty())
      detail::throwError(name(),
                         std::to_string(predictions.size()) +
                             " predictions for 0 targets",
                         loc);
    return;
  }
  if (predictions.size() % targets.size() != 0)
    detail::throwError(name(),
                       std::to_string(predictions.size()) +
                           " predictions do not match " +
                           std::to_string(targets.size()) +
                           " targets (expected one per target, or one row "
                           "of class scores per target)",
                       loc);
  updateBatch(predictions, targets, predictions.size() / targets.size(), loc);
}

void Metric::update(const Tensor &predictions, const Tensor &targets,
                    std::source_location loc) {
  size_t numClasses = 1;
  if (predictions.dim(loc) >= 2 && predictions.dim(loc) > targets.dim(loc))
    numClasses = static_cast<size_t>(predictions.size(-1, loc));
  std::vector<float> predictionValues = predictions.to_vector<float>(loc);
  std::vector<float> targetValues = targets.to_vector<float>(loc);
  if (targetValues.empty() && predictionValues.empty())
    return;
  if (predictionValues.size() != targetValues.size() * numClasses) {
    std::ostringstream os;
    os << "predictions of shape " << predictions.sizes(loc)
       << " do not match targets of shape " << targets.sizes(loc)
       << " (expected [B] or [B, 1] for binary outputs, [B, C] for C "
          "classes, with targets [B])";
    detail::throwError(name(), os.str(), loc);
  }
  updateBatch(predictionValues, targetValues, numClasses, loc);
}

void Metric::update_loss(double loss, int64_t batch_size,
                         std::source_location loc) {
  if (batch_size < 0)
    detail::throwError(
        name(), "batch size " + std::to_string(batch_size) + " is negative",
        loc);
  if (batch_size > 0)
    addLoss(loss, batch_size);
}

//===----------------------------------------------------------------------===//
// AUC
//===----------------------------------------------------------------------===//

AUC::AUC(MetricOptions options) : Metric("auc") {}

void AUC::updateBatch(std::span<const float> predictions,
                      std::span<const float> targets, size_t numClasses,
                      const std::source_location &loc) {
  checkBinary(name(), numClasses, loc);
  checkBinaryTargets(name(), targets, loc);
  // NaN has no place in a ranking (and breaks std::sort's ordering).
  for (size_t i = 0; i < predictions.size(); ++i)
    if (std::isnan(predictions[i]))
      detail::throwError(name(), "prediction " + std::to_string(i) + " is nan",
                         loc);
  for (size_t i = 0; i < predictions.size(); ++i)
    (targets[i] == 1.0f ? positives : negatives).push_back(predictions[i]);
}

double AUC::compute() const {
  if (positives.empty() || negatives.empty())
    return kNaN;
  std::vector<float> pos = positives;
  std::vector<float> neg = negatives;
  std::sort(pos.begin(), pos.end());
  std::sort(neg.begin(), neg.end());
  // Twice the Mann-Whitney U: each (positive, negative) pair counts 2 when
  // the positive scores higher and 1 on a tie. Integer, so exact.
  uint64_t twiceU = 0;
  size_t below = 0; // negatives < the current positive
  size_t upTo = 0;  // negatives <= the current positive
  for (float p : pos) {
    while (below < neg.size() && neg[below] < p)
      ++below;
    upTo = std::max(upTo, below);
    while (upTo < neg.size() && neg[upTo] <= p)
      ++upTo;
    twiceU += 2 * below + (upTo - below);
  }
  return static_cast<double>(twiceU) / (2.0 * static_cast<double>(pos.size()) *
                                        static_cast<double>(neg.size()));
}

void AUC::reset() {
  positives.clear();
  negatives.clear();
}

//===----------------------------------------------------------------------===//
// LogLoss
//===----------------------------------------------------------------------===//

LogLoss::LogLoss(MetricOptions options)
    : Metric("logloss"), fromLogits(options.from_logits()) {}

void LogLoss::updateBatch(std::span<const float> predictions,
                          std::span<const float> targets, size_t numClasses,
                          const std::source_location &loc) {
  checkBinary(name(), numClasses, loc);
  for (size_t i = 0; i < targets.size(); ++i)
    if (!(targets[i] >= 0.0f && targets[i] <= 1.0f))
      detail::throwError(name(),
                         "target " + std::to_string(i) + " is " +
                             formatValue(targets[i]) +
                             ", not a label in [0, 1]",
                         loc);
  if (!fromLogits)
    checkProbabilities(name(), predictions, loc);
  double batchSum = 0;
  for (size_t i = 0; i < predictions.size(); ++i) {
    double y = targets[i];
    double x = predictions[i];
    if (fromLogits) {
      // -[y log s(x) + (1-y) log(1-s(x))] = max(x, 0) - x y + log(1 + e^-|x|)
      batchSum += std::max(x, 0.0) - x * y + std::log1p(std::exp(-std::abs(x)));
    } else {
      double p = std::clamp(x, kEpsilon, 1.0 - kEpsilon);
      batchSum -= y * std::log(p) + (1.0 - y) * std::log1p(-p);
    }
  }
  sum += batchSum;
  count += static_cast<int64_t>(predictions.size());
}

double LogLoss::compute() const {
  return count == 0 ? kNaN : sum / static_cast<double>(count);
}

void LogLoss::reset() {
  sum = 0;
  count = 0;
}

//===----------------------------------------------------------------------===//
// Accuracy
//===----------------------------------------------------------------------===//

Accuracy::Accuracy(MetricOptions options) : Metric("accuracy") {
  checkThreshold(options.threshold(), std::source_location::current());
  double t = options.threshold();
  binaryThreshold = options.from_logits() ? std::log(t / (1.0 - t)) : t;
  fromLogits = options.from_logits();
}

void Accuracy::updateBatch(std::span<const float> predictions,
                           std::span<const float> targets, size_t numClasses,
                           const std::source_location &loc) {
  int64_t batchCorrect = 0;
  if (numClasses == 1) {
    checkBinaryTargets(name(), targets, loc);
    if (!fromLogits)
      checkProbabilities(name(), predictions, loc);
    for (size_t i = 0; i < predictions.size(); ++i) {
      bool positive = predictions[i] > binaryThreshold;
      batchCorrect += positive == (targets[i] == 1.0f);
    }
  } else {
    for (size_t i = 0; i < targets.size(); ++i) {
      float target = targets[i];
      if (!(target >= 0.0f && target < static_cast<float>(numClasses) &&
            target == std::floor(target)))
        detail::throwError(name(),
                           "target " + std::to_string(i) + " is " +
                               formatValue(target) +
                               ", not a class index in [0, " +
                               std::to_string(numClasses) + ")",
                           loc);
    }
    for (size_t i = 0; i < targets.size(); ++i) {
      const float *row = predictions.data() + i * numClasses;
      size_t best = 0;
      if (!std::isnan(row[0])) {
        for (size_t j = 1; j < numClasses; ++j) {
          if (std::isnan(row[j])) {
            best = j;
            break;
          }
          if (row[j] > row[best])
            best = j;
        }
      }
      batchCorrect += best == static_cast<size_t>(targets[i]);
    }
  }
  correct += batchCorrect;
  count += static_cast<int64_t>(targets.size());
}

double Accuracy::compute() const {
  return count == 0 ? kNaN
                    : static_cast<double>(correct) / static_cast<double>(count);
}

void Accuracy::reset() {
  correct = 0;
  count = 0;
}

//===----------------------------------------------------------------------===//
// MeanLoss
//===----------------------------------------------------------------------===//

MeanLoss::MeanLoss() : Metric("loss") {}

void MeanLoss::addLoss(double loss, int64_t batchSize) {
  sum += loss * static_cast<double>(batchSize);
  count += batchSize;
}

double MeanLoss::compute() const {
  return count == 0 ? kNaN : sum / static_cast<double>(count);
}

void MeanLoss::reset() {
  sum = 0;
  count = 0;
}

//===----------------------------------------------------------------------===//
// Registry
//===----------------------------------------------------------------------===//

namespace {

using Factory = std::unique_ptr<Metric> (*)(const MetricOptions &);

const std::map<std::string, Factory> &registry() {
  static const std::map<std::string, Factory> factories = {
      {"accuracy",
       [](const MetricOptions &o) -> std::unique_ptr<Metric> {
         return std::make_unique<Accuracy>(o);
       }},
      {"auc",
       [](const MetricOptions &o) -> std::unique_ptr<Metric> {
         return std::make_unique<AUC>(o);
       }},
      {"logloss",
       [](const MetricOptions &o) -> std::unique_ptr<Metric> {
         return std::make_unique<LogLoss>(o);
       }},
      {"loss",
       [](const MetricOptions &) -> std::unique_ptr<Metric> {
         return std::make_unique<MeanLoss>();
       }},
  };
  return factories;
}

} // namespace

std::unique_ptr<Metric> make_metric(const std::string &name,
                                    const MetricOptions &options,
                                    std::source_location loc) {
  auto it = registry().find(name);
  if (it == registry().end()) {
    std::string known;
    for (const std::string &n : metric_names())
      known += (known.empty() ? "" : ", ") + ("'" + n + "'");
    detail::throwError("make_metric",
                       "unknown metric '" + name + "' (known: " + known + ")",
                       loc);
  }
  if (name == "accuracy")
    checkThreshold(options.threshold(), loc);
  return it->second(options);
}

std::vector<std::string> metric_names() {
  std::vector<std::string> names;
  for (const auto &entry : registry())
    names.push_back(entry.first);
  return names;
}

//===----------------------------------------------------------------------===//
// Combining the processes' samples
//===----------------------------------------------------------------------===//

namespace {

namespace dist = rt::dist;

/// Sums `sum` and `count` over the processes.
void sumAll(double &sum, int64_t &count) {
  double values[2] = {sum, static_cast<double>(count)};
  dist::all_reduce({{values, 2}}, kDouble, dist::ReduceOp::Sum,
                   "metric synchronize");
  sum = values[0];
  count = static_cast<int64_t>(values[1]);
}

bool single() { return dist::world_size() <= 1; }

} // namespace

void Metric::synchronize() {
  if (!single())
    throw Error(name() + ": this metric cannot combine the samples of "
                         "several processes (it does not implement "
                         "synchronize())");
}

void AUC::synchronize() {
  if (single())
    return;
  positives = dist::all_gather(positives, "metric synchronize");
  negatives = dist::all_gather(negatives, "metric synchronize");
}

void LogLoss::synchronize() {
  if (!single())
    sumAll(sum, count);
}

void Accuracy::synchronize() {
  if (single())
    return;
  double hits = static_cast<double>(correct);
  sumAll(hits, count);
  correct = static_cast<int64_t>(hits);
}

void MeanLoss::synchronize() {
  if (!single())
    sumAll(sum, count);
}

} // namespace dlc::train
