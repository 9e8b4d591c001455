//===- OptimTest.cpp - optim: updates and schedulers ----------------------===//
//
// Each optimizer against its LibTorch update formula unrolled by hand for
// two steps (in doubles), on a parameter whose gradient is known: the loss
// sum(w * c) has gradient c. Schedulers against their sequences.
//
//===----------------------------------------------------------------------===//

#include "../TestUtil.h"

#include <cmath>

using namespace dlc;
using dlc::test::errorOf;
using dlc::test::expectTensor;

namespace {

const std::vector<double> kStart = {1.0, -2.0, 0.5};
const std::vector<double> kGrad = {0.5, 1.0, -3.0};

/// Two steps of `optimizer` on w (starting at kStart) with gradient kGrad.
template <typename Make>
std::vector<double> twoSteps(Make make) {
  Tensor w = tensor(kStart, kDouble).requires_grad_();
  Tensor c = tensor(kGrad, kDouble);
  auto optimizer = make(std::vector<Tensor>{w});
  for (int i = 0; i < 2; ++i) {
    optimizer.zero_grad();
    (w * c).sum().backward();
    optimizer.step();
  }
  return w.to_vector<double>();
}

void expectValues(const std::vector<double> &actual,
                  const std::vector<double> &expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], 1e-12) << "element " << i;
}

TEST(Optim, SGDWithMomentumDampeningNesterovAndWeightDecay) {
  double lr = 0.1, m = 0.9, wd = 0.01, damp = 0.3;
  // Plain momentum (buffer starts at the first gradient).
  {
    std::vector<double> expected;
    for (size_t i = 0; i < 3; ++i) {
      double w = kStart[i], g = kGrad[i];
      double d = g + wd * w, buf = d;
      w -= lr * buf;
      d = g + wd * w;
      buf = m * buf + d;
      w -= lr * buf;
      expected.push_back(w);
    }
    expectValues(twoSteps([&](std::vector<Tensor> p) {
                   return optim::SGD(
                       p, optim::SGDOptions(lr).momentum(m).weight_decay(wd));
                 }),
                 expected);
  }
  // Dampening: the first buffer is the gradient itself, then (1 - damp) g.
  {
    std::vector<double> expected;
    for (size_t i = 0; i < 3; ++i) {
      double w = kStart[i], g = kGrad[i], buf = g;
      w -= lr * buf;
      buf = m * buf + (1 - damp) * g;
      w -= lr * buf;
      expected.push_back(w);
    }
    expectValues(twoSteps([&](std::vector<Tensor> p) {
                   return optim::SGD(
                       p, optim::SGDOptions(lr).momentum(m).dampening(damp));
                 }),
                 expected);
  }
  // Nesterov.
  {
    std::vector<double> expected;
    for (size_t i = 0; i < 3; ++i) {
      double w = kStart[i], g = kGrad[i], buf = g;
      w -= lr * (g + m * buf);
      buf = m * buf + g;
      w -= lr * (g + m * buf);
      expected.push_back(w);
    }
    expectValues(twoSteps([&](std::vector<Tensor> p) {
                   return optim::SGD(
                       p, optim::SGDOptions(lr).momentum(m).nesterov(true));
                 }),
                 expected);
  }
  EXPECT_NE(errorOf([] {
              optim::SGD({ones({1}).requires_grad_()}, optim::SGDOptions(-1));
            }).find("invalid learning rate -1"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              optim::SGD({ones({1}).requires_grad_()},
                         optim::SGDOptions(0.1).nesterov(true));
            }).find("nesterov momentum requires a momentum"),
            std::string::npos);
}

