//===- MetricsTest.cpp - The metrics against hand-computed values ---------===//

#include "frontend/train/Metrics.h"

#include "frontend/Functions.h"
#include "frontend/Tensor.h"
#include "runtime/Error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

using namespace dlc::train;

namespace {

using Floats = std::vector<float>;

double auc(const Floats &predictions, const Floats &targets) {
  AUC metric;
  metric.update(predictions, targets);
  return metric.compute();
}

/// ROC AUC by the rank formula, with tied ranks averaged:
/// (sum of positive ranks - P (P + 1) / 2) / (P N).
double rankAuc(const Floats &predictions, const Floats &targets) {
  std::vector<size_t> order(predictions.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return predictions[a] < predictions[b];
  });
  std::vector<double> ranks(predictions.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && predictions[order[j]] == predictions[order[i]])
      ++j;
    double average = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (size_t k = i; k < j; ++k)
      ranks[order[k]] = average;
    i = j;
  }
  double positiveRanks = 0, positives = 0;
  for (size_t i = 0; i < targets.size(); ++i)
    if (targets[i] == 1) {
      positiveRanks += ranks[i];
      ++positives;
    }
  double negatives = static_cast<double>(targets.size()) - positives;
  return (positiveRanks - positives * (positives + 1) / 2) /
         (positives * negatives);
}

/// Pseudo-random predictions on 100 levels (many ties), labels correlated
/// with them.
void makeData(size_t n, Floats &predictions, Floats &targets,
              unsigned seed = 1) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> level(0, 99);
  std::uniform_real_distribution<float> noise(0, 1);
  predictions.resize(n);
  targets.resize(n);
  for (size_t i = 0; i < n; ++i) {
    predictions[i] = static_cast<float>(level(random)) / 100.0f;
    targets[i] = noise(random) < 0.2f + 0.6f * predictions[i] ? 1.0f : 0.0f;
  }
}

template <typename F>
std::string errorOf(F &&f) {
  try {
    f();
  } catch (const dlc::Error &error) {
    return error.what();
  }
  return "(no error)";
}

} // namespace

//===----------------------------------------------------------------------===//
// AUC
//===----------------------------------------------------------------------===//

TEST(AUCTest, HandComputed) {
  // sklearn's roc_auc_score example: 3 of the 4 pairs ordered right.
  EXPECT_DOUBLE_EQ(auc({0.1f, 0.4f, 0.35f, 0.8f}, {0, 0, 1, 1}), 0.75);
  EXPECT_DOUBLE_EQ(auc({0.1f, 0.2f, 0.8f, 0.9f}, {0, 0, 1, 1}), 1.0);
  EXPECT_DOUBLE_EQ(auc({0.9f, 0.8f, 0.2f, 0.1f}, {0, 0, 1, 1}), 0.0);
}

TEST(AUCTest, TiesCountOneHalf) {
  // Pairs (pos, neg): (0.5, 0.1) 1, (0.5, 0.5) 1/2, (0.9, *) 2: 3.5 / 4.
  EXPECT_DOUBLE_EQ(auc({0.1f, 0.5f, 0.5f, 0.9f}, {0, 0, 1, 1}), 0.875);
  EXPECT_DOUBLE_EQ(auc({0.5f, 0.5f, 0.5f, 0.5f}, {0, 1, 0, 1}), 0.5);
  // Ranks 1, 3, 3, 3, 5 -> positives {3, 5}: (8 - 3) / 6.
  EXPECT_DOUBLE_EQ(auc({0.1f, 0.3f, 0.3f, 0.3f, 0.7f}, {0, 1, 0, 0, 1}),
                   5.0 / 6.0);
  EXPECT_DOUBLE_EQ(rankAuc({0.1f, 0.3f, 0.3f, 0.3f, 0.7f}, {0, 1, 0, 0, 1}),
                   5.0 / 6.0);
}

TEST(AUCTest, AccumulatesAcrossBatchesAndResets) {
  AUC metric;
  metric.update(Floats{0.1f, 0.5f}, Floats{0, 0});
  metric.update(Floats{0.5f}, Floats{1});
  metric.update(Floats{}, Floats{});
  metric.update(Floats{0.9f}, Floats{1});
  EXPECT_DOUBLE_EQ(metric.compute(), 0.875);
  EXPECT_DOUBLE_EQ(metric.compute(), 0.875); // compute() has no effect
  metric.reset();
  EXPECT_TRUE(std::isnan(metric.compute()));
  metric.update(Floats{0.9f, 0.1f}, Floats{0, 1});
  EXPECT_DOUBLE_EQ(metric.compute(), 0.0);
}

