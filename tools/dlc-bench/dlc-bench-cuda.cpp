//===- dlc-bench-cuda.cpp - dlc's CUDA backend against the card's limits --===//
//
// dlc-bench-cuda [--json FILE] [--reps N]
//
// On a GPU, each figure beside its baseline measured in the same run:
//  - elementwise (a fused chain over 64M floats), a full sum and a row
//    softmax, as bandwidth (bytes read + written per second) against the
//    card's device-to-device copy (cuMemcpyDtoD, counted the same way);
//  - a 4096^3 f32 GEMM through dlc against cuBLAS called directly;
//  - an MLP training step (forward, backward, Adam: one compiled program)
//    on the GPU against the same step on the CPU.
// Times are medians of CUDA-event timings after warm-up. Without a GPU it
// says so and exits 0 (nothing to measure).
//
//===----------------------------------------------------------------------===//

#include "dlc/dlc.h"
#include "runtime/Buffer.h"
#include "runtime/Cuda.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

using namespace dlc;
namespace rtc = dlc::rt::cuda;

namespace {

int reps = 20;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// Median milliseconds of `body` (queued on the GPU; timed by events).
double gpuMs(const std::function<void()> &body) {
  for (int i = 0; i < 3; ++i)
    body();
  cuda::synchronize();
  std::vector<double> samples;
  rtc::Timer timer(0);
  for (int i = 0; i < reps; ++i) {
    timer.start();
    body();
    cuda::synchronize();
    samples.push_back(timer.stopMs());
  }
  return median(samples);
}

/// Median wall milliseconds of `body` (which waits for its own result).
double wallMs(const std::function<void()> &body, int n) {
  for (int i = 0; i < 3; ++i)
    body();
  std::vector<double> samples;
  for (int i = 0; i < n; ++i) {
    auto start = std::chrono::steady_clock::now();
    body();
    samples.push_back(std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start)
                          .count());
  }
  return median(samples);
}

struct Row {
  std::string name, unit;
  double value, baseline;
  std::string baselineName;
};

std::vector<Row> rows;

void report(Row row) {
  std::printf("%-34s %10.1f %-9s %-30s %10.1f  ratio %.2f\n", row.name.c_str(),
              row.value, row.unit.c_str(), row.baselineName.c_str(),
              row.baseline, row.value / row.baseline);
  std::fflush(stdout);
  rows.push_back(std::move(row));
}

} // namespace

