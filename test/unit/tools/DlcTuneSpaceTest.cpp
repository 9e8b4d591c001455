//===- DlcTuneSpaceTest.cpp - dlc-tune's --space --------------------------===//

#include "tools/dlc-tune/Space.h"

#include <dlc/dlc.h>
#include <gtest/gtest.h>

namespace {

using dlc::tools::parse_space;
using dlc::tune::Distribution;

std::string errorOf(const std::string &space) {
  try {
    parse_space(space);
  } catch (const dlc::Error &error) {
    return error.what();
  }
  return "";
}

TEST(DlcTuneSpace, Parses) {
  auto space =
      parse_space("lr=1e-4:1e-2:log,embed=8|16|32,dropout=0:0.5,"
                  "batch=64:512,dnn=256-128|400-400,optimizer=adam|sgd");
  ASSERT_EQ(space.size(), 6u);
  EXPECT_EQ(space[0].name, "lr");
  EXPECT_EQ(space[0].distribution, Distribution::Float(1e-4, 1e-2, true));
  EXPECT_EQ(space[1].distribution,
            Distribution::Categorical({"8", "16", "32"}));
  EXPECT_EQ(space[2].distribution, Distribution::Float(0, 0.5));
  EXPECT_EQ(space[3].distribution, Distribution::Int(64, 512));
  EXPECT_EQ(space[4].distribution,
            Distribution::Categorical({"256-128", "400-400"}));
  EXPECT_EQ(space[5].distribution, Distribution::Categorical({"adam", "sgd"}));
}

TEST(DlcTuneSpace, SuggestsIntoTrainArgs) {
  dlc::tune::Study study(
      dlc::tune::StudyOptions().sampler(dlc::tune::make_random_sampler(5)));
  dlc::tune::Trial trial = study.ask();
  dlc::tools::TrainArgs base;
  base.epochs = 7;
  dlc::tools::TrainArgs a = dlc::tools::suggest_args(
      trial,
      parse_space("lr=1e-4:1e-2:log,embed=8|16,dnn=32-16,batch=128:128,"
                  "optimizer=adagrad,dropout=0.25,weight_decay=0:0"),
      base);
  EXPECT_EQ(a.epochs, 7);
  EXPECT_GE(a.lr, 1e-4);
  EXPECT_LE(a.lr, 1e-2);
  EXPECT_TRUE(a.embeddingDim == 8 || a.embeddingDim == 16);
  EXPECT_EQ(a.dnn, (std::vector<int64_t>{32, 16}));
  EXPECT_EQ(a.batchSize, 128);
  EXPECT_EQ(a.optimizer, "adagrad");
  EXPECT_DOUBLE_EQ(a.dropout, 0.25);
  EXPECT_EQ(a.weightDecay, 0);
}

TEST(DlcTuneSpace, Errors) {
  EXPECT_EQ(errorOf(""), "dlc-tune: --space is empty; e.g. --space "
                         "lr=1e-4:1e-2:log,embed=8|16|32");
  EXPECT_EQ(errorOf("lr"),
            "dlc-tune: --space: 'lr': expected NAME=LOW:HIGH[:log] or "
            "NAME=A|B|C");
  EXPECT_EQ(errorOf("momentum=0:1"),
            "dlc-tune: --space: 'momentum=0:1': unknown parameter 'momentum' "
            "(known: lr, embed, dropout, weight_decay, batch, dnn, optimizer)");
  EXPECT_EQ(errorOf("lr=1e-3,lr=1e-2"),
            "dlc-tune: --space: 'lr=1e-2': 'lr' is given twice");
  EXPECT_EQ(errorOf("lr="), "dlc-tune: --space: 'lr=': no values after '='");
  EXPECT_EQ(errorOf("lr=a:1"),
            "dlc-tune: --space: 'lr=a:1': expected a number, not 'a'");
  EXPECT_EQ(errorOf("lr=1:2:lin"),
            "dlc-tune: --space: 'lr=1:2:lin': expected LOW:HIGH or "
            "LOW:HIGH:log");
  EXPECT_EQ(errorOf("lr=2:1"),
            "dlc-tune: --space: 'lr=2:1': low 2 is above high 1");
  EXPECT_EQ(errorOf("lr=0:1:log"),
            "dlc-tune: --space: 'lr=0:1:log': a log range needs a positive "
            "low, not 0");
  EXPECT_EQ(errorOf("lr=0:1"),
            "dlc-tune: --space: 'lr=0:1': lr must be positive");
  EXPECT_EQ(errorOf("dropout=0:1"),
            "dlc-tune: --space: 'dropout=0:1': dropout must stay below 1");
  EXPECT_EQ(errorOf("embed=4.5:8"),
            "dlc-tune: --space: 'embed=4.5:8': embed takes a range of "
            "positive integers");
  EXPECT_EQ(errorOf("embed=8|x"),
            "dlc-tune: --space: 'embed=8|x': expected a number, not 'x'");
  EXPECT_EQ(errorOf("embed=8||16"),
            "dlc-tune: --space: 'embed=8||16': an empty choice");
  EXPECT_EQ(errorOf("dnn=256,128"),
            "dlc-tune: --space: '128': expected NAME=LOW:HIGH[:log] or "
            "NAME=A|B|C");
  EXPECT_EQ(errorOf("dnn=256-0"),
            "dlc-tune: --space: 'dnn=256-0': dnn choices are layer widths "
            "joined by '-', such as 256-128, not '256-0'");
  EXPECT_EQ(errorOf("optimizer=lbfgs"),
            "dlc-tune: --space: 'optimizer=lbfgs': unknown optimizer 'lbfgs' "
            "(known: adam, adamw, sgd, adagrad, rmsprop)");
}

} // namespace