TEST(AUCTest, OneClassOrNoSampleIsNaN) {
  EXPECT_TRUE(std::isnan(auc({0.1f, 0.9f}, {1, 1})));
  EXPECT_TRUE(std::isnan(auc({0.1f, 0.9f}, {0, 0})));
  EXPECT_TRUE(std::isnan(AUC().compute()));
}

TEST(AUCTest, HundredThousandSamplesMatchRankFormula) {
  Floats predictions, targets;
  makeData(100000, predictions, targets);
  double expected = rankAuc(predictions, targets);
  EXPECT_GT(expected, 0.6);
  EXPECT_LT(expected, 0.9);

  AUC metric;
  for (size_t begin = 0; begin < predictions.size(); begin += 4096) {
    size_t size = std::min<size_t>(4096, predictions.size() - begin);
    metric.update(std::span(predictions).subspan(begin, size),
                  std::span(targets).subspan(begin, size));
  }
  EXPECT_NEAR(metric.compute(), expected, 1e-12);
}

TEST(AUCTest, MatchesPairCountOnASubset) {
  Floats predictions, targets;
  makeData(2000, predictions, targets, 3);
  double pairs = 0, score = 0;
  for (size_t i = 0; i < predictions.size(); ++i)
    for (size_t j = 0; j < predictions.size(); ++j)
      if (targets[i] == 1 && targets[j] == 0) {
        ++pairs;
        score += predictions[i] > predictions[j]    ? 1.0
                 : predictions[i] == predictions[j] ? 0.5
                                                    : 0.0;
      }
  EXPECT_NEAR(auc(predictions, targets), score / pairs, 1e-12);
}

TEST(AUCTest, BadInputThrowsAndKeepsState) {
  AUC metric;
  metric.update(Floats{0.2f, 0.8f}, Floats{0, 1});
  EXPECT_EQ(errorOf([&] {
              metric.update(Floats{0.1f, NAN}, Floats{0, 1});
            }).rfind("auc: prediction 1 is nan (MetricsTest.cpp:", 0),
            0u);
  EXPECT_EQ(errorOf([&] {
              metric.update(Floats{0.1f, 0.2f}, Floats{0, 0.5f});
            }).rfind("auc: target 1 is 0.5, not a binary label 0 or 1", 0),
            0u);
  EXPECT_EQ(errorOf([&] {
              metric.update(Floats{0.1f, 0.2f, 0.3f, 0.4f}, Floats{0, 1});
            }).rfind("auc: needs one binary prediction per target, got 2", 0),
            0u);
  EXPECT_EQ(errorOf([&] {
              metric.update(Floats{0.1f, 0.2f, 0.3f}, Floats{0, 1});
            }).rfind("auc: 3 predictions do not match 2 targets", 0),
            0u);
  EXPECT_DOUBLE_EQ(metric.compute(), 1.0);
}

//===----------------------------------------------------------------------===//
// LogLoss
//===----------------------------------------------------------------------===//

TEST(LogLossTest, HandComputed) {
  LogLoss metric;
  metric.update(Floats{0.9f}, Floats{1});
  metric.update(Floats{0.2f}, Floats{0});
  double expected = -(std::log(static_cast<double>(0.9f)) +
                      std::log(1 - static_cast<double>(0.2f))) /
                    2;
  EXPECT_NEAR(metric.compute(), expected, 1e-12);
  EXPECT_NEAR(metric.compute(), 0.164252, 1e-6);
}

TEST(LogLossTest, ClipsAtEpsilon) {
  LogLoss metric;
  metric.update(Floats{0.0f}, Floats{1});
  EXPECT_NEAR(metric.compute(), -std::log(1e-7), 1e-9); // 16.118
  metric.reset();
  metric.update(Floats{1.0f, 0.0f}, Floats{1, 0});
  EXPECT_NEAR(metric.compute(), -std::log1p(-1e-7), 1e-12);
}

TEST(LogLossTest, SoftTargets) {
  LogLoss metric;
  metric.update(Floats{0.5f}, Floats{0.3f});
  EXPECT_NEAR(metric.compute(), std::log(2.0), 1e-12);
}

