//===- Allocator.h - The caching CPU allocator ----------------------------===//
//
// Deep learning programs allocate the same sizes every step. Returning freed
// blocks to the operating system and asking again costs page faults on every
// touch of a fresh block (16k of them for 64 MiB), so freed blocks are kept in
// per-size-class free lists and handed out again.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_ALLOCATOR_H
#define DLC_RUNTIME_ALLOCATOR_H

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

namespace dlc::rt {

/// Counters of a caching allocator.
struct AllocatorStats {
  /// Bytes in blocks handed out and not yet freed (rounded to size classes).
  int64_t allocatedBytes = 0;
  /// The largest `allocatedBytes` seen since the last reset.
  int64_t peakAllocatedBytes = 0;
  /// Bytes held from the system: allocated plus cached.
  int64_t reservedBytes = 0;
  /// Allocations served from the cache, and those that went to the system.
  int64_t cacheHits = 0;
  int64_t cacheMisses = 0;
};

/// A thread-safe caching allocator of 64-byte aligned host memory. Sizes are
/// rounded up to size classes (64 bytes below 4 KiB, then 8 classes per
/// doubling, so at most 12.5% is lost to rounding); a freed block goes to the
/// free list of its class.
class CachingAllocator {
public:
  ~CachingAllocator();

  /// The process-wide allocator for host memory.
  static CachingAllocator &host();

  /// A block of at least `bytes` bytes (a unique non-null pointer for 0).
  void *allocate(size_t bytes);
  /// Returns a block from `allocate(bytes)` to the cache.
  void deallocate(void *pointer, size_t bytes);
  /// Gives every cached block back to the system.
  void emptyCache();

  AllocatorStats stats() const;
  /// Resets the peak to the current allocation and the hit/miss counters.
  void resetPeakStats();

  /// The size class `bytes` is rounded up to.
  static size_t roundSize(size_t bytes);

private:
  mutable std::mutex mutex;
  std::map<size_t, std::vector<void *>> freeLists;
  AllocatorStats counters;
};

} // namespace dlc::rt

#endif // DLC_RUNTIME_ALLOCATOR_H
