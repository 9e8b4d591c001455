//===- FitTest.cpp - fit(), evaluate(), predict(), callbacks, history -----===//
//
// XOR learnt to ~zero loss in the three styles (a hand-written loop, the
// fit() function, a Trainer subclass), each step one compiled program; the
// callbacks on hand-made logs (EarlyStopping's Keras rules, checkpoints,
// schedules, logs); and the errors a user can cause.
//
//===----------------------------------------------------------------------===//

#include "../TestUtil.h"
#include "../data/DataTestUtil.h"
#include "TrainTestUtil.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace dlc;
using dlc::test::errorOf;
namespace fs = std::filesystem;

namespace {

using TempDirTest = dlc::test::TempDirTest;

std::string readText(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// XOR as one batch of four rows.
std::vector<train::Batch> xorBatches() {
  Tensor x = tensor({0.f, 0.f, 0.f, 1.f, 1.f, 0.f, 1.f, 1.f}).reshape({4, 2});
  Tensor y = tensor({0.f, 1.f, 1.f, 0.f}).reshape({4, 1});
  return {{x, y}};
}

nn::Sequential xorModel() {
  manual_seed(7);
  return nn::Sequential(nn::Linear(2, 8), nn::Tanh(), nn::Linear(8, 1),
                        nn::Sigmoid());
}

constexpr int kXorEpochs = 300;
constexpr double kXorLoss = 0.02;

void expectSolvesXor(nn::Sequential &model) {
  NoGradGuard noGrad;
  model->eval();
  std::vector<float> p =
      model->forward(xorBatches()[0].data).to_vector<float>();
  ASSERT_EQ(p.size(), 4u);
  EXPECT_LT(p[0], 0.1f);
  EXPECT_GT(p[1], 0.9f);
  EXPECT_GT(p[2], 0.9f);
  EXPECT_LT(p[3], 0.1f);
}

} // namespace

//===----------------------------------------------------------------------===//
// XOR in three styles
//===----------------------------------------------------------------------===//

TEST(Fit, XorInAHandWrittenLoop) {
  nn::Sequential model = xorModel();
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(0.1));
  std::vector<train::Batch> loader = xorBatches();
  double loss = 0;
  for (int epoch = 0; epoch < kXorEpochs; ++epoch) {
    for (const train::Batch &batch : loader) {
      optimizer.zero_grad();
      Tensor l = nn::functional::binary_cross_entropy(
          model->forward(batch.data), batch.target);
      l.backward();
      optimizer.step();
      loss = l.item<double>();
    }
  }
  EXPECT_LT(loss, kXorLoss);
  expectSolvesXor(model);
}

TEST(Fit, XorThroughTheFitFunctionOneProgramPerStep) {
  nn::Sequential model = xorModel();
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(0.1));
  std::vector<train::Batch> loader = xorBatches();
  // The first two epochs compile the step (Adam's first step, which
  // creates its state, differs); afterwards each step is one execution of
  // one cached program, the loss and outputs read from its results.
  train::fit(model, nn::BCELoss(), optimizer, loader,
             train::FitOptions().epochs(2).verbose(0));
  reset_stats();
  train::History history = train::fit(model, nn::BCELoss(), optimizer, loader,
                                      train::FitOptions()
                                          .epochs(kXorEpochs - 2)
                                          .metrics({"accuracy", "logloss"})
                                          .verbose(0));
  Stats stats = dlc::stats();
  EXPECT_EQ(stats.cache_misses, 0);
  EXPECT_EQ(stats.executions, kXorEpochs - 2);

  ASSERT_EQ(history.size(), static_cast<size_t>(kXorEpochs - 2));
  EXPECT_EQ(history.keys(),
            (std::vector<std::string>{"loss", "accuracy", "logloss", "lr"}));
  EXPECT_LT(history["loss"].back(), kXorLoss);
  EXPECT_LT(history["loss"].back(), history["loss"].front());
  EXPECT_EQ(history["accuracy"].back(), 1.0);
  // logloss is the same quantity as BCELoss, computed on the host.
  EXPECT_NEAR(history["logloss"].back(), history["loss"].back(), 1e-4);
  EXPECT_DOUBLE_EQ(history["lr"].back(), 0.1);
  expectSolvesXor(model);
}

