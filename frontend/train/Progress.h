//===- Progress.h - Keras-style progress bar for fit() and evaluate() -----===//
//
// On a terminal, one line redrawn in place (with '\r') as steps complete:
//
//   12/100 [==>...........................] - ETA: 3s - loss: 0.4123
//
// and, at the end of the epoch, the elapsed time and the epoch's metrics:
//
//   100/100 [==============================] - 12.3s 123ms/step - loss: ...
//
// Elsewhere (a log file, CI), nothing per step and one line per epoch:
//
//   epoch 3/10 - 12.3s - loss: 0.4123 - val_loss: 0.4410
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_TRAIN_PROGRESS_H
#define DLC_FRONTEND_TRAIN_PROGRESS_H

#include <cstdint>
#include <functional>
#include <iostream>
#include <source_location>
#include <string>
#include <utility>
#include <vector>

namespace dlc::train {

/// Named values shown after the bar, in order: {{"loss", 0.41}, ...}.
using MetricValues = std::vector<std::pair<std::string, double>>;

/// Whether standard output is a terminal (isatty), the default for
/// Progress's `interactive`.
bool stdout_is_terminal();

/// The progress of one pass over `total_steps` batches (Keras's Progbar).
/// begin_epoch() starts the next pass, so one Progress serves a whole fit().
/// `out` must outlive the Progress.
class Progress {
public:
  /// Seconds on a monotonic clock; tests pass a fake one.
  using Clock = std::function<double()>;

  /// `total_steps` <= 0 means unknown (the line shows `12/Unknown`).
  /// `clock` defaults to std::chrono::steady_clock. The timer starts here.
  explicit Progress(int64_t total_steps,
                    bool interactive = stdout_is_terminal(),
                    std::ostream &out = std::cout, Clock clock = {});

  /// Starts epoch `epoch` (1-based) of `epochs`: restarts the timer and the
  /// step count, and on a terminal prints `Epoch 3/10` as Keras does. The
  /// plain end-of-epoch line then starts with `epoch 3/10`. Throws
  /// dlc::Error unless 1 <= epoch <= epochs.
  void begin_epoch(int64_t epoch, int64_t epochs,
                   std::source_location loc = std::source_location::current());

  /// Step `step` (1-based count of finished batches) is done; `metrics` are
  /// shown as given (pass running averages). On a terminal, redraws the
  /// line at most 20 times a second (the last step always); otherwise
  /// only remembers the metrics. Throws dlc::Error on a negative step.
  void update(int64_t step, const MetricValues &metrics = {},
              std::source_location loc = std::source_location::current());

  /// Ends the pass: on a terminal, draws the line a last time with the
  /// elapsed time and the time per step and ends it; otherwise prints the
  /// one epoch line. `metrics` (the epoch's, including val_*) replace the
  /// last update's; empty keeps them. A second finish() does nothing.
  void finish(const MetricValues &metrics = {});

  /// Whether update() would redraw the line now (on a terminal, at most
  /// every kRedrawInterval): a caller computes costly running metrics only
  /// then. The last step of a known total redraws whatever this says.
  bool due() const;

  /// Seconds since construction or begin_epoch().
  double elapsed() const;
  bool is_interactive() const { return interactive; }

  /// The redraw interval on a terminal, in seconds (Keras's 0.05).
  static constexpr double kRedrawInterval = 0.05;

private:
  /// Writes `line` over the current terminal line.
  void redraw(const std::string &line);
  /// `12/100 [==>....]` or `12/Unknown`.
  std::string stepsAndBar() const;

  int64_t totalSteps;
  bool interactive;
  std::ostream &out;
  Clock clock;

  int64_t epoch = 0; ///< 0: no begin_epoch() yet.
  int64_t epochs = 0;
  double start;
  double lastDraw = 0;
  bool drawn = false;
  bool finished = false;
  int64_t step = 0;
  MetricValues metrics;
  /// Width of the last line drawn, to blank what a shorter line leaves.
  size_t lastWidth = 0;
};

/// Keras's number format: `0.4123`, or `1.2346e-04` for magnitudes
/// below 1e-3 (zero stays `0.0000`).
std::string formatMetricValue(double value);

/// Keras's ETA format: `42s`, `3:05`, `1:02:03`.
std::string formatEta(double seconds);

} // namespace dlc::train

#endif // DLC_FRONTEND_TRAIN_PROGRESS_H