TEST(LogLossTest, FromLogitsIsStableAndUnclipped) {
  LogLoss metric(MetricOptions().from_logits(true));
  metric.update(Floats{2.0f}, Floats{1});
  EXPECT_NEAR(metric.compute(), std::log1p(std::exp(-2.0)), 1e-12);
  metric.reset();
  metric.update(Floats{-100.0f, 100.0f, 0.0f}, Floats{1, 0, 1});
  EXPECT_NEAR(metric.compute(), (100.0 + 100.0 + std::log(2.0)) / 3, 1e-9);
}

TEST(LogLossTest, HundredThousandSamples) {
  Floats predictions, targets;
  makeData(100000, predictions, targets);
  for (float &p : predictions)
    p = std::clamp(p, 0.01f, 0.99f);
  double sum = 0;
  for (size_t i = 0; i < predictions.size(); ++i) {
    double p = predictions[i];
    sum -= targets[i] == 1 ? std::log(p) : std::log(1 - p);
  }
  LogLoss metric;
  for (size_t begin = 0; begin < predictions.size(); begin += 1000)
    metric.update(std::span(predictions).subspan(begin, 1000),
                  std::span(targets).subspan(begin, 1000));
  EXPECT_NEAR(metric.compute(), sum / 1e5, 1e-12);
}

TEST(LogLossTest, RejectsLogitsAsProbabilitiesAndBadTargets) {
  LogLoss metric;
  std::string message =
      errorOf([&] { metric.update(Floats{0.5f, 2.5f}, Floats{0, 1}); });
  EXPECT_EQ(message.rfind("logloss: prediction 1 is 2.5, not a probability "
                          "in [0, 1] (for logits, pass "
                          "MetricOptions().from_logits(true))",
                          0),
            0u)
      << message;
  EXPECT_THROW(metric.update(Floats{0.5f}, Floats{2}), dlc::Error);
  EXPECT_THROW(metric.update(Floats{0.5f}, Floats{NAN}), dlc::Error);
  EXPECT_TRUE(std::isnan(metric.compute()));
  // A NaN prediction is the model's problem, not a usage error: it shows.
  metric.update(Floats{NAN}, Floats{1});
  EXPECT_TRUE(std::isnan(metric.compute()));
}

//===----------------------------------------------------------------------===//
// Accuracy
//===----------------------------------------------------------------------===//

TEST(AccuracyTest, BinaryThresholdIsStrict) {
  Accuracy metric;
  // 0.2 -> 0 right, 0.6 -> 1 right, 0.5 -> 0 wrong, 0.9 -> 1 wrong.
  metric.update(Floats{0.2f, 0.6f, 0.5f, 0.9f}, Floats{0, 1, 1, 0});
  EXPECT_DOUBLE_EQ(metric.compute(), 0.5);
  metric.update(Floats{0.7f, 0.1f}, Floats{1, 0});
  EXPECT_DOUBLE_EQ(metric.compute(), 4.0 / 6.0);
  metric.reset();
  EXPECT_TRUE(std::isnan(metric.compute()));
}

TEST(AccuracyTest, BinaryFromLogitsAndThreshold) {
  Accuracy logits(MetricOptions().from_logits(true));
  logits.update(Floats{-1.0f, 0.1f, 0.0f, 3.0f}, Floats{0, 1, 1, 0});
  EXPECT_DOUBLE_EQ(logits.compute(), 0.5);

  Accuracy strict(MetricOptions().threshold(0.8));
  strict.update(Floats{0.7f, 0.85f}, Floats{0, 1});
  EXPECT_DOUBLE_EQ(strict.compute(), 1.0);
  // logit(0.8) = log 4 = 1.386.
  Accuracy strictLogits(MetricOptions().threshold(0.8).from_logits(true));
  strictLogits.update(Floats{1.3f, 1.4f}, Floats{0, 1});
  EXPECT_DOUBLE_EQ(strictLogits.compute(), 1.0);

  EXPECT_THROW(Accuracy(MetricOptions().threshold(1.0)), dlc::Error);
  EXPECT_THROW(make_metric("accuracy", MetricOptions().threshold(0)),
               dlc::Error);
}

TEST(AccuracyTest, MultiClassArgmax) {
  Accuracy metric;
  // Rows of logits for 3 classes; the first maximum wins a tie.
  metric.update(Floats{2.0f, 1.0f, 0.5f,  // argmax 0
                       -1.0f, 3.0f, 3.0f, // argmax 1 (tie with 2)
                       0.0f, 0.0f, 0.1f,  // argmax 2
                       5.0f, NAN, 1.0f},  // NaN is the maximum: 1
                Floats{0, 2, 2, 1});
  EXPECT_DOUBLE_EQ(metric.compute(), 0.75);
}