namespace {

/// The class style: a Trainer whose step a subclass wraps.
class CountingTrainer : public train::Trainer {
public:
  using Trainer::Trainer;
  int trainSteps = 0;
  int testSteps = 0;

protected:
  StepResult train_step(const train::Batch &batch) override {
    ++trainSteps;
    return Trainer::train_step(batch);
  }
  StepResult test_step(const train::Batch &batch) override {
    ++testSteps;
    EXPECT_FALSE(module().is_training());
    EXPECT_FALSE(GradMode::is_enabled());
    return Trainer::test_step(batch);
  }
};

} // namespace

TEST(Fit, XorThroughATrainerSubclass) {
  nn::Sequential model = xorModel();
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(0.1));
  std::vector<train::Batch> loader = xorBatches();
  CountingTrainer trainer(
      model, nn::BCELoss(), optimizer,
      train::FitOptions().epochs(kXorEpochs).metrics({"auc"}).verbose(0));
  train::History history = trainer.fit(loader, loader);
  EXPECT_EQ(trainer.trainSteps, kXorEpochs);
  EXPECT_EQ(trainer.testSteps, kXorEpochs);
  EXPECT_LT(history["loss"].back(), kXorLoss);
  EXPECT_LT(history["val_loss"].back(), kXorLoss);
  EXPECT_EQ(history["val_auc"].back(), 1.0);
  EXPECT_EQ(trainer.history().size(), history.size());
  // fit() leaves the model in the mode it found it in.
  EXPECT_TRUE(model->is_training());

  train::Logs logs = trainer.evaluate(loader);
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0].first, "loss");
  EXPECT_NEAR(logs[0].second, history["val_loss"].back(), 1e-3);
  EXPECT_EQ(logs[1], (std::pair<std::string, double>{"auc", 1.0}));

  Tensor predictions = trainer.predict(loader);
  EXPECT_EQ(predictions.sizes().vec(), (std::vector<int64_t>{4, 1}));
  std::vector<float> p = predictions.to_vector<float>();
  EXPECT_LT(p[0], 0.1f);
  EXPECT_GT(p[1], 0.9f);
  expectSolvesXor(model);
}

TEST(Fit, PredictConcatenatesBatchesAndBatchesMayBeExampleVectors) {
  nn::Linear model(nn::LinearOptions(2, 1).bias(false));
  {
    NoGradGuard noGrad;
    model->weight.copy_(tensor({1.f, 10.f}).reshape({1, 2}));
  }
  // Unstacked examples (a loader without transforms::Stack).
  using Example = data::Example<>;
  std::vector<std::vector<Example>> batches = {
      {Example(tensor({1.f, 2.f}), tensor({0.f}))},
      {Example(tensor({3.f, 4.f}), tensor({1.f})),
       Example(tensor({5.f, 6.f}), tensor({1.f}))}};
  Tensor p = train::predict(model, batches);
  test::expectTensor(p, {3, 1}, kFloat, {21, 43, 65});
}

//===----------------------------------------------------------------------===//
// Progress and history files
//===----------------------------------------------------------------------===//

TEST_F(TempDirTest, PlainProgressPrintsALinePerEpochAndHistoryFiles) {
  nn::Sequential model = xorModel();
  optim::SGD optimizer(model->parameters(), optim::SGDOptions(0.1));
  std::vector<train::Batch> loader = xorBatches();
  std::ostringstream out;
  train::History history =
      train::fit(model, nn::BCELoss(), optimizer, loader, loader,
                 train::FitOptions()
                     .epochs(3)
                     .metrics({"auc"})
                     .out(&out)
                     .history_csv(path("history.csv"))
                     .history_json(path("history.json")));
  std::string text = out.str();
  EXPECT_NE(text.find("epoch 1/3"), std::string::npos) << text;
  EXPECT_NE(text.find("epoch 3/3"), std::string::npos) << text;
  EXPECT_NE(text.find("val_auc: "), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;

  std::string csv = readText(path("history.csv"));
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "epoch,loss,auc,val_loss,val_auc,lr");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  EXPECT_EQ(csv, history.to_csv());
  EXPECT_EQ(readText(path("history.json")), history.to_json());
  EXPECT_NE(history.to_json().find("\"epoch\": [\n    0,\n    1,\n    2\n  ]"),
            std::string::npos)
      << history.to_json();
}

