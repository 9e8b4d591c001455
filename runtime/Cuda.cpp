//===- Cuda.cpp - NVIDIA GPUs through the driver API, loaded at run time --===//
//
// The driver, cuBLAS and NVRTC are opened with dlopen on first use and their
// entry points looked up by name: the few types they need are declared here
// (handles are opaque pointers), so no CUDA header or library is needed to
// build dlc.
//
//===----------------------------------------------------------------------===//

#include "runtime/Cuda.h"
#include "runtime/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <exception>
#include <map>
#include <mutex>

namespace dlc::rt::cuda {

namespace {

//===----------------------------------------------------------------------===//
// Driver API declarations
//===----------------------------------------------------------------------===//

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
using CUevent = void *;
using CUjit_option = int;

constexpr CUresult kSuccess = 0;
constexpr CUresult kOutOfMemory = 2;
constexpr int kAttributeMultiprocessors = 16;
constexpr int kAttributeMemoryClockKHz = 36;
constexpr int kAttributeBusWidth = 37;
constexpr int kAttributeMajor = 75;
constexpr int kAttributeMinor = 76;
constexpr CUjit_option kJitErrorLogBuffer = 5;
constexpr CUjit_option kJitErrorLogBufferSize = 6;
constexpr unsigned kEventDisableTiming = 2;

struct Driver {
  bool loaded = false; ///< every entry point found and cuInit succeeded
  std::string reason;  ///< why not, or why there are no devices
  int count = 0;

  CUresult (*cuInit)(unsigned);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceTotalMem_v2)(size_t *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuMemAlloc_v2)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree_v2)(CUdeviceptr);
  CUresult (*cuMemAllocHost_v2)(void **, size_t);
  CUresult (*cuMemFreeHost)(void *);
  CUresult (*cuMemcpyHtoDAsync_v2)(CUdeviceptr, const void *, size_t, CUstream);
  CUresult (*cuMemcpyDtoHAsync_v2)(void *, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemcpyDtoDAsync_v2)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemsetD8Async)(CUdeviceptr, unsigned char, size_t, CUstream);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventSynchronize)(CUevent);
  CUresult (*cuEventElapsedTime)(float *, CUevent, CUevent);
  CUresult (*cuEventDestroy_v2)(CUevent);
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned,
                                 CUjit_option *, void **);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);
};

/// Looks up `name` in `library` into `slot`; false (and `missing` set) when
/// the library lacks it.
template <typename F>
bool lookUp(void *library, const char *name, F &slot, std::string &missing) {
  slot = reinterpret_cast<F>(dlsym(library, name));
  if (!slot && missing.empty())
    missing = name;
  return slot != nullptr;
}

std::string dlopenError() {
  const char *text = dlerror();
  return text ? text : "unknown error";
}

const Driver &driver() {
  static Driver *instance = new Driver();
  static std::once_flag once;
  std::call_once(once, [] {
    Driver &d = *instance;
    dlerror();
    void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      d.reason = fmt::format("libcuda.so.1 could not be loaded ({}): this "
                             "machine has no NVIDIA driver",
                             dlopenError());
      return;
    }
    std::string missing;
#define DLC_LOOK_UP(name) lookUp(library, #name, d.name, missing)
    DLC_LOOK_UP(cuInit);
    DLC_LOOK_UP(cuGetErrorString);
    DLC_LOOK_UP(cuGetErrorName);
    DLC_LOOK_UP(cuDeviceGetCount);
    DLC_LOOK_UP(cuDeviceGetAttribute);
    DLC_LOOK_UP(cuDeviceGetName);
    DLC_LOOK_UP(cuDeviceTotalMem_v2);
    DLC_LOOK_UP(cuDevicePrimaryCtxRetain);
    DLC_LOOK_UP(cuCtxSetCurrent);
    DLC_LOOK_UP(cuStreamCreate);
    DLC_LOOK_UP(cuStreamSynchronize);
    DLC_LOOK_UP(cuMemAlloc_v2);
    DLC_LOOK_UP(cuMemFree_v2);
    DLC_LOOK_UP(cuMemAllocHost_v2);
    DLC_LOOK_UP(cuMemFreeHost);
    DLC_LOOK_UP(cuMemcpyHtoDAsync_v2);
    DLC_LOOK_UP(cuMemcpyDtoHAsync_v2);
    DLC_LOOK_UP(cuMemcpyDtoDAsync_v2);
    DLC_LOOK_UP(cuMemsetD8Async);
    DLC_LOOK_UP(cuEventCreate);
    DLC_LOOK_UP(cuEventRecord);
    DLC_LOOK_UP(cuEventSynchronize);
    DLC_LOOK_UP(cuEventElapsedTime);
    DLC_LOOK_UP(cuEventDestroy_v2);
    DLC_LOOK_UP(cuModuleLoadDataEx);
    DLC_LOOK_UP(cuModuleGetFunction);
    DLC_LOOK_UP(cuModuleUnload);
    DLC_LOOK_UP(cuLaunchKernel);
#undef DLC_LOOK_UP
    if (!missing.empty()) {
      d.reason = fmt::format("libcuda.so.1 has no {}: the NVIDIA driver is "
                             "too old",
                             missing);
      return;
    }
    if (CUresult result = d.cuInit(0); result != kSuccess) {
      const char *name = nullptr, *text = nullptr;
      d.cuGetErrorName(result, &name);
      d.cuGetErrorString(result, &text);
      d.reason = fmt::format("cuInit failed: {} ({})", name ? name : "?",
                             text ? text : "unknown error");
      return;
    }
    d.loaded = true;
    if (d.cuDeviceGetCount(&d.count) != kSuccess)
      d.count = 0;
    if (d.count == 0)
      d.reason = "the NVIDIA driver reports no CUDA device";
  });
  return *instance;
}

