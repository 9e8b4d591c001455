//===- ProgressTest.cpp - The progress bar on a fake clock ----------------===//

#include "frontend/train/Progress.h"

#include "runtime/Error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

using namespace dlc::train;

namespace {

/// A Progress writing to a string, on a clock the test moves.
struct Fixture {
  explicit Fixture(int64_t total, bool interactive)
      : progress(total, interactive, out, [this] { return now; }) {}
  /// What was written since the last call.
  std::string take() {
    std::string text = out.str();
    out.str("");
    return text;
  }
  double now = 100.0; // not 0: only differences matter
  std::ostringstream out;
  Progress progress;
};

std::string bar(int equals, bool head, int dots) {
  std::string text = "[";
  text.append(static_cast<size_t>(equals), '=');
  if (head)
    text += '>';
  text.append(static_cast<size_t>(dots), '.');
  return text + ']';
}

} // namespace

TEST(ProgressTest, InteractiveRedrawsOneLine) {
  Fixture f(100, /*interactive=*/true);
  f.now += 0.3;
  f.progress.update(12, {{"loss", 0.41234}, {"auc", 0.70123}});
  // 30 * 12 / 100 = 3 columns done; ETA 0.3 / 12 * 88 = 2.2 s.
  EXPECT_EQ(f.take(), "\r 12/100 " + bar(2, true, 27) +
                          " - ETA: 2s - loss: 0.4123 - auc: 0.7012");

  f.now += 0.06;
  f.progress.update(50, {{"loss", 0.3}});
  std::string line =
      " 50/100 " + bar(14, true, 15) + " - ETA: 0s - loss: 0.3000";
  std::string previous =
      " 12/100 " + bar(2, true, 27) + " - ETA: 2s - loss: 0.4123 - auc: 0.7012";
  // A shorter line blanks the rest of the longer one.
  EXPECT_EQ(f.take(),
            "\r" + line + std::string(previous.size() - line.size(), ' '));
}

TEST(ProgressTest, InteractiveRateLimitsRedraws) {
  Fixture f(2000, /*interactive=*/true);
  f.progress.update(1);
  f.take();
  // 1000 steps over one second: about 20 redraws.
  for (int step = 2; step <= 1001; ++step) {
    f.now += 0.001;
    f.progress.update(step);
  }
  std::string text = f.take();
  auto redraws = std::count(text.begin(), text.end(), '\r');
  EXPECT_GE(redraws, 19);
  EXPECT_LE(redraws, 21);

  // Within the interval nothing is drawn, except the last step.
  f.progress.update(1002);
  EXPECT_EQ(f.take(), "");
  f.progress.update(2000);
  EXPECT_NE(f.take().find("2000/2000 " + bar(30, false, 0)), std::string::npos);
}

TEST(ProgressTest, DueTellsWhenARedrawWouldHappen) {
  Fixture f(100, /*interactive=*/true);
  EXPECT_TRUE(f.progress.due());
  f.progress.update(1);
  EXPECT_FALSE(f.progress.due());
  f.now += 0.01;
  EXPECT_FALSE(f.progress.due());
  f.now += Progress::kRedrawInterval;
  EXPECT_TRUE(f.progress.due());
  f.progress.finish();
  EXPECT_FALSE(f.progress.due());

  Fixture plain(100, /*interactive=*/false);
  EXPECT_FALSE(plain.progress.due());
}

TEST(ProgressTest, InteractiveFinishShowsElapsedAndEpochMetrics) {
  Fixture f(100, /*interactive=*/true);
  f.progress.begin_epoch(3, 10);
  EXPECT_EQ(f.take(), "Epoch 3/10\n");
  f.now += 12.3;
  f.progress.update(100, {{"loss", 0.5}});
  f.take();
  f.progress.finish({{"loss", 0.41234}, {"val_loss", 0.44101}});
  EXPECT_EQ(f.take(), "\r100/100 " + bar(30, false, 0) +
                          " - 12.3s 123ms/step - loss: 0.4123 - val_loss: "
                          "0.4410\n");
  // A second finish() writes nothing.
  f.progress.finish({{"loss", 1.0}});
  f.progress.update(100);
  EXPECT_EQ(f.take(), "");
}

TEST(ProgressTest, FinishKeepsTheLastMetricsWhenGivenNone) {
  Fixture f(4, /*interactive=*/true);
  f.now += 2;
  f.progress.update(4, {{"loss", 0.25}});
  f.take();
  f.progress.finish();
  EXPECT_EQ(f.take(), "\r4/4 " + bar(30, false, 0) +
                          " - 2.0s 500ms/step - loss: 0.2500\n");
}

TEST(ProgressTest, UnknownTotal) {
  Fixture f(0, /*interactive=*/true);
  f.now += 1;
  f.progress.update(12, {{"loss", 0.5}});
  EXPECT_EQ(f.take(), "\r12/Unknown - 1.0s - loss: 0.5000");
  f.now += 2;
  f.progress.finish();
  EXPECT_EQ(f.take(), "\r12/Unknown - 3.0s 250ms/step - loss: 0.5000\n");
}

TEST(ProgressTest, PlainPrintsOneLinePerEpoch) {
  Fixture f(100, /*interactive=*/false);
  for (int64_t epoch = 1; epoch <= 2; ++epoch) {
    f.progress.begin_epoch(epoch, 10);
    for (int step = 1; step <= 100; ++step) {
      f.now += 0.123;
      f.progress.update(step, {{"loss", 0.5}});
    }
    EXPECT_EQ(f.take(), "");
    f.progress.finish({{"loss", 0.41234}, {"val_loss", 0.44101}});
    EXPECT_EQ(f.take(), "epoch " + std::to_string(epoch) +
                            "/10 - 12.3s - loss: 0.4123 - val_loss: 0.4410\n");
  }
}

TEST(ProgressTest, PlainWithoutEpochShowsSteps) {
  Fixture f(50, /*interactive=*/false);
  f.progress.update(50, {{"loss", 0.0}});
  f.now += 1.25;
  f.progress.finish();
  EXPECT_EQ(f.take(), "50/50 - 1.2s - loss: 0.0000\n");
}

TEST(ProgressTest, BadArgumentsThrow) {
  Fixture f(10, /*interactive=*/true);
  EXPECT_THROW(f.progress.update(-1), dlc::Error);
  EXPECT_THROW(f.progress.begin_epoch(0, 10), dlc::Error);
  EXPECT_THROW(f.progress.begin_epoch(11, 10), dlc::Error);
  EXPECT_EQ(f.take(), "");
}

TEST(ProgressTest, Formats) {
  EXPECT_EQ(formatMetricValue(0.41236), "0.4124");
  EXPECT_EQ(formatMetricValue(12.5), "12.5000");
  EXPECT_EQ(formatMetricValue(0.0001234), "1.2340e-04");
  EXPECT_EQ(formatMetricValue(-0.0001234), "-1.2340e-04");
  EXPECT_EQ(formatMetricValue(0), "0.0000");
  EXPECT_EQ(formatMetricValue(NAN), "nan");
  EXPECT_EQ(formatMetricValue(INFINITY), "inf");
  EXPECT_EQ(formatEta(0), "0s");
  EXPECT_EQ(formatEta(42.9), "42s");
  EXPECT_EQ(formatEta(185), "3:05");
  EXPECT_EQ(formatEta(3723), "1:02:03");
}