TEST(History, KeysCsvJsonAndErrors) {
  train::History history;
  history.append(0, {{"loss", 0.5}, {"auc", 0.25}});
  history.append(1, {{"loss", 0.1}, {"val_loss", std::nan("")}});
  EXPECT_EQ(history.keys(),
            (std::vector<std::string>{"loss", "auc", "val_loss"}));
  EXPECT_EQ(history.epochs(), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(history["loss"], (std::vector<double>{0.5, 0.1}));
  EXPECT_TRUE(std::isnan(history["auc"][1]));
  EXPECT_EQ(history.to_csv(),
            "epoch,loss,auc,val_loss\n0,0.5,0.25,\n1,0.1,,nan\n");
  EXPECT_EQ(history.to_csv(';'),
            "epoch;loss;auc;val_loss\n0;0.5;0.25;\n1;0.1;;nan\n");
  EXPECT_EQ(history.to_json(),
            "{\n  \"epoch\": [\n    0,\n    1\n  ],\n  \"loss\": [\n    0.5,\n"
            "    0.1\n  ],\n  \"auc\": [\n    0.25,\n    null\n  ],\n"
            "  \"val_loss\": [\n    null,\n    null\n  ]\n}\n");

  EXPECT_DLC_ERROR(history.at("acc"),
                   "History: no metric 'acc'; there are: loss, auc, val_loss");
  EXPECT_DLC_ERROR(history.append(1, {}),
                   "History::append: epoch 1 does not follow epoch 1");
  EXPECT_DLC_ERROR(history.save_csv("/nonexistent-dir/h.csv"),
                   "History::save_csv: /nonexistent-dir/h.csv: cannot create "
                   "a temporary file in /nonexistent-dir");
  EXPECT_EQ(train::format_number(0.1), "0.1");
  EXPECT_EQ(train::format_number(1e-7), "1e-07");
  EXPECT_EQ(train::format_number(-INFINITY), "-inf");
}

//===----------------------------------------------------------------------===//
// EarlyStopping
//===----------------------------------------------------------------------===//

namespace {

/// Runs `callback` over epochs whose logs hold `monitor` = values[e];
/// returns the epoch after which training stopped, or -1. The module's
/// weight is set to the epoch number before each epoch ends.
int64_t runEpochs(train::Callback &callback, const std::string &monitor,
                  const std::vector<double> &values,
                  nn::Linear *module = nullptr, Loc loc = Loc::current()) {
  nn::Linear fallback(1, 1);
  nn::Linear &m = module ? *module : fallback;
  train::TrainState state;
  state.module = m.ptr().get();
  state.epochs = static_cast<int64_t>(values.size());
  state.loc = loc;
  callback.on_train_begin(state);
  int64_t stopped = -1;
  for (size_t e = 0; e < values.size(); ++e) {
    state.epoch = static_cast<int64_t>(e);
    callback.on_epoch_begin(state);
    {
      NoGradGuard noGrad;
      m->weight.fill_(static_cast<double>(e));
    }
    callback.on_epoch_end(state, {{"loss", 1.0}, {monitor, values[e]}});
    if (state.stop_training) {
      stopped = state.epoch;
      break;
    }
  }
  callback.on_train_end(state);
  return stopped;
}

} // namespace

TEST(EarlyStopping, KerasRules) {
  using train::EarlyStopping;
  using train::EarlyStoppingOptions;
  // Best at epoch 1; two epochs without improvement stop at epoch 3.
  EarlyStopping patient(EarlyStoppingOptions().patience(2));
  EXPECT_EQ(runEpochs(patient, "val_loss", {1.0, 0.9, 0.95, 0.97, 0.5}), 3);
  EXPECT_EQ(patient.stopped_epoch(), 3);
  EXPECT_EQ(patient.best_epoch(), 1);
  EXPECT_DOUBLE_EQ(patient.best(), 0.9);

  // patience 0 stops at the first epoch without improvement (never epoch 0).
  EarlyStopping impatient;
  EXPECT_EQ(runEpochs(impatient, "val_loss", {1.0, 1.0}), 1);

  // min_delta: an improvement smaller than it does not count.
  EarlyStopping delta(EarlyStoppingOptions().min_delta(0.1).patience(1));
  EXPECT_EQ(runEpochs(delta, "val_loss", {1.0, 0.95, 0.5}), 1);

  // auc is maximized in auto mode; "min" forces the other way.
  EarlyStopping auc(EarlyStoppingOptions("val_auc").patience(1));
  EXPECT_EQ(runEpochs(auc, "val_auc", {0.6, 0.7, 0.8, 0.75, 0.9}), 3);
  EarlyStopping forcedMin(EarlyStoppingOptions("val_auc")
                              .mode(train::MonitorMode::Min)
                              .patience(1));
  EXPECT_EQ(runEpochs(forcedMin, "val_auc", {0.6, 0.7, 0.8}), 1);

  // baseline: improving but not past it keeps counting.
  EarlyStopping baseline(EarlyStoppingOptions().patience(2).baseline(0.5));
  EXPECT_EQ(runEpochs(baseline, "val_loss", {0.9, 0.8, 0.85, 0.4}), 2);
  // ... but an improvement itself never stops training (Keras's rule).
  EarlyStopping improving(EarlyStoppingOptions().patience(1).baseline(0.1));
  EXPECT_EQ(runEpochs(improving, "val_loss", {0.9, 0.8, 0.7, 0.6}), -1);

  // start_from_epoch: the first epochs are not watched.
  EarlyStopping late(EarlyStoppingOptions().start_from_epoch(2));
  EXPECT_EQ(runEpochs(late, "val_loss", {1.0, 2.0, 3.0, 4.0}), 3);

  // NaN is never an improvement.
  EarlyStopping nan;
  EXPECT_EQ(runEpochs(nan, "val_loss", {1.0, std::nan("")}), 1);
}

TEST(EarlyStopping, ResumesWithTheInterruptedRunsCount) {
  using train::EarlyStopping;
  using train::EarlyStoppingOptions;
  // The interrupted run: best 0.9 at epoch 1, one epoch waited since; with
  // patience 3, two more epochs without improvement stop training (a fresh
  // callback would take 0.95 as its best and wait on).
  EarlyStopping resumed(EarlyStoppingOptions().patience(3));
  resumed.resume(0.9, 1, 1);
  EXPECT_EQ(runEpochs(resumed, "val_loss", {0.95, 0.97, 0.99}), 1);
  EXPECT_EQ(resumed.best_epoch(), 1);
  EXPECT_DOUBLE_EQ(resumed.best(), 0.9);
  EXPECT_EQ(resumed.wait_count(), 3);
  EarlyStopping fresh(EarlyStoppingOptions().patience(3));
  EXPECT_EQ(runEpochs(fresh, "val_loss", {0.95, 0.97, 0.99}), -1);
}

TEST(EarlyStopping, RestoresTheBestWeightsAndNamesAMissingMonitor) {
  nn::Linear model(1, 1);
  std::ostringstream out;
  train::EarlyStopping stopping(train::EarlyStoppingOptions()
                                    .patience(2)
                                    .restore_best_weights(true)
                                    .verbose(true));
  EXPECT_EQ(runEpochs(stopping, "val_loss", {0.9, 0.5, 0.7, 0.8}, &model), 3);
  // The weight was set to the epoch number: the best epoch was 1.
  EXPECT_EQ(model->weight.item<float>(), 1.0f);

  train::EarlyStopping missing(train::EarlyStoppingOptions("val_auc"));
  EXPECT_DLC_ERROR(
      runEpochs(missing, "auc", {0.5}, nullptr, Loc::current()),
      "EarlyStopping: the logs have no 'val_auc' to monitor (they have: loss, "
      "auc); validation logs need a validation loader");
  EXPECT_EQ(errorOf([] {
              train::EarlyStopping(train::EarlyStoppingOptions().patience(-1));
            }),
            "EarlyStopping: patience -1 is negative");
}

//===----------------------------------------------------------------------===//
// ModelCheckpoint
//===----------------------------------------------------------------------===//

TEST_F(TempDirTest, ModelCheckpointKeepsTheBestAndReloadsIt) {
  nn::Linear model(1, 1);
  train::ModelCheckpoint checkpoint(path("ckpt/best.safetensors"),
                                    train::ModelCheckpointOptions()
                                        .save_best_only(true)
                                        .load_best_on_train_end(true));
  runEpochs(checkpoint, "val_loss", {0.9, 0.4, 0.6, 0.5}, &model);
  // Written at epochs 0 and 1 only; epoch 1's weights (1.0) reloaded.
  EXPECT_EQ(checkpoint.saved_paths().size(), 2u);
  EXPECT_EQ(checkpoint.best_path(), path("ckpt/best.safetensors"));
  EXPECT_EQ(checkpoint.best_epoch(), 1);
  EXPECT_DOUBLE_EQ(checkpoint.best(), 0.4);
  EXPECT_EQ(model->weight.item<float>(), 1.0f);

  nn::Linear other(1, 1);
  dlc::load(other, checkpoint.best_path());
  EXPECT_EQ(other->weight.item<float>(), 1.0f);
}

TEST_F(TempDirTest, ModelCheckpointEveryEpochWithFormattedNames) {
  nn::Linear model(1, 1);
  optim::SGD optimizer(model->parameters(),
                       optim::SGDOptions(0.1).momentum(0.9));
  train::ModelCheckpoint checkpoint(
      path("e{epoch:02d}-{val_loss:.2f}.safetensors"),
      train::ModelCheckpointOptions().save_optimizer(true));
  train::TrainState state;
  state.module = model.ptr().get();
  state.optimizer = &optimizer;
  checkpoint.on_train_begin(state);
  for (int64_t e = 0; e < 2; ++e) {
    state.epoch = e;
    checkpoint.on_epoch_end(state, {{"val_loss", 0.5 - 0.25 * e}});
  }
  EXPECT_EQ(checkpoint.saved_paths(),
            (std::vector<std::string>{path("e01-0.50.safetensors"),
                                      path("e02-0.25.safetensors")}));
  EXPECT_TRUE(fs::exists(path("e02-0.25.optimizer.safetensors")));
  EXPECT_EQ(checkpoint.best_path(), path("e02-0.25.safetensors"));

  EXPECT_EQ(train::format_checkpoint_path("m-{epoch}-{{x}}-{auc}.st", 4,
                                          {{"auc", 0.5}}),
            "m-5-{x}-0.5.st");
  EXPECT_DLC_ERROR(
      train::format_checkpoint_path("m-{val_auc}.st", 0, {{"auc", 0.5}}),
      "ModelCheckpoint: path 'm-{val_auc}.st': no log 'val_auc' "
      "(the logs have: epoch, auc)");
  EXPECT_DLC_ERROR(train::format_checkpoint_path("m-{epoch:x}.st", 0, {}),
                   "'x' is not a format like 02d or .4f");
  EXPECT_DLC_ERROR(train::format_checkpoint_path("m-{epoch.st", 0, {}),
                   "unclosed '{'");
  EXPECT_DLC_ERROR(train::format_checkpoint_path("m-}.st", 0, {}),
                   "unmatched '}'");
  EXPECT_EQ(train::optimizer_checkpoint_path("a/b.safetensors"),
            "a/b.optimizer.safetensors");
}

//===----------------------------------------------------------------------===//
// Learning rates, logs, TerminateOnNaN
//===----------------------------------------------------------------------===//

TEST(Fit, LearningRateCallbacksChangeTheRecordedRate) {
  nn::Sequential model = xorModel();
  optim::SGD optimizer(model->parameters(), optim::SGDOptions(0.4));
  std::vector<train::Batch> loader = xorBatches();
  auto step = std::make_shared<optim::StepLR>(optimizer, 2, 0.5);
  train::History history =
      train::fit(model, nn::BCELoss(), optimizer, loader,
                 train::FitOptions().epochs(5).verbose(0).callbacks(
                     {train::LearningRateScheduler(step)}));
  EXPECT_EQ(history["lr"], (std::vector<double>{0.4, 0.4, 0.2, 0.2, 0.1}));

  // A Keras-style schedule sets the rate at each epoch's start.
  history =
      train::fit(model, nn::BCELoss(), optimizer, loader,
                 train::FitOptions().epochs(3).verbose(0).callbacks(
                     {train::LearningRateScheduler([](int64_t epoch, double) {
                       return 0.01 * (epoch + 1);
                     })}));
  EXPECT_EQ(history["lr"], (std::vector<double>{0.01, 0.02, 0.03}));

  // ReduceLROnPlateau on a loss that cannot improve (a constant model);
  // the rate an epoch logs is the one it trained with.
  optimizer.param_groups()[0].options().set_lr(1.0);
  auto plateau = std::make_shared<optim::ReduceLROnPlateauScheduler>(
      optimizer, optim::ReduceLROnPlateauScheduler::min, 0.5, 0);
  auto constantOutput = [m = model.ptr()](const Tensor &x) {
    return m->forward(x) * 0.0 + 0.5;
  };
  train::Trainer constant(
      model.ptr(), constantOutput,
      [](const Tensor &o, const Tensor &t) {
        return nn::functional::binary_cross_entropy(o, t);
      },
      &optimizer,
      train::FitOptions().epochs(3).verbose(0).callbacks(
          {train::ReduceLROnPlateau(plateau, "loss")}));
  history = constant.fit(loader);
  EXPECT_EQ(history["lr"], (std::vector<double>{1.0, 1.0, 0.5}));

  EXPECT_DLC_ERROR(train::fit(model, nn::BCELoss(), optimizer, loader,
                              train::FitOptions().verbose(0).callbacks(
                                  {train::ReduceLROnPlateau(plateau)})),
                   "ReduceLROnPlateau: the logs have no 'val_loss'");
}

TEST_F(TempDirTest, TensorBoardAndCsvLoggerWriteEachEpoch) {
  nn::Sequential model = xorModel();
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(0.1));
  std::vector<train::Batch> loader = xorBatches();
  train::History history = train::fit(
      model, nn::BCELoss(), optimizer, loader, loader,
      train::FitOptions().epochs(3).metrics({"auc"}).verbose(0).callbacks(
          {train::TensorBoard(path("runs"),
                              train::TensorBoardOptions().update_freq(1)),
           train::CSVLogger(path("log.csv"))}));

  EXPECT_EQ(readText(path("log.csv")), history.to_csv());

  // Keras's layout: train/ and validation/ event files, epoch_* scalars.
  std::map<std::string, std::vector<std::pair<int64_t, float>>> scalars;
  for (const char *run : {"train", "validation"}) {
    std::vector<fs::path> files;
    for (const auto &entry : fs::directory_iterator(root / "runs" / run))
      files.push_back(entry.path());
    ASSERT_EQ(files.size(), 1u) << run;
    EXPECT_NE(files[0].filename().string().find("events.out.tfevents."),
              std::string::npos);
    for (const auto &event : test::readEvents(files[0].string()))
      for (const auto &value : event.summary().value())
        scalars[std::string(run) + "/" + value.tag()].emplace_back(
            event.step(), value.simple_value());
  }
  std::vector<double> loss = history["loss"];
  ASSERT_EQ(scalars["train/epoch_loss"].size(), 3u);
  for (int64_t e = 0; e < 3; ++e) {
    EXPECT_EQ(scalars["train/epoch_loss"][e].first, e);
    EXPECT_FLOAT_EQ(scalars["train/epoch_loss"][e].second,
                    static_cast<float>(loss[e]));
    EXPECT_FLOAT_EQ(scalars["validation/epoch_loss"][e].second,
                    static_cast<float>(history["val_loss"][e]));
  }
  EXPECT_EQ(scalars["train/epoch_auc"].size(), 3u);
  EXPECT_EQ(scalars["validation/epoch_auc"].size(), 3u);
  EXPECT_EQ(scalars["train/epoch_learning_rate"].size(), 3u);
  EXPECT_EQ(scalars["train/batch_loss"].size(), 3u);
  EXPECT_EQ(scalars.count("validation/epoch_val_loss"), 0u);
}

