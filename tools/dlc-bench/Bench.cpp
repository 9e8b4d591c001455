//===- Bench.cpp - Timing, records and sizes shared by the dlc-bench tools ===//

#include "Bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>

namespace dlcbench {

Sizes makeSizes(bool quick) {
  Sizes s;
  if (!quick) {
    s.elementwise = int64_t(16) << 20;
    s.rows = 4096;
    s.cols = 1024;
    s.sum = int64_t(64) << 20;
    s.matmul = 1024;
    s.mbrM = 4096;
    s.mbrK = 512;
    s.mbrN = 512;
    s.mlpBatch = 256;
    s.mlp = {784, 1024, 1024, 10};
    s.compileGraphs = 20;
  } else {
    // Memory-bound sizes shrink 64 times, GEMM dimensions 8 times (a GEMM
    // of 128 still has work to split between threads).
    s.elementwise = int64_t(16) << 14;
    s.rows = 64;
    s.cols = 1024;
    s.sum = int64_t(64) << 14;
    s.matmul = 128;
    s.mbrM = 512;
    s.mbrK = 64;
    s.mbrN = 64;
    s.mlpBatch = 32;
    s.mlp = {98, 128, 128, 10};
    s.compileGraphs = 6;
  }
  // The tiny MLP measures per-step overhead: it is tiny in both modes.
  s.tinyBatch = 1;
  s.tiny = {16, 32, 4};
  return s;
}

std::vector<ModelShape> modelShapes(bool quick) {
  // Issue 9: 26 fields of ~1M embedding rows in all, dim 16, 13 dense values,
  // DNN 400-400, batch 4096; DIN with a history of 50 and an attention MLP
  // 80-40, DNN 200-80, batch 1024; DIEN as DIN (its GRUs' hidden size is the
  // item embedding's, 16).
  ModelShape field;
  field.batch = quick ? 64 : 4096;
  field.dim = quick ? 4 : 16;
  field.dnn =
      quick ? std::vector<int64_t>{32, 32} : std::vector<int64_t>{400, 400};
  field.fields = 26;
  field.dense = 13;
  field.vocabulary = quick ? 1000 : 38462;
  ModelShape behavior;
  behavior.behavior = true;
  behavior.batch = quick ? 32 : 1024;
  behavior.dim = quick ? 4 : 16;
  behavior.dnn =
      quick ? std::vector<int64_t>{16, 8} : std::vector<int64_t>{200, 80};
  behavior.users = quick ? 1000 : 100000;
  behavior.items = quick ? 5000 : 1000000;
  behavior.categories = quick ? 100 : 10000;
  behavior.history = quick ? 8 : 50;
  behavior.attention =
      quick ? std::vector<int64_t>{8, 4} : std::vector<int64_t>{80, 40};
  std::vector<ModelShape> shapes;
  for (const char *name : {"deepfm", "dcn", "fibinet"}) {
    shapes.push_back(field);
    shapes.back().name = name;
  }
  for (const char *name : {"din", "dien"}) {
    shapes.push_back(behavior);
    shapes.back().name = name;
  }
  return shapes;
}

namespace {

/// SplitMix64: a fixed, well-mixed function of its input.
uint64_t mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// A uniform double in [0, 1) from a hash.
double unit(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

/// An id in [1, vocabulary): skewed to small ids as real click logs are
/// (u squared), so that a batch repeats the frequent rows.
float skewedId(uint64_t h, int64_t vocabulary) {
  double u = unit(h);
  return static_cast<float>(
      1 + static_cast<int64_t>(u * u * static_cast<double>(vocabulary - 1)));
}

} // namespace

void syntheticBatch(const ModelShape &shape, int64_t index,
                    std::vector<float> &x, std::vector<float> &labels) {
  const int64_t width = shape.width();
  x.assign(static_cast<size_t>(shape.batch * width), 0.0f);
  labels.assign(static_cast<size_t>(shape.batch), 0.0f);
  for (int64_t b = 0; b < shape.batch; ++b) {
    uint64_t row = mix(static_cast<uint64_t>(index) * 0x100000001b3ull +
                       static_cast<uint64_t>(b));
    float *out = x.data() + b * width;
    labels[b] = unit(mix(row ^ 0x5bd1e995)) < 0.25 ? 1.0f : 0.0f;
    if (!shape.behavior) {
      for (int64_t f = 0; f < shape.fields; ++f)
        out[f] =
            skewedId(mix(row + static_cast<uint64_t>(f)), shape.vocabulary);
      for (int64_t d = 0; d < shape.dense; ++d)
        out[shape.fields + d] = static_cast<float>(
            unit(mix(row + 1000 + static_cast<uint64_t>(d))));
      continue;
    }
    out[0] = skewedId(mix(row + 1), shape.users);
    out[1] = skewedId(mix(row + 2), shape.items);
    out[2] = skewedId(mix(row + 3), shape.categories);
    int64_t length =
        1 + static_cast<int64_t>(unit(mix(row + 4)) *
                                 static_cast<double>(shape.history));
    for (int64_t t = 0; t < length && t < shape.history; ++t)
      out[3 + t] =
          skewedId(mix(row + 100 + static_cast<uint64_t>(t)), shape.items);
  }
}

double peakRssMiB() {
  struct rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0; // ru_maxrss is KiB
}

Timing summarize(std::vector<double> samplesMs) {
  Timing t;
  t.reps = static_cast<int64_t>(samplesMs.size());
  if (samplesMs.empty())
    return t;
  std::sort(samplesMs.begin(), samplesMs.end());
  size_t n = samplesMs.size();
  t.medianMs = n % 2 ? samplesMs[n / 2]
                     : 0.5 * (samplesMs[n / 2 - 1] + samplesMs[n / 2]);
  t.minMs = samplesMs.front();
  t.maxMs = samplesMs.back();
  return t;
}

Timing measure(const Options &options, const std::function<void()> &iteration) {
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < options.warmup; ++i)
    iteration();
  std::vector<double> samples;
  double total = 0;
  while (static_cast<int>(samples.size()) < options.minReps ||
         (total < options.minSeconds &&
          static_cast<int>(samples.size()) < options.maxReps)) {
    Clock::time_point start = Clock::now();
    iteration();
    std::chrono::duration<double> elapsed = Clock::now() - start;
    samples.push_back(elapsed.count() * 1e3);
    total += elapsed.count();
  }
  return summarize(std::move(samples));
}

//===----------------------------------------------------------------------===//
// Records
//===----------------------------------------------------------------------===//

std::optional<double> Record::number(const std::string &key) const {
  for (const auto &[k, v] : numbers)
    if (k == key)
      return v;
  return std::nullopt;
}

std::optional<std::string> Record::string(const std::string &key) const {
  for (const auto &[k, v] : strings)
    if (k == key)
      return v;
  return std::nullopt;
}

void Record::set(const std::string &key, double value) {
  for (auto &[k, v] : numbers)
    if (k == key) {
      v = value;
      return;
    }
  numbers.emplace_back(key, value);
}

void Record::set(const std::string &key, const std::string &value) {
  for (auto &[k, v] : strings)
    if (k == key) {
      v = value;
      return;
    }
  strings.emplace_back(key, value);
}

Record makeRecord(const std::string &name, const std::string &mode, int threads,
                  const Timing &timing, double bytes, double flops) {
  Record r;
  r.name = name;
  r.mode = mode;
  r.threads = threads;
  r.medianMs = timing.medianMs;
  r.minMs = timing.minMs;
  r.maxMs = timing.maxMs;
  r.reps = timing.reps;
  double seconds = timing.medianMs * 1e-3;
  if (bytes > 0) {
    r.set("gbps", seconds > 0 ? bytes / seconds * 1e-9 : NAN);
    r.set("bytes", bytes);
  }
  if (flops > 0) {
    r.set("gflops", seconds > 0 ? flops / seconds * 1e-9 : NAN);
    r.set("flops", flops);
  }
  return r;
}

Record makeError(const std::string &name, const std::string &mode, int threads,
                 const std::string &message) {
  Record r;
  r.name = name;
  r.mode = mode;
  r.threads = threads;
  r.medianMs = r.minMs = r.maxMs = NAN;
  r.set("error", message);
  return r;
}

std::string jsonString(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buffer[8];
        std::snprintf(buffer, sizeof(buffer), "\\u%04x", c);
        out += buffer;
      } else {
        out += c;
      }
    }
  }
  return out + "\"";
}

