//===- SerializeTest.cpp - Checkpoints of modules, tensors, optimizers ----===//

#include "../TestUtil.h"

#include <filesystem>
#include <fstream>

using namespace dlc;
using dlc::test::errorOf;

namespace {

std::string tempPath(const std::string &name) {
  return (std::filesystem::temp_directory_path() /
          ("dlc-serialize-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

struct TinyImpl : nn::Module {
  TinyImpl() {
    fc = register_module("fc", nn::Linear(3, 2));
    norm = register_module("norm", nn::BatchNorm1d(2));
  }
  Tensor forward(const Tensor &x) { return norm(fc(x)); }
  nn::Linear fc{nullptr};
  nn::BatchNorm1d norm{nullptr};
};
DLC_MODULE(Tiny);

TEST(Serialize, ModuleRoundTripWithBuffers) {
  std::string path = tempPath("module.safetensors");
  manual_seed(1);
  Tiny a;
  a(randn({4, 3})); // updates the running statistics
  save(a, path);
  manual_seed(2);
  Tiny b;
  EXPECT_NE(b->fc->weight.to_vector<float>(), a->fc->weight.to_vector<float>());
  load(b, path);
  for (const auto &item : a->named_parameters())
    EXPECT_EQ(b->named_parameters()[item.key()].to_vector<float>(),
              item.value().to_vector<float>())
        << item.key();
  EXPECT_EQ(b->norm->running_mean.to_vector<float>(),
            a->norm->running_mean.to_vector<float>());
  EXPECT_EQ(b->norm->num_batches_tracked.item<int64_t>(), 1);
  EXPECT_TRUE(b->fc->weight.requires_grad());
  EXPECT_TRUE(b->fc->weight.is_leaf());
  std::filesystem::remove(path);
}

TEST(Serialize, MismatchesChangeNothing) {
  std::string path = tempPath("mismatch.safetensors");
  nn::Linear small(3, 2), other(3, 4);
  save(small, path);
  std::vector<float> before = other->weight.to_vector<float>();
  std::string message = errorOf([&] { load(other, path); });
  EXPECT_NE(message.find("tensor \"weight\" is Float [2, 3] in the file but "
                         "Float [4, 3] in the "
                         "module"),
            std::string::npos)
      << message;
  EXPECT_EQ(other->weight.to_vector<float>(), before);
  nn::Linear noBias(nn::LinearOptions(3, 2).bias(false));
  message = errorOf([&] { load(noBias, path); });
  EXPECT_NE(message.find("the file has \"bias\", which the module does not"),
            std::string::npos)
      << message;
  nn::Sequential seq(nn::Linear(3, 2));
  message = errorOf([&] { load(seq, path); });
  EXPECT_NE(message.find("module has \"0.weight\", which the file does not"),
            std::string::npos)
      << message;
  std::ofstream(path, std::ios::trunc) << "junk";
  message = errorOf([&] { load(small, path); });
  EXPECT_NE(message.find("load: " + path), std::string::npos) << message;
  std::filesystem::remove(path);
}

TEST(Serialize, TensorsAndOptimizerState) {
  std::string path = tempPath("tensors.safetensors");
  std::vector<Tensor> tensors = {tensor({1.0, 2.0}, kDouble),
                                 tensor({{true, false}}),
                                 arange(6).reshape({2, 3})};
  save(tensors, path);
  std::vector<Tensor> back;
  load(back, path);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].to_vector<double>(), (std::vector<double>{1, 2}));
  EXPECT_EQ(back[1].scalar_type(), kBool);
  EXPECT_EQ(back[2].sizes().vec(), (std::vector<int64_t>{2, 3}));

  // Optimizer state: momentum buffers, step counts and learning rates.
  Tensor w = tensor({1.0, -1.0}, kFloat).requires_grad_();
  optim::SGD sgd({w}, optim::SGDOptions(0.1).momentum(0.9));
  for (int i = 0; i < 2; ++i) {
    sgd.zero_grad();
    (w * w).sum().backward();
    sgd.step();
  }
  sgd.param_groups()[0].options().set_lr(0.05);
  save(sgd, path);
  Tensor w2 = w.detach().clone().requires_grad_();
  optim::SGD restored({w2}, optim::SGDOptions(0.1).momentum(0.9));
  load(restored, path);
  EXPECT_DOUBLE_EQ(restored.param_groups()[0].options().get_lr(), 0.05);
  auto a = sgd.state_tensors(), b = restored.state_tensors();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_EQ(a[i].second.to(kDouble).to_vector<double>(),
              b[i].second.to(kDouble).to_vector<double>());
  }
  // The next steps of both are the same.
  for (auto [opt, p] : {std::pair{&sgd, &w}, std::pair{&restored, &w2}}) {
    opt->zero_grad();
    ((*p) * (*p)).sum().backward();
    opt->step();
  }
  EXPECT_EQ(w.to_vector<float>(), w2.to_vector<float>());
  std::filesystem::remove(path);
}

} // namespace