/// "CUDA_ERROR_OUT_OF_MEMORY (out of memory)".
std::string describe(CUresult result) {
  const Driver &d = driver();
  const char *name = nullptr, *text = nullptr;
  if (d.loaded) {
    d.cuGetErrorName(result, &name);
    d.cuGetErrorString(result, &text);
  }
  if (!name)
    return fmt::format("CUDA error {}", result);
  return fmt::format("{} ({})", name, text ? text : "no description");
}

/// Throws dlc::Error naming the driver call when `result` is not success.
void check(CUresult result, const char *call, int device) {
  if (result != kSuccess)
    throw Error(fmt::format("{} failed on cuda:{}: {}", call, device,
                            describe(result)));
}

/// The driver, after checking that `device` exists.
const Driver &driverFor(int device) {
  const Driver &d = driver();
  if (!d.loaded || d.count == 0)
    throw Error(fmt::format("CUDA is not available: {}", d.reason));
  if (device < 0 || device >= d.count)
    throw Error(fmt::format("cuda:{} does not exist: this machine has {} CUDA "
                            "device{}",
                            device, d.count, d.count == 1 ? "" : "s"));
  return d;
}

std::string formatBytes(double bytes) {
  constexpr double kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;
  if (bytes >= kGiB)
    return fmt::format("{:.1f} GiB", bytes / kGiB);
  if (bytes >= kMiB)
    return fmt::format("{:.1f} MiB", bytes / kMiB);
  if (bytes >= kKiB)
    return fmt::format("{:.1f} KiB", bytes / kKiB);
  return fmt::format("{} bytes", bytes);
}

//===----------------------------------------------------------------------===//
// Per-device state
//===----------------------------------------------------------------------===//

/// Pinned host memory copies to a device are staged through: two halves, so
/// that filling one overlaps the transfer from the other.
constexpr size_t kStagingChunk = size_t(16) << 20;

struct DeviceState {
  std::once_flag once;
  CUcontext context = nullptr;
  CUstream stream = nullptr;

  std::mutex stagingMutex;
  char *staging = nullptr; ///< two halves of `stagingHalf` bytes
  size_t stagingHalf = 0;
  CUevent stagingDone[2] = {nullptr, nullptr};

  std::once_flag blasOnce;
  void *blas = nullptr; ///< cublasHandle_t
};

/// Never destroyed: a static destructor would run after the driver is gone.
DeviceState &state(int device) {
  const Driver &d = driverFor(device);
  static std::vector<DeviceState> *states =
      new std::vector<DeviceState>(static_cast<size_t>(d.count));
  DeviceState &s = (*states)[device];
  // A failure leaves the flag unset: the next call tries again.
  std::call_once(s.once, [&] {
    CUdevice handle = device;
    check(d.cuDevicePrimaryCtxRetain(&s.context, handle),
          "cuDevicePrimaryCtxRetain", device);
    check(d.cuCtxSetCurrent(s.context), "cuCtxSetCurrent", device);
    check(d.cuStreamCreate(&s.stream, 0), "cuStreamCreate", device);
  });
  return s;
}

