//===- DataLoaderTest.cpp - make_data_loader with and without workers -----===//

#include "DataTestUtil.h"

#include <atomic>
#include <chrono>
#include <numeric>
#include <thread>

using namespace dlc;
using namespace dlc::test;
using namespace std::chrono_literals;

namespace {

/// Row i is the value i (data) and i % 3 (target); optionally slow, and
/// throwing for one index.
struct NumbersDataset : data::datasets::Dataset<NumbersDataset> {
  NumbersDataset(size_t n, std::chrono::milliseconds delay = 0ms,
                 std::optional<size_t> failAt = std::nullopt)
      : n(n), delay(delay), failAt(failAt),
        calls(std::make_shared<std::atomic<int>>(0)) {}

  data::Example<> get(size_t index) override {
    ++*calls;
    if (delay.count() > 0)
      std::this_thread::sleep_for(delay);
    if (failAt && index == *failAt)
      throw Error("NumbersDataset: row " + std::to_string(index) +
                  " is broken");
    return {dlc::tensor(static_cast<double>(index)),
            dlc::tensor(static_cast<double>(index % 3))};
  }
  std::optional<size_t> size() const override { return n; }

  size_t n;
  std::chrono::milliseconds delay;
  std::optional<size_t> failAt;
  std::shared_ptr<std::atomic<int>> calls;
};

/// The rows 0 .. n-1 as a stacked TensorPairDataset.
auto stackedRows(int64_t n) {
  Tensor x = dlc::arange(n, kFloat).reshape({n, 1});
  return data::TensorPairDataset(x, x.reshape({n}) * 2)
      .map(data::transforms::Stack<>());
}

/// The first data value of every batch of each epoch, for a loader.
template <typename Loader>
std::vector<std::vector<double>> epochs(Loader &loader, int count) {
  std::vector<std::vector<double>> all;
  for (int e = 0; e < count; ++e) {
    std::vector<double> order;
    for (auto &batch : loader) {
      std::vector<double> values = doubles(batch.data);
      order.insert(order.end(), values.begin(), values.end());
      std::vector<double> targets = doubles(batch.target);
      for (size_t i = 0; i < values.size(); ++i)
        EXPECT_EQ(targets[i], 2 * values[i]);
    }
    all.push_back(order);
  }
  return all;
}

TEST(DataLoader, VectorBatchesOfAPlainDataset) {
  auto loader = data::make_data_loader(NumbersDataset(5),
                                       data::samplers::SequentialSampler(5),
                                       data::DataLoaderOptions().batch_size(2));
  std::vector<size_t> sizes;
  for (std::vector<data::Example<>> &batch : *loader) {
    sizes.push_back(batch.size());
    EXPECT_EQ(batch[0].target.item<double>(),
              static_cast<double>(
                  static_cast<int>(batch[0].data.item<double>()) % 3));
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 2, 1}));
  EXPECT_EQ(loader->options().batch_size, 2u);
  EXPECT_EQ(loader->options().max_jobs, 0u);
}

TEST(DataLoader, SameOrderWithAndWithoutWorkers) {
  auto run = [](size_t workers) {
    auto loader = data::make_data_loader(
        stackedRows(103), data::samplers::RandomSampler(103, uint64_t(5)),
        data::DataLoaderOptions().batch_size(8).workers(workers));
    return epochs(*loader, 3);
  };
  auto serial = run(0);
  auto threaded = run(3);
  EXPECT_EQ(serial, threaded);
  ASSERT_EQ(serial.size(), 3u);
  EXPECT_EQ(serial[0].size(), 103u);
  EXPECT_NE(serial[0], serial[1]); // a new permutation every epoch
  EXPECT_NE(serial[1], serial[2]);
}

TEST(DataLoader, DefaultSamplerIsRandomAndFollowsManualSeed) {
  auto run = [] {
    dlc::manual_seed(11);
    auto loader = data::make_data_loader(
        stackedRows(40), data::DataLoaderOptions().batch_size(16).workers(2));
    return epochs(*loader, 2);
  };
  auto first = run();
  EXPECT_EQ(first, run());
  EXPECT_NE(first[0], first[1]);
  std::vector<double> sorted = first[0];
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i)
    EXPECT_EQ(sorted[i], static_cast<double>(i));
}

TEST(DataLoader, DropLast) {
  for (size_t workers : {0, 2}) {
    for (bool dropLast : {false, true}) {
      auto loader = data::make_data_loader(
          stackedRows(10), data::samplers::SequentialSampler(10),
          data::DataLoaderOptions().batch_size(4).workers(workers).drop_last(
              dropLast));
      std::vector<int64_t> sizes;
      for (auto &batch : *loader)
        sizes.push_back(batch.data.size(0));
      EXPECT_EQ(sizes, (dropLast ? std::vector<int64_t>{4, 4}
                                 : std::vector<int64_t>{4, 4, 2}))
          << "workers " << workers;
    }
  }
  // Exactly divisible: nothing to drop.
  auto loader = data::make_data_loader(
      stackedRows(8), data::samplers::SequentialSampler(8),
      data::DataLoaderOptions().batch_size(4).drop_last(true));
  int batches = 0;
  for (auto &batch : *loader)
    batches += batch.data.size(0) == 4;
  EXPECT_EQ(batches, 2);
}

