//===- Allocator.cpp - Buffer and the caching CPU allocator ---------------===//

#include "runtime/Allocator.h"
#include "runtime/Buffer.h"
#include "runtime/Cuda.h"
#include "runtime/Error.h"

#include <fmt/format.h>

#include <bit>
#include <cstdlib>
#include <new>

namespace dlc::rt {

//===----------------------------------------------------------------------===//
// CachingAllocator
//===----------------------------------------------------------------------===//

size_t CachingAllocator::roundSize(size_t bytes) {
  constexpr size_t kSmall = 4096;
  if (bytes <= kSmall)
    return bytes == 0 ? Buffer::kAlignment
                      : (bytes + Buffer::kAlignment - 1) / Buffer::kAlignment *
                            Buffer::kAlignment;
  // 8 classes between consecutive powers of two.
  size_t power = std::bit_floor(bytes);
  size_t step = power / 8;
  return (bytes + step - 1) / step * step;
}

CachingAllocator::~CachingAllocator() { emptyCache(); }

CachingAllocator &CachingAllocator::host() {
  // Never destroyed: buffers held by static objects may be freed after any
  // static allocator would have been.
  static auto *allocator = new CachingAllocator();
  return *allocator;
}

void *CachingAllocator::allocate(size_t bytes) {
  size_t size = roundSize(bytes);
  std::lock_guard<std::mutex> lock(mutex);
  void *pointer = nullptr;
  auto it = freeLists.find(size);
  if (it != freeLists.end() && !it->second.empty()) {
    pointer = it->second.back();
    it->second.pop_back();
    ++counters.cacheHits;
  } else {
    pointer = std::aligned_alloc(Buffer::kAlignment, size);
    if (!pointer) {
      // Memory held in the cache may be enough once given back.
      for (auto &[cachedSize, blocks] : freeLists) {
        for (void *block : blocks)
          std::free(block);
        counters.reservedBytes -=
            static_cast<int64_t>(cachedSize * blocks.size());
        blocks.clear();
      }
      pointer = std::aligned_alloc(Buffer::kAlignment, size);
    }
    if (!pointer)
      throw Error(fmt::format("out of memory: cannot allocate {} bytes on the "
                              "host ({} bytes already in use)",
                              size, counters.allocatedBytes));
    ++counters.cacheMisses;
    counters.reservedBytes += static_cast<int64_t>(size);
  }
  counters.allocatedBytes += static_cast<int64_t>(size);
  if (counters.allocatedBytes > counters.peakAllocatedBytes)
    counters.peakAllocatedBytes = counters.allocatedBytes;
  return pointer;
}

void CachingAllocator::deallocate(void *pointer, size_t bytes) {
  size_t size = roundSize(bytes);
  std::lock_guard<std::mutex> lock(mutex);
  freeLists[size].push_back(pointer);
  counters.allocatedBytes -= static_cast<int64_t>(size);
}

void CachingAllocator::emptyCache() {
  std::lock_guard<std::mutex> lock(mutex);
  for (auto &[size, blocks] : freeLists) {
    for (void *block : blocks)
      std::free(block);
    counters.reservedBytes -= static_cast<int64_t>(size * blocks.size());
  }
  freeLists.clear();
}

AllocatorStats CachingAllocator::stats() const {
  std::lock_guard<std::mutex> lock(mutex);
  return counters;
}

void CachingAllocator::resetPeakStats() {
  std::lock_guard<std::mutex> lock(mutex);
  counters.peakAllocatedBytes = counters.allocatedBytes;
  counters.cacheHits = 0;
  counters.cacheMisses = 0;
}

//===----------------------------------------------------------------------===//
// Buffer
//===----------------------------------------------------------------------===//

Buffer::Buffer(void *pointer, size_t bytes, Device where, bool borrowed,
               std::function<void(void *)> deleter)
    : pointer(pointer), bytes(bytes), where(where), borrowed(borrowed),
      deleter(std::move(deleter)) {}

std::shared_ptr<Buffer> Buffer::allocate(size_t bytes, Device device) {
  if (device.is_cuda()) {
    // "cuda" means the first device, as in LibTorch.
    Device where(kCUDA, device.has_index() ? device.index() : 0);
    void *pointer = cuda::DeviceAllocator::get(where.index()).allocate(bytes);
    return std::shared_ptr<Buffer>(
        new Buffer(pointer, bytes, where, false, {}));
  }
  void *pointer = CachingAllocator::host().allocate(bytes);
  return std::shared_ptr<Buffer>(new Buffer(pointer, bytes, device, false, {}));
}

std::shared_ptr<Buffer> Buffer::borrow(void *data, size_t bytes,
                                       std::function<void(void *)> deleter,
                                       Device device) {
  return std::shared_ptr<Buffer>(
      new Buffer(data, bytes, device, true, std::move(deleter)));
}

Buffer::~Buffer() {
  if (!borrowed && where.is_cuda()) {
    // The allocator exists (it made the block) and deallocate never throws;
    // the guard only keeps a destructor from terminating the program.
    try {
      cuda::DeviceAllocator::get(where.index()).deallocate(pointer, bytes);
    } catch (...) {
    }
  } else if (!borrowed)
    CachingAllocator::host().deallocate(pointer, bytes);
  else if (deleter)
    deleter(pointer);
}

} // namespace dlc::rt