TEST(AccuracyTest, MultiClassRejectsBadIndices) {
  Accuracy metric;
  EXPECT_EQ(errorOf([&] {
              metric.update(Floats{1, 0, 0, 1}, Floats{0, 2});
            }).rfind("accuracy: target 1 is 2, not a class index in [0, 2)", 0),
            0u);
  EXPECT_THROW(metric.update(Floats{1, 0, 0, 1}, Floats{0, 0.5f}), dlc::Error);
  EXPECT_THROW(metric.update(Floats{1, 0, 0, 1}, Floats{-1, 0}), dlc::Error);
  EXPECT_THROW(metric.update(Floats{1, 0, 0, 1, 1}, Floats{0, 1}), dlc::Error);
  EXPECT_TRUE(std::isnan(metric.compute()));
}

TEST(AccuracyTest, HundredThousandSamples) {
  std::mt19937 random(5);
  std::normal_distribution<float> normal;
  const size_t n = 100000, classes = 4;
  Floats logits(n * classes), targets(n);
  size_t correct = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t c = 0; c < classes; ++c)
      logits[i * classes + c] = normal(random);
    targets[i] = static_cast<float>(random() % classes);
    auto *row = &logits[i * classes];
    correct += static_cast<size_t>(std::max_element(row, row + classes) -
                                   row) == static_cast<size_t>(targets[i]);
  }
  Accuracy metric;
  metric.update(logits, targets);
  EXPECT_DOUBLE_EQ(metric.compute(), static_cast<double>(correct) / n);
}

//===----------------------------------------------------------------------===//
// MeanLoss and the registry
//===----------------------------------------------------------------------===//

TEST(MeanLossTest, WeightsBatchesBySize) {
  MeanLoss metric;
  EXPECT_TRUE(std::isnan(metric.compute()));
  metric.update_loss(1.0, 2);
  metric.update_loss(4.0, 1);
  metric.update_loss(100.0, 0);           // an empty batch counts for nothing
  metric.update(Floats{0.3f}, Floats{1}); // predictions are not its input
  EXPECT_DOUBLE_EQ(metric.compute(), 2.0);
  EXPECT_THROW(metric.update_loss(1.0, -1), dlc::Error);
  metric.reset();
  EXPECT_TRUE(std::isnan(metric.compute()));
}

TEST(MetricRegistryTest, MakesMetricsByName) {
  EXPECT_EQ(metric_names(),
            (std::vector<std::string>{"accuracy", "auc", "logloss", "loss"}));
  for (const std::string &name : metric_names())
    EXPECT_EQ(make_metric(name)->name(), name);
  // update_loss reaches only "loss".
  auto auc = make_metric("auc");
  auc->update_loss(3.0, 10);
  EXPECT_TRUE(std::isnan(auc->compute()));
  auto loss = make_metric("logloss", MetricOptions().from_logits(true));
  loss->update(Floats{0.0f}, Floats{1});
  EXPECT_NEAR(loss->compute(), std::log(2.0), 1e-12);
}

TEST(MetricRegistryTest, UnknownNameListsTheKnownOnes) {
  EXPECT_EQ(errorOf([] { make_metric("f1"); })
                .rfind("make_metric: unknown metric 'f1' (known: "
                       "'accuracy', 'auc', 'logloss', 'loss') "
                       "(MetricsTest.cpp:",
                       0),
            0u);
}

//===----------------------------------------------------------------------===//
// Tensor inputs
//===----------------------------------------------------------------------===//

TEST(MetricTensorTest, BinaryAndMultiClassShapes) {
  AUC metric;
  metric.update(
      dlc::tensor(std::vector<float>{0.1f, 0.5f, 0.5f, 0.9f}).reshape({4, 1}),
      dlc::tensor(std::vector<int64_t>{0, 0, 1, 1}));
  EXPECT_DOUBLE_EQ(metric.compute(), 0.875);

  Accuracy accuracy;
  accuracy.update(
      dlc::tensor(std::vector<float>{2, 1, 0, 0, 1, 3}).reshape({2, 3}),
      dlc::tensor(std::vector<int64_t>{0, 1}));
  EXPECT_DOUBLE_EQ(accuracy.compute(), 0.5);

  std::string message = errorOf([&] {
    accuracy.update(dlc::zeros({2, 3}), dlc::zeros({3}, dlc::kLong));
  });
  EXPECT_EQ(message.rfind("accuracy: predictions of shape [2, 3] do not "
                          "match targets of shape [3]",
                          0),
            0u)
      << message;
}
