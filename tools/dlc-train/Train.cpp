//===- Train.cpp - Train a CTR model on a dataset, as dlc-train does ------===//
//
// Reads the dataset's train/validation/test splits, builds the model over
// their feature columns, trains it with fit() (early stopping on val_auc,
// the best checkpoint reloaded, TensorBoard, history files), scores the
// test split and what baselines score on it, and returns all of it as the
// JSON --metrics-json writes. Written against <dlc/dlc.h> only, as a
// user's program. dlc-train and dlc-tune (one run per trial) call it.
//
//===----------------------------------------------------------------------===//

#include "Train.h"

#include "ModelCard.h"

#include <dlc/dlc.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <numeric>

namespace dlc::tools {

namespace {

double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

data::CtrSplits loadData(const TrainArgs &a, bool sequences) {
  if (a.dataKind == "criteo")
    return data::criteo(a.dataDir);
  if (sequences)
    return data::movielens_sequences(a.dataDir,
                                     data::MovieLensSequenceOptions()
                                         .seed(a.seed)
                                         .max_history(a.maxHistory)
                                         .max_users(a.maxUsers)
                                         .negative_history(a.model == "dien"));
  return data::movielens_ctr(a.dataDir,
                             data::MovieLensCtrOptions().seed(a.seed));
}

std::unique_ptr<optim::Optimizer> makeOptimizer(const TrainArgs &a,
                                                std::vector<Tensor> params) {
  if (a.optimizer == "adam")
    return std::make_unique<optim::Adam>(
        params, optim::AdamOptions(a.lr).weight_decay(a.weightDecay));
  if (a.optimizer == "adamw")
    return std::make_unique<optim::AdamW>(
        params, optim::AdamWOptions(a.lr).weight_decay(a.weightDecay));
  if (a.optimizer == "sgd")
    return std::make_unique<optim::SGD>(
        params,
        optim::SGDOptions(a.lr).momentum(0.9).weight_decay(a.weightDecay));
  if (a.optimizer == "adagrad")
    return std::make_unique<optim::Adagrad>(
        params, optim::AdagradOptions(a.lr).weight_decay(a.weightDecay));
  return std::make_unique<optim::RMSprop>(
      params, optim::RMSpropOptions(a.lr).weight_decay(a.weightDecay));
}

/// Every row of `dataset` as one batch (for the baselines).
data::TabularBatch allRows(data::TabularDataset dataset) {
  std::vector<size_t> indices(dataset.num_rows());
  std::iota(indices.begin(), indices.end(), size_t{0});
  return dataset.get_batch(indices);
}

/// What predictors without a model score on the test split: the training
/// click rate for every row (AUC 0.5: a random ranking), the item's click
/// count in train (where there is an item_id), and the smoothed click rate
/// of one categorical column's value in train, the column picked by its
/// validation AUC.
Json baselines(data::TabularDataset &train, data::TabularDataset &valid,
               data::TabularDataset &test) {
  data::TabularBatch trainRows = allRows(train), testRows = allRows(test);
  data::TabularBatch validRows = allRows(valid);
  std::vector<float> trainLabels = trainRows.target.to_vector<float>();
  std::vector<float> testLabels = testRows.target.to_vector<float>();
  double rate = std::accumulate(trainLabels.begin(), trainLabels.end(), 0.0) /
                static_cast<double>(trainLabels.size());
  Json json;
  auto logloss = train::make_metric("logloss");
  logloss->update(std::vector<float>(testLabels.size(), float(rate)),
                  testLabels);
  json["constant"] = {
      {"predicts", rate}, {"auc", 0.5}, {"logloss", logloss->compute()}};

  const auto &names = train.categorical_names();
  auto item = std::find(names.begin(), names.end(), "item_id");
  if (item != names.end()) {
    auto column = static_cast<int64_t>(item - names.begin());
    auto ids = [&](const data::TabularBatch &rows) {
      return rows.categorical.select(1, column).to_vector<int64_t>();
    };
    std::map<int64_t, double> clicks;
    std::vector<int64_t> trainIds = ids(trainRows);
    for (size_t i = 0; i < trainIds.size(); ++i)
      clicks[trainIds[i]] += trainLabels[i];
    std::vector<float> scores;
    for (int64_t id : ids(testRows))
      scores.push_back(static_cast<float>(clicks[id]));
    auto auc = train::make_metric("auc");
    auc->update(scores, testLabels);
    json["item_popularity"] = {{"auc", auc->compute()}};
  }

  // Per column: (clicks + 10 rate) / (rows + 10) of the value in train.
  std::vector<float> validLabels = validRows.target.to_vector<float>();
  std::string bestName;
  double bestValid = -1, bestTest = 0;
  for (size_t c = 0; c < names.size(); ++c) {
    auto ids = [&](const data::TabularBatch &rows) {
      return rows.categorical.select(1, static_cast<int64_t>(c))
          .to_vector<int64_t>();
    };
    std::map<int64_t, std::pair<double, double>> counts; // clicks, rows
    std::vector<int64_t> trainIds = ids(trainRows);
    for (size_t i = 0; i < trainIds.size(); ++i) {
      counts[trainIds[i]].first += trainLabels[i];
      counts[trainIds[i]].second += 1;
    }
    auto score = [&](const data::TabularBatch &rows,
                     const std::vector<float> &labels) {
      std::vector<float> scores;
      for (int64_t id : ids(rows)) {
        auto [clicks, seen] = counts[id];
        scores.push_back(
            static_cast<float>((clicks + 10 * rate) / (seen + 10)));
      }
      auto auc = train::make_metric("auc");
      auc->update(scores, labels);
      return auc->compute();
    };
    double validAuc = score(validRows, validLabels);
    if (validAuc > bestValid) {
      bestValid = validAuc;
      bestTest = score(testRows, testLabels);
      bestName = names[c];
    }
  }
  if (!bestName.empty())
    json["best_column_click_rate"] = {
        {"column", bestName}, {"valid_auc", bestValid}, {"auc", bestTest}};
  return json;
}

Json logsJson(const train::Logs &logs, const std::string &prefix = "") {
  Json json = Json::object();
  for (const auto &[name, value] : logs)
    if (prefix.empty() || name.starts_with(prefix))
      json[name.substr(prefix.size())] = value;
  return json;
}

void printSummary(const Json &base, const train::Logs &best,
                  const train::Logs &test, size_t epochsRun, int64_t bestEpoch,
                  double firstStepCompile, double fitSeconds,
                  const std::string &checkpoint, const std::string &out) {
  std::printf("\nbest epoch %lld of %zu: val auc %.4f, logloss %.4f\n",
              static_cast<long long>(bestEpoch + 1), epochsRun,
              train::find_log(best, "val_auc").value_or(NAN),
              train::find_log(best, "val_logloss").value_or(NAN));
  std::printf("test: auc %.4f, logloss %.4f (constant click rate: auc 0.5, "
              "logloss %.4f",
              *train::find_log(test, "auc"), *train::find_log(test, "logloss"),
              base.contains("constant")
                  ? base["constant"]["logloss"].get<double>()
                  : NAN);
  if (base.contains("item_popularity"))
    std::printf("; item popularity: auc %.4f",
                base["item_popularity"]["auc"].get<double>());
  if (base.contains("best_column_click_rate"))
    std::printf(
        "; click rate of %s: auc %.4f",
        base["best_column_click_rate"]["column"].get<std::string>().c_str(),
        base["best_column_click_rate"]["auc"].get<double>());
  std::printf(")\nfirst step compiled in %.2f s; %.1f s training in all; "
              "checkpoint %s, TensorBoard %s/tensorboard\n",
              firstStepCompile, fitSeconds, checkpoint.c_str(), out.c_str());
}

/// What --resume continues from: OUT/last/ holds the model and optimizer of
/// the last completed epoch and state.json (the epoch, the best so far, the
/// history), written after both (atomically, by rename), so that a run
/// killed while writing leaves the previous epoch's state.
struct ResumeState {
  int64_t epoch = 0; ///< epochs completed
  double best = 0;
  int64_t bestEpoch = -1;
  std::string bestPath;
  train::History history;
  RngState rng;
  /// EarlyStopping's best, its epoch and the epochs waited since.
  double stopBest = 0;
  int64_t stopBestEpoch = -1;
  int64_t stopWait = 0;
  bool stoppedEarly = false;
};

std::optional<ResumeState> readResumeState(const std::string &out,
                                           const std::string &dir) {
  std::ifstream file(dir + "/state.json");
  if (!file)
    return std::nullopt;
  Json json;
  try {
    json = Json::parse(file);
    ResumeState state;
    state.epoch = json.at("epoch").get<int64_t>();
    state.best = json.at("best").get<double>();
    state.bestEpoch = json.at("best_epoch").get<int64_t>();
    state.bestPath = json.at("best_path").get<std::string>();
    if (!state.bestPath.empty() && state.bestPath.front() != '/')
      state.bestPath = out + "/" + state.bestPath;
    state.stoppedEarly = json.at("stopped_early").get<bool>();
    state.rng.seed = json.at("rng_seed").get<uint64_t>();
    state.rng.offset = json.at("rng_offset").get<uint64_t>();
    const Json &stop = json.at("early_stopping");
    state.stopBest =
        stop.at("best").is_null() ? NAN : stop.at("best").get<double>();
    state.stopBestEpoch = stop.at("best_epoch").get<int64_t>();
    state.stopWait = stop.at("wait").get<int64_t>();
    for (const Json &e : json.at("history")) {
      train::Logs logs;
      for (const Json &pair : e.at("logs"))
        logs.emplace_back(pair.at(0).get<std::string>(),
                          pair.at(1).is_null() ? NAN
                                               : pair.at(1).get<double>());
      state.history.append(e.at("epoch").get<int64_t>(), logs);
    }
    return state;
  } catch (const std::exception &error) {
    throw Error("dlc-train: --resume: " + dir +
                "/state.json is not a state "
                "dlc-train wrote: " +
                error.what());
  }
}

void writeResumeState(const std::string &out, const std::string &dir,
                      nn::Module &model, optim::Optimizer &optimizer,
                      int64_t epochsDone,
                      const train::ModelCheckpoint &checkpoint,
                      const train::EarlyStopping *stopping,
                      const train::History &history, bool stopped) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error)
    throw Error("dlc-train: cannot create " + dir + ": " + error.message());
  dlc::save(model, dir + "/model.safetensors");
  dlc::save(optimizer, dir + "/optimizer.safetensors");
  Json json;
  json["epoch"] = epochsDone;
  json["stopped_early"] = stopped;
  json["best"] = checkpoint.best();
  json["best_epoch"] = checkpoint.best_epoch();
  // Relative to --out, so that the state does not depend on where the run
  // directory is (dlc-train/deterministic compares two runs' files).
  std::string best = checkpoint.best_path();
  if (best.starts_with(out + "/"))
    best = best.substr(out.size() + 1);
  json["best_path"] = best;
  RngState rng = get_rng_state();
  json["rng_seed"] = rng.seed;
  json["rng_offset"] = rng.offset;
  double stopBest = stopping ? stopping->best() : NAN;
  json["early_stopping"] = {
      {"best", std::isfinite(stopBest) ? Json(stopBest) : Json()},
      {"best_epoch", stopping ? stopping->best_epoch() : -1},
      {"wait", stopping ? stopping->wait_count() : 0}};
  json["history"] = Json::array();
  for (size_t i = 0; i < history.size(); ++i) {
    Json logs = Json::array();
    for (const auto &[name, value] : history.logs()[i])
      logs.push_back({name, std::isfinite(value) ? Json(value) : Json()});
    json["history"].push_back({{"epoch", history.epochs()[i]}, {"logs", logs}});
  }
  std::string temp = dir + "/state.json.tmp";
  {
    std::ofstream file(temp);
    file << json.dump(1) << "\n";
    if (!file.flush())
      throw Error("dlc-train: cannot write " + temp);
  }
  std::filesystem::rename(temp, dir + "/state.json", error);
  if (error)
    throw Error("dlc-train: cannot write " + dir +
                "/state.json: " + error.message());
}

} // namespace

