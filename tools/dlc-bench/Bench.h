//===- Bench.h - Timing, records and sizes shared by the dlc-bench tools --===//
//
// dlc-bench (C++20, links libdlc.so) and dlc-bench-torch (C++17, links
// LibTorch) are separate programs that must measure alike: the same sizes,
// the same repetition rule and the same JSON records. This header is what
// they share; it depends on neither library.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TOOLS_DLC_BENCH_BENCH_H
#define DLC_TOOLS_DLC_BENCH_BENCH_H

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dlcbench {

/// The problem sizes of every workload. `--quick` shrinks them so that the
/// whole run takes seconds (the CI smoke test); both tools use this.
struct Sizes {
  int64_t elementwise;       ///< floats of `elementwise` and its copy loop
  int64_t rows, cols;        ///< softmax and layer_norm input
  int64_t sum;               ///< floats summed by `sum`
  int64_t matmul;            ///< m = n = k of `matmul_1024`
  int64_t mbrM, mbrK, mbrN;  ///< matmul_bias_relu: [m, k] x [k, n] + [n]
  int64_t mlpBatch;          ///< batch of `mlp_step`
  std::vector<int64_t> mlp;  ///< layer widths of `mlp_step`
  int64_t tinyBatch;         ///< batch of `tiny_mlp_step`
  std::vector<int64_t> tiny; ///< layer widths of `tiny_mlp_step`
  int compileGraphs;         ///< distinct graphs timed by `compile`
};

Sizes makeSizes(bool quick);

/// A CTR training step of `--suite models`, at the shapes of issue 9: the
/// same model, shapes and synthetic batches in dlc-bench (dlc's models) and
/// dlc-bench-torch (the same models written with LibTorch).
///
/// `field` models (deepfm, dcn, fibinet): x = [B, fields + dense], the ids of
/// the categorical fields C1..Cn (each its own table of `vocabulary` rows),
/// then the dense values I1..Im in [0, 1). `behavior` models (din, dien):
/// x = [B, 3 + history], user_id, item_id, cate_id, then hist_item_id (ids
/// of the item table, padded with 0 after each row's length in
/// [1, history]). Every model: embedding dim `dim`, a DNN of `dnn` then one
/// logit, binary cross-entropy with logits, dense Adam (lr 1e-3).
struct ModelShape {
  std::string name;
  bool behavior = false;
  int64_t batch = 0;
  int64_t dim = 0;
  std::vector<int64_t> dnn;
  // Field models.
  int64_t fields = 0, dense = 0, vocabulary = 0;
  // Behavior models: the item table, the history, the attention MLP.
  int64_t users = 0, items = 0, categories = 0, history = 0;
  std::vector<int64_t> attention;
  /// The number of floats in one row of x.
  int64_t width() const { return behavior ? 3 + history : fields + dense; }
};

/// deepfm, dcn, fibinet, din, dien; `quick` shrinks tables and batches.
std::vector<ModelShape> modelShapes(bool quick);

/// Batch `index` of the synthetic data of `shape` (a fixed function of its
/// arguments): x [batch * width] row-major and labels [batch] in {0, 1}.
void syntheticBatch(const ModelShape &shape, int64_t index,
                    std::vector<float> &x, std::vector<float> &labels);

/// The peak resident memory of this process so far, in MiB.
double peakRssMiB();

/// How long to measure: `warmup` untimed runs (the first call of a compiled
/// workload is its compile), then at least `minReps` timed runs and at least
/// `minSeconds` in all, stopping at `maxReps`.
struct Options {
  bool quick = false;
  int warmup = 2;
  int minReps = 10;
  int maxReps = 10000;
  double minSeconds = 0.3;
  std::string filter;
  std::vector<int> threads{1, 2};
};

/// Times of the repeated runs of one measurement, in milliseconds.
struct Timing {
  double medianMs = 0, minMs = 0, maxMs = 0;
  int64_t reps = 0;
};

/// Runs `iteration` under the repetition rule of `options`.
Timing measure(const Options &options, const std::function<void()> &iteration);

/// Statistics of samples already taken (the compile times, for one).
Timing summarize(std::vector<double> samplesMs);

/// One line of the table and one object of the JSON output.
struct Record {
  std::string name;
  std::string mode;
  int threads = 1;
  double medianMs = 0, minMs = 0, maxMs = 0;
  int64_t reps = 0;
  /// More numbers, in output order: "gbps", "gflops", "bytes", "flops", ...
  std::vector<std::pair<std::string, double>> numbers;
  /// More strings: "note", and "error" when the measurement failed.
  std::vector<std::pair<std::string, std::string>> strings;

  std::optional<double> number(const std::string &key) const;
  std::optional<std::string> string(const std::string &key) const;
  void set(const std::string &key, double value);
  void set(const std::string &key, const std::string &value);
  bool failed() const { return string("error").has_value(); }
};

/// A record of `timing`; with `bytes` it gets "bytes" and "gbps", with
/// `flops` it gets "flops" and "gflops" (per median run).
Record makeRecord(const std::string &name, const std::string &mode, int threads,
                  const Timing &timing, double bytes = 0, double flops = 0);

/// A record saying that the measurement failed with `message`.
Record makeError(const std::string &name, const std::string &mode, int threads,
                 const std::string &message);

/// The record as one JSON object on one line.
std::string toJson(const Record &record);
/// Parses what toJson wrote (a flat object of strings and numbers).
std::optional<Record> parseRecord(const std::string &line);
/// `text` as a JSON string literal, quotes included.
std::string jsonString(const std::string &text);
/// `value` as a JSON number (`null` when not finite).
std::string jsonNumber(double value);

/// Whether the workload `name` passes `--filter`.
bool selected(const Options &options, const std::string &name);

/// Parses "1,2" into {1, 2}; empty when malformed.
std::vector<int> parseThreadList(const std::string &text);

/// Keeps the compiler from dropping a computation whose result is unused.
template <typename T>
inline void doNotOptimize(const T &value) {
  asm volatile("" : : "g"(value) : "memory");
}

} // namespace dlcbench

#endif // DLC_TOOLS_DLC_BENCH_BENCH_H
