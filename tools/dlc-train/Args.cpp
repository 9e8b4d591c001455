//===- Args.cpp - dlc-train's command line --------------------------------===//

#include "Args.h"

#include <dlc/dlc.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <sstream>

namespace dlc::tools {
namespace {

std::string joined(const std::vector<std::string> &names) {
  std::string text;
  for (const std::string &name : names)
    text += (text.empty() ? "" : ", ") + name;
  return text;
}

[[noreturn]] void fail(const std::string &message) {
  throw Error("dlc-train: " + message);
}

template <typename T>
T number(const std::string &flag, const std::string &text) {
  T value{};
  const char *end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end || text.empty())
    fail(flag + " expects a number, not '" + text + "'");
  return value;
}

std::vector<int64_t> units(const std::string &flag, const std::string &text) {
  std::vector<int64_t> values;
  std::stringstream stream(text);
  std::string piece;
  while (std::getline(stream, piece, ','))
    values.push_back(number<int64_t>(flag, piece));
  if (values.empty() || std::any_of(values.begin(), values.end(),
                                    [](int64_t v) { return v <= 0; }))
    fail(flag + " expects positive layer widths such as 256,128, not '" + text +
         "'");
  return values;
}

} // namespace

const std::vector<std::string> &optimizer_names() {
  static const std::vector<std::string> names = {"adam", "adamw", "sgd",
                                                 "adagrad", "rmsprop"};
  return names;
}

std::string usage() {
  return R"(usage: dlc-train --model NAME --data KIND:DIR [flags]

Trains a CTR model with dlc's fit(): a progress bar on a terminal (one line
per epoch otherwise), train/validation loss, AUC and logloss per epoch,
throughput and compile time, early stopping on validation AUC, the best
checkpoint reloaded at the end, a TensorBoard log; then scores the test set.

  --model NAME         fm, deepfm, fibinet, dcn, dcn-m (DCN with the matrix
                       cross layer), din, dien
  --data KIND:DIR      criteo:DIR   the Criteo Kaggle sample (head8k.*.tsv),
                                    e.g. criteo:data/criteo-kaggle-sample
                       movielens:DIR  MovieLens ml-latest-small (ratings.csv,
                                    movies.csv): a CTR table (rating >= 4 is
                                    a click) for fm/deepfm/fibinet/dcn,
                                    behaviour sequences for din/dien
  --epochs N           at most N epochs (3)
  --batch-size N       rows per step (1024)
  --lr X               learning rate (0.001)
  --optimizer NAME     adam, adamw, sgd, adagrad, rmsprop (adam)
  --weight-decay X     the optimizer's weight decay (0)
  --embedding-dim N    embedding dimensions of every sparse column (8)
  --dnn W1,W2,...      the DNN tower's widths (the model's default)
  --dropout X          dropout in the DNN tower (0)
  --patience N         stop after N epochs without a better val_auc; a
                       negative N never stops early (2)
  --seed N             seeds initialisation, shuffling and sampling (0)
  --workers N          loader threads preparing batches ahead (2)
  --threads N          threads of dlc's kernels (all cores)
  --device cpu|cuda    where to train (cpu; this build has no CUDA backend)
  --out DIR            where the best checkpoint (best.safetensors), what
                       scoring with it needs (model.json,
                       vocabularies.txt: see dlc-board), the TensorBoard
                       log (tensorboard/) and the history (history.csv,
                       history.json) go (runs/MODEL-KIND)
  --metrics-json FILE  write the final train/val/test metrics, the
                       baselines and the timings as JSON
  --max-steps N        at most N steps per epoch (quick runs)
  --max-users N        MovieLens sequences: only the first N users
  --max-history N      MovieLens sequences: the longest history (50)
  --verbose 0|1|2      0 quiet, 1 a progress bar on a terminal, 2 one line
                       per epoch (1)
  --distributed        data parallel over the processes of `mpirun -np N`:
                       each takes --batch-size / N rows of every step (the
                       global batch stays --batch-size), gradients are
                       averaged across them, rank 0 prints and writes
  --resume             continue from the last completed epoch saved in
                       --out (OUT/last: model, optimizer, history); starts
                       afresh when there is none
  --help               this text
)";
}

