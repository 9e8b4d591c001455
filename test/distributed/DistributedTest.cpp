//===- DistributedTest.cpp - Data-parallel training under mpirun ----------===//
//
// Run as `mpirun -np 2 dlc-distributed-tests` (ctest does) and also alone,
// where the job has one process and every collective is the identity. Each
// process runs every test; a failure on any rank fails the job.
//
//===----------------------------------------------------------------------===//

#include "test/unit/frontend/TestUtil.h"

#include <dlc/dlc.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <set>
#include <thread>

namespace {

using namespace dlc;
using dlc::test::errorOf;
namespace dist = dlc::distributed;

int rank() { return dist::get_rank(); }
int world() { return dist::get_world_size(); }

/// Every element of `t` as doubles.
std::vector<double> values(const Tensor &t) {
  return t.to(kDouble).contiguous().to_vector<double>();
}

/// `values` from every rank, in rank order.
std::vector<std::vector<double>> fromEveryRank(const std::vector<double> &v) {
  std::vector<double> all = dist::all_gather(v);
  std::vector<std::vector<double>> result(world());
  EXPECT_EQ(all.size(), v.size() * world());
  for (int r = 0; r < world(); ++r)
    result[r].assign(all.begin() + r * v.size(),
                     all.begin() + (r + 1) * v.size());
  return result;
}

class Modes : public ::testing::TestWithParam<bool> {
protected:
  void SetUp() override { set_eager(GetParam()); }
  void TearDown() override { set_eager(false); }
};

TEST_P(Modes, AllReduceCombinesEveryRanksValue) {
  double r = rank(), n = world();
  Tensor x = dlc::tensor({1.0f, 2.0f, 3.0f}) * static_cast<float>(r + 1);
  // sum over ranks of (r + 1) = n (n + 1) / 2
  double s = n * (n + 1) / 2;
  Tensor sum = dist::all_reduced(x, dist::ReduceOp::SUM);
  Tensor mean = dist::all_reduced(x, dist::ReduceOp::AVG);
  Tensor max = dist::all_reduced(x, dist::ReduceOp::MAX);
  Tensor min = dist::all_reduced(x, dist::ReduceOp::MIN);
  std::vector<double> expected = {s, 2 * s, 3 * s};
  EXPECT_EQ(values(sum), expected);
  EXPECT_EQ(values(mean), (std::vector<double>{s / n, 2 * s / n, 3 * s / n}));
  EXPECT_EQ(values(max), (std::vector<double>{n, 2 * n, 3 * n}));
  EXPECT_EQ(values(min), (std::vector<double>{1, 2, 3}));

  // In place, on integers, inside a larger compiled graph.
  Tensor counts = dlc::full({4}, rank() + 1, kLong);
  dist::all_reduce(counts);
  Tensor doubled = counts * 2;
  for (double v : values(doubled))
    EXPECT_EQ(v, 2 * s);
}

TEST_P(Modes, TheGradientOfASumIsTheSumOfTheGradients) {
  // loss_p = sum(w_p * all_reduce_sum(x_p)), so d(sum_p loss_p)/dx_q =
  // sum_p w_p, which the gradient rule gives every rank.
  // Rank-dependent numbers enter as data, not as C++ scalars: a scalar is a
  // constant of the program, and every rank must run the same program.
  float r = static_cast<float>(rank());
  Tensor x = dlc::tensor({1.0f, -2.0f}).requires_grad_();
  Tensor w = dlc::tensor({1.0f + r, 10.0f * (r + 1)});
  Tensor factor = dlc::tensor({r + 1});
  Tensor y = dist::all_reduced(x * factor, dist::ReduceOp::SUM);
  (y * w).sum().backward();
  double n = world();
  double sumW0 = n + n * (n - 1) / 2, sumW1 = 10 * n * (n + 1) / 2;
  std::vector<double> g = values(x.grad());
  EXPECT_DOUBLE_EQ(g[0], (r + 1) * sumW0);
  EXPECT_DOUBLE_EQ(g[1], (r + 1) * sumW1);
}

INSTANTIATE_TEST_SUITE_P(Distributed, Modes, ::testing::Values(false, true),
                         [](const auto &info) {
                           return info.param ? "Eager" : "Compiled";
                         });

TEST(Distributed, BroadcastGivesEveryRankRankZerosValue) {
  Tensor t = dlc::full({3}, static_cast<double>(rank() + 5), kFloat);
  dist::broadcast(t, 0);
  EXPECT_EQ(values(t), (std::vector<double>{5, 5, 5}));
}

/// A small MLP and a regression batch for `rows` rows from `seed`.
struct Problem {
  static constexpr int64_t kIn = 6, kHidden = 8, kRows = 16;
  Tensor data, target;
  explicit Problem(uint64_t seed) {
    manual_seed(seed);
    data = dlc::randn({kRows, kIn});
    target = dlc::randn({kRows, 1});
  }
};

nn::Sequential mlp() {
  return nn::Sequential(nn::Linear(Problem::kIn, Problem::kHidden), nn::ReLU(),
                        nn::Linear(Problem::kHidden, 1));
}

std::vector<double> flatParameters(const nn::Module &model) {
  std::vector<double> all;
  for (const Tensor &p : model.parameters()) {
    std::vector<double> v = values(p);
    all.insert(all.end(), v.begin(), v.end());
  }
  return all;
}

TEST(Distributed, DataParallelEqualsOneProcessOnTheConcatenatedBatch) {
  constexpr int kSteps = 5;
  // Every rank builds the same data for every rank, so that it can also
  // train the single-process reference on the concatenated batch.
  std::vector<Problem> shards;
  for (int r = 0; r < world(); ++r)
    shards.emplace_back(1000 + r);
  std::vector<Tensor> datas, targets;
  for (const Problem &p : shards) {
    datas.push_back(p.data);
    targets.push_back(p.target);
  }
  Tensor allData = dlc::cat(datas), allTarget = dlc::cat(targets);

  // Different initial parameters per rank: DDP must broadcast rank 0's.
  manual_seed(7 + rank());
  nn::Sequential model = mlp();
  manual_seed(7);
  nn::Sequential reference = mlp();
  nn::DistributedDataParallel ddp(model.ptr());
  EXPECT_EQ(flatParameters(*model), flatParameters(*reference));

  optim::Adam optimizer(model->parameters(), optim::AdamOptions(0.01));
  optim::Adam referenceOptimizer(reference->parameters(),
                                 optim::AdamOptions(0.01));
  for (int step = 0; step < kSteps; ++step) {
    optimizer.zero_grad();
    Tensor loss = nn::functional::mse_loss(model->forward(shards[rank()].data),
                                           shards[rank()].target);
    loss.backward();
    optimizer.step();

    referenceOptimizer.zero_grad();
    nn::functional::mse_loss(reference->forward(allData), allTarget).backward();
    referenceOptimizer.step();
  }
  std::vector<double> mine = flatParameters(*model);
  // Identical on every rank, bit for bit: the same averaged gradients and
  // the same update.
  for (const std::vector<double> &other : fromEveryRank(mine))
    EXPECT_EQ(other, mine);
  // Equal to one process on the concatenated batch, up to float rounding
  // (the mean of means sums in another order).
  std::vector<double> expected = flatParameters(*reference);
  ASSERT_EQ(mine.size(), expected.size());
  double worst = 0;
  for (size_t i = 0; i < mine.size(); ++i)
    worst = std::max(worst, std::abs(mine[i] - expected[i]));
  EXPECT_LT(worst, 1e-5) << "parameters differ from one-process training";
  // And training moved them.
  manual_seed(7);
  EXPECT_NE(mine, flatParameters(*mlp()));
}

TEST(Distributed, SamplerShardsCoverTheDatasetOncePerEpoch) {
  constexpr size_t kSize = 103, kBatch = 8;
  for (bool duplicates : {true, false}) {
    data::samplers::DistributedRandomSampler sampler(kSize, world(), rank(),
                                                     duplicates, 42);
    std::vector<std::vector<double>> epochs;
    for (int epoch = 0; epoch < 3; ++epoch) {
      sampler.reset();
      EXPECT_EQ(sampler.epoch(), static_cast<size_t>(epoch));
      std::vector<double> mine;
      while (auto batch = sampler.next(kBatch))
        for (size_t i : *batch)
          mine.push_back(static_cast<double>(i));
      EXPECT_EQ(mine.size(), sampler.local_sample_count());
      std::vector<double> all = dist::all_gather(mine);
      std::multiset<double> seen(all.begin(), all.end());
      std::set<double> distinct(all.begin(), all.end());
      size_t expectedTotal = sampler.local_sample_count() * world();
      EXPECT_EQ(all.size(), expectedTotal);
      if (duplicates) {
        // Every index at least once; only padding repeats.
        EXPECT_EQ(distinct.size(), kSize);
      } else {
        // Disjoint shards, nothing repeated.
        EXPECT_EQ(distinct.size(), all.size());
      }
      epochs.push_back(mine);
    }
    EXPECT_NE(epochs[0], epochs[1]) << "a new permutation every epoch";
  }
  // The evaluation sampler: every index exactly once over the ranks.
  data::samplers::DistributedEvalSampler eval(kSize, world(), rank());
  std::vector<double> mine;
  while (auto batch = eval.next(kBatch))
    for (size_t i : *batch)
      mine.push_back(static_cast<double>(i));
  std::vector<double> all = dist::all_gather(mine);
  std::sort(all.begin(), all.end());
  std::vector<double> every(kSize);
  std::iota(every.begin(), every.end(), 0.0);
  EXPECT_EQ(all, every);
}

TEST(Distributed, MetricsCombineEveryRanksSamples) {
  // Scores and labels of 40 samples; rank r holds r, r + n, ...
  std::vector<float> scores, labels;
  for (int i = 0; i < 40; ++i) {
    scores.push_back(static_cast<float>((i * 37) % 41) / 41.0f);
    labels.push_back(static_cast<float>((i * 11) % 3 == 0));
  }
  train::AUC whole;
  whole.update(scores, labels);
  train::AUC shard;
  train::LogLoss logloss, wholeLogloss;
  wholeLogloss.update(scores, labels);
  std::vector<float> myScores, myLabels;
  for (size_t i = rank(); i < scores.size(); i += world()) {
    myScores.push_back(scores[i]);
    myLabels.push_back(labels[i]);
  }
  shard.update(myScores, myLabels);
  logloss.update(myScores, myLabels);
  shard.synchronize();
  logloss.synchronize();
  EXPECT_DOUBLE_EQ(shard.compute(), whole.compute());
  EXPECT_NEAR(logloss.compute(), wholeLogloss.compute(), 1e-12);
}

/// A user's metric that does not say how to combine processes.
class Count : public train::Metric {
public:
  Count() : Metric("count") {}
  double compute() const override { return count; }
  void reset() override { count = 0; }

protected:
  void updateBatch(std::span<const float> predictions, std::span<const float>,
                   size_t, const std::source_location &) override {
    count += static_cast<double>(predictions.size());
  }

private:
  double count = 0;
};

TEST(Distributed, AMetricWithoutSynchronizeIsAnErrorOnSeveralProcesses) {
  Count metric;
  if (world() < 2) {
    metric.synchronize(); // one process: nothing to combine
    return;
  }
  EXPECT_ERROR(metric.synchronize(),
               "count: this metric cannot combine the samples of several "
               "processes (it does not implement synchronize())");
}

TEST(Distributed, CollectivesTimeOutInsteadOfHanging) {
  if (world() < 2)
    GTEST_SKIP() << "needs two processes (mpirun -np 2)";
  double previous = dist::timeout();
  dist::set_timeout(1.0);
  // Rank 0 waits in a barrier rank 1 joins only after 3 s.
  if (rank() == 0) {
    try {
      dist::barrier();
      ADD_FAILURE() << "the barrier returned before the other rank came";
    } catch (const Error &error) {
      EXPECT_NE(std::string(error.what())
                    .find("waited 1 s for the other "
                          "processes"),
                std::string::npos)
          << error.what();
    }
  } else {
    std::this_thread::sleep_for(std::chrono::seconds(3));
  }
  dist::set_timeout(previous);
  // The late rank's barrier meets rank 0's abandoned one: the job is in
  // step again.
  if (rank() != 0)
    dist::barrier();
  dist::barrier();
}

TEST(Distributed, DifferentProgramsOnTheRanksAreAnErrorNotGarbage) {
  if (world() < 2)
    GTEST_SKIP() << "needs two processes (mpirun -np 2)";
  // Rank r reduces r + 2 elements: the programs differ, and the first run
  // of the step says so on every rank before any data is exchanged.
  Tensor x = dlc::ones({rank() + 2});
  std::string error = errorOf([&] { dist::all_reduced(x).to_vector<float>(); });
  EXPECT_NE(error.find("the processes compiled different programs"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("rank 0: 1 all-reduce of 2 elements; rank 1: 1 "
                       "all-reduce of 3 elements"),
            std::string::npos)
      << error;
  // The job is still in step.
  Tensor same = dist::all_reduced(dlc::ones({2}));
  EXPECT_EQ(values(same), std::vector<double>(2, world()));
}

TEST(Distributed, BadArgumentsAreErrors) {
  EXPECT_ERROR(dist::init_process_group("gloo"),
               "init_process_group: unknown backend 'gloo' (dlc has \"mpi\")");
  EXPECT_ERROR(dist::init_process_group("nccl"),
               "the nccl backend needs dlc's CUDA backend");
  EXPECT_ERROR(dist::set_timeout(0),
               "set_timeout: the timeout must be a positive number");
  EXPECT_ERROR(dist::all_reduced(dlc::full({2}, 1, kLong), dist::ReduceOp::AVG),
               "all_reduce: AVG needs a floating-point tensor, got Long");
  Tensor t = dlc::zeros({2});
  EXPECT_ERROR(dist::broadcast(t, world()),
               "broadcast: src " + std::to_string(world()) +
                   " is not a rank of the " + std::to_string(world()) +
                   " processes");
  EXPECT_ERROR(nn::DistributedDataParallel ddp(nullptr),
               "DistributedDataParallel: the module is null");
}

} // namespace

int main(int argc, char **argv) {
  ::testing::InitGoogleTest(&argc, argv);
  dlc::distributed::init_process_group();
  int failed = RUN_ALL_TESTS();
  // Every rank's verdict: the job fails when any rank failed.
  std::vector<double> all =
      dlc::distributed::all_gather(std::vector<double>{double(failed)});
  dlc::distributed::destroy_process_group();
  for (double f : all)
    if (f != 0)
      return 1;
  return 0;
}