/// Makes `device` current and returns its state.
DeviceState &current(int device) {
  DeviceState &s = state(device);
  check(driver().cuCtxSetCurrent(s.context), "cuCtxSetCurrent", device);
  return s;
}

CUdeviceptr address(const void *pointer) {
  return static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(pointer));
}

//===----------------------------------------------------------------------===//
// cuBLAS and NVRTC declarations
//===----------------------------------------------------------------------===//

using cublasStatus_t = int;
using cublasOperation_t = int;
constexpr cublasOperation_t kOpN = 0, kOpT = 1;

struct Blas {
  bool loaded = false;
  std::string reason;
  cublasStatus_t (*cublasCreate_v2)(void **);
  cublasStatus_t (*cublasSetStream_v2)(void *, CUstream);
  cublasStatus_t (*cublasSgemmStridedBatched)(void *, cublasOperation_t,
                                              cublasOperation_t, int, int, int,
                                              const float *, const float *, int,
                                              long long, const float *, int,
                                              long long, const float *, float *,
                                              int, long long, int);
  cublasStatus_t (*cublasDgemmStridedBatched)(void *, cublasOperation_t,
                                              cublasOperation_t, int, int, int,
                                              const double *, const double *,
                                              int, long long, const double *,
                                              int, long long, const double *,
                                              double *, int, long long, int);
};

/// Opens the first of `names` that loads; `errors` collects why the others
/// did not.
void *openFirst(std::initializer_list<const char *> names,
                std::string &errors) {
  for (const char *name : names) {
    dlerror();
    if (void *library = dlopen(name, RTLD_NOW | RTLD_LOCAL))
      return library;
    errors += fmt::format("{}{}", errors.empty() ? "" : "; ", dlopenError());
  }
  return nullptr;
}

const Blas &blas() {
  static Blas *instance = new Blas();
  static std::once_flag once;
  std::call_once(once, [] {
    Blas &b = *instance;
    std::string errors;
    void *library = openFirst({"libcublas.so.13", "libcublas.so",
                               "/usr/local/cuda/lib64/libcublas.so.13",
                               "/usr/local/cuda/lib64/libcublas.so"},
                              errors);
    if (!library) {
      b.reason = fmt::format("libcublas could not be loaded ({})", errors);
      return;
    }
    std::string missing;
#define DLC_LOOK_UP(name) lookUp(library, #name, b.name, missing)
    DLC_LOOK_UP(cublasCreate_v2);
    DLC_LOOK_UP(cublasSetStream_v2);
    DLC_LOOK_UP(cublasSgemmStridedBatched);
    DLC_LOOK_UP(cublasDgemmStridedBatched);
#undef DLC_LOOK_UP
    if (!missing.empty()) {
      b.reason = fmt::format("libcublas has no {}", missing);
      return;
    }
    b.loaded = true;
  });
  return *instance;
}

using nvrtcResult = int;
using nvrtcProgram = void *;

struct Nvrtc {
  bool loaded = false;
  std::string reason;
  nvrtcResult (*nvrtcVersion)(int *, int *);
  const char *(*nvrtcGetErrorString)(nvrtcResult);
  nvrtcResult (*nvrtcCreateProgram)(nvrtcProgram *, const char *, const char *,
                                    int, const char *const *,
                                    const char *const *);
  nvrtcResult (*nvrtcCompileProgram)(nvrtcProgram, int, const char *const *);
  nvrtcResult (*nvrtcGetProgramLogSize)(nvrtcProgram, size_t *);
  nvrtcResult (*nvrtcGetProgramLog)(nvrtcProgram, char *);
  nvrtcResult (*nvrtcGetPTXSize)(nvrtcProgram, size_t *);
  nvrtcResult (*nvrtcGetPTX)(nvrtcProgram, char *);
  nvrtcResult (*nvrtcDestroyProgram)(nvrtcProgram *);
};

