//===- SamplersTest.cpp - SequentialSampler and RandomSampler -------------===//

#include "DataTestUtil.h"

#include <algorithm>
#include <numeric>

using namespace dlc;
using namespace dlc::data::samplers;

namespace {

/// Every batch of one epoch, concatenated.
template <typename S>
std::vector<size_t> epoch(S &sampler, size_t batchSize = 3) {
  std::vector<size_t> order;
  while (auto batch = sampler.next(batchSize)) {
    EXPECT_LE(batch->size(), batchSize);
    order.insert(order.end(), batch->begin(), batch->end());
  }
  return order;
}

bool isPermutation(std::vector<size_t> order, size_t n) {
  std::sort(order.begin(), order.end());
  std::vector<size_t> expected(n);
  std::iota(expected.begin(), expected.end(), size_t(0));
  return order == expected;
}

TEST(SequentialSampler, InOrderInBatches) {
  SequentialSampler sampler(10);
  EXPECT_EQ(sampler.next(4), std::optional(std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(sampler.next(4), std::optional(std::vector<size_t>{4, 5, 6, 7}));
  EXPECT_EQ(sampler.next(4), std::optional(std::vector<size_t>{8, 9}));
  EXPECT_EQ(sampler.index(), 10u);
  EXPECT_FALSE(sampler.next(4));
  sampler.reset();
  EXPECT_EQ(sampler.next(2), std::optional(std::vector<size_t>{0, 1}));
  sampler.reset(3);
  EXPECT_EQ(epoch(sampler, 5), (std::vector<size_t>{0, 1, 2}));
}

TEST(RandomSampler, SeededIsReproducibleAndNewEachEpoch) {
  RandomSampler a(100, uint64_t(42)), b(100, uint64_t(42));
  std::vector<size_t> a0 = epoch(a), b0 = epoch(b);
  EXPECT_TRUE(isPermutation(a0, 100));
  EXPECT_EQ(a0, b0);
  a.reset();
  b.reset();
  std::vector<size_t> a1 = epoch(a), b1 = epoch(b);
  EXPECT_TRUE(isPermutation(a1, 100));
  EXPECT_EQ(a1, b1);
  EXPECT_NE(a0, a1);
  EXPECT_EQ(a.epoch(), 1u);

  RandomSampler other(100, uint64_t(43));
  EXPECT_NE(epoch(other), a0);

  // Not the identity.
  std::vector<size_t> identity(100);
  std::iota(identity.begin(), identity.end(), size_t(0));
  EXPECT_NE(a0, identity);
}

TEST(RandomSampler, FollowsManualSeed) {
  auto run = [] {
    RandomSampler sampler(50);
    std::vector<std::vector<size_t>> epochs;
    for (int e = 0; e < 3; ++e) {
      sampler.reset();
      epochs.push_back(epoch(sampler, 7));
    }
    return epochs;
  };
  dlc::manual_seed(7);
  auto first = run();
  dlc::manual_seed(7);
  auto second = run();
  EXPECT_EQ(first, second);
  for (const auto &order : first)
    EXPECT_TRUE(isPermutation(order, 50));
  EXPECT_NE(first[0], first[1]);
  EXPECT_NE(first[1], first[2]);
  dlc::manual_seed(8);
  EXPECT_NE(run(), first);
}

TEST(RandomSampler, ResetToANewSizeAndEmpty) {
  RandomSampler sampler(5, uint64_t(1));
  sampler.reset(8);
  EXPECT_TRUE(isPermutation(epoch(sampler), 8));
  RandomSampler empty(0);
  EXPECT_FALSE(empty.next(4));
  EXPECT_THROW(RandomSampler(-1), dlc::Error);
}

//===----------------------------------------------------------------------===//
// Distributed samplers (one process here; test/distributed runs several)
//===----------------------------------------------------------------------===//

TEST(DistributedRandomSampler, OneReplicaIsRandomSamplerWithTheSeed) {
  RandomSampler plain(50, uint64_t(9));
  DistributedRandomSampler one(50, 1, 0, true, 9);
  for (int e = 0; e < 3; ++e) {
    plain.reset();
    one.reset();
    EXPECT_EQ(epoch(one), epoch(plain)) << "epoch " << e;
  }
}

TEST(DistributedRandomSampler, ShardsAreDisjointAndCoverEveryIndex) {
  for (bool duplicates : {true, false}) {
    std::vector<size_t> all;
    for (size_t rank = 0; rank < 3; ++rank) {
      DistributedRandomSampler shard(10, 3, rank, duplicates, 4);
      shard.reset();
      std::vector<size_t> mine = epoch(shard);
      EXPECT_EQ(mine.size(), duplicates ? 4u : 3u);
      EXPECT_EQ(mine.size(), shard.local_sample_count());
      all.insert(all.end(), mine.begin(), mine.end());
    }
    std::sort(all.begin(), all.end());
    if (duplicates) {
      // 12 = 10 + 2 padding indices repeated from the permutation's start.
      EXPECT_EQ(all.size(), 12u);
      all.erase(std::unique(all.begin(), all.end()), all.end());
      EXPECT_TRUE(isPermutation(all, 10));
    } else {
      EXPECT_EQ(std::unique(all.begin(), all.end()), all.end());
      EXPECT_EQ(all.size(), 9u);
    }
  }
}

TEST(DistributedRandomSampler, SetEpochChoosesTheNextEpochsPermutation) {
  DistributedRandomSampler a(20, 2, 1, true, 3), b(20, 2, 1, true, 3);
  a.reset();
  a.reset();
  a.reset(); // epoch 2
  std::vector<size_t> third = epoch(a);
  b.set_epoch(2);
  b.reset();
  EXPECT_EQ(b.epoch(), 2u);
  EXPECT_EQ(epoch(b), third);
  b.reset();
  EXPECT_EQ(b.epoch(), 3u);
  EXPECT_NE(epoch(b), third);
  // Unshuffled: in order, every other index.
  DistributedSequentialSampler sequential(7, 2, 1);
  EXPECT_EQ(epoch(sequential), (std::vector<size_t>{1, 3, 5, 0}));
  DistributedEvalSampler eval(7, 2, 1);
  EXPECT_EQ(epoch(eval), (std::vector<size_t>{1, 3, 5}));
}

TEST(DistributedRandomSampler, BadArgumentsAreErrors) {
  EXPECT_ERROR(DistributedRandomSampler(10, 0, 0),
               "DistributedRandomSampler: num_replicas must be positive");
  EXPECT_ERROR(DistributedRandomSampler(10, 2, 2),
               "DistributedRandomSampler: rank 2 is not below num_replicas 2");
}

} // namespace
