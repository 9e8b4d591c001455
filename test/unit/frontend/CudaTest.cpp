//===- CudaTest.cpp - Programs on a GPU against the same ones on the CPU --===//
//
// Without a GPU: asking for CUDA is a clear error, and nothing else
// changes. With one: tensors move over and back, ops record on the device
// of their inputs (mixing is LibTorch's error), optimizer state follows the
// parameters, and an MLP and a DeepFM train on CUDA to the loss curve they
// follow on the CPU. The GPU tests skip with the reason where there is none.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"
#include "frontend/models/DeepFM.h"

#include <cmath>

using namespace dlc;
using dlc::test::errorOf;

namespace {

#define REQUIRE_GPU()                                                          \
  do {                                                                         \
    if (!cuda::is_available())                                                 \
      GTEST_SKIP() << "no CUDA device: " << cuda::unavailable_reason();        \
  } while (0)

TEST(Cuda, WithoutAGpuAskingForOneIsAClearError) {
  if (cuda::is_available())
    GTEST_SKIP() << "a GPU is present";
  EXPECT_EQ(cuda::device_count(), 0);
  EXPECT_FALSE(cuda::unavailable_reason().empty());
  Tensor t = ones({2});
  std::string message = errorOf([&] { t.to(kCUDA); });
  EXPECT_NE(message.find("to: cannot use cuda: CUDA is not available"),
            std::string::npos)
      << message;
  message = errorOf([&] { zeros({2}, TensorOptions().device("cuda:0")); });
  EXPECT_NE(message.find("zeros: cannot use cuda:0: CUDA is not available"),
            std::string::npos)
      << message;
  // The CPU tensor is untouched.
  EXPECT_EQ(t.sum().item<float>(), 2.0f);
}

TEST(Cuda, TensorsMoveOverAndBack) {
  REQUIRE_GPU();
  Tensor x = arange(10, kFloat);
  Tensor g = x.to(kCUDA);
  EXPECT_EQ(g.device().str(), "cuda:0");
  EXPECT_TRUE(g.device().is_cuda());
  Tensor y = (g * 2 + 1).relu().sum();
  EXPECT_EQ(y.device().str(), "cuda:0");
  EXPECT_FLOAT_EQ(y.item<float>(), 100.0f);
  Tensor back = (g - 1).cpu();
  EXPECT_TRUE(back.device().is_cpu());
  EXPECT_EQ(back.to_vector<float>()[9], 8.0f);
  // Created on the device: fills and random draws are computed there.
  Tensor z = zeros({3, 4}, TensorOptions().device(kCUDA));
  EXPECT_EQ(z.device().str(), "cuda:0");
  EXPECT_EQ(z.sum().item<float>(), 0.0f);
  manual_seed(3);
  Tensor r = randn({1000}, TensorOptions().device(kCUDA));
  manual_seed(3);
  Tensor rc = randn({1000});
  std::vector<float> onGpu = r.cpu().to_vector<float>(),
                     onCpu = rc.to_vector<float>();
  for (size_t i = 0; i < onCpu.size(); ++i)
    EXPECT_NEAR(onGpu[i], onCpu[i], 1e-5 * std::max(1.0f, std::fabs(onCpu[i])))
        << "element " << i;
  // Printing and data out read the device's memory.
  EXPECT_NE(test::printed(g).find("CUDAFloatType"), std::string::npos)
      << test::printed(g);
}

TEST(Cuda, MixingDevicesIsLibTorchsError) {
  REQUIRE_GPU();
  Tensor a = ones({3}), b = ones({3}).cuda();
  std::string message = errorOf([&] { (void)(a + b); });
  EXPECT_NE(message.find("expected all tensors to be on the same device, but "
                         "found at least two devices, cpu and cuda:0"),
            std::string::npos)
      << message;
  Tensor w = ones({3}, TensorOptions().requires_grad(true));
  message = errorOf([&] { (void)(w * 2).to(kCUDA); });
  EXPECT_NE(message.find("is not differentiable in dlc yet"), std::string::npos)
      << message;
  message = errorOf([&] { (void)ones({1}).to(Device(kCUDA, 7)); });
  EXPECT_NE(message.find("cannot use cuda:7: this machine has"),
            std::string::npos)
      << message;
}

/// The loss of `model` on (`x`, `y`) before each of `steps` steps.
template <typename Holder>
std::vector<float> train(Holder &model, optim::Optimizer &optimizer,
                         const Tensor &x, const Tensor &y, int steps) {
  std::vector<float> losses;
  for (int s = 0; s < steps; ++s) {
    optimizer.zero_grad();
    Tensor loss =
        nn::functional::binary_cross_entropy_with_logits(model->forward(x), y);
    loss.backward();
    optimizer.step();
    losses.push_back(loss.item<float>());
  }
  return losses;
}

/// The loss after each of `steps` Adam steps of a small MLP on fixed data,
/// on `device`.
std::vector<float> mlpLosses(Device device, int steps) {
  manual_seed(11);
  nn::Sequential model(nn::Linear(32, 64), nn::ReLU(), nn::Linear(64, 64),
                       nn::Tanh(), nn::Linear(64, 1));
  model->to(device);
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(1e-2));
  manual_seed(12);
  Tensor x = randn({256, 32}).to(device);
  Tensor y = (x.slice(1, 0, 1) * x.slice(1, 1, 2) > 0).to(kFloat).to(device);
  std::vector<float> losses = train(model, optimizer, x, y, steps);
  for (const Tensor &p : model->parameters())
    EXPECT_EQ(p.device(), device);
  return losses;
}

