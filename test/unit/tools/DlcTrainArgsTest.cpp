//===- DlcTrainArgsTest.cpp - dlc-train's command line --------------------===//

#include "tools/dlc-train/Args.h"

#include <dlc/dlc.h>
#include <gtest/gtest.h>

namespace {

using dlc::tools::parseArgs;
using dlc::tools::TrainArgs;

std::string errorOf(const std::vector<std::string> &args) {
  try {
    parseArgs(args);
  } catch (const dlc::Error &error) {
    return error.what();
  }
  return "";
}

const std::vector<std::string> kBase = {"--model", "deepfm", "--data",
                                        "criteo:data/criteo-kaggle-sample"};

std::vector<std::string> with(std::vector<std::string> extra) {
  std::vector<std::string> args = kBase;
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(DlcTrainArgs, DefaultsAndEveryFlag) {
  TrainArgs a = parseArgs(kBase);
  EXPECT_EQ(a.model, "deepfm");
  EXPECT_EQ(a.dataKind, "criteo");
  EXPECT_EQ(a.dataDir, "data/criteo-kaggle-sample");
  EXPECT_EQ(a.epochs, 3);
  EXPECT_EQ(a.batchSize, 1024);
  EXPECT_DOUBLE_EQ(a.lr, 1e-3);
  EXPECT_EQ(a.out, "runs/deepfm-criteo");
  EXPECT_FALSE(a.maxSteps.has_value());

  a = parseArgs({"--model=din",
                 "--data=movielens:ml",
                 "--epochs",
                 "5",
                 "--batch-size=256",
                 "--lr",
                 "0.01",
                 "--optimizer",
                 "adagrad",
                 "--weight-decay",
                 "1e-5",
                 "--embedding-dim",
                 "16",
                 "--dnn",
                 "80,40",
                 "--dropout",
                 "0.5",
                 "--patience",
                 "-1",
                 "--seed",
                 "7",
                 "--workers",
                 "0",
                 "--threads",
                 "1",
                 "--device",
                 "cpu",
                 "--out",
                 "o",
                 "--metrics-json",
                 "m.json",
                 "--max-steps",
                 "3",
                 "--max-users",
                 "10",
                 "--max-history",
                 "20",
                 "--verbose",
                 "0"});
  EXPECT_EQ(a.model, "din");
  EXPECT_EQ(a.dataKind, "movielens");
  EXPECT_EQ(a.dataDir, "ml");
  EXPECT_EQ(a.epochs, 5);
  EXPECT_EQ(a.batchSize, 256);
  EXPECT_DOUBLE_EQ(a.lr, 0.01);
  EXPECT_EQ(a.optimizer, "adagrad");
  EXPECT_DOUBLE_EQ(a.weightDecay, 1e-5);
  EXPECT_EQ(a.embeddingDim, 16);
  EXPECT_EQ(a.dnn, (std::vector<int64_t>{80, 40}));
  EXPECT_DOUBLE_EQ(a.dropout, 0.5);
  EXPECT_EQ(a.patience, -1);
  EXPECT_EQ(a.seed, 7u);
  EXPECT_EQ(a.workers, 0);
  EXPECT_EQ(a.threads, 1);
  EXPECT_EQ(a.out, "o");
  EXPECT_EQ(a.metricsJson, "m.json");
  EXPECT_EQ(a.maxSteps, 3);
  EXPECT_EQ(a.maxUsers, 10);
  EXPECT_EQ(a.maxHistory, 20);
  EXPECT_EQ(a.verbose, 0);

  EXPECT_TRUE(parseArgs({"--help"}).help);
  EXPECT_TRUE(parseArgs({"--model", "nope", "-h"}).help);

  // Switches without a value.
  EXPECT_FALSE(a.distributed);
  EXPECT_FALSE(a.resume);
  a = parseArgs(with({"--distributed", "--resume", "--epochs", "2"}));
  EXPECT_TRUE(a.distributed);
  EXPECT_TRUE(a.resume);
  EXPECT_EQ(a.epochs, 2);
}

TEST(DlcTrainArgs, HelpNamesEveryFlagAndModel) {
  std::string help = dlc::tools::usage();
  for (const char *flag :
       {"--model",        "--data",        "--epochs",       "--batch-size",
        "--lr",           "--optimizer",   "--weight-decay", "--embedding-dim",
        "--dnn",          "--dropout",     "--patience",     "--seed",
        "--workers",      "--threads",     "--device",       "--out",
        "--metrics-json", "--max-steps",   "--max-users",    "--max-history",
        "--verbose",      "--distributed", "--resume",       "--help"})
    EXPECT_NE(help.find(std::string("  ") + flag + " "), std::string::npos)
        << flag;
  for (const std::string &model : dlc::models::model_names())
    EXPECT_NE(help.find(model), std::string::npos) << model;
}

TEST(DlcTrainArgs, Errors) {
  EXPECT_EQ(errorOf({"--bogus"}),
            "dlc-train: unknown flag '--bogus' (dlc-train --help lists them)");
  EXPECT_EQ(errorOf({"--model"}), "dlc-train: --model needs a value");
  EXPECT_EQ(errorOf({"--data", "criteo:x"}),
            "dlc-train: --model is required (fm, deepfm, fibinet, dcn, dcn-m, "
            "din, dien)");
  EXPECT_EQ(errorOf({"--model", "xgb", "--data", "criteo:x"}),
            "dlc-train: unknown model 'xgb' (known: fm, deepfm, fibinet, dcn, "
            "dcn-m, din, dien)");
  EXPECT_EQ(errorOf({"--model", "fm"}),
            "dlc-train: --data is required, e.g. --data "
            "criteo:data/criteo-kaggle-sample");
  EXPECT_EQ(errorOf({"--model", "fm", "--data", "criteo"}),
            "dlc-train: --data expects KIND:DIR (criteo:DIR or movielens:DIR), "
            "not 'criteo'");
  EXPECT_EQ(errorOf({"--model", "fm", "--data", "avazu:x"}),
            "dlc-train: unknown data kind 'avazu' (known: criteo, movielens)");
  EXPECT_EQ(errorOf({"--model", "dien", "--data", "criteo:x"}),
            "dlc-train: dien needs behaviour sequences: use --data "
            "movielens:DIR");
  EXPECT_EQ(errorOf(with({"--optimizer", "lbfgs"})),
            "dlc-train: unknown optimizer 'lbfgs' (known: adam, adamw, sgd, "
            "adagrad, rmsprop)");
  EXPECT_EQ(errorOf(with({"--device", "tpu"})),
            "dlc-train: --device expects cpu or cuda, not 'tpu'");
  EXPECT_EQ(errorOf(with({"--device", "cuda"})),
            "dlc-train: --device cuda: this build has no CUDA backend yet; use "
            "--device cpu");
  EXPECT_EQ(errorOf(with({"--epochs", "ten"})),
            "dlc-train: --epochs expects a number, not 'ten'");
  EXPECT_EQ(errorOf(with({"--epochs", "0"})),
            "dlc-train: --epochs must be positive, not 0");
  EXPECT_EQ(errorOf(with({"--max-steps", "-2"})),
            "dlc-train: --max-steps must be positive, not -2");
  EXPECT_EQ(errorOf(with({"--dnn", "256,,128"})),
            "dlc-train: --dnn expects a number, not ''");
  EXPECT_EQ(errorOf(with({"--dnn", "256,0"})),
            "dlc-train: --dnn expects positive layer widths such as 256,128, "
            "not '256,0'");
  EXPECT_EQ(errorOf(with({"--lr", "0"})), "dlc-train: --lr must be positive");
  EXPECT_EQ(errorOf(with({"--dropout", "1"})),
            "dlc-train: --weight-decay must be >= 0 and --dropout in [0, 1)");
  EXPECT_EQ(errorOf(with({"--workers", "-1"})),
            "dlc-train: --workers, --threads and --max-users must not be "
            "negative");
  EXPECT_EQ(errorOf(with({"--verbose", "3"})),
            "dlc-train: --verbose expects 0, 1 or 2");
}

} // namespace
