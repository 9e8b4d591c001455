//===- DatasetTest.cpp - Example, Stack, TensorDataset, MapDataset --------===//

#include "DataTestUtil.h"

using namespace dlc;
using namespace dlc::test;

namespace {

/// Row i is `Example<>{[i, 10 i], i % 2}` (recorded as lazy tensors).
struct PairsDataset : data::datasets::Dataset<PairsDataset> {
  explicit PairsDataset(size_t n) : n(n) {}
  data::Example<> get(size_t index) override {
    double i = static_cast<double>(index);
    return {dlc::tensor({i, 10 * i}), dlc::tensor(int64_t(index % 2))};
  }
  std::optional<size_t> size() const override { return n; }
  size_t n;
};

TEST(Example, DataAndTarget) {
  data::Example<> example(dlc::tensor({1.0, 2.0}), dlc::tensor(int64_t(3)));
  expectTensor(example.data, {2}, kFloat, {1, 2});
  expectTensor(example.target, {}, kLong, {3});

  data::TensorExample only = dlc::ones({2});
  Tensor &data = only;
  expectTensor(data, {2}, kFloat, {1, 1});
  static_assert(
      std::is_same_v<data::TensorExample::TargetType, data::example::NoTarget>);
  static_assert(std::is_same_v<data::Example<int, float>::DataType, int>);
}

TEST(Stack, StacksDataAndTargetsAlongANewDimension) {
  PairsDataset dataset(4);
  std::vector<data::Example<>> examples = dataset.get_batch({3, 0, 1});
  ASSERT_EQ(examples.size(), 3u);
  data::Example<> batch =
      data::transforms::Stack<>().apply_batch(std::move(examples));
  expectTensor(batch.data, {3, 2}, kFloat, {3, 30, 0, 0, 1, 10});
  expectTensor(batch.target, {3}, kLong, {1, 0, 1});

  std::vector<data::TensorExample> tensors = {dlc::ones({2}), dlc::zeros({2})};
  data::TensorExample stacked =
      data::transforms::Stack<data::TensorExample>().apply_batch(tensors);
  expectTensor(stacked.data, {2, 2}, kFloat, {1, 1, 0, 0});
}

TEST(MapDataset, StackOfAPlainDataset) {
  auto mapped = PairsDataset(5).map(data::transforms::Stack<>());
  static_assert(std::is_same_v<decltype(mapped)::BatchType, data::Example<>>);
  EXPECT_EQ(mapped.size(), std::optional<size_t>(5));
  data::Example<> batch = mapped.get_batch({4, 2});
  expectTensor(batch.data, {2, 2}, kFloat, {4, 40, 2, 20});
  expectTensor(batch.target, {2}, kLong, {0, 0});
  EXPECT_EQ(mapped.dataset().n, 5u);
}

TEST(MapDataset, LambdaTransforms) {
  auto doubled =
      PairsDataset(3)
          .map(data::transforms::Lambda<data::Example<>>([](data::Example<> e) {
            return data::Example<>(e.data * 2, e.target);
          }))
          .map(data::transforms::TensorLambda<>([](Tensor t) { return t + 1; }))
          .map(data::transforms::Stack<>());
  data::Example<> batch = doubled.get_batch({1, 2});
  expectTensor(batch.data, {2, 2}, kFloat, {3, 21, 5, 41});

  auto counted = PairsDataset(3).map(
      data::transforms::BatchLambda<std::vector<data::Example<>>, size_t>(
          [](std::vector<data::Example<>> b) { return b.size(); }));
  EXPECT_EQ(counted.get_batch({0, 1, 2}), 3u);

  data::transforms::Normalize<> normalize(1.0, 2.0);
  expectTensor(normalize(dlc::tensor({3.0, 5.0})), {2}, kFloat, {1, 2});
}

TEST(TensorDataset, RowsOfOneTensor) {
  Tensor values = dlc::arange(12, kFloat).reshape({4, 3});
  data::datasets::TensorDataset dataset(values);
  EXPECT_EQ(dataset.size(), std::optional<size_t>(4));
  expectTensor(dataset.get(2).data, {3}, kFloat, {6, 7, 8});

  std::vector<data::TensorExample> batch = dataset.get_batch({3, 1});
  ASSERT_EQ(batch.size(), 2u);
  expectTensor(batch[0].data, {3}, kFloat, {9, 10, 11});

  // From a vector of tensors: stacked, as LibTorch.
  data::TensorDataset stacked({dlc::tensor({1, 2}), dlc::tensor({3, 4})});
  EXPECT_EQ(stacked.size(), std::optional<size_t>(2));
  expectTensor(stacked.get(1).data, {2}, kLong, {3, 4});
}

TEST(TensorDataset, StackedBatchesAreCopiedOnTheHost) {
  Tensor values = dlc::arange(12, kLong).reshape({4, 3});
  auto mapped = data::TensorDataset(values).map(
      data::transforms::Stack<data::TensorExample>());
  // The batch is a realized buffer: reading it runs no graph.
  dlc::sync();
  dlc::reset_stats();
  data::TensorExample batch = mapped.get_batch({2, 0, 2});
  expectTensor(batch.data, {3, 3}, kLong, {6, 7, 8, 0, 1, 2, 6, 7, 8});
  EXPECT_EQ(dlc::stats().executions, 0);

  // The same as stacking the examples.
  data::datasets::TensorDataset plain(values);
  Tensor reference = data::transforms::Stack<data::TensorExample>()
                         .apply_batch(plain.get_batch({2, 0, 2}))
                         .data;
  EXPECT_EQ(longs(reference), longs(batch.data));

  // Batch tensors behave as any other: ops, in-place ops.
  Tensor doubled = batch.data * 2;
  batch.data.add_(1);
  EXPECT_EQ(longs(doubled)[0], 12);
  EXPECT_EQ(longs(batch.data)[0], 7);
}

TEST(TensorDataset, TheSnapshotOutlivesTheSourceTensor) {
  std::optional<data::TensorDataset> dataset;
  {
    Tensor source = dlc::ones({3, 2}) * 5;
    dataset.emplace(source);
    source.add_(1); // the user's tensor changes; the snapshot does not
  }
  data::TensorExample batch = dataset->get_stacked_batch({1});
  expectTensor(batch.data, {1, 2}, kFloat, {5, 5});
}

TEST(TensorDataset, Errors) {
  EXPECT_DLC_ERROR(data::TensorDataset(dlc::tensor(1.0)),
                   "TensorDataset: expected a tensor with at least one "
                   "dimension");
  EXPECT_DLC_ERROR(data::TensorDataset(Tensor{}),
                   "TensorDataset: expected a defined tensor");
  data::TensorDataset dataset(dlc::zeros({3, 2}));
  std::string message = errorOf([&] { dataset.get_stacked_batch({0, 3}); });
  EXPECT_NE(message.find("TensorDataset: index 3 is out of range for a "
                         "dataset of 3 rows"),
            std::string::npos)
      << message;
}

TEST(TensorPairDataset, RowsOfDataAndTarget) {
  Tensor x = dlc::arange(8, kFloat).reshape({4, 2});
  Tensor y = dlc::tensor({0.0, 1.0, 1.0, 0.0});
  data::TensorPairDataset dataset(x, y);
  EXPECT_EQ(dataset.size(), std::optional<size_t>(4));
  data::Example<> row = dataset.get(1);
  expectTensor(row.data, {2}, kFloat, {2, 3});
  expectTensor(row.target, {}, kFloat, {1});

  auto stacked = dataset.map(data::transforms::Stack<>());
  data::Example<> batch = stacked.get_batch({3, 1});
  expectTensor(batch.data, {2, 2}, kFloat, {6, 7, 2, 3});
  expectTensor(batch.target, {2}, kFloat, {0, 1});

  EXPECT_DLC_ERROR(data::TensorPairDataset(x, dlc::zeros({3})),
                   "TensorPairDataset: data and target must have the same "
                   "number of rows, got 4 and 3");
}

} // namespace
