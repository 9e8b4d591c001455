//===- Models.cpp - The model suite: CTR training steps, dlc's side -------===//
//
// `dlc-bench --suite models` measures one training step (forward, loss,
// backward, Adam) of each CTR model at the shapes of Bench.h's modelShapes.
// Each (model, mode, threads) runs in a process of its own, so that its
// peak resident memory is its own: `dlc-bench --child model:NAME:MODE` for
// dlc's compiled and eager modes, `dlc-bench-torch --suite models --model
// NAME` for LibTorch.
//
//===----------------------------------------------------------------------===//

#include "Models.h"
#include "Process.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>

namespace dlcbench {
namespace {

namespace models = dlc::models;

std::vector<models::FeatureColumn> columnsOf(const ModelShape &s) {
  std::vector<models::FeatureColumn> columns;
  if (!s.behavior) {
    for (int64_t f = 1; f <= s.fields; ++f)
      columns.push_back(
          models::SparseFeat("C" + std::to_string(f), s.vocabulary, s.dim));
    for (int64_t d = 1; d <= s.dense; ++d)
      columns.push_back(models::DenseFeat("I" + std::to_string(d)));
    return columns;
  }
  columns.push_back(models::SparseFeat("user_id", s.users, s.dim));
  columns.push_back(models::SparseFeat("item_id", s.items, s.dim));
  columns.push_back(models::SparseFeat("cate_id", s.categories, s.dim));
  columns.push_back(models::VarLenSparseFeat(
      models::SparseFeat("hist_item_id", s.items, s.dim)
          .embedding_name("item_id"),
      s.history));
  return columns;
}

std::shared_ptr<models::CtrModelImpl> makeModel(const ModelShape &s) {
  std::vector<models::FeatureColumn> columns = columnsOf(s);
  if (s.name == "deepfm")
    return models::DeepFM(columns,
                          models::DeepFMOptions().dnn_hidden_units(s.dnn))
        .ptr();
  if (s.name == "dcn")
    return models::DCN(columns, models::DCNOptions().dnn_hidden_units(s.dnn))
        .ptr();
  if (s.name == "fibinet")
    return models::FiBiNET(columns,
                           models::FiBiNETOptions().dnn_hidden_units(s.dnn))
        .ptr();
  if (s.name == "din")
    return models::DIN(columns, models::DINOptions()
                                    .history_feature_list({"item_id"})
                                    .dnn_hidden_units(s.dnn)
                                    .att_hidden_units(s.attention))
        .ptr();
  if (s.name == "dien")
    return models::DIEN(columns, models::DIENOptions()
                                     .history_feature_list({"item_id"})
                                     .dnn_hidden_units(s.dnn)
                                     .att_hidden_units(s.attention))
        .ptr();
  throw std::runtime_error("unknown model `" + s.name + "`");
}

/// Batches cycled through by the measured steps.
constexpr int64_t kBatches = 8;

int modelChild(const std::string &name, const std::string &mode,
               const Options &options, int threads) {
  const ModelShape *shape = nullptr;
  std::vector<ModelShape> shapes = modelShapes(options.quick);
  for (const ModelShape &s : shapes)
    if (s.name == name)
      shape = &s;
  if (!shape)
    throw std::runtime_error("unknown model `" + name + "`");
  if (mode != "dlc" && mode != "dlc-eager" && mode != "dlc-sparse")
    throw std::runtime_error("unknown mode `" + mode + "`");
  dlc::set_eager(mode == "dlc-eager");
  dlc::manual_seed(0);

  std::vector<std::vector<float>> xs(kBatches), ys(kBatches);
  std::vector<dlc::Tensor> x, y;
  for (int64_t i = 0; i < kBatches; ++i) {
    syntheticBatch(*shape, i, xs[i], ys[i]);
    x.push_back(dlc::from_blob(xs[i].data(), {shape->batch, shape->width()}));
    y.push_back(dlc::from_blob(ys[i].data(), {shape->batch}));
  }
  // Compile time from here: the parameters' initialization (made when the
  // optimizers take them), the first step (which also makes the
  // optimizers' state) and the second (the program every later step runs).
  dlc::Stats before = dlc::stats();
  std::shared_ptr<models::CtrModelImpl> model = makeModel(*shape);
  // dlc-sparse: the tables give sparse gradients and SparseAdam updates the
  // rows each batch read (torch.optim.SparseAdam's lazy Adam), as PyTorch
  // users train large embeddings; Adam for the rest.
  std::vector<dlc::Tensor> tables, dense;
  if (mode == "dlc-sparse") {
    models::set_sparse_embeddings(*model);
    model->apply([&](dlc::nn::Module &m) {
      if (auto *table = dynamic_cast<dlc::nn::EmbeddingImpl *>(&m))
        tables.push_back(table->weight);
    });
    for (const dlc::Tensor &p : model->parameters()) {
      bool isTable = false;
      for (const dlc::Tensor &t : tables)
        isTable = isTable || t.unsafeGetImpl() == p.unsafeGetImpl();
      if (!isTable)
        dense.push_back(p);
    }
  } else {
    dense = model->parameters();
  }
  dlc::optim::Adam optimizer(dense, dlc::optim::AdamOptions(1e-3));
  std::optional<dlc::optim::SparseAdam> sparse;
  if (!tables.empty())
    sparse.emplace(tables, dlc::optim::SparseAdamOptions(1e-3));
  int64_t step = 0;
  float loss = 0;
  auto trainStep = [&] {
    const int64_t i = step++ % kBatches;
    optimizer.zero_grad();
    if (sparse)
      sparse->zero_grad();
    dlc::Tensor logits = model->forward(x[i]);
    dlc::Tensor l =
        dlc::nn::functional::binary_cross_entropy_with_logits(logits, y[i]);
    l.backward();
    if (sparse)
      sparse->step();
    optimizer.step();
    loss = l.item<float>();
  };

  // In eager mode each op compiles once.
  auto start = std::chrono::steady_clock::now();
  trainStep();
  std::chrono::duration<double> first =
      std::chrono::steady_clock::now() - start;
  trainStep();
  dlc::Stats after = dlc::stats();

  Timing t = measure(options, trainStep);
  Record r = makeRecord(name, mode, threads, t);
  r.set("samples_per_s",
        static_cast<double>(shape->batch) / (t.medianMs * 1e-3));
  r.set("batch", static_cast<double>(shape->batch));
  r.set("first_step_ms", first.count() * 1e3);
  // Every compile before training runs at speed.
  r.set("compile_ms", (after.compile_seconds - before.compile_seconds) * 1e3);
  r.set("kernels", static_cast<double>(after.kernels - before.kernels));
  r.set("peak_rss_mib", peakRssMiB());
  r.set("peak_tensor_mib",
        static_cast<double>(dlc::stats().peak_bytes_allocated) / (1 << 20));
  r.set("loss", static_cast<double>(loss));
  std::printf("%s\n", toJson(r).c_str());
  return 0;
}

} // namespace

int runModelChild(const std::string &what, const Options &options,
                  int threads) {
  // what = NAME:MODE
  size_t colon = what.find(':');
  if (colon == std::string::npos)
    throw std::runtime_error("model child `" + what + "` wants NAME:MODE");
  dlc::set_num_threads(threads);
  return modelChild(what.substr(0, colon), what.substr(colon + 1), options,
                    threads);
}

const std::vector<std::string> &modelNames() {
  static const std::vector<std::string> names = {"deepfm", "dcn", "fibinet",
                                                 "din", "dien"};
  return names;
}

namespace {

/// The child's arguments; eager mode (a baseline, up to seconds a step)
/// gets one warm-up step and at least 3 timed ones instead.
std::vector<std::string> commonArgs(const Options &options, int threads,
                                    bool eager = false) {
  std::vector<std::string> argv = {
      "--threads",
      std::to_string(threads),
      "--warmup",
      std::to_string(eager ? std::min(options.warmup, 1) : options.warmup),
      "--reps",
      std::to_string(eager ? std::min(options.minReps, 3) : options.minReps),
      "--min-seconds",
      std::to_string(eager ? 0.0 : options.minSeconds)};
  if (options.quick)
    argv.push_back("--quick");
  return argv;
}

} // namespace

bool runModelSuite(Results &results, const std::string &cacheRoot,
                   const TorchEnvironment &torchEnv) {
  const Options &options = results.options;
  std::string self = selfPath();
  std::string torchExe =
      std::filesystem::path(self).parent_path() / "dlc-bench-torch";
  bool haveTorch = access(torchExe.c_str(), X_OK) == 0;
  for (const std::string &name : modelNames()) {
    if (!selected(options, name))
      continue;
    for (int threads : options.threads) {
      for (const char *mode : {"dlc", "dlc-sparse", "dlc-eager"}) {
        results.attempt(name, mode, threads, [&] {
          // A cold kernel cache of its own: the first step compiles.
          std::string cache = cacheRoot + "/" + name + "-" + mode + "-" +
                              std::to_string(threads);
          std::filesystem::create_directories(cache);
          std::vector<std::string> argv = {self, "--child",
                                           "model:" + name + ":" + mode};
          for (std::string &a : commonArgs(options, threads,
                                           std::strcmp(mode, "dlc-eager") == 0))
            argv.push_back(std::move(a));
          return runRecordProcess(
              argv, EnvChanges{{{"DLC_CACHE_DIR", cache}}, {}},
              "dlc-bench --child model:" + name + ":" + mode);
        });
      }
      if (!haveTorch)
        continue;
      for (const char *mode : {"torch", "torch-as-installed"}) {
        results.attempt(name, mode, threads, [&] {
          std::vector<std::string> argv = {
              torchExe, "--suite", "models", "--model", name, "--mode", mode};
          for (std::string &a : commonArgs(options, threads))
            argv.push_back(std::move(a));
          return runRecordProcess(argv, torchEnv(mode, threads),
                                  "dlc-bench-torch --model " + name);
        });
      }
    }
  }
  return haveTorch;
}

} // namespace dlcbench