std::string jsonNumber(double value) {
  if (!std::isfinite(value))
    return "null";
  char buffer[32];
  // Counts (bytes, flops) exactly, measurements to six digits.
  if (value == std::floor(value) && std::fabs(value) < 1e15)
    std::snprintf(buffer, sizeof(buffer), "%.0f", value);
  else
    std::snprintf(buffer, sizeof(buffer), "%.6g", value);
  return buffer;
}

std::string toJson(const Record &r) {
  std::string out = "{\"name\": " + jsonString(r.name) +
                    ", \"mode\": " + jsonString(r.mode) +
                    ", \"threads\": " + std::to_string(r.threads) +
                    ", \"median_ms\": " + jsonNumber(r.medianMs) +
                    ", \"min_ms\": " + jsonNumber(r.minMs) +
                    ", \"max_ms\": " + jsonNumber(r.maxMs) +
                    ", \"reps\": " + std::to_string(r.reps);
  for (const auto &[k, v] : r.numbers)
    out += ", " + jsonString(k) + ": " + jsonNumber(v);
  for (const auto &[k, v] : r.strings)
    out += ", " + jsonString(k) + ": " + jsonString(v);
  return out + "}";
}

namespace {

/// A reader of the flat objects toJson writes; not a general JSON parser.
class FlatJsonReader {
public:
  explicit FlatJsonReader(const std::string &text) : text(text) {}