const Nvrtc &nvrtc() {
  static Nvrtc *instance = new Nvrtc();
  static std::once_flag once;
  std::call_once(once, [] {
    Nvrtc &n = *instance;
    std::string errors;
    void *library = openFirst({"libnvrtc.so.13", "libnvrtc.so",
                               "/usr/local/cuda/lib64/libnvrtc.so.13",
                               "/usr/local/cuda/lib64/libnvrtc.so"},
                              errors);
    if (!library) {
      n.reason = fmt::format("libnvrtc could not be loaded ({}): the CUDA "
                             "toolkit is not installed",
                             errors);
      return;
    }
    std::string missing;
#define DLC_LOOK_UP(name) lookUp(library, #name, n.name, missing)
    DLC_LOOK_UP(nvrtcVersion);
    DLC_LOOK_UP(nvrtcGetErrorString);
    DLC_LOOK_UP(nvrtcCreateProgram);
    DLC_LOOK_UP(nvrtcCompileProgram);
    DLC_LOOK_UP(nvrtcGetProgramLogSize);
    DLC_LOOK_UP(nvrtcGetProgramLog);
    DLC_LOOK_UP(nvrtcGetPTXSize);
    DLC_LOOK_UP(nvrtcGetPTX);
    DLC_LOOK_UP(nvrtcDestroyProgram);
#undef DLC_LOOK_UP
    if (!missing.empty()) {
      n.reason = fmt::format("libnvrtc has no {}", missing);
      return;
    }
    n.loaded = true;
  });
  return *instance;
}

const Nvrtc &loadedNvrtc() {
  const Nvrtc &n = nvrtc();
  if (!n.loaded)
    throw Error(fmt::format("NVRTC is not available: {}", n.reason));
  return n;
}

} // namespace

//===----------------------------------------------------------------------===//
// Devices
//===----------------------------------------------------------------------===//

bool isAvailable() {
  const Driver &d = driver();
  return d.loaded && d.count > 0;
}

std::string unavailableReason() {
  return isAvailable() ? std::string() : driver().reason;
}

int deviceCount() {
  const Driver &d = driver();
  return d.loaded ? d.count : 0;
}

DeviceProperties properties(int device) {
  const Driver &d = driverFor(device);
  DeviceProperties p;
  auto attribute = [&](int which) {
    int value = 0;
    check(d.cuDeviceGetAttribute(&value, which, device), "cuDeviceGetAttribute",
          device);
    return value;
  };
  char name[256] = {};
  check(d.cuDeviceGetName(name, sizeof(name) - 1, device), "cuDeviceGetName",
        device);
  p.name = name;
  p.major = attribute(kAttributeMajor);
  p.minor = attribute(kAttributeMinor);
  p.multiprocessors = attribute(kAttributeMultiprocessors);
  size_t total = 0;
  check(d.cuDeviceTotalMem_v2(&total, device), "cuDeviceTotalMem_v2", device);
  p.totalMemory = static_cast<int64_t>(total);
  // Double data rate: two transfers per clock.
  p.memoryBandwidth = 2.0 * attribute(kAttributeMemoryClockKHz) * 1000.0 *
                      attribute(kAttributeBusWidth) / 8.0;
  return p;
}

int computeCapability(int device) {
  const Driver &d = driverFor(device);
  int major = 0, minor = 0;
  check(d.cuDeviceGetAttribute(&major, kAttributeMajor, device),
        "cuDeviceGetAttribute", device);
  check(d.cuDeviceGetAttribute(&minor, kAttributeMinor, device),
        "cuDeviceGetAttribute", device);
  return major * 10 + minor;
}

void setDevice(int device) { current(device); }

//===----------------------------------------------------------------------===//
// DeviceAllocator
//===----------------------------------------------------------------------===//

struct DeviceAllocator::Impl {
  int device;
  mutable std::mutex mutex;
  std::map<size_t, std::vector<void *>> freeLists;
  AllocatorStats counters;

  /// Gives the cached blocks back to the driver; the caller holds `mutex`.
  /// Never throws: errors (a driver shutting down) leak the blocks.
  void releaseCached() noexcept {
    if (freeLists.empty())
      return;
    try {
      const Driver &d = driver();
      if (d.loaded) {
        // Work still queued on the stream may use a cached block.
        DeviceState &s = current(device);
        d.cuStreamSynchronize(s.stream);
        for (auto &[size, blocks] : freeLists)
          for (void *block : blocks)
            d.cuMemFree_v2(address(block));
      }
    } catch (...) {
    }
    for (auto &[size, blocks] : freeLists)
      counters.reservedBytes -= static_cast<int64_t>(size * blocks.size());
    freeLists.clear();
  }
};

DeviceAllocator::DeviceAllocator(int device) : impl(std::make_unique<Impl>()) {
  impl->device = device;
}