TEST_F(TempDirTest, CsvLoggerAppendsAndRefusesOtherColumns) {
  train::CSVLogger first(path("log.csv"));
  runEpochs(first, "val_loss", {0.5, 0.25});
  train::CSVLogger appending(path("log.csv"), ',', /*append=*/true);
  runEpochs(appending, "val_loss", {0.125});
  EXPECT_EQ(readText(path("log.csv")),
            "epoch,loss,val_loss\n0,1,0.5\n1,1,0.25\n0,1,0.125\n");
  train::CSVLogger other(path("log.csv"), ',', /*append=*/true);
  EXPECT_DLC_ERROR(runEpochs(other, "val_auc", {0.5}, nullptr, Loc::current()),
                   "CSVLogger: " + path("log.csv") +
                       ": epoch 0 has the columns 'epoch,loss,val_auc', not "
                       "the file's 'epoch,loss,val_loss'");
}

TEST(Fit, TerminateOnNaNAndCallbackOrder) {
  nn::Sequential model = xorModel();
  optim::SGD optimizer(model->parameters(), optim::SGDOptions(0.1));
  std::vector<train::Batch> loader = xorBatches();
  loader.push_back(loader[0]);
  std::vector<std::string> calls;
  train::LambdaCallback record;
  record.train_begin = [&](train::TrainState &) {
    calls.push_back("train_begin");
  };
  record.epoch_begin = [&](train::TrainState &s) {
    calls.push_back("epoch_begin " + std::to_string(s.epoch));
  };
  record.batch_begin = [&](train::TrainState &, int64_t b) {
    calls.push_back("batch_begin " + std::to_string(b));
  };
  record.batch_end = [&](train::TrainState &s, int64_t b, const train::Logs &) {
    calls.push_back("batch_end " + std::to_string(b) + " step " +
                    std::to_string(s.global_step));
  };
  record.epoch_end = [&](train::TrainState &s, const train::Logs &) {
    calls.push_back("epoch_end " + std::to_string(s.epoch) + " of " +
                    std::to_string(s.steps_per_epoch));
  };
  record.train_end = [&](train::TrainState &) { calls.push_back("train_end"); };
  train::fit(model, nn::BCELoss(), optimizer, loader,
             train::FitOptions().epochs(2).verbose(0).callbacks({record}));
  EXPECT_EQ(calls,
            (std::vector<std::string>{
                "train_begin", "epoch_begin 0", "batch_begin 0",
                "batch_end 0 step 1", "batch_begin 1", "batch_end 1 step 2",
                "epoch_end 0 of 2", "epoch_begin 1", "batch_begin 0",
                "batch_end 0 step 3", "batch_begin 1", "batch_end 1 step 4",
                "epoch_end 1 of 2", "train_end"}));

  // A NaN loss stops training after its batch.
  std::vector<train::Batch> bad = xorBatches();
  bad[0].data = bad[0].data * std::nan("");
  bad.push_back(bad[0]);
  std::ostringstream out;
  train::History history = train::fit(
      model, [](const Tensor &o, const Tensor &t) { return (o - t).sum(); },
      optimizer, bad,
      train::FitOptions().epochs(5).verbose(0).out(&out).callbacks(
          {train::TerminateOnNaN()}));
  EXPECT_EQ(history.size(), 1u);
  EXPECT_EQ(out.str(), "Batch 0: invalid loss, terminating training\n");
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST(Fit, Errors) {
  nn::Sequential model = xorModel();
  optim::SGD optimizer(model->parameters(), optim::SGDOptions(0.1));
  std::vector<train::Batch> loader = xorBatches();
  std::vector<train::Batch> empty;
  auto quiet = [] { return train::FitOptions().verbose(0); };

  EXPECT_DLC_ERROR(train::fit(model, nn::BCELoss(), optimizer, loader,
                              quiet().metrics({"f1"})),
                   "make_metric: unknown metric 'f1'");
  EXPECT_DLC_ERROR(train::fit(model, nn::BCELoss(), optimizer, empty, quiet()),
                   "fit: the training loader gave no batches in epoch 0");
  EXPECT_DLC_ERROR(train::fit(model, nn::BCELoss(), optimizer, loader,
                              quiet().steps_per_epoch(0)),
                   "fit: steps_per_epoch 0 is not positive");
  EXPECT_DLC_ERROR(
      train::fit(model, nn::BCELoss(), optimizer, loader, quiet().epochs(-1)),
      "fit: epochs -1 and initial_epoch 0 must not be negative");
  EXPECT_DLC_ERROR(train::evaluate(model, nn::BCELoss(), empty, quiet()),
                   "evaluate: the loader gave no batches");
  EXPECT_DLC_ERROR(train::predict(model, empty),
                   "predict: the loader gave no batches");

  train::Trainer noOptimizer(model, nn::BCELoss(), quiet());
  EXPECT_EQ(errorOf([&] { noOptimizer.fit(loader); }),
            "Trainer: no optimizer was given (pass one to the constructor to "
            "fit)");

  // Metrics need targets; logits out of [0, 1] are refused by logloss.
  std::vector<train::Batch> noTargets = {{loader[0].data, Tensor()}};
  EXPECT_EQ(errorOf([&] {
              train::evaluate(model, nn::BCELoss(), noTargets, quiet());
            }),
            "Trainer: the loss needs targets, and the batch has none");

  // Outputs of different shapes cannot be concatenated.
  std::vector<train::Batch> ragged = {{dlc::zeros({2, 2}), Tensor()},
                                      {dlc::zeros({1, 3}), Tensor()}};
  nn::Functional identity([](const Tensor &x) { return x; });
  EXPECT_DLC_ERROR(train::predict(identity, ragged),
                   "predict: batch 1 gave a Float 1x3 output after Float 2x2 "
                   "ones");
}

//===----------------------------------------------------------------------===//
// An MLP on real data: Criteo's dense features
//===----------------------------------------------------------------------===//

TEST_F(TempDirTest, CriteoMlpWithEarlyStoppingBestCheckpointAndTensorBoard) {
  DLC_DATA_FILE(trainPath, "criteo-kaggle-sample/head8k.train.tsv");
  DLC_DATA_FILE(devPath, "criteo-kaggle-sample/head8k.dev.tsv");
  auto options = data::CsvOptions()
                     .delimiter('\t')
                     .header(false)
                     .label_column(0)
                     .dense_columns(data::column_range(1, 14))
                     .dense_transform(data::DenseTransform::Log1p);
  data::TabularDataset train = data::read_csv(trainPath, options);
  data::TabularDataset dev = data::read_csv(devPath, options);
  auto trainLoader = data::make_data_loader(
      train, data::samplers::RandomSampler(train.num_rows(), /*seed=*/1),
      data::DataLoaderOptions(256).workers(2));
  auto devLoader = data::make_data_loader<data::samplers::SequentialSampler>(
      dev, data::DataLoaderOptions(512));

  manual_seed(1);
  nn::Sequential model(nn::Linear(13, 32), nn::ReLU(), nn::Linear(32, 1),
                       nn::Functional([](Tensor x) { return x.squeeze(1); }));
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(0.01));
  auto stopping = std::make_shared<train::EarlyStopping>(
      train::EarlyStoppingOptions("val_auc").patience(2));
  auto checkpoint = std::make_shared<train::ModelCheckpoint>(
      path("best.safetensors"), train::ModelCheckpointOptions()
                                    .monitor("val_auc")
                                    .save_best_only(true)
                                    .load_best_on_train_end(true));
  std::ostringstream out;
  train::History history = train::fit(
      model, nn::BCEWithLogitsLoss(), optimizer, *trainLoader, *devLoader,
      train::FitOptions()
          .epochs(30)
          .metrics({"auc", "logloss"})
          .metric_options(train::MetricOptions().from_logits(true))
          .out(&out)
          .callbacks({stopping, checkpoint, train::TensorBoard(path("runs"))}));

  // It learnt (dense features alone reach about 0.7 AUC on this set), and
  // stopped early once val_auc stalled.
  std::vector<double> valAuc = history["val_auc"];
  double best = *std::max_element(valAuc.begin(), valAuc.end());
  EXPECT_GT(best, 0.68);
  EXPECT_GT(stopping->stopped_epoch(), 0);
  EXPECT_EQ(history.size(), static_cast<size_t>(stopping->stopped_epoch() + 1));
  // One plain progress line per epoch.
  std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'),
            static_cast<long>(history.size()))
      << text;
  EXPECT_NE(text.find(" - val_auc: "), std::string::npos) << text;

  // The best checkpoint was reloaded: the model now scores the best AUC.
  EXPECT_EQ(checkpoint->best(), best);
  train::Logs again = train::evaluate(
      model, nn::BCEWithLogitsLoss(), *devLoader,
      train::FitOptions().verbose(0).metrics({"auc"}).metric_options(
          train::MetricOptions().from_logits(true)));
  EXPECT_NEAR(*train::find_log(again, "auc"), best, 1e-6);

  // A TensorBoard log with a point per epoch for train and validation.
  for (const char *run : {"train", "validation"}) {
    size_t points = 0;
    for (const auto &entry : fs::directory_iterator(root / "runs" / run))
      for (const auto &event : test::readEvents(entry.path().string()))
        for (const auto &value : event.summary().value())
          points += value.tag() == "epoch_auc";
    EXPECT_EQ(points, history.size()) << run;
  }
}
