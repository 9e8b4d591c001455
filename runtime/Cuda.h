//===- Cuda.h - NVIDIA GPUs through the driver API, loaded at run time ----===//
//
// dlc links no CUDA library: the driver (libcuda.so.1), cuBLAS and NVRTC are
// opened with dlopen the first time they are needed, so one binary runs on
// machines with and without a GPU. NVRTC needs no GPU: kernels are compiled
// to PTX (and tested) anywhere the toolkit is installed.
//
// All of dlc's work on a device runs on one stream per device, in order;
// memory comes from a caching allocator per device (size classes as the host
// one), so a block freed by one step is reused by the next without a
// synchronization. Host reads (copyToHost) wait for the stream.
//
// No CUDA header is included: the handful of driver types are opaque here.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_CUDA_H
#define DLC_RUNTIME_CUDA_H

#include "runtime/Allocator.h"
#include "runtime/Buffer.h"
#include "runtime/ScalarType.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dlc::rt::cuda {

//===----------------------------------------------------------------------===//
// Devices
//===----------------------------------------------------------------------===//

/// True when the driver loads, initializes and reports at least one device.
/// Never throws.
bool isAvailable();
/// Why isAvailable() is false, in a sentence ("libcuda.so.1 could not be
/// loaded (...): no NVIDIA driver on this machine"); empty when it is true.
std::string unavailableReason();
/// The number of devices (0 without a driver).
int deviceCount();

struct DeviceProperties {
  std::string name;
  int major = 0, minor = 0; ///< compute capability
  int multiprocessors = 0;
  int64_t totalMemory = 0;
  /// Peak memory bandwidth from the memory clock and bus width, bytes/s.
  double memoryBandwidth = 0;
};
/// Throws dlc::Error for a device that does not exist (naming how many do).
DeviceProperties properties(int device);
/// "compute capability as an integer": 90 for 9.0.
int computeCapability(int device);

/// Makes `device`'s primary context current on the calling thread (every
/// function below taking a device does this itself).
void setDevice(int device);

//===----------------------------------------------------------------------===//
// Memory and copies
//===----------------------------------------------------------------------===//

/// The caching allocator of a device's memory: freed blocks go to free
/// lists by size class (CachingAllocator::roundSize) and are handed out
/// again; emptyCache() gives them back to the driver. A failed cuMemAlloc
/// empties the cache and tries once more, then throws dlc::Error naming the
/// size, the device and its allocated/reserved bytes.
class DeviceAllocator {
public:
  static DeviceAllocator &get(int device);
  void *allocate(size_t bytes);
  void deallocate(void *pointer, size_t bytes);
  void emptyCache();
  AllocatorStats stats() const;
  void resetPeakStats();

  explicit DeviceAllocator(int device);
  ~DeviceAllocator();
  DeviceAllocator(const DeviceAllocator &) = delete;
  DeviceAllocator &operator=(const DeviceAllocator &) = delete;

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

/// Host -> device: returns once `src` may be reused (staged through a
/// pinned buffer, the copy itself ordered on the device's stream).
void copyToDevice(int device, void *dst, const void *src, size_t bytes);
/// Device -> host: waits for the stream's earlier work, then copies.
void copyToHost(int device, void *dst, const void *src, size_t bytes);
/// Device -> device on the stream (asynchronous).
void copyOnDevice(int device, void *dst, const void *src, size_t bytes);
/// Sets `bytes` bytes to `value` on the stream (asynchronous).
void fillBytes(int device, void *dst, uint8_t value, size_t bytes);
/// Waits for every piece of work on the device's stream.
void synchronize(int device);
/// A copy of `buffer` on `device`: host <-> GPU, on one GPU, or between two
/// (through the host).
std::shared_ptr<Buffer> copyBuffer(const std::shared_ptr<Buffer> &buffer,
                                   Device device);

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

/// A PTX module loaded on a device (cuModuleLoadData; the driver compiles
/// the PTX for the device). Unloaded when the last reference drops.
class Module {
public:
  /// Throws dlc::Error with the driver's message (and its JIT log).
  static std::shared_ptr<Module> load(int device, const std::string &ptx);
  ~Module();
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;
  /// The kernel `name` (a CUfunction); throws dlc::Error if missing.
  void *function(const std::string &name) const;
  int device() const { return where; }

private:
  Module(int device, void *handle) : where(device), handle(handle) {}
  int where;
  void *handle;
};

/// Launches `function` on the device's stream: `grid` x `block` threads,
/// `params` as cuLaunchKernel takes them (one pointer per argument).
void launch(int device, void *function, unsigned grid, unsigned block,
            void **params, unsigned sharedBytes = 0);

/// Times work on the device's stream (cuEventElapsedTime).
class Timer {
public:
  explicit Timer(int device);
  ~Timer();
  Timer(const Timer &) = delete;
  Timer &operator=(const Timer &) = delete;
  void start();
  /// Records the end, waits for it, and returns the milliseconds since start.
  double stopMs();

private:
  int device;
  void *begin = nullptr, *end = nullptr;
};

//===----------------------------------------------------------------------===//
// cuBLAS
//===----------------------------------------------------------------------===//

/// C[b] = op(A[b]) @ op(B[b]) for `batch` row-major matrices (batch strides
/// m*k, k*n, m*n), f32 or f64, through cuBLAS on the device's stream (FP32
/// math: no TF32). Throws dlc::Error when cuBLAS cannot be loaded.
void gemm(int device, ScalarType type, int64_t batch, int64_t m, int64_t n,
          int64_t k, bool transA, bool transB, const void *a, const void *b,
          void *c);

//===----------------------------------------------------------------------===//
// NVRTC (no GPU needed)
//===----------------------------------------------------------------------===//

/// True when libnvrtc loads (from the library path or /usr/local/cuda).
bool nvrtcAvailable();
/// Why not; empty when available.
std::string nvrtcUnavailableReason();
/// NVRTC's version as 1000 * major + 10 * minor (13000 for 13.0).
int nvrtcVersion();
/// The architecture kernels are compiled for: the device's compute
/// capability, or 90 where there is no GPU (DLC_CUDA_ARCH overrides).
int targetArchitecture(int device = 0);

/// Compiles CUDA C `source` (a translation unit named `name`) to PTX for
/// `compute_<arch>`. Throws dlc::Error with NVRTC's log on failure.
std::string compileToPtx(const std::string &source, const std::string &name,
                         int arch);

} // namespace dlc::rt::cuda

#endif // DLC_RUNTIME_CUDA_H
