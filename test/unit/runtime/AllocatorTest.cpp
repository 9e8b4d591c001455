//===- AllocatorTest.cpp - The caching allocator and buffers --------------===//

#include "runtime/Allocator.h"
#include "runtime/Buffer.h"
#include "runtime/Cuda.h"
#include "runtime/Error.h"

#include <gtest/gtest.h>

#include <cstdint>

using namespace dlc::rt;

namespace {

TEST(Allocator, SizeClasses) {
  EXPECT_EQ(CachingAllocator::roundSize(0), 64u);
  EXPECT_EQ(CachingAllocator::roundSize(1), 64u);
  EXPECT_EQ(CachingAllocator::roundSize(65), 128u);
  EXPECT_EQ(CachingAllocator::roundSize(4096), 4096u);
  EXPECT_EQ(CachingAllocator::roundSize(4097), 4608u); // 8 classes per doubling
  EXPECT_EQ(CachingAllocator::roundSize(1 << 20), size_t(1) << 20);
  EXPECT_EQ(CachingAllocator::roundSize((1 << 20) + 1),
            (size_t(1) << 20) + (1 << 17));
  for (size_t bytes :
       {size_t(100), size_t(5000), size_t(3) << 20, size_t(12345678)}) {
    size_t rounded = CachingAllocator::roundSize(bytes);
    EXPECT_GE(rounded, bytes);
    EXPECT_LE(rounded, bytes + bytes / 8 + 64) << "at most 12.5% lost";
  }
}

TEST(Allocator, ReusesFreedBlocksAndCounts) {
  CachingAllocator allocator;
  void *a = allocator.allocate(1000);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
  AllocatorStats s = allocator.stats();
  EXPECT_EQ(s.allocatedBytes, 1024);
  EXPECT_EQ(s.reservedBytes, 1024);
  EXPECT_EQ(s.cacheMisses, 1);
  allocator.deallocate(a, 1000);
  EXPECT_EQ(allocator.stats().allocatedBytes, 0);
  EXPECT_EQ(allocator.stats().reservedBytes, 1024) << "kept for reuse";
  void *b = allocator.allocate(1000);
  EXPECT_EQ(a, b) << "the same size class reuses the block";
  EXPECT_EQ(allocator.stats().cacheHits, 1);
  void *c = allocator.allocate(20000);
  EXPECT_EQ(allocator.stats().peakAllocatedBytes, 1024 + 20480);
  allocator.deallocate(b, 1000);
  allocator.deallocate(c, 20000);
  allocator.emptyCache();
  EXPECT_EQ(allocator.stats().reservedBytes, 0);
}

TEST(Allocator, ReportsExhaustionAsAnError) {
  CachingAllocator allocator;
  try {
    allocator.allocate(size_t(1) << 62);
    FAIL() << "4 EiB should not be allocatable";
  } catch (const dlc::Error &error) {
    EXPECT_NE(std::string(error.what()).find("out of memory: cannot allocate"),
              std::string::npos);
  }
  EXPECT_EQ(allocator.stats().allocatedBytes, 0);
  if (!dlc::rt::cuda::isAvailable()) {
    EXPECT_THROW(Buffer::allocate(8, dlc::Device(dlc::kCUDA)), dlc::Error);
  }
}

TEST(Buffer, OwnedAndBorrowed) {
  auto owned = Buffer::allocate(10);
  EXPECT_EQ(owned->size(), 10u);
  EXPECT_FALSE(owned->isBorrowed());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(owned->data()) % Buffer::kAlignment,
            0u);
  int data[3] = {1, 2, 3};
  int deletions = 0;
  {
    auto borrowed = Buffer::borrow(data, sizeof(data), [&](void *p) {
      EXPECT_EQ(p, data);
      ++deletions;
    });
    EXPECT_TRUE(borrowed->isBorrowed());
    EXPECT_EQ(borrowed->data(), data);
  }
  EXPECT_EQ(deletions, 1);
}

} // namespace