  std::optional<Record> read() {
    Record r;
    if (!consume('{'))
      return std::nullopt;
    if (consume('}'))
      return r;
    do {
      std::optional<std::string> key = readString();
      if (!key || !consume(':'))
        return std::nullopt;
      skipSpace();
      if (pos < text.size() && text[pos] == '"') {
        std::optional<std::string> value = readString();
        if (!value)
          return std::nullopt;
        if (*key == "name")
          r.name = *value;
        else if (*key == "mode")
          r.mode = *value;
        else
          r.strings.emplace_back(*key, *value);
        continue;
      }
      std::optional<double> value = readNumber();
      if (!value)
        return std::nullopt;
      if (*key == "threads")
        r.threads = static_cast<int>(*value);
      else if (*key == "median_ms")
        r.medianMs = *value;
      else if (*key == "min_ms")
        r.minMs = *value;
      else if (*key == "max_ms")
        r.maxMs = *value;
      else if (*key == "reps")
        r.reps = static_cast<int64_t>(*value);
      else
        r.numbers.emplace_back(*key, *value);
    } while (consume(','));
    if (!consume('}'))
      return std::nullopt;
    return r;
  }

private:
  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                 text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }

  bool consume(char c) {
    skipSpace();
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }

  std::optional<std::string> readString() {
    if (!consume('"'))
      return std::nullopt;
    std::string out;
    while (pos < text.size() && text[pos] != '"') {
      char c = text[pos++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos >= text.size())
        return std::nullopt;
      char e = text[pos++];
      switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'u':
        if (pos + 4 > text.size())
          return std::nullopt;
        out += static_cast<char>(
            std::strtol(text.substr(pos, 4).c_str(), nullptr, 16));
        pos += 4;
        break;
      default:
        out += e;
      }
    }
    if (pos >= text.size())
      return std::nullopt;
    ++pos;
    return out;
  }

  std::optional<double> readNumber() {
    skipSpace();
    if (text.compare(pos, 4, "null") == 0) {
      pos += 4;
      return NAN;
    }
    const char *begin = text.c_str() + pos;
    char *end = nullptr;
    double value = std::strtod(begin, &end);
    if (end == begin)
      return std::nullopt;
    pos += static_cast<size_t>(end - begin);
    return value;
  }

  const std::string &text;
  size_t pos = 0;
};

} // namespace

std::optional<Record> parseRecord(const std::string &line) {
  return FlatJsonReader(line).read();
}

bool selected(const Options &options, const std::string &name) {
  return options.filter.empty() ||
         name.find(options.filter) != std::string::npos;
}

std::vector<int> parseThreadList(const std::string &text) {
  std::vector<int> threads;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(
        start, comma == std::string::npos ? std::string::npos : comma - start);
    char *end = nullptr;
    long n = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || n < 1 || n > 4096)
      return {};
    threads.push_back(static_cast<int>(n));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return threads;
}

} // namespace dlcbench