TEST(Optim, AdamAmsgradAndAdamW) {
  double lr = 0.01, b1 = 0.8, b2 = 0.9, eps = 1e-6, wd = 0.05;
  auto adam = [&](bool amsgrad, bool decoupled) {
    std::vector<double> expected;
    for (size_t i = 0; i < 3; ++i) {
      double w = kStart[i], m = 0, v = 0, vmax = 0;
      for (int t = 1; t <= 2; ++t) {
        double g = kGrad[i];
        if (decoupled)
          w *= 1 - lr * wd;
        else
          g += wd * w;
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g * g;
        vmax = std::max(vmax, v);
        double c1 = 1 - std::pow(b1, t), c2 = 1 - std::pow(b2, t);
        double denom = std::sqrt(amsgrad ? vmax : v) / std::sqrt(c2) + eps;
        w -= lr / c1 * m / denom;
      }
      expected.push_back(w);
    }
    return expected;
  };
  expectValues(twoSteps([&](std::vector<Tensor> p) {
                 return optim::Adam(p, optim::AdamOptions(lr)
                                           .betas(std::make_tuple(b1, b2))
                                           .eps(eps)
                                           .weight_decay(wd));
               }),
               adam(false, false));
  expectValues(twoSteps([&](std::vector<Tensor> p) {
                 return optim::Adam(p, optim::AdamOptions(lr)
                                           .betas(std::make_tuple(b1, b2))
                                           .eps(eps)
                                           .weight_decay(wd)
                                           .amsgrad(true));
               }),
               adam(true, false));
  expectValues(twoSteps([&](std::vector<Tensor> p) {
                 return optim::AdamW(p, optim::AdamWOptions(lr)
                                            .betas(std::make_tuple(b1, b2))
                                            .eps(eps)
                                            .weight_decay(wd));
               }),
               adam(false, true));
  EXPECT_NE(errorOf([] {
              optim::Adam(
                  {ones({1}).requires_grad_()},
                  optim::AdamOptions().betas(std::make_tuple(1.0, 0.9)));
            }).find("invalid betas"),
            std::string::npos);
}

TEST(Optim, AdagradAndRMSprop) {
  double lr = 0.1, decay = 0.5, eps = 1e-10;
  {
    std::vector<double> expected;
    for (size_t i = 0; i < 3; ++i) {
      double w = kStart[i], sum = 0.1;
      for (int t = 1; t <= 2; ++t) {
        double g = kGrad[i];
        double clr = lr / (1 + (t - 1) * decay);
        sum += g * g;
        w -= clr * g / (std::sqrt(sum) + eps);
      }
      expected.push_back(w);
    }
    expectValues(twoSteps([&](std::vector<Tensor> p) {
                   return optim::Adagrad(p,
                                         optim::AdagradOptions(lr)
                                             .lr_decay(decay)
                                             .initial_accumulator_value(0.1));
                 }),
                 expected);
  }
  double alpha = 0.9, m = 0.5;
  for (bool centered : {false, true}) {
    std::vector<double> expected;
    for (size_t i = 0; i < 3; ++i) {
      double w = kStart[i], sq = 0, avg = 0, buf = 0;
      for (int t = 1; t <= 2; ++t) {
        double g = kGrad[i];
        sq = alpha * sq + (1 - alpha) * g * g;
        double denom;
        if (centered) {
          avg = alpha * avg + (1 - alpha) * g;
          denom = std::sqrt(sq - avg * avg) + 1e-8;
        } else {
          denom = std::sqrt(sq) + 1e-8;
        }
        buf = m * buf + g / denom;
        w -= lr * buf;
      }
      expected.push_back(w);
    }
    expectValues(
        twoSteps([&](std::vector<Tensor> p) {
          return optim::RMSprop(
              p, optim::RMSpropOptions(lr).alpha(alpha).momentum(m).centered(
                     centered));
        }),
        expected);
  }
}