DeviceAllocator::~DeviceAllocator() {
  std::lock_guard<std::mutex> lock(impl->mutex);
  impl->releaseCached();
}

DeviceAllocator &DeviceAllocator::get(int device) {
  const Driver &d = driverFor(device);
  // Never destroyed: blocks may be freed by static objects after any static
  // allocator would have been, and cuMemFree fails once the driver is gone.
  static std::vector<DeviceAllocator *> *allocators = [&] {
    auto *all = new std::vector<DeviceAllocator *>();
    for (int i = 0; i < d.count; ++i)
      all->push_back(new DeviceAllocator(i));
    return all;
  }();
  return *(*allocators)[device];
}

void *DeviceAllocator::allocate(size_t bytes) {
  size_t size = CachingAllocator::roundSize(bytes);
  int device = impl->device;
  std::lock_guard<std::mutex> lock(impl->mutex);
  AllocatorStats &counters = impl->counters;
  void *pointer = nullptr;
  auto it = impl->freeLists.find(size);
  if (it != impl->freeLists.end() && !it->second.empty()) {
    pointer = it->second.back();
    it->second.pop_back();
    ++counters.cacheHits;
  } else {
    const Driver &d = driverFor(device);
    current(device);
    CUdeviceptr block = 0;
    CUresult result = d.cuMemAlloc_v2(&block, size);
    if (result == kOutOfMemory) {
      // The cached blocks may be enough once given back.
      impl->releaseCached();
      current(device);
      result = d.cuMemAlloc_v2(&block, size);
    }
    if (result == kOutOfMemory)
      throw Error(fmt::format("out of memory on cuda:{} allocating {} ({} "
                              "allocated, {} reserved by dlc)",
                              device, formatBytes(static_cast<double>(size)),
                              formatBytes(counters.allocatedBytes),
                              formatBytes(counters.reservedBytes)));
    check(result, "cuMemAlloc_v2", device);
    pointer = reinterpret_cast<void *>(static_cast<uintptr_t>(block));
    ++counters.cacheMisses;
    counters.reservedBytes += static_cast<int64_t>(size);
  }
  counters.allocatedBytes += static_cast<int64_t>(size);
  counters.peakAllocatedBytes =
      std::max(counters.peakAllocatedBytes, counters.allocatedBytes);
  return pointer;
}

void DeviceAllocator::deallocate(void *pointer, size_t bytes) {
  size_t size = CachingAllocator::roundSize(bytes);
  std::lock_guard<std::mutex> lock(impl->mutex);
  try {
    impl->freeLists[size].push_back(pointer);
  } catch (...) {
    // No memory for the free list: the block is leaked, not reused.
  }
  impl->counters.allocatedBytes -= static_cast<int64_t>(size);
}

void DeviceAllocator::emptyCache() {
  std::lock_guard<std::mutex> lock(impl->mutex);
  impl->releaseCached();
}

AllocatorStats DeviceAllocator::stats() const {
  std::lock_guard<std::mutex> lock(impl->mutex);
  return impl->counters;
}

void DeviceAllocator::resetPeakStats() {
  std::lock_guard<std::mutex> lock(impl->mutex);
  impl->counters.peakAllocatedBytes = impl->counters.allocatedBytes;
  impl->counters.cacheHits = 0;
  impl->counters.cacheMisses = 0;
}

//===----------------------------------------------------------------------===//
// Copies
//===----------------------------------------------------------------------===//

