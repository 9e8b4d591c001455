//===- CudaRuntimeTest.cpp - The CUDA runtime: devices, memory, kernels ---===//
//
// The NVRTC tests need only the toolkit; the others need a GPU and skip
// (saying why) without one.
//
//===----------------------------------------------------------------------===//

#include "runtime/Buffer.h"
#include "runtime/Cuda.h"
#include "runtime/Error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

using namespace dlc::rt;
namespace cuda = dlc::rt::cuda;

namespace {

#define SKIP_WITHOUT_NVRTC()                                                   \
  do {                                                                         \
    if (!cuda::nvrtcAvailable())                                               \
      GTEST_SKIP() << "no NVRTC: " << cuda::nvrtcUnavailableReason();          \
  } while (false)

#define SKIP_WITHOUT_GPU()                                                     \
  do {                                                                         \
    if (!cuda::isAvailable())                                                  \
      GTEST_SKIP() << "no CUDA device: " << cuda::unavailableReason();         \
  } while (false)

/// Sets an environment variable for the scope, restoring it after.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value) : name(name) {
    if (const char *old = std::getenv(name))
      previous = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (previous)
      setenv(name, previous->c_str(), 1);
    else
      unsetenv(name);
  }

private:
  const char *name;
  std::optional<std::string> previous;
};

const char *kAddOne = R"(
extern "C" __global__ void addOne(float *data, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    data[i] += 1.0f;
}
)";

//===----------------------------------------------------------------------===//
// NVRTC (no GPU needed)
//===----------------------------------------------------------------------===//

TEST(CudaNvrtc, CompilesToPtx) {
  SKIP_WITHOUT_NVRTC();
  EXPECT_GE(cuda::nvrtcVersion(), 12000);
  std::string ptx = cuda::compileToPtx(kAddOne, "add_one.cu", 90);
  EXPECT_NE(ptx.find(".entry addOne"), std::string::npos) << ptx;
  EXPECT_NE(ptx.find(".target sm_90"), std::string::npos) << ptx;
  EXPECT_EQ(ptx.find('\0'), std::string::npos) << "no trailing NUL";
}

