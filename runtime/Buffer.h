//===- Buffer.h - Reference-counted device memory -------------------------===//

#ifndef DLC_RUNTIME_BUFFER_H
#define DLC_RUNTIME_BUFFER_H

#include "runtime/Device.h"

#include <cstddef>
#include <functional>
#include <memory>

namespace dlc::rt {

/// A block of memory on a device. Owned buffers come from the device's
/// caching allocator, 64-byte aligned, and go back to it when the last
/// reference drops; borrowed buffers wrap memory a user owns (`from_blob`)
/// and call the user's deleter, if any.
class Buffer {
public:
  /// Bytes every owned buffer is aligned to.
  static constexpr size_t kAlignment = 64;

  /// Allocates `bytes` (possibly 0) on `device` from its caching allocator.
  static std::shared_ptr<Buffer> allocate(size_t bytes, Device device = kCPU);
  /// Wraps user memory without copying it. `deleter`, when given, runs when
  /// the last reference drops.
  static std::shared_ptr<Buffer>
  borrow(void *data, size_t bytes, std::function<void(void *)> deleter = {},
         Device device = kCPU);

  ~Buffer();
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;

  void *data() const { return pointer; }
  size_t size() const { return bytes; }
  Device device() const { return where; }
  /// True for memory the user lent (`from_blob`).
  bool isBorrowed() const { return borrowed; }

private:
  Buffer(void *pointer, size_t bytes, Device where, bool borrowed,
         std::function<void(void *)> deleter);

  void *pointer;
  size_t bytes;
  Device where;
  bool borrowed;
  std::function<void(void *)> deleter;
};

using BufferPtr = std::shared_ptr<Buffer>;

} // namespace dlc::rt

#endif // DLC_RUNTIME_BUFFER_H