int main(int argc, char **argv) {
  std::string jsonPath;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--json") && i + 1 < argc)
      jsonPath = argv[++i];
    else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc)
      reps = std::max(3, std::atoi(argv[++i]));
    else {
      std::fprintf(stderr, "usage: dlc-bench-cuda [--json FILE] [--reps N]\n");
      return 2;
    }
  }
  if (!cuda::is_available()) {
    std::printf("dlc-bench-cuda: no GPU (%s): nothing to measure\n",
                cuda::unavailable_reason().c_str());
    return 0;
  }
  try {
    rtc::DeviceProperties props = rtc::properties(0);
    std::printf("device: %s, compute capability %d.%d, %d SMs, %.0f GiB, "
                "peak memory bandwidth %.0f GB/s\n",
                props.name.c_str(), props.major, props.minor,
                props.multiprocessors, props.totalMemory / 1073741824.0,
                props.memoryBandwidth / 1e9);
    Device gpu("cuda:0");

    // Copy bandwidth: read + write bytes per second.
    const int64_t n = int64_t(64) << 20; // 64M floats, 256 MiB
    size_t bytes = n * sizeof(float);
    auto src = rt::Buffer::allocate(bytes, gpu);
    auto dst = rt::Buffer::allocate(bytes, gpu);
    rtc::fillBytes(0, src->data(), 0, bytes);
    double copyMs =
        gpuMs([&] { rtc::copyOnDevice(0, dst->data(), src->data(), bytes); });
    double copyGBs = 2.0 * bytes / (copyMs * 1e-3) / 1e9;

    // Elementwise: y = relu(x * 2 + 1) * x, one fused kernel (read x,
    // write y).
    Tensor x = randn({n}, TensorOptions().device(gpu));
    Tensor y;
    double ewMs = gpuMs([&] {
      y = (x * 2 + 1).relu() * x;
      cuda::synchronize();
    });
    report({"elementwise 64M f32 (fused chain)", "GB/s",
            2.0 * bytes / (ewMs * 1e-3) / 1e9, copyGBs, "device copy GB/s"});

    // A sum of every element: read once (partials per block, then a fold).
    Tensor total;
    double sumMs = gpuMs([&] {
      total = x.sum();
      cuda::synchronize();
    });
    report({"sum of 64M f32", "GB/s", 1.0 * bytes / (sumMs * 1e-3) / 1e9,
            copyGBs, "device copy GB/s"});

    // Softmax over rows of 1024 (65536 rows): read + write.
    Tensor s = randn({65536, 1024}, TensorOptions().device(gpu));
    Tensor p;
    double smMs = gpuMs([&] {
      p = s.softmax(1);
      cuda::synchronize();
    });
    report({"softmax 65536x1024 f32", "GB/s",
            2.0 * s.numel() * 4 / (smMs * 1e-3) / 1e9, copyGBs,
            "device copy GB/s"});

    // GEMM: dlc's matmul against cuBLAS alone.
    const int64_t m = 4096;
    Tensor a = randn({m, m}, TensorOptions().device(gpu)),
           b = randn({m, m}, TensorOptions().device(gpu));
    Tensor c;
    double dlcGemmMs = gpuMs([&] {
      c = a.matmul(b);
      cuda::synchronize();
    });
    auto out = rt::Buffer::allocate(m * m * 4, gpu);
    void *pa = a.data_ptr(), *pb = b.data_ptr();
    double blasMs = gpuMs([&] {
      rtc::gemm(0, kFloat, 1, m, m, m, false, false, pa, pb, out->data());
    });
    double flop = 2.0 * m * m * m;
    report({"matmul 4096^3 f32", "TFLOP/s", flop / (dlcGemmMs * 1e-3) / 1e12,
            flop / (blasMs * 1e-3) / 1e12, "cuBLAS alone TFLOP/s"});

    // MLP training step: 4096 x 1024 -> 1024 -> 1024 -> 1, Adam, on the GPU
    // and on the CPU.
    auto stepRate = [&](Device device, int runs) {
      manual_seed(1);
      nn::Sequential model(nn::Linear(1024, 1024), nn::ReLU(),
                           nn::Linear(1024, 1024), nn::ReLU(),
                           nn::Linear(1024, 1));
      model->to(device);
      optim::Adam optimizer(model->parameters(), optim::AdamOptions(1e-3));
      Tensor input = randn({4096, 1024}).to(device);
      Tensor target = randn({4096, 1}).to(device);
      double ms = wallMs(
          [&] {
            optimizer.zero_grad();
            Tensor loss =
                nn::functional::mse_loss(model->forward(input), target);
            loss.backward();
            optimizer.step();
            loss.item<float>();
          },
          runs);
      return 4096.0 / (ms * 1e-3);
    };
    double gpuRate = stepRate(gpu, reps);
    double cpuRate = stepRate(kCPU, 3);
    report({"MLP step 4096x1024x1024x1024 Adam", "samples/s", gpuRate, cpuRate,
            "same step on the CPU"});
  } catch (const dlc::Error &error) {
    std::fprintf(stderr, "dlc-bench-cuda: %s\n", error.what());
    return 1;
  }
  if (!jsonPath.empty()) {
    std::ofstream out(jsonPath);
    out << "[\n";
    for (size_t i = 0; i < rows.size(); ++i)
      out << "  {\"name\": \"" << rows[i].name << "\", \"unit\": \""
          << rows[i].unit << "\", \"value\": " << rows[i].value
          << ", \"baseline\": \"" << rows[i].baselineName
          << "\", \"baseline_value\": " << rows[i].baseline << "}"
          << (i + 1 < rows.size() ? ",\n" : "\n");
    out << "]\n";
  }
  return 0;
}