void copyToDevice(int device, void *dst, const void *src, size_t bytes) {
  if (bytes == 0)
    return;
  const Driver &d = driver();
  DeviceState &s = current(device);
  std::lock_guard<std::mutex> lock(s.stagingMutex);
  size_t half = std::min(bytes, kStagingChunk);
  if (s.stagingHalf < half) {
    // Grow by doubling so that a series of growing copies reallocates
    // rarely.
    size_t size =
        std::max(half, std::min(kStagingChunk,
                                std::max(size_t(64) << 10, 2 * s.stagingHalf)));
    if (s.staging) {
      // Every copy ends with a synchronization: nothing reads the old
      // buffer any more.
      d.cuMemFreeHost(s.staging);
      s.staging = nullptr;
      s.stagingHalf = 0;
    }
    void *pinned = nullptr;
    check(d.cuMemAllocHost_v2(&pinned, 2 * size), "cuMemAllocHost_v2", device);
    s.staging = static_cast<char *>(pinned);
    s.stagingHalf = size;
    for (CUevent &event : s.stagingDone)
      if (!event)
        check(d.cuEventCreate(&event, kEventDisableTiming), "cuEventCreate",
              device);
  }
  const char *from = static_cast<const char *>(src);
  CUdeviceptr to = address(dst);
  bool pending[2] = {false, false};
  for (size_t offset = 0, chunk = 0; offset < bytes;
       offset += s.stagingHalf, ++chunk) {
    size_t which = chunk % 2;
    size_t length = std::min(s.stagingHalf, bytes - offset);
    char *buffer = s.staging + which * s.stagingHalf;
    if (pending[which])
      check(d.cuEventSynchronize(s.stagingDone[which]), "cuEventSynchronize",
            device);
    std::memcpy(buffer, from + offset, length);
    check(d.cuMemcpyHtoDAsync_v2(to + offset, buffer, length, s.stream),
          "cuMemcpyHtoDAsync_v2", device);
    check(d.cuEventRecord(s.stagingDone[which], s.stream), "cuEventRecord",
          device);
    pending[which] = true;
  }
  // The staging buffer is reused by the next copy, and the caller may reuse
  // `src`: wait for the transfers.
  check(d.cuStreamSynchronize(s.stream), "cuStreamSynchronize", device);
}

std::shared_ptr<Buffer> copyBuffer(const std::shared_ptr<Buffer> &buffer,
                                   Device device) {
  size_t bytes = buffer->size();
  std::shared_ptr<Buffer> copy = Buffer::allocate(bytes, device);
  Device from = buffer->device();
  auto index = [](Device d) { return std::max<int>(d.index(), 0); };
  if (bytes == 0)
    return copy;
  if (from.is_cpu() && device.is_cpu())
    std::memcpy(copy->data(), buffer->data(), bytes);
  else if (from.is_cpu())
    copyToDevice(index(device), copy->data(), buffer->data(), bytes);
  else if (device.is_cpu())
    copyToHost(index(from), copy->data(), buffer->data(), bytes);
  else if (index(from) == index(device))
    copyOnDevice(index(device), copy->data(), buffer->data(), bytes);
  else
    return copyBuffer(copyBuffer(buffer, Device(kCPU)), device);
  return copy;
}

void copyToHost(int device, void *dst, const void *src, size_t bytes) {
  if (bytes == 0)
    return;
  const Driver &d = driver();
  DeviceState &s = current(device);
  check(d.cuMemcpyDtoHAsync_v2(dst, address(src), bytes, s.stream),
        "cuMemcpyDtoHAsync_v2", device);
  check(d.cuStreamSynchronize(s.stream), "cuStreamSynchronize", device);
}

void copyOnDevice(int device, void *dst, const void *src, size_t bytes) {
  if (bytes == 0)
    return;
  const Driver &d = driver();
  DeviceState &s = current(device);
  check(d.cuMemcpyDtoDAsync_v2(address(dst), address(src), bytes, s.stream),
        "cuMemcpyDtoDAsync_v2", device);
}

void fillBytes(int device, void *dst, uint8_t value, size_t bytes) {
  if (bytes == 0)
    return;
  const Driver &d = driver();
  DeviceState &s = current(device);
  check(d.cuMemsetD8Async(address(dst), value, bytes, s.stream),
        "cuMemsetD8Async", device);
}

void synchronize(int device) {
  const Driver &d = driver();
  DeviceState &s = current(device);
  check(d.cuStreamSynchronize(s.stream), "cuStreamSynchronize", device);
}

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

std::shared_ptr<Module> Module::load(int device, const std::string &ptx) {
  const Driver &d = driver();
  current(device);
  char log[8192] = {};
  CUjit_option options[] = {kJitErrorLogBuffer, kJitErrorLogBufferSize};
  void *values[] = {log, reinterpret_cast<void *>(uintptr_t(sizeof(log)))};
  CUmodule handle = nullptr;
  CUresult result =
      d.cuModuleLoadDataEx(&handle, ptx.c_str(), 2, options, values);
  if (result != kSuccess) {
    std::string jitLog(log, strnlen(log, sizeof(log)));
    throw Error(fmt::format("cannot load PTX on cuda:{}: {}{}{}", device,
                            describe(result), jitLog.empty() ? "" : ":\n",
                            jitLog));
  }
  return std::shared_ptr<Module>(new Module(device, handle));
}