TEST(CudaNvrtc, ReportsTheLogOfASyntaxError) {
  SKIP_WITHOUT_NVRTC();
  try {
    cuda::compileToPtx("extern \"C\" __global__ void broken(float *x) {\n"
                       "  x[0] = undeclared_name;\n}\n",
                       "broken_kernel.cu", 90);
    FAIL() << "an undeclared identifier should not compile";
  } catch (const dlc::Error &error) {
    std::string message = error.what();
    EXPECT_NE(message.find("NVRTC failed to compile broken_kernel.cu:\n"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("undeclared_name"), std::string::npos) << message;
    EXPECT_NE(message.find("error"), std::string::npos) << message;
  }
}

TEST(CudaNvrtc, TargetArchitectureHonoursTheEnvironment) {
  {
    ScopedEnv arch("DLC_CUDA_ARCH", "86");
    EXPECT_EQ(cuda::targetArchitecture(), 86);
  }
  {
    ScopedEnv arch("DLC_CUDA_ARCH", "not-an-arch");
    int fallback = cuda::isAvailable() ? cuda::computeCapability(0) : 90;
    EXPECT_EQ(cuda::targetArchitecture(), fallback);
  }
  if (!cuda::isAvailable()) {
    EXPECT_EQ(cuda::targetArchitecture(), 90);
  }
}

//===----------------------------------------------------------------------===//
// Without a driver
//===----------------------------------------------------------------------===//

TEST(CudaDevice, ExplainsWhyThereIsNoDevice) {
  if (cuda::isAvailable())
    GTEST_SKIP() << "this machine has a CUDA device";
  EXPECT_FALSE(cuda::unavailableReason().empty());
  EXPECT_EQ(cuda::deviceCount(), 0);
  try {
    Buffer::allocate(16, dlc::Device(dlc::kCUDA));
    FAIL() << "allocating on a GPU without one should throw";
  } catch (const dlc::Error &error) {
    std::string message = error.what();
    EXPECT_NE(message.find("CUDA is not available: "), std::string::npos)
        << message;
    EXPECT_NE(message.find(cuda::unavailableReason()), std::string::npos)
        << message;
  }
  EXPECT_THROW(cuda::properties(0), dlc::Error);
}

//===----------------------------------------------------------------------===//
// With a GPU
//===----------------------------------------------------------------------===//

TEST(CudaDevice, Properties) {
  SKIP_WITHOUT_GPU();
  EXPECT_GE(cuda::deviceCount(), 1);
  cuda::DeviceProperties p = cuda::properties(0);
  EXPECT_GT(p.multiprocessors, 0);
  EXPECT_FALSE(p.name.empty());
  EXPECT_GT(p.totalMemory, 0);
  EXPECT_GT(p.memoryBandwidth, 1e10) << "at least 10 GB/s";
  EXPECT_EQ(cuda::computeCapability(0), p.major * 10 + p.minor);
  int count = cuda::deviceCount();
  try {
    cuda::properties(count);
    FAIL() << "cuda:" << count << " should not exist";
  } catch (const dlc::Error &error) {
    EXPECT_NE(std::string(error.what()).find("does not exist"),
              std::string::npos)
        << error.what();
  }
}

TEST(CudaMemory, CopiesRoundTrip) {
  SKIP_WITHOUT_GPU();
  size_t count = (size_t(1) << 20) / sizeof(uint32_t);
  std::vector<uint32_t> host(count), back(count, 0);
  for (size_t i = 0; i < count; ++i)
    host[i] = static_cast<uint32_t>(i * 2654435761u);
  auto a = Buffer::allocate(count * sizeof(uint32_t), dlc::Device(dlc::kCUDA));
  auto b = Buffer::allocate(count * sizeof(uint32_t), dlc::Device("cuda:0"));
  EXPECT_EQ(a->device(), dlc::Device(dlc::kCUDA, 0));
  cuda::copyToDevice(0, a->data(), host.data(), a->size());
  cuda::copyOnDevice(0, b->data(), a->data(), a->size());
  cuda::copyToHost(0, back.data(), b->data(), b->size());
  EXPECT_EQ(host, back);

  cuda::fillBytes(0, b->data(), 0xab, 12);
  uint32_t head[4] = {};
  cuda::copyToHost(0, head, b->data(), sizeof(head));
  EXPECT_EQ(head[0], 0xababababu);
  EXPECT_EQ(head[2], 0xababababu);
  EXPECT_EQ(head[3], host[3]);
  cuda::copyToHost(0, nullptr, nullptr, 0); // zero bytes: nothing to do

  // Bigger than one staging chunk, and not a multiple of it.
  size_t big = (size_t(40) << 20) + 12;
  std::vector<uint8_t> large(big), largeBack(big);
  for (size_t i = 0; i < big; ++i)
    large[i] = static_cast<uint8_t>(i * 31 + (i >> 20));
  auto c = Buffer::allocate(big, dlc::Device(dlc::kCUDA));
  cuda::copyToDevice(0, c->data(), large.data(), big);
  cuda::copyToHost(0, largeBack.data(), c->data(), big);
  EXPECT_EQ(large, largeBack);
}

TEST(CudaMemory, AllocatorReusesBlocks) {
  SKIP_WITHOUT_GPU();
  cuda::DeviceAllocator &allocator = cuda::DeviceAllocator::get(0);
  EXPECT_EQ(&allocator, &cuda::DeviceAllocator::get(0));
  size_t bytes = (size_t(3) << 20) + 5;
  void *first = allocator.allocate(bytes);
  ASSERT_NE(first, nullptr);
  allocator.deallocate(first, bytes);
  allocator.resetPeakStats();
  AllocatorStats before = allocator.stats();
  void *second = allocator.allocate(bytes);
  EXPECT_EQ(first, second);
  AllocatorStats after = allocator.stats();
  EXPECT_EQ(after.cacheHits, before.cacheHits + 1);
  EXPECT_EQ(after.cacheMisses, before.cacheMisses);
  EXPECT_EQ(after.allocatedBytes,
            before.allocatedBytes +
                static_cast<int64_t>(CachingAllocator::roundSize(bytes)));

  void *empty1 = allocator.allocate(0), *empty2 = allocator.allocate(0);
  EXPECT_NE(empty1, nullptr);
  EXPECT_NE(empty1, empty2);
  allocator.deallocate(empty1, 0);
  allocator.deallocate(empty2, 0);
  allocator.deallocate(second, bytes);
  allocator.emptyCache();
  EXPECT_EQ(allocator.stats().reservedBytes, allocator.stats().allocatedBytes);

  try {
    allocator.allocate(size_t(1) << 50);
    FAIL() << "1 PiB should not be allocatable";
  } catch (const dlc::Error &error) {
    EXPECT_NE(std::string(error.what()).find("out of memory on cuda:0"),
              std::string::npos)
        << error.what();
  }
}

TEST(CudaKernel, LoadsAndLaunchesPtx) {
  SKIP_WITHOUT_GPU();
  SKIP_WITHOUT_NVRTC();
  std::string ptx =
      cuda::compileToPtx(kAddOne, "add_one.cu", cuda::targetArchitecture(0));
  std::shared_ptr<cuda::Module> module = cuda::Module::load(0, ptx);
  void *function = module->function("addOne");
  EXPECT_THROW(module->function("missing"), dlc::Error);

  int n = 1000;
  std::vector<float> host(n), back(n);
  for (int i = 0; i < n; ++i)
    host[i] = static_cast<float>(i) * 0.5f;
  auto buffer = Buffer::allocate(n * sizeof(float), dlc::Device(dlc::kCUDA));
  cuda::copyToDevice(0, buffer->data(), host.data(), buffer->size());
  void *data = buffer->data();
  void *params[] = {&data, &n};
  unsigned block = 256, grid = (n + block - 1) / block;
  cuda::launch(0, function, grid, block, params);
  cuda::copyToHost(0, back.data(), buffer->data(), buffer->size());
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(back[i], host[i] + 1.0f) << "at " << i;

  EXPECT_THROW(cuda::Module::load(0, "this is not PTX"), dlc::Error);
}

TEST(CudaKernel, TimerMeasuresStreamWork) {
  SKIP_WITHOUT_GPU();
  size_t bytes = size_t(64) << 20;
  auto buffer = Buffer::allocate(bytes, dlc::Device(dlc::kCUDA));
  cuda::Timer timer(0);
  timer.start();
  for (int i = 0; i < 4; ++i)
    cuda::fillBytes(0, buffer->data(), static_cast<uint8_t>(i), bytes);
  double ms = timer.stopMs();
  EXPECT_GT(ms, 0.0);
  EXPECT_LT(ms, 10000.0);
}

/// C[b] = op(A[b]) op(B[b]) with a triple loop.
template <typename T>
std::vector<T> referenceGemm(const std::vector<T> &a, const std::vector<T> &b,
                             int64_t batch, int64_t m, int64_t n, int64_t k,
                             bool transA, bool transB) {
  std::vector<T> c(batch * m * n);
  for (int64_t s = 0; s < batch; ++s)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t p = 0; p < k; ++p) {
          T x = transA ? a[s * m * k + p * m + i] : a[s * m * k + i * k + p];
          T y = transB ? b[s * k * n + j * k + p] : b[s * k * n + p * n + j];
          sum += static_cast<double>(x) * static_cast<double>(y);
        }
        c[s * m * n + i * n + j] = static_cast<T>(sum);
      }
  return c;
}

