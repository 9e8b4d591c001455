//===- Metrics.h - Streaming training metrics: auc, logloss, accuracy -----===//
//
// The metrics fit() reports per epoch, by name ("auc", "logloss",
// "accuracy", "loss"). Each accumulates over the batches of an epoch on the
// host, in double precision, and gives the value over all of them; reset()
// starts the next epoch. Names follow torchmetrics (update, compute, reset).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_TRAIN_METRICS_H
#define DLC_FRONTEND_TRAIN_METRICS_H

#include <cstdint>
#include <memory>
#include <source_location>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace dlc {
class Tensor;
} // namespace dlc

namespace dlc::train {

/// How metrics read the model's output.
struct MetricOptions {
  /// Binary predictions are logits (for a model trained with
  /// BCEWithLogitsLoss), not probabilities: logloss applies the sigmoid
  /// itself and accuracy thresholds at the logit of `threshold`.
  MetricOptions &from_logits(bool value) {
    fromLogits = value;
    return *this;
  }
  /// The probability above which a binary prediction counts as class 1
  /// (Keras's `binary_accuracy`: prediction > threshold). Default 0.5.
  MetricOptions &threshold(double value) {
    thresholdValue = value;
    return *this;
  }
  bool from_logits() const { return fromLogits; }
  double threshold() const { return thresholdValue; }

private:
  bool fromLogits = false;
  double thresholdValue = 0.5;
};

/// A metric accumulated over batches. fit() calls, for every batch and every
/// metric, update(predictions, targets) and update_loss(loss, batch_size);
/// each metric uses what it needs.
///
/// Shapes: `targets` has one value per sample (B values). `predictions` has
/// B values for a binary model (output [B] or [B, 1]) or B * C values,
/// row-major, for a C-class model (logits or probabilities [B, C]; targets
/// are then class indices 0..C-1). Binary targets are 0 or 1 (logloss also
/// accepts soft targets in [0, 1]).
///
/// Every metric is NaN when it has seen no sample.
class Metric {
public:
  virtual ~Metric();

  /// The registry name ("auc", ...), used as the key in histories and logs.
  const std::string &name() const { return metricName; }

  /// Adds a batch given as host values. Throws dlc::Error (naming the
  /// metric, the sizes, or the first bad value and its index) on sizes that
  /// do not match, targets that are not valid labels, probabilities outside
  /// [0, 1] (logloss, binary accuracy) or NaN predictions (auc); the metric
  /// is then unchanged.
  void update(std::span<const float> predictions,
              std::span<const float> targets,
              std::source_location loc = std::source_location::current());
  /// Adds a batch given as tensors (any dtype and device; copied to the
  /// host as float32). The class count is `predictions.size(-1)` when
  /// predictions have more dimensions than targets, else 1.
  void update(const Tensor &predictions, const Tensor &targets,
              std::source_location loc = std::source_location::current());
  /// Adds a batch's mean loss, weighted by its sample count `batch_size`.
  /// Only "loss" uses it; the others ignore it. Throws dlc::Error on a
  /// negative batch size.
  void update_loss(double loss, int64_t batch_size,
                   std::source_location loc = std::source_location::current());

  /// The value over every sample since construction or reset().
  virtual double compute() const = 0;
  /// Forgets every sample.
  virtual void reset() = 0;
  /// Data-parallel training: combines the samples every process has seen
  /// (a collective over dlc::distributed's processes; every process must
  /// call it), so that compute() gives the value over all of them on every
  /// process. Nothing happens in a job of one process; a metric that does
  /// not implement it throws dlc::Error in a job of several.
  virtual void synchronize();

protected:
  explicit Metric(std::string name) : metricName(std::move(name)) {}

  /// Checks and adds a batch: `numClasses` is 1 for binary predictions.
  virtual void updateBatch(std::span<const float> predictions,
                           std::span<const float> targets, size_t numClasses,
                           const std::source_location &loc) = 0;
  /// Adds a batch's mean loss; does nothing by default.
  virtual void addLoss(double loss, int64_t batchSize) {}

private:
  std::string metricName;
};

/// Binary ROC AUC, exact: the Mann-Whitney U statistic over every
/// (positive, negative) pair, ties counting one half (the same as ranking
/// with tied ranks averaged; sklearn's roc_auc_score). Keeps every
/// prediction of the epoch (4 bytes per sample, twice that while compute()
/// sorts a copy). NaN when the targets hold
/// one class only (sklearn raises; torchmetrics warns and returns 0). NaN
/// predictions throw.
class AUC : public Metric {
public:
  explicit AUC(MetricOptions options = {});
  double compute() const override;
  void reset() override;
  void synchronize() override;

private:
  void updateBatch(std::span<const float> predictions,
                   std::span<const float> targets, size_t numClasses,
                   const std::source_location &loc) override;
  std::vector<float> positives;
  std::vector<float> negatives;
};

/// Binary cross-entropy, averaged over samples. Probabilities are clipped to
/// [1e-7, 1 - 1e-7] first (Keras's epsilon, as its binary_crossentropy and
/// sklearn's log_loss before 1.3 do), so a confident wrong prediction costs
/// at most -log(1e-7) = 16.1. With from_logits the loss is computed from the
/// logit without clipping, stably (PyTorch's BCEWithLogitsLoss). NaN
/// predictions give NaN.
class LogLoss : public Metric {
public:
  static constexpr double kEpsilon = 1e-7;
  explicit LogLoss(MetricOptions options = {});
  double compute() const override;
  void reset() override;
  void synchronize() override;

private:
  void updateBatch(std::span<const float> predictions,
                   std::span<const float> targets, size_t numClasses,
                   const std::source_location &loc) override;
  bool fromLogits;
  double sum = 0;
  int64_t count = 0;
};

/// The fraction of correct predictions. Binary: prediction > threshold
/// (> logit(threshold) with from_logits) is class 1. C classes: the row's
/// argmax (the first maximum; a NaN counts as the maximum, as torch.argmax
/// does) against the target index.
class Accuracy : public Metric {
public:
  explicit Accuracy(MetricOptions options = {});
  double compute() const override;
  void reset() override;
  void synchronize() override;

private:
  void updateBatch(std::span<const float> predictions,
                   std::span<const float> targets, size_t numClasses,
                   const std::source_location &loc) override;
  double binaryThreshold;
  bool fromLogits;
  int64_t correct = 0;
  int64_t count = 0;
};

/// The mean of the batch losses given to update_loss(), weighted by batch
/// size (Keras's loss in fit()'s logs). update() does nothing.
class MeanLoss : public Metric {
public:
  MeanLoss();
  double compute() const override;
  void reset() override;
  void synchronize() override;

private:
  void updateBatch(std::span<const float> predictions,
                   std::span<const float> targets, size_t numClasses,
                   const std::source_location &loc) override {}
  void addLoss(double loss, int64_t batchSize) override;
  double sum = 0;
  int64_t count = 0;
};

/// The metric registered under `name`: "auc", "logloss", "accuracy",
/// "loss". Throws dlc::Error listing the known names otherwise.
std::unique_ptr<Metric>
make_metric(const std::string &name, const MetricOptions &options = {},
            std::source_location loc = std::source_location::current());

/// The names make_metric() knows, sorted.
std::vector<std::string> metric_names();

} // namespace dlc::train

#endif // DLC_FRONTEND_TRAIN_METRICS_H
