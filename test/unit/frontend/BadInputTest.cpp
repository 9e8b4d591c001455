//===- BadInputTest.cpp - What a new user gets wrong, and what dlc says ---===//
//
// Each mistake a user makes with dlc's inputs ends in a dlc::Error that says
// what and where, never a crash, and leaves what the user had intact: a
// shape mismatch deep inside a model, a NaN in the loss (found by anomaly
// detection), a truncated checkpoint, a CSV without a column the program
// asks for. (A .mlir file with an unknown op: test/ir/unknown-op.mlir; a
// kernel cache that is read-only or holds a corrupt entry: DiskCache in
// CpuBackendTest.)
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace dlc;
using dlc::test::errorOf;
using dlc::test::here;

namespace {

namespace fs = std::filesystem;

std::string tempPath(const std::string &name) {
  return (fs::temp_directory_path() /
          ("dlc-bad-input-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

TEST(BadInput, ShapeMismatchDeepInAModelNamesTheLayerAndShapes) {
  nn::Sequential model(nn::Linear(4, 8), nn::ReLU(), nn::Linear(16, 1));
  std::string message = errorOf([&] { model->forward(randn({2, 4})); });
  EXPECT_EQ(message.rfind("Sequential[2] (Linear): linear: input [2, 8] does "
                          "not end with in_features = 16",
                          0),
            0u)
      << message;
}

TEST(BadInput, AnomalyDetectionNamesTheOpAndLineThatMadeANaN) {
  Tensor x = tensor({1.0f, 0.0f, 2.0f});
  // Without it, -inf flows silently into the loss.
  EXPECT_EQ(log(x).sum().item<float>(), -INFINITY);

  autograd::DetectAnomalyGuard guard;
  EXPECT_TRUE(autograd::AnomalyMode::is_enabled());
  int line = __LINE__ + 1;
  Tensor loss = log(x).sum();
  std::string message = errorOf([&] { loss.item<float>(); });
  EXPECT_NE(message.find("detect_anomaly: dlc.log produced -inf at element 1 "
                         "of tensor<3xf32>"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(here(__FILE_NAME__, line)), std::string::npos)
      << message;
}

TEST(BadInput, AnomalyDetectionFindsANaNInTheBackwardPass) {
  autograd::DetectAnomalyGuard guard;
  Tensor w = tensor({4.0f, 0.0f}).requires_grad_();
  // sqrt is finite at 0; its gradient 0.5 / sqrt(w) is not.
  int line = __LINE__ + 1;
  Tensor loss = sqrt(w).sum();
  loss.backward();
  std::string message = errorOf([&] { w.grad().to_vector<float>(); });
  EXPECT_NE(message.find("detect_anomaly: "), std::string::npos) << message;
  EXPECT_NE(message.find("produced inf at element 1 of tensor<2xf32>"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(here(__FILE_NAME__, line)), std::string::npos)
      << message;
}

TEST(BadInput, AnomalyDetectionNamesANaNInput) {
  autograd::DetectAnomalyGuard guard;
  std::vector<float> data = {1.0f, NAN};
  Tensor x = from_blob(data.data(), {2}).clone();
  std::string message = errorOf([&] { (x * 2).sum().item<float>(); });
  EXPECT_NE(message.find("detect_anomaly: input 0 holds NaN at element 1"),
            std::string::npos)
      << message;
}

TEST(BadInput, GuardRestoresTheMode) {
  EXPECT_FALSE(autograd::AnomalyMode::is_enabled());
  {
    autograd::DetectAnomalyGuard guard;
    EXPECT_TRUE(autograd::AnomalyMode::is_enabled());
  }
  EXPECT_FALSE(autograd::AnomalyMode::is_enabled());
  autograd::set_detect_anomaly(true);
  EXPECT_TRUE(autograd::AnomalyMode::is_enabled());
  autograd::set_detect_anomaly(false);
  // Finite results are the compiled results.
  autograd::DetectAnomalyGuard guard;
  EXPECT_FLOAT_EQ((tensor({1.0f, 2.0f}) * 3).sum().item<float>(), 9.0f);
}

TEST(BadInput, TruncatedCheckpointIsAnErrorAndChangesNothing) {
  std::string path = tempPath("truncated.safetensors");
  manual_seed(1);
  nn::Linear saved(3, 2);
  save(saved, path);
  fs::resize_file(path, fs::file_size(path) - 5);

  manual_seed(2);
  nn::Linear model(3, 2);
  std::vector<float> before = model->weight.to_vector<float>();
  std::string message = errorOf([&] { load(model, path); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_EQ(model->weight.to_vector<float>(), before);

  fs::resize_file(path, 3); // not even the header's length
  message = errorOf([&] { load(model, path); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_EQ(model->weight.to_vector<float>(), before);
  fs::remove(path);
}

TEST(BadInput, CsvWithoutAColumnTheProgramAsksFor) {
  std::string path = tempPath("missing-column.csv");
  std::ofstream(path) << "label,price,color\n1,3.5,red\n0,1,blue\n";
  std::string message = errorOf([&] {
    data::read_csv(path, data::CsvOptions()
                             .label_column("label")
                             .dense_columns({"price"})
                             .categorical_columns({"color", "size"}));
  });
  EXPECT_NE(message.find("\"size\""), std::string::npos) << message;
  EXPECT_NE(message.find(path), std::string::npos) << message;
  fs::remove(path);
}

} // namespace
