//===- FactoryTest.cpp - make_model: a CTR model by name ------------------===//

#include "../TestUtil.h"

using namespace dlc;
using dlc::test::errorOf;
using namespace dlc::models;

namespace {

/// A CTR table: two sparse columns, a dense one, an id list.
std::vector<FeatureColumn> table() {
  return {SparseFeat("user_id", 10, 4), SparseFeat("item_id", 20, 4),
          DenseFeat("age"), VarLenSparseFeat(SparseFeat("genres", 6, 4), 3)};
}

/// Behaviour sequences: item_id and cate_id with histories and negatives.
std::vector<FeatureColumn> sequences(bool negatives) {
  auto list = [](const std::string &name, int64_t vocabulary,
                 const std::string &table) {
    return VarLenSparseFeat(
        SparseFeat(name, vocabulary, 4).embedding_name(table), 5);
  };
  std::vector<FeatureColumn> out = {
      SparseFeat("user_id", 10, 4), SparseFeat("item_id", 20, 4),
      SparseFeat("cate_id", 6, 4), list("hist_item_id", 20, "item_id"),
      list("hist_cate_id", 6, "cate_id")};
  if (negatives) {
    out.push_back(list("neg_hist_item_id", 20, "item_id"));
    out.push_back(list("neg_hist_cate_id", 6, "cate_id"));
  }
  return out;
}

} // namespace

TEST(MakeModel, EveryNameGivesItsModel) {
  manual_seed(1);
  Tensor x = tensor({1.f, 2.f, 0.5f, 1.f, 2.f, 0.f, //
                     3.f, 4.f, -1.f, 5.f, 0.f, 0.f})
                 .reshape({2, 6});
  for (const char *name : {"fm", "deepfm", "fibinet", "dcn", "dcn-m"}) {
    SCOPED_TRACE(name);
    std::shared_ptr<CtrModelImpl> model = make_model(name, table());
    EXPECT_EQ(model->forward(x).sizes().vec(), (std::vector<int64_t>{2}));
  }
  EXPECT_NE(std::dynamic_pointer_cast<FMImpl>(make_model("fm", table())),
            nullptr);
  auto dcnm = std::dynamic_pointer_cast<DCNImpl>(make_model("dcn-m", table()));
  ASSERT_NE(dcnm, nullptr);
  EXPECT_EQ(dcnm->options.parameterization(), "matrix");
  auto deepfm = std::dynamic_pointer_cast<DeepFMImpl>(
      make_model("deepfm", table(),
                 ModelConfig().dnn_hidden_units({16, 8}).dnn_dropout(0.1)));
  ASSERT_NE(deepfm, nullptr);
  EXPECT_EQ(deepfm->options.dnn_hidden_units(), (std::vector<int64_t>{16, 8}));
  EXPECT_DOUBLE_EQ(deepfm->options.dnn_dropout(), 0.1);
  auto fibinet = std::dynamic_pointer_cast<FiBiNETImpl>(
      make_model("fibinet", table(), ModelConfig().bilinear_type("each")));
  ASSERT_NE(fibinet, nullptr);
  EXPECT_EQ(fibinet->options.bilinear_type(), "each");
}

TEST(MakeModel, SequenceModelsFindTheirHistories) {
  EXPECT_EQ(history_feature_list(sequences(false)),
            (std::vector<std::string>{"item_id", "cate_id"}));
  EXPECT_TRUE(history_feature_list(table()).empty());
  auto din =
      std::dynamic_pointer_cast<DINImpl>(make_model("din", sequences(false)));
  ASSERT_NE(din, nullptr);
  EXPECT_EQ(din->options.history_feature_list(),
            (std::vector<std::string>{"item_id", "cate_id"}));
  EXPECT_EQ(din->options.att_activation(), "dice");
  auto dien = std::dynamic_pointer_cast<DIENImpl>(
      make_model("dien", sequences(true), ModelConfig().gru_type("AGRU")));
  ASSERT_NE(dien, nullptr);
  EXPECT_TRUE(dien->options.use_negsampling());
  EXPECT_EQ(dien->options.gru_type(), "AGRU");
  auto plain =
      std::dynamic_pointer_cast<DIENImpl>(make_model("dien", sequences(false)));
  ASSERT_NE(plain, nullptr);
  EXPECT_FALSE(plain->options.use_negsampling());
}

TEST(MakeModel, Errors) {
  EXPECT_NE(errorOf([] { make_model("xgboost", table()); })
                .find("make_model: unknown model \"xgboost\" (known: fm, "
                      "deepfm, fibinet, dcn, dcn-m, din, dien)"),
            std::string::npos);
  EXPECT_NE(errorOf([] { make_model("din", table()); })
                .find("din: no history columns: the model needs a sparse "
                      "column f with an id-list column \"hist_f\""),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              make_model("fibinet", table(), ModelConfig().bilinear_type("x"));
            }),
            "");
}