TEST(DataLoader, WorkerExceptionsReachTheConsumer) {
  for (size_t workers : {0, 1, 3}) {
    auto loader = data::make_data_loader(
        NumbersDataset(20, 0ms, 9), data::samplers::SequentialSampler(20),
        data::DataLoaderOptions().batch_size(4).workers(workers));
    std::vector<double> seen;
    std::string message;
    try {
      for (auto &batch : *loader)
        for (auto &example : batch)
          seen.push_back(example.data.item<double>());
    } catch (const Error &error) {
      message = error.what();
    }
    EXPECT_EQ(message, "NumbersDataset: row 9 is broken")
        << "workers " << workers;
    // The batches before the broken one arrived, in order.
    EXPECT_EQ(seen, (std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7}));
    // The loader still works: the next epoch starts over.
    EXPECT_THROW(
        {
          for (auto &batch : *loader)
            (void)batch;
        },
        Error);
  }
}

TEST(DataLoader, DestructionMidEpochJoins) {
  NumbersDataset slow(1000, 2ms);
  auto calls = slow.calls;
  auto start = std::chrono::steady_clock::now();
  {
    auto loader = data::make_data_loader(
        slow, data::samplers::SequentialSampler(1000),
        data::DataLoaderOptions().batch_size(10).workers(3).max_jobs(6));
    int batches = 0;
    for (auto &batch : *loader) {
      EXPECT_EQ(batch.size(), 10u);
      if (++batches == 2)
        break;
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  // Far less than the 2 s the whole epoch takes: at most the batches in
  // flight were finished.
  EXPECT_LT(seconds, 1.0);
  EXPECT_LE(calls->load(), 10 * (2 + 6 + 3));
  // Never iterated at all.
  auto idle =
      data::make_data_loader(slow, data::DataLoaderOptions().workers(4));
}

TEST(DataLoader, RestartingMidEpochStartsAFreshEpoch) {
  auto loader = data::make_data_loader(
      stackedRows(30), data::samplers::SequentialSampler(30),
      data::DataLoaderOptions().batch_size(5).workers(2));
  for (auto &batch : *loader) {
    EXPECT_EQ(doubles(batch.data)[0], 0.0);
    break;
  }
  auto again = epochs(*loader, 1);
  std::vector<double> expected(30);
  std::iota(expected.begin(), expected.end(), 0.0);
  EXPECT_EQ(again[0], expected);
}

TEST(DataLoader, UnorderedDeliveryGivesEveryBatch) {
  auto loader = data::make_data_loader(
      stackedRows(50), data::samplers::SequentialSampler(50),
      data::DataLoaderOptions().batch_size(5).workers(3).enforce_ordering(
          false));
  std::vector<double> values = epochs(*loader, 1)[0];
  std::sort(values.begin(), values.end());
  std::vector<double> expected(50);
  std::iota(expected.begin(), expected.end(), 0.0);
  EXPECT_EQ(values, expected);
}

TEST(DataLoader, BatchesPreparedByWorkersAreRealized) {
  auto loader = data::make_data_loader(
      stackedRows(64), data::samplers::SequentialSampler(64),
      data::DataLoaderOptions().batch_size(16).workers(2));
  dlc::sync();
  dlc::reset_stats();
  double sum = 0;
  for (auto &batch : *loader)
    for (double v : doubles(batch.data))
      sum += v;
  EXPECT_EQ(sum, 63 * 64 / 2);
  EXPECT_EQ(dlc::stats().executions, 0);
}

TEST(DataLoader, Timeout) {
  auto loader = data::make_data_loader(
      NumbersDataset(4, 100ms), data::samplers::SequentialSampler(4),
      data::DataLoaderOptions().batch_size(1).workers(1).timeout(10ms));
  std::string message = errorOf([&] {
    for (auto &batch : *loader)
      (void)batch;
  });
  EXPECT_NE(message.find("DataLoader: no batch arrived within 10 ms"),
            std::string::npos)
      << message;
}

TEST(DataLoader, OptionsAndErrors) {
  data::DataLoaderOptions options(32);
  options.workers(2).max_jobs(5).drop_last(true);
  EXPECT_EQ(options.batch_size(), 32u);
  EXPECT_EQ(options.workers(), 2u);
  EXPECT_EQ(options.max_jobs(), std::optional<size_t>(5));
  EXPECT_TRUE(options.drop_last());
  EXPECT_TRUE(options.enforce_ordering());
  data::FullDataLoaderOptions full(data::DataLoaderOptions().workers(3));
  EXPECT_EQ(full.max_jobs, 6u);

  // A batch size is enough (LibTorch's implicit DataLoaderOptions).
  auto loader = data::make_data_loader(stackedRows(9), 4);
  int batches = 0;
  for (auto &batch : *loader)
    batches += batch.data.defined();
  EXPECT_EQ(batches, 3);

  EXPECT_DLC_ERROR(data::make_data_loader(
                       stackedRows(4), data::DataLoaderOptions().batch_size(0)),
                   "make_data_loader: batch_size must be positive");
  EXPECT_DLC_ERROR(
      data::make_data_loader(stackedRows(4),
                             data::DataLoaderOptions().workers(1).max_jobs(0)),
      "make_data_loader: max_jobs must be positive");

  auto it = loader->end();
  EXPECT_THROW(*it, Error);
  EXPECT_THROW(++it, Error);
}

} // namespace