Module::~Module() {
  try {
    const Driver &d = driver();
    if (d.loaded) {
      current(where);
      d.cuModuleUnload(handle);
    }
  } catch (...) {
    // The driver is shutting down: the module goes with the context.
  }
}

void *Module::function(const std::string &name) const {
  const Driver &d = driver();
  current(where);
  CUfunction function = nullptr;
  CUresult result = d.cuModuleGetFunction(&function, handle, name.c_str());
  if (result != kSuccess)
    throw Error(fmt::format("the PTX module on cuda:{} has no kernel '{}': {}",
                            where, name, describe(result)));
  return function;
}

void launch(int device, void *function, unsigned grid, unsigned block,
            void **params, unsigned sharedBytes) {
  if (grid == 0 || block == 0)
    return;
  const Driver &d = driver();
  DeviceState &s = current(device);
  check(d.cuLaunchKernel(function, grid, 1, 1, block, 1, 1, sharedBytes,
                         s.stream, params, nullptr),
        "cuLaunchKernel", device);
}

Timer::Timer(int device) : device(device) {
  const Driver &d = driver();
  current(device);
  check(d.cuEventCreate(&begin, 0), "cuEventCreate", device);
  if (CUresult result = d.cuEventCreate(&end, 0); result != kSuccess) {
    d.cuEventDestroy_v2(begin);
    check(result, "cuEventCreate", device);
  }
}

Timer::~Timer() {
  const Driver &d = driver();
  if (!d.loaded)
    return;
  d.cuEventDestroy_v2(begin);
  d.cuEventDestroy_v2(end);
}

void Timer::start() {
  DeviceState &s = current(device);
  check(driver().cuEventRecord(begin, s.stream), "cuEventRecord", device);
}

double Timer::stopMs() {
  const Driver &d = driver();
  DeviceState &s = current(device);
  check(d.cuEventRecord(end, s.stream), "cuEventRecord", device);
  check(d.cuEventSynchronize(end), "cuEventSynchronize", device);
  float ms = 0;
  check(d.cuEventElapsedTime(&ms, begin, end), "cuEventElapsedTime", device);
  return ms;
}

//===----------------------------------------------------------------------===//
// cuBLAS
//===----------------------------------------------------------------------===//

void gemm(int device, ScalarType type, int64_t batch, int64_t m, int64_t n,
          int64_t k, bool transA, bool transB, const void *a, const void *b,
          void *c) {
  if (type != ScalarType::Float && type != ScalarType::Double)
    throw Error(fmt::format("gemm: cuBLAS multiplies Float or Double "
                            "matrices, not {}",
                            toString(type)));
  if (batch <= 0 || m <= 0 || n <= 0)
    return;
  if (k <= 0) {
    fillBytes(device, c, 0,
              static_cast<size_t>(batch * m * n) * elementSize(type));
    return;
  }
  if (std::max({m, n, k, batch}) > INT_MAX)
    throw Error(fmt::format("gemm: [{}, {}] x [{}, {}] (batch {}) is too "
                            "large for cuBLAS's 32-bit sizes",
                            m, k, k, n, batch));
  const Blas &api = blas();
  if (!api.loaded)
    throw Error(fmt::format("cuBLAS is not available: {}", api.reason));
  DeviceState &s = current(device);
  std::call_once(s.blasOnce, [&] {
    void *handle = nullptr;
    if (cublasStatus_t status = api.cublasCreate_v2(&handle); status != 0)
      throw Error(fmt::format("cublasCreate failed on cuda:{}: cuBLAS status "
                              "{}",
                              device, status));
    if (cublasStatus_t status = api.cublasSetStream_v2(handle, s.stream);
        status != 0)
      throw Error(fmt::format("cublasSetStream failed on cuda:{}: cuBLAS "
                              "status {}",
                              device, status));
    s.blas = handle;
  });
  // cuBLAS is column-major, where the row-major C is C^T: compute
  // C^T = op(B)^T op(A)^T, B first. A row-major [r, c] matrix is a
  // column-major [c, r] one with leading dimension c.
  cublasOperation_t opB = transB ? kOpT : kOpN, opA = transA ? kOpT : kOpN;
  int M = static_cast<int>(n), N = static_cast<int>(m), K = static_cast<int>(k);
  int ldb = static_cast<int>(transB ? k : n);
  int lda = static_cast<int>(transA ? m : k);
  int ldc = static_cast<int>(n);
  long long strideA = m * k, strideB = k * n, strideC = m * n;
  int count = static_cast<int>(batch);
  cublasStatus_t status;
  if (type == ScalarType::Float) {
    float one = 1, zero = 0;
    status = api.cublasSgemmStridedBatched(
        s.blas, opB, opA, M, N, K, &one, static_cast<const float *>(b), ldb,
        strideB, static_cast<const float *>(a), lda, strideA, &zero,
        static_cast<float *>(c), ldc, strideC, count);
  } else {
    double one = 1, zero = 0;
    status = api.cublasDgemmStridedBatched(
        s.blas, opB, opA, M, N, K, &one, static_cast<const double *>(b), ldb,
        strideB, static_cast<const double *>(a), lda, strideA, &zero,
        static_cast<double *>(c), ldc, strideC, count);
  }
  if (status != 0)
    throw Error(fmt::format("cuBLAS gemm failed on cuda:{}: status {} "
                            "({}[{}, {}] x [{}, {}], batch {})",
                            device, status, toString(type), m, k, k, n, batch));
}