TEST(Cuda, AnMlpTrainsAsOnTheCpu) {
  REQUIRE_GPU();
  std::vector<float> cpu = mlpLosses(kCPU, 30);
  std::vector<float> gpu = mlpLosses(Device("cuda:0"), 30);
  ASSERT_EQ(cpu.size(), gpu.size());
  for (size_t s = 0; s < cpu.size(); ++s)
    EXPECT_NEAR(gpu[s], cpu[s], 1e-4 * std::max(1.0f, std::fabs(cpu[s])))
        << "step " << s;
  EXPECT_LT(gpu.back(), 0.8f * gpu.front());
}

/// DeepFM's loss over `steps` Adam steps on a synthetic CTR batch whose
/// label is an interaction of two sparse fields.
std::vector<float> deepFmLosses(Device device, int steps) {
  manual_seed(21);
  std::vector<models::FeatureColumn> columns = {
      models::DenseFeat("d0"), models::DenseFeat("d1"),
      models::SparseFeat("user", 50, 8), models::SparseFeat("item", 40, 8),
      models::SparseFeat("ctx", 7, 8)};
  models::DeepFM model(columns,
                       models::DeepFMOptions().dnn_hidden_units({64, 32}));
  model->to(device);
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(5e-3));
  manual_seed(22);
  int64_t rows = 512;
  Tensor dense = randn({rows, 2});
  Tensor user = randint(0, 50, {rows, 1}).to(kFloat);
  Tensor item = randint(0, 40, {rows, 1}).to(kFloat);
  Tensor ctx = randint(0, 7, {rows, 1}).to(kFloat);
  Tensor x = cat({dense, user, item, ctx}, 1).to(device);
  Tensor y =
      ((user.squeeze(1) < 25).to(kFloat) * (item.squeeze(1) < 20).to(kFloat))
          .to(device);
  return train(model, optimizer, x, y, steps);
}

TEST(Cuda, DeepFmTrainsAsOnTheCpu) {
  REQUIRE_GPU();
  std::vector<float> cpu = deepFmLosses(kCPU, 25);
  std::vector<float> gpu = deepFmLosses(Device("cuda:0"), 25);
  ASSERT_EQ(cpu.size(), gpu.size());
  // Embedding gradients are added with atomics on the GPU (in another
  // order than the CPU's): a looser tolerance than the MLP's.
  for (size_t s = 0; s < cpu.size(); ++s)
    EXPECT_NEAR(gpu[s], cpu[s], 1e-3 * std::max(1.0f, std::fabs(cpu[s])))
        << "step " << s;
  EXPECT_LT(gpu.back(), gpu.front());
}

} // namespace
