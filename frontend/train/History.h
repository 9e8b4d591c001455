//===- History.h - The metrics of each epoch of a fit() -------------------===//
//
// What fit() returns, as Keras's History: one row of logs per epoch
// ("loss", the metrics, "val_*" for the validation set, "lr"), readable by
// key and written as CSV or JSON.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_TRAIN_HISTORY_H
#define DLC_FRONTEND_TRAIN_HISTORY_H

#include "frontend/train/Progress.h"

#include <cstdint>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

namespace dlc::train {

/// Named values in the order they were produced: "loss", "auc", ...,
/// "val_loss", "val_auc", ..., "lr".
using Logs = MetricValues;

/// The value of `key` in `logs`, if it is there.
std::optional<double> find_log(const Logs &logs, std::string_view key);

class History {
public:
  /// Adds the logs of epoch `epoch` (0-based, as Keras). Throws dlc::Error
  /// unless `epoch` is greater than the last one added.
  void append(int64_t epoch, Logs logs,
              std::source_location loc = std::source_location::current());

  /// The epochs, in order (Keras's `history.epoch`).
  const std::vector<int64_t> &epochs() const { return epochNumbers; }
  /// The logs of each epoch.
  const std::vector<Logs> &logs() const { return epochLogs; }
  size_t size() const { return epochLogs.size(); }
  bool empty() const { return epochLogs.empty(); }

  /// Every key, in the order it first appeared.
  std::vector<std::string> keys() const;
  bool contains(std::string_view key) const;
  /// The values of `key`, one per epoch (NaN for an epoch without it).
  /// Throws dlc::Error naming the keys there are for an unknown key.
  std::vector<double>
  at(const std::string &key,
     std::source_location loc = std::source_location::current()) const;
  std::vector<double> operator[](const std::string &key) const {
    return at(key);
  }

  /// `epoch,loss,...` then one row per epoch (Keras's CSVLogger columns);
  /// numbers in the shortest form that reads back exactly, an empty field
  /// for a missing value, `nan` and `inf` as Python writes them.
  std::string to_csv(char separator = ',') const;
  /// `{"epoch": [0, 1], "loss": [0.6, 0.5], ...}` (Keras's
  /// `history.history` plus the epochs); non-finite numbers are null.
  std::string to_json() const;
  /// Write to_csv() / to_json() to `path`, atomically. Throw dlc::Error
  /// naming the path and the OS's reason on failure.
  void
  save_csv(const std::string &path, char separator = ',',
           std::source_location loc = std::source_location::current()) const;
  void
  save_json(const std::string &path,
            std::source_location loc = std::source_location::current()) const;

private:
  std::vector<int64_t> epochNumbers;
  std::vector<Logs> epochLogs;
};

/// `value` in the shortest form that reads back exactly (`0.1`, `1e-07`),
/// `nan`, `inf`, `-inf`.
std::string format_number(double value);

} // namespace dlc::train

#endif // DLC_FRONTEND_TRAIN_HISTORY_H
