//===- Progress.cpp - Keras-style progress bar ----------------------------===//

#include "frontend/train/Progress.h"

#include "runtime/Error.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <unistd.h>

namespace dlc::train {

namespace {

constexpr int kBarWidth = 30;

double steadySeconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

template <typename... Args>
std::string format(const char *pattern, Args... args) {
  char buffer[64];
  int n = std::snprintf(buffer, sizeof(buffer), pattern, args...);
  if (n < 0)
    return {};
  if (static_cast<size_t>(n) < sizeof(buffer))
    return std::string(buffer, static_cast<size_t>(n));
  std::string text(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(text.data(), text.size(), pattern, args...);
  text.resize(static_cast<size_t>(n));
  return text;
}

/// `12.3s`.
std::string formatElapsed(double seconds) { return format("%.1fs", seconds); }

/// `123ms/step`, as Keras prints the time per step.
std::string formatPerStep(double seconds) {
  if (seconds >= 1)
    return format("%.0fs/step", seconds);
  if (seconds >= 1e-3)
    return format("%.0fms/step", seconds * 1e3);
  return format("%.0fus/step", seconds * 1e6);
}

std::string formatMetrics(const MetricValues &metrics) {
  std::string text;
  for (const auto &[name, value] : metrics)
    text += " - " + name + ": " + formatMetricValue(value);
  return text;
}

} // namespace

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

std::string formatMetricValue(double value) {
  if (value == 0 || std::fabs(value) > 1e-3 || !std::isfinite(value))
    return format("%.4f", value);
  return format("%.4e", value);
}

std::string formatEta(double seconds) {
  auto s = static_cast<long long>(std::max(0.0, seconds));
  if (s > 3600)
    return format("%lld:%02lld:%02lld", s / 3600, (s % 3600) / 60, s % 60);
  if (s > 60)
    return format("%lld:%02lld", s / 60, s % 60);
  return format("%llds", s);
}

Progress::Progress(int64_t total_steps, bool interactive, std::ostream &out,
                   Clock clock)
    : totalSteps(total_steps), interactive(interactive), out(out),
      clock(clock ? std::move(clock) : Clock(steadySeconds)),
      start(this->clock()) {}

void Progress::begin_epoch(int64_t epoch, int64_t epochs,
                           std::source_location loc) {
  if (epoch < 1 || epoch > epochs)
    detail::throwError("Progress::begin_epoch",
                       "epoch " + std::to_string(epoch) + " of " +
                           std::to_string(epochs) + " is not in 1.." +
                           std::to_string(epochs),
                       loc);
  this->epoch = epoch;
  this->epochs = epochs;
  start = clock();
  drawn = false;
  finished = false;
  step = 0;
  metrics.clear();
  lastWidth = 0;
  if (interactive)
    out << "Epoch " << epoch << '/' << epochs << '\n' << std::flush;
}

double Progress::elapsed() const { return clock() - start; }

void Progress::update(int64_t step, const MetricValues &metrics,
                      std::source_location loc) {
  if (step < 0)
    detail::throwError("Progress::update",
                       "step " + std::to_string(step) + " is negative", loc);
  this->step = step;
  this->metrics = metrics;
  if (!interactive || finished)
    return;
  double now = clock();
  bool last = totalSteps > 0 && step >= totalSteps;
  if (drawn && now - lastDraw < kRedrawInterval && !last)
    return;
  lastDraw = now;
  drawn = true;

  std::string line = stepsAndBar();
  double seconds = now - start;
  if (totalSteps > 0 && step > 0 && step < totalSteps) {
    double eta = seconds / static_cast<double>(step) *
                 static_cast<double>(totalSteps - step);
    line += " - ETA: " + formatEta(eta);
  } else {
    line += " - " + formatElapsed(seconds);
  }
  redraw(line + formatMetrics(metrics));
}

bool Progress::due() const {
  return interactive && !finished &&
         (!drawn || clock() - lastDraw >= kRedrawInterval);
}

void Progress::finish(const MetricValues &metrics) {
  if (finished)
    return;
  finished = true;
  if (!metrics.empty())
    this->metrics = metrics;
  double seconds = elapsed();
  if (interactive) {
    std::string line = stepsAndBar() + " - " + formatElapsed(seconds);
    if (step > 0)
      line.append(" ").append(
          formatPerStep(seconds / static_cast<double>(step)));
    redraw(line + formatMetrics(this->metrics));
    out << '\n' << std::flush;
    return;
  }
  if (epoch > 0)
    out << "epoch " << epoch << '/' << epochs;
  else if (totalSteps > 0)
    out << step << '/' << totalSteps;
  else
    out << step << "/Unknown";
  out << " - " << formatElapsed(seconds) << formatMetrics(this->metrics) << '\n'
      << std::flush;
}

std::string Progress::stepsAndBar() const {
  if (totalSteps <= 0)
    return std::to_string(step) + "/Unknown";
  std::string total = std::to_string(totalSteps);
  std::string current = std::to_string(step);
  if (current.size() < total.size())
    current.insert(0, total.size() - current.size(), ' ');
  std::string text = current + '/' + total + " [";
  // Keras: `=` for done steps, `>` at the head while running, `.` for the
  // rest.
  int64_t done = std::min(step, totalSteps);
  auto width = static_cast<int>(kBarWidth * done / totalSteps);
  if (width > 0) {
    text.append(static_cast<size_t>(width - 1), '=');
    text += step < totalSteps ? '>' : '=';
  }
  text.append(static_cast<size_t>(kBarWidth - width), '.');
  return text + ']';
}

void Progress::redraw(const std::string &line) {
  out << '\r' << line;
  if (line.size() < lastWidth)
    out << std::string(lastWidth - line.size(), ' ');
  lastWidth = line.size();
  out << std::flush;
}

} // namespace dlc::train