Json train_model(const TrainArgs &a, const TrainHooks &hooks) {
  if (a.distributed)
    distributed::init_process_group();
  int rank = distributed::get_rank(), world = distributed::get_world_size();
  if (a.batchSize % world != 0)
    throw Error("dlc-train: --batch-size " + std::to_string(a.batchSize) +
                " does not split evenly over " + std::to_string(world) +
                " processes");
  int64_t localBatch = a.batchSize / world;
  // Rank 0 prints and writes; the others train quietly.
  int verbose = rank == 0 ? a.verbose : 0;
  bool writer = rank == 0;
  if (a.threads > 0)
    set_num_threads(static_cast<int>(a.threads));
  manual_seed(a.seed);
  bool sequences = a.model == "din" || a.model == "dien";

  double start = now();
  data::CtrSplits splits = loadData(a, sequences);
  double loadSeconds = now() - start;
  std::vector<models::FeatureColumn> columns =
      models::feature_columns(splits.train, a.embeddingDim);
  if (verbose > 0)
    std::cout << "dlc-train: " << a.model << " on " << a.dataKind << " ("
              << a.dataDir << "): " << splits.train.num_rows() << " train, "
              << splits.valid.num_rows() << " validation, "
              << splits.test.num_rows() << " test rows, " << columns.size()
              << " feature columns, read in " << std::lround(loadSeconds * 1000)
              << " ms\n";
  if (verbose > 0 && world > 1)
    std::cout << "dlc-train: data parallel over " << world << " processes, "
              << localBatch << " rows per process and step\n";

  models::ModelConfig config =
      models::ModelConfig().dnn_hidden_units(a.dnn).dnn_dropout(a.dropout);
  std::shared_ptr<models::CtrModelImpl> model =
      models::make_model(a.model, columns, config);
  std::unique_ptr<optim::Optimizer> optimizer =
      makeOptimizer(a, model->parameters());

  // --resume: the state of the last completed epoch, read by every rank.
  std::string lastDir = a.out + "/last";
  std::optional<ResumeState> resumed;
  if (a.resume) {
    resumed = readResumeState(a.out, lastDir);
    if (resumed) {
      dlc::load(*model, lastDir + "/model.safetensors");
      dlc::load(*optimizer, lastDir + "/optimizer.safetensors");
      // Dropout draws what the uninterrupted run would have.
      set_rng_state(resumed->rng);
      if (verbose > 0)
        std::cout << "dlc-train: resuming after epoch " << resumed->epoch
                  << " from " << lastDir << "\n";
    } else if (verbose > 0) {
      std::cout << "dlc-train: --resume: nothing saved in " << lastDir
                << " yet; starting from the first epoch\n";
    }
  }
  // Gradients averaged over the processes (a no-op for one); every rank
  // starts from rank 0's parameters.
  nn::DistributedDataParallel ddp(model);

  // Every epoch's permutation follows from (--seed, epoch): with one
  // process the same order as RandomSampler(rows, seed); on N, disjoint
  // shards of it; and a resumed run continues the sequence.
  data::samplers::DistributedRandomSampler trainSampler(
      splits.train.num_rows(), static_cast<size_t>(world),
      static_cast<size_t>(rank), /*allow_duplicates=*/true, a.seed);
  if (resumed)
    trainSampler.set_epoch(static_cast<size_t>(resumed->epoch));
  auto trainLoader = data::make_data_loader(
      splits.train, std::move(trainSampler),
      data::DataLoaderOptions(static_cast<size_t>(localBatch))
          .workers(static_cast<size_t>(a.workers)));
  auto evalLoader = [&](const auto &dataset) {
    return data::make_data_loader(
        dataset,
        data::samplers::DistributedEvalSampler(dataset.num_rows(),
                                               static_cast<size_t>(world),
                                               static_cast<size_t>(rank)),
        data::DataLoaderOptions(static_cast<size_t>(localBatch)));
  };
  auto validLoader = evalLoader(splits.valid);
  auto testLoader = evalLoader(splits.test);

  // Per epoch: wall time of the training batches and of the whole epoch,
  // rows per second, compile time and cache counters.
  if (writer) {
    std::error_code error;
    std::filesystem::create_directories(a.out, error);
    if (error)
      throw Error("dlc-train: cannot create the --out directory " + a.out +
                  ": " + error.message());
    // What dlc-board needs to score examples with the checkpoint.
    save_model_card(ModelCard{a.model, config, columns, a.dataKind,
                              a.dataKind == "criteo" ? "log1p" : "none",
                              splits.train.vocabularies()},
                    a.out);
  }
  Json epochs = Json::array();
  double firstStepCompile = 0, epochStart = 0, lastBatchEnd = 0;
  Stats epochStats;
  train::LambdaCallback timing;
  timing.train_begin = [&](train::TrainState &) { epochStats = stats(); };
  timing.epoch_begin = [&](train::TrainState &) {
    epochStart = now();
    epochStats = stats();
  };
  timing.batch_end = [&](train::TrainState &state, int64_t,
                         const train::Logs &) {
    lastBatchEnd = now();
    if (state.global_step == 1)
      firstStepCompile = stats().compile_seconds - epochStats.compile_seconds;
  };
  timing.epoch_end = [&](train::TrainState &state, const train::Logs &) {
    Stats s = stats();
    double trainSeconds = lastBatchEnd - epochStart;
    int64_t rows =
        std::min<int64_t>(state.steps_per_epoch * a.batchSize,
                          static_cast<int64_t>(splits.train.num_rows()));
    Json e = {
        {"epoch", state.epoch + 1},
        {"train_seconds", trainSeconds},
        {"seconds", now() - epochStart},
        {"samples_per_second", rows / std::max(trainSeconds, 1e-9)},
        {"compile_seconds", s.compile_seconds - epochStats.compile_seconds},
        {"cache_hits", s.cache_hits - epochStats.cache_hits},
        {"cache_misses", s.cache_misses - epochStats.cache_misses}};
    if (verbose > 0)
      std::printf("  epoch %lld: %.0f samples/s, %.2f s training, compile "
                  "%.2f s, cache %lld hits / %lld misses\n",
                  static_cast<long long>(state.epoch + 1),
                  e["samples_per_second"].get<double>(), trainSeconds,
                  e["compile_seconds"].get<double>(),
                  static_cast<long long>(e["cache_hits"].get<int64_t>()),
                  static_cast<long long>(e["cache_misses"].get<int64_t>()));
    epochs.push_back(e);
  };

  auto checkpoint = std::make_shared<train::ModelCheckpoint>(
      a.out + "/best.safetensors", train::ModelCheckpointOptions()
                                       .monitor("val_auc")
                                       .save_best_only(true)
                                       .load_best_on_train_end(true));
  if (resumed)
    checkpoint->resume(resumed->best, resumed->bestEpoch, resumed->bestPath);
  std::vector<train::AnyCallback> callbacks = {timing, checkpoint};
  if (writer)
    callbacks.push_back(train::TensorBoard(a.out + "/tensorboard"));
  std::shared_ptr<train::EarlyStopping> stopping;
  if (a.patience >= 0) {
    stopping = std::make_shared<train::EarlyStopping>(
        train::EarlyStoppingOptions("val_auc").patience(a.patience));
    if (resumed && resumed->stopBestEpoch >= 0)
      stopping->resume(resumed->stopBest, resumed->stopBestEpoch,
                       resumed->stopWait);
    callbacks.push_back(stopping);
  }
  // After the checkpoint and early stopping: what --resume needs, every
  // epoch.
  if (writer) {
    train::LambdaCallback saveState;
    saveState.epoch_end = [&](train::TrainState &state, const train::Logs &) {
      writeResumeState(a.out, lastDir, *model, *optimizer, state.epoch + 1,
                       *checkpoint, stopping.get(), *state.history,
                       state.stop_training);
    };
    callbacks.push_back(saveState);
  }
  callbacks.insert(callbacks.end(), hooks.callbacks.begin(),
                   hooks.callbacks.end());

  // DIEN adds its auxiliary loss to the task loss.
  auto loss = [model](const Tensor &logits, const Tensor &target) {
    Tensor l = nn::functional::binary_cross_entropy_with_logits(logits, target);
    Tensor aux = model->auxiliary_loss();
    return aux.defined() ? l + aux : l;
  };
  train::FitOptions options =
      train::FitOptions()
          .epochs(a.epochs)
          .metrics({"auc", "logloss"})
          .metric_options(train::MetricOptions().from_logits(true))
          .verbose(verbose)
          // A run early stopping ended has nothing left to train.
          .initial_epoch(!resumed                ? 0
                         : resumed->stoppedEarly ? a.epochs
                                                 : resumed->epoch)
          .initial_history(resumed ? resumed->history : train::History())
          .steps_per_epoch(a.maxSteps)
          .history_csv(a.out + "/history.csv")
          .history_json(a.out + "/history.json")
          .callbacks(callbacks);
  train::Trainer trainer(model, loss, *optimizer, options);
  double fitStart = now();
  train::History history = trainer.fit(*trainLoader, *validLoader);
  double fitSeconds = now() - fitStart;

  trainer.options().verbose(0);
  train::Logs test = trainer.evaluate(*testLoader);
  Json base = hooks.baselines
                  ? baselines(splits.train, splits.valid, splits.test)
                  : Json::object();
  const train::Logs &best = history.logs().at(
      static_cast<size_t>(std::max<int64_t>(checkpoint->best_epoch(), 0)));

  if (verbose > 0)
    printSummary(base, best, test, history.size(), checkpoint->best_epoch(),
                 firstStepCompile, fitSeconds, checkpoint->best_path(), a.out);

  Json json;
  json["model"] = a.model;
  json["data"] = a.dataKind + ":" + a.dataDir;
  json["rows"] = {{"train", splits.train.num_rows()},
                  {"valid", splits.valid.num_rows()},
                  {"test", splits.test.num_rows()}};
  json["epochs_run"] = history.size();
  json["best_epoch"] = checkpoint->best_epoch() + 1;
  json["train"] = logsJson(best);
  for (const char *key : {"val_loss", "val_auc", "val_logloss", "lr"})
    json["train"].erase(key);
  json["valid"] = logsJson(best, "val_");
  json["test"] = logsJson(test);
  json["baselines"] = base;
  double perEpoch = 0;
  for (const Json &e : epochs)
    perEpoch += e["seconds"].get<double>();
  json["timings"] = {
      {"load_seconds", loadSeconds},
      {"first_step_compile_seconds", firstStepCompile},
      {"fit_seconds", fitSeconds},
      {"seconds_per_epoch", perEpoch / std::max<size_t>(epochs.size(), 1)},
      {"epochs", epochs}};
  Stats s = stats();
  json["compiler"] = {{"compile_seconds", s.compile_seconds},
                      {"cache_hits", s.cache_hits},
                      {"cache_misses", s.cache_misses},
                      {"kernels", s.kernels}};
  json["processes"] = world;
  if (!a.metricsJson.empty() && writer) {
    std::ofstream file(a.metricsJson);
    file << json.dump(2) << "\n";
    if (!file.flush())
      throw Error("dlc-train: cannot write " + a.metricsJson);
  }
  return json;
}

} // namespace dlc::tools