template <typename T>
void checkGemm(dlc::ScalarType type, double tolerance) {
  int64_t batch = 2, m = 37, n = 19, k = 53;
  std::vector<T> a(batch * m * k), b(batch * k * n);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = static_cast<T>(std::sin(0.37 * static_cast<double>(i)));
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = static_cast<T>(std::cos(0.11 * static_cast<double>(i)));
  auto deviceA = Buffer::allocate(a.size() * sizeof(T), dlc::Device("cuda"));
  auto deviceB = Buffer::allocate(b.size() * sizeof(T), dlc::Device("cuda"));
  auto deviceC =
      Buffer::allocate(batch * m * n * sizeof(T), dlc::Device("cuda"));
  cuda::copyToDevice(0, deviceA->data(), a.data(), deviceA->size());
  cuda::copyToDevice(0, deviceB->data(), b.data(), deviceB->size());
  for (bool transA : {false, true})
    for (bool transB : {false, true}) {
      SCOPED_TRACE(testing::Message()
                   << "transA " << transA << ", transB " << transB);
      cuda::gemm(0, type, batch, m, n, k, transA, transB, deviceA->data(),
                 deviceB->data(), deviceC->data());
      std::vector<T> c(batch * m * n);
      cuda::copyToHost(0, c.data(), deviceC->data(), deviceC->size());
      std::vector<T> expected =
          referenceGemm(a, b, batch, m, n, k, transA, transB);
      for (size_t i = 0; i < c.size(); ++i) {
        double scale =
            std::max(1.0, std::abs(static_cast<double>(expected[i])));
        ASSERT_LE(std::abs(static_cast<double>(c[i] - expected[i])),
                  tolerance * scale)
            << "at " << i << ": " << c[i] << " vs " << expected[i];
      }
    }
}

TEST(CudaBlas, GemmFloat) {
  SKIP_WITHOUT_GPU();
  checkGemm<float>(dlc::kFloat32, 1e-4);
}

TEST(CudaBlas, GemmDouble) {
  SKIP_WITHOUT_GPU();
  checkGemm<double>(dlc::kFloat64, 1e-12);
}

} // namespace