TEST(Optim, ParamGroupsStateAndOneProgram) {
  Tensor a = tensor({1.0, 2.0}, kDouble).requires_grad_();
  Tensor b = tensor({3.0}, kDouble).requires_grad_();
  std::vector<optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{a});
  groups.emplace_back(std::vector<Tensor>{b},
                      std::make_unique<optim::SGDOptions>(0.5));
  optim::SGD sgd(groups, optim::SGDOptions(0.1).momentum(0.9));
  EXPECT_EQ(sgd.param_groups().size(), 2u);
  EXPECT_DOUBLE_EQ(sgd.param_groups()[0].options().get_lr(), 0.1);
  EXPECT_DOUBLE_EQ(sgd.param_groups()[1].options().get_lr(), 0.5);
  std::unique_ptr<optim::Optimizer> any = std::make_unique<optim::Adam>(
      std::vector<Tensor>{tensor({1.0}, kDouble).requires_grad_()});
  EXPECT_EQ(any->size(), 1u);

  // A learning rate changed between steps does not recompile the step.
  for (int step = 0; step < 5; ++step) {
    if (step == 2)
      reset_stats();
    sgd.zero_grad();
    ((a * a).sum() + (b * 2).sum()).backward();
    sgd.param_groups()[0].options().set_lr(0.1 / (step + 1));
    sgd.step();
  }
  EXPECT_EQ(stats().cache_misses, 0);
  EXPECT_EQ(stats().cache_hits, 3);
  // The momentum state, for checkpoints.
  auto state = sgd.state_tensors();
  ASSERT_EQ(state.size(), 3u);
  EXPECT_EQ(state[0].first, "0.0.step");
  EXPECT_EQ(state[0].second.item<int64_t>(), 5);
  EXPECT_EQ(state[1].first, "0.0.momentum_buffer");
  EXPECT_NE(errorOf([&] {
              optim::SGD({a, a}, optim::SGDOptions(0.1));
            }).find("appears twice in one parameter group"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              std::vector<optim::OptimizerParamGroup> twice;
              twice.emplace_back(std::vector<Tensor>{a});
              twice.emplace_back(std::vector<Tensor>{b, a});
              optim::SGD(twice, optim::SGDOptions(0.1));
            }).find("more than one parameter group"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              optim::SGD({a * 2}, optim::SGDOptions(0.1));
            }).find("can only optimize leaf tensors"),
            std::string::npos);
}

TEST(Schedulers, Sequences) {
  Tensor w = ones({1}).requires_grad_();
  optim::SGD sgd({w}, optim::SGDOptions(1.0));
  auto lr = [&] { return sgd.param_groups()[0].options().get_lr(); };
  optim::StepLR step(sgd, 2, 0.5);
  std::vector<double> seen;
  for (int epoch = 0; epoch < 5; ++epoch) {
    seen.push_back(lr());
    step.step();
  }
  EXPECT_EQ(seen, (std::vector<double>{1, 1, 0.5, 0.5, 0.25}));

  sgd.param_groups()[0].options().set_lr(1.0);
  optim::ExponentialLR exponential(sgd, 0.9);
  exponential.step();
  exponential.step();
  EXPECT_NEAR(lr(), 0.81, 1e-12);

  sgd.param_groups()[0].options().set_lr(1.0);
  optim::CosineAnnealingLR cosine(sgd, 4, 0.1);
  std::vector<double> cos;
  for (int epoch = 0; epoch < 5; ++epoch) {
    cosine.step();
    cos.push_back(lr());
  }
  for (int e = 1; e <= 5; ++e)
    EXPECT_NEAR(cos[e - 1], 0.1 + 0.9 * (1 + std::cos(M_PI * e / 4)) / 2,
                1e-12);

  sgd.param_groups()[0].options().set_lr(1.0);
  optim::ReduceLROnPlateau plateau(sgd, optim::ReduceLROnPlateau::min, 0.5,
                                   /*patience=*/1);
  std::vector<double> lrs;
  for (float metric : {1.0f, 0.5f, 0.6f, 0.6f, 0.4f, 0.45f, 0.45f}) {
    plateau.step(metric);
    lrs.push_back(lr());
  }
  // Two epochs without improvement (patience 1) halve it.
  EXPECT_EQ(lrs, (std::vector<double>{1, 1, 1, 0.5, 0.5, 0.5, 0.25}));
}

} // namespace