//===----------------------------------------------------------------------===//
// NVRTC
//===----------------------------------------------------------------------===//

bool nvrtcAvailable() { return nvrtc().loaded; }

std::string nvrtcUnavailableReason() {
  const Nvrtc &n = nvrtc();
  return n.loaded ? std::string() : n.reason;
}

int nvrtcVersion() {
  const Nvrtc &n = loadedNvrtc();
  int major = 0, minor = 0;
  if (n.nvrtcVersion(&major, &minor) != 0)
    throw Error("nvrtcVersion failed");
  return 1000 * major + 10 * minor;
}

int targetArchitecture(int device) {
  if (const char *text = std::getenv("DLC_CUDA_ARCH"); text && *text) {
    char *end = nullptr;
    long arch = std::strtol(text, &end, 10);
    if (end && *end == '\0' && arch >= 10 && arch < 1000)
      return static_cast<int>(arch);
    static std::once_flag warned;
    std::call_once(warned, [&] {
      std::fprintf(stderr,
                   "dlc: warning: DLC_CUDA_ARCH=%s is not an architecture "
                   "like 90 (for compute_90); ignoring it\n",
                   text);
    });
  }
  if (isAvailable())
    return computeCapability(device);
  return 90;
}

std::string compileToPtx(const std::string &source, const std::string &name,
                         int arch) {
  const Nvrtc &n = loadedNvrtc();
  auto fail = [&](nvrtcResult result, const char *call) {
    throw Error(fmt::format("{} failed for {}: {}", call, name,
                            n.nvrtcGetErrorString(result)));
  };
  nvrtcProgram program = nullptr;
  if (nvrtcResult result = n.nvrtcCreateProgram(
          &program, source.c_str(), name.c_str(), 0, nullptr, nullptr);
      result != 0)
    fail(result, "nvrtcCreateProgram");
  // Destroys the program on every path out.
  std::unique_ptr<nvrtcProgram, void (*)(nvrtcProgram *)> guard(
      &program, [](nvrtcProgram *p) { nvrtc().nvrtcDestroyProgram(p); });

  std::string architecture = fmt::format("--gpu-architecture=compute_{}", arch);
  const char *options[] = {architecture.c_str(), "-std=c++17"};
  nvrtcResult compiled = n.nvrtcCompileProgram(
      program, static_cast<int>(std::size(options)), options);
  size_t logSize = 0;
  std::string log;
  if (n.nvrtcGetProgramLogSize(program, &logSize) == 0 && logSize > 1) {
    log.resize(logSize);
    if (n.nvrtcGetProgramLog(program, log.data()) != 0)
      log.clear();
    while (!log.empty() && (log.back() == '\0' || log.back() == '\n'))
      log.pop_back();
  }
  if (compiled != 0)
    throw Error(
        fmt::format("NVRTC failed to compile {}:\n{}", name,
                    log.empty() ? n.nvrtcGetErrorString(compiled) : log));
  size_t ptxSize = 0;
  if (nvrtcResult result = n.nvrtcGetPTXSize(program, &ptxSize); result != 0)
    fail(result, "nvrtcGetPTXSize");
  std::string ptx(ptxSize, '\0');
  if (nvrtcResult result = n.nvrtcGetPTX(program, ptx.data()); result != 0)
    fail(result, "nvrtcGetPTX");
  while (!ptx.empty() && ptx.back() == '\0')
    ptx.pop_back();
  return ptx;
}

} // namespace dlc::rt::cuda