TrainArgs parseArgs(const std::vector<std::string> &args) {
  TrainArgs a;
  std::string data;
  using Setter = std::function<void(const std::string &, const std::string &)>;
  const std::map<std::string, Setter> flags = {
      {"--model", [&](auto &, auto &v) { a.model = v; }},
      {"--data", [&](auto &, auto &v) { data = v; }},
      {"--epochs", [&](auto &f, auto &v) { a.epochs = number<int64_t>(f, v); }},
      {"--batch-size",
       [&](auto &f, auto &v) { a.batchSize = number<int64_t>(f, v); }},
      {"--lr", [&](auto &f, auto &v) { a.lr = number<double>(f, v); }},
      {"--optimizer", [&](auto &, auto &v) { a.optimizer = v; }},
      {"--weight-decay",
       [&](auto &f, auto &v) { a.weightDecay = number<double>(f, v); }},
      {"--embedding-dim",
       [&](auto &f, auto &v) { a.embeddingDim = number<int64_t>(f, v); }},
      {"--dnn", [&](auto &f, auto &v) { a.dnn = units(f, v); }},
      {"--dropout",
       [&](auto &f, auto &v) { a.dropout = number<double>(f, v); }},
      {"--patience",
       [&](auto &f, auto &v) { a.patience = number<int64_t>(f, v); }},
      {"--seed", [&](auto &f, auto &v) { a.seed = number<uint64_t>(f, v); }},
      {"--workers",
       [&](auto &f, auto &v) { a.workers = number<int64_t>(f, v); }},
      {"--threads",
       [&](auto &f, auto &v) { a.threads = number<int64_t>(f, v); }},
      {"--device", [&](auto &, auto &v) { a.device = v; }},
      {"--out", [&](auto &, auto &v) { a.out = v; }},
      {"--metrics-json", [&](auto &, auto &v) { a.metricsJson = v; }},
      {"--max-steps",
       [&](auto &f, auto &v) { a.maxSteps = number<int64_t>(f, v); }},
      {"--max-users",
       [&](auto &f, auto &v) { a.maxUsers = number<int64_t>(f, v); }},
      {"--max-history",
       [&](auto &f, auto &v) { a.maxHistory = number<int64_t>(f, v); }},
      {"--verbose", [&](auto &f, auto &v) { a.verbose = number<int>(f, v); }},
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i], value;
    if (flag == "--help" || flag == "-h") {
      a.help = true;
      return a;
    }
    if (flag == "--distributed" || flag == "--resume") {
      (flag == "--distributed" ? a.distributed : a.resume) = true;
      continue;
    }
    size_t equals = flag.find('=');
    bool inlineValue = flag.starts_with("--") && equals != std::string::npos;
    if (inlineValue) {
      value = flag.substr(equals + 1);
      flag = flag.substr(0, equals);
    }
    auto it = flags.find(flag);
    if (it == flags.end())
      fail("unknown flag '" + flag + "' (dlc-train --help lists them)");
    if (!inlineValue) {
      if (i + 1 >= args.size())
        fail(flag + " needs a value");
      value = args[++i];
    }
    it->second(flag, value);
  }

  if (a.model.empty())
    fail("--model is required (" + joined(models::model_names()) + ")");
  const std::vector<std::string> &known = models::model_names();
  if (std::find(known.begin(), known.end(), a.model) == known.end())
    fail("unknown model '" + a.model +
         "' (known: " + joined(models::model_names()) + ")");
  if (data.empty())
    fail("--data is required, e.g. --data criteo:data/criteo-kaggle-sample");
  size_t colon = data.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == data.size())
    fail("--data expects KIND:DIR (criteo:DIR or movielens:DIR), not '" + data +
         "'");
  a.dataKind = data.substr(0, colon);
  a.dataDir = data.substr(colon + 1);
  if (a.dataKind != "criteo" && a.dataKind != "movielens")
    fail("unknown data kind '" + a.dataKind + "' (known: criteo, movielens)");
  bool sequential = a.model == "din" || a.model == "dien";
  if (sequential && a.dataKind != "movielens")
    fail(a.model + " needs behaviour sequences: use --data movielens:DIR");
  const std::vector<std::string> &optimizers = optimizer_names();
  if (std::find(optimizers.begin(), optimizers.end(), a.optimizer) ==
      optimizers.end())
    fail("unknown optimizer '" + a.optimizer +
         "' (known: " + joined(optimizers) + ")");
  if (a.device != "cpu" && a.device != "cuda")
    fail("--device expects cpu or cuda, not '" + a.device + "'");
  if (a.device == "cuda")
    fail("--device cuda: this build has no CUDA backend yet; use --device cpu");
  auto positive = [](const std::string &flag, int64_t value) {
    if (value <= 0)
      fail(flag + " must be positive, not " + std::to_string(value));
  };
  positive("--epochs", a.epochs);
  positive("--batch-size", a.batchSize);
  positive("--embedding-dim", a.embeddingDim);
  positive("--max-history", a.maxHistory);
  if (a.maxSteps)
    positive("--max-steps", *a.maxSteps);
  if (!(a.lr > 0))
    fail("--lr must be positive");
  if (a.weightDecay < 0 || !(a.dropout >= 0 && a.dropout < 1))
    fail("--weight-decay must be >= 0 and --dropout in [0, 1)");
  if (a.workers < 0 || a.threads < 0 || a.maxUsers < 0)
    fail("--workers, --threads and --max-users must not be negative");
  if (a.verbose < 0 || a.verbose > 2)
    fail("--verbose expects 0, 1 or 2");
  if (a.out.empty())
    a.out = "runs/" + a.model + "-" + a.dataKind;
  return a;
}

} // namespace dlc::tools
