//===- CudaBackend.cpp - Running a plan on an NVIDIA GPU ------------------===//
//
// Every step goes to the device's one stream, in plan order: kernel steps
// launch their PTX entry with one thread per iteration (per chunk for
// partial kernels), GEMMs call cuBLAS (then the bias/activation epilogue),
// the other kinds the runtime kernels. Temporaries live in one workspace
// block from the device's caching allocator, given back at the end of the
// run: the next run on the same stream may reuse it at once.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/CudaBackend.h"
#include "codegen/cpu/CpuBackend.h"
#include "codegen/cpu/Gemm.h"
#include "codegen/cuda/CudaEmitter.h"
#include "codegen/cuda/RuntimeKernels.h"
#include "codegen/reference/Kernels.h"

#include "runtime/Cuda.h"
#include "runtime/Error.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>

namespace mlir::dlc::cuda {

namespace rt = ::dlc::rt;
using cpu::bindStorages;
using cpu::numel;
using cpu::Plan;
using cpu::product;
using cpu::RunMemory;
using cpu::runResults;
using cpu::Slot;
using cpu::Step;
using cpu::StepKind;
using cpu::Storage;
using cpu::StorageKind;
using ::dlc::ScalarType;

FailureOr<CudaArtifact> compileCudaArtifact(ModuleOp module, StringRef name,
                                            int arch) {
  FailureOr<Plan> plan = cpu::planFunction(module, name);
  if (failed(plan))
    return failure();
  CudaArtifact artifact;
  artifact.plan = std::move(*plan);
  bool anyKernel = llvm::any_of(artifact.plan.steps, [](const Step &step) {
    return step.kind == StepKind::Kernel ||
           step.kind == StepKind::PartialKernel;
  });
  if (!anyKernel)
    return artifact;
  llvm::StringSet<> blockKernels;
  FailureOr<std::string> source = emitCudaSource(module, &blockKernels);
  if (failed(source))
    return failure();
  // Block-mode kernels: one block per work item (CudaExecutable reads it).
  for (Step &step : artifact.plan.steps)
    if ((step.kind == StepKind::Kernel ||
         step.kind == StepKind::PartialKernel) &&
        blockKernels.contains(step.symbol))
      step.attr = kBlockPerItem;
  artifact.source = std::move(*source);
  if (const char *dir = std::getenv("DLC_DUMP_IR"); dir && *dir) {
    llvm::sys::fs::create_directories(dir);
    std::ofstream out(std::string(dir) + "/" + name.str() + ".cu");
    out << artifact.source;
  }
  try {
    artifact.ptx =
        rt::cuda::compileToPtx(artifact.source, name.str() + ".cu", arch);
  } catch (const ::dlc::Error &error) {
    return module.emitError(error.what());
  }
  return artifact;
}

namespace {

/// The widest unit (8, 4 or 1 bytes) that divides every size given.
int64_t unitFor(std::initializer_list<int64_t> bytes) {
  for (int64_t unit : {8, 4}) {
    bool fits = true;
    for (int64_t b : bytes)
      fits = fits && b % unit == 0;
    if (fits)
      return unit;
  }
  return 1;
}

const char *unitName(int64_t unit) {
  return unit == 8 ? "u64" : unit == 4 ? "u32" : "u8";
}

constexpr unsigned kBlock = 256;

unsigned gridFor(int64_t work) {
  int64_t blocks = (work + kBlock - 1) / kBlock;
  return static_cast<unsigned>(std::clamp<int64_t>(blocks, 1, 65536));
}

class CudaExecutable : public rt::Executable {
public:
  CudaExecutable(Plan plan, std::shared_ptr<rt::cuda::Module> module,
                 int device)
      : plan(std::move(plan)), module(std::move(module)), device(device) {
    builtins = runtimeKernels(device);
    functions.resize(this->plan.steps.size(), nullptr);
    for (auto [i, step] : llvm::enumerate(this->plan.steps)) {
      if (step.kind == StepKind::Kernel || step.kind == StepKind::PartialKernel)
        functions[i] = this->module->function(step.symbol);
      if (step.kind != StepKind::Copy && step.kind != StepKind::AllReduceWait)
        ++kernelCount;
      if (step.kind == StepKind::AllReduceStart)
        throw ::dlc::Error(
            "dlc.all_reduce" +
            (step.where.empty() ? std::string() : " at " + step.where) +
            ": collectives between GPUs need NCCL, which dlc does not use "
            "yet; train on CUDA with one process, or on the CPU with "
            "several");
    }
    // Constants go to the device once.
    constants.resize(this->plan.storages.size());
    constantBases.resize(this->plan.storages.size(), nullptr);
    for (auto [s, storage] : llvm::enumerate(this->plan.storages)) {
      if (storage.kind != StorageKind::Constant)
        continue;
      constants[s] = rt::Buffer::allocate(storage.data.size(), deviceOf());
      rt::cuda::copyToDevice(device, constants[s]->data(), storage.data.data(),
                             storage.data.size());
      constantBases[s] = static_cast<char *>(constants[s]->data());
    }
  }

  size_t numKernels() const override { return kernelCount; }

  std::vector<rt::BufferPtr> run(std::vector<rt::BufferPtr> inputs) override;

private:
  ::dlc::Device deviceOf() const {
    return ::dlc::Device(::dlc::kCUDA, static_cast<int8_t>(device));
  }
  void *fn(const char *name) {
    auto [it, inserted] = named.try_emplace(name, nullptr);
    if (inserted)
      it->second = builtins->function(name);
    return it->second;
  }
  void launch(const char *name, int64_t work, std::vector<void *> params) {
    if (work <= 0)
      return;
    rt::cuda::launch(device, fn(name), gridFor(work), kBlock, params.data());
  }
  void runStep(size_t i, const std::function<char *(int32_t)> &base);

  Plan plan;
  std::shared_ptr<rt::cuda::Module> module, builtins;
  int device;
  std::vector<void *> functions;
  std::map<std::string, void *> named;
  std::vector<rt::BufferPtr> constants;
  std::vector<char *> constantBases;
  size_t kernelCount = 0;
};

std::vector<rt::BufferPtr>
CudaExecutable::run(std::vector<rt::BufferPtr> inputs) {
  rt::cuda::setDevice(device);
  RunMemory memory =
      bindStorages(plan, inputs, deviceOf(), constantBases, "cuda executable");
  const std::vector<char *> &bases = memory.bases;
  auto base = [&](int32_t slot) { return bases[plan.slots[slot].storage]; };
  for (size_t i = 0; i < plan.steps.size(); ++i)
    runStep(i, base);
  return runResults(plan, memory);
}

void CudaExecutable::runStep(size_t i,
                             const std::function<char *(int32_t)> &base) {
  const Step &step = plan.steps[i];
  const std::vector<int32_t> &slots = step.slots;
  switch (step.kind) {
  case StepKind::Kernel:
  case StepKind::PartialKernel: {
    std::vector<void *> pointers(slots.size());
    for (size_t a = 0; a < slots.size(); ++a)
      pointers[a] = base(slots[a]);
    long long n = step.iterations;
    long long grain = step.kind == StepKind::Kernel ? 1 : step.grain;
    std::vector<void *> params;
    for (void *&p : pointers)
      params.push_back(&p);
    params.push_back(&n);
    params.push_back(&grain);
    int64_t work = (n + grain - 1) / std::max<long long>(grain, 1);
    unsigned grid =
        step.attr == kBlockPerItem
            ? static_cast<unsigned>(std::clamp<int64_t>(work, 1, 65536))
            : gridFor(work);
    if (work > 0)
      rt::cuda::launch(device, functions[i], grid, kBlock, params.data());
    break;
  }
  case StepKind::Combine: {
    const Slot &partial = plan.slots[slots[0]];
    const Slot &output = plan.slots[slots[1]];
    auto name = [](ScalarType t) {
      switch (t) {
      case ScalarType::Double:
        return "f64";
      case ScalarType::Float:
        return "f32";
      case ScalarType::Long:
        return "i64";
      case ScalarType::Int:
        return "i32";
      case ScalarType::Bool:
        return "u8";
      }
      return "?";
    };
    std::string kernel = std::string("dlc_combine_") + name(partial.type) +
                         "_" + name(output.type);
    void *partials = base(slots[0]);
    void *out = base(slots[1]);
    long long count = numel(partial);
    int op = static_cast<int>(step.attr);
    void *params[] = {&partials, &count, &op, &out};
    // One block: each thread folds a strided share in order, then thread
    // 0 the shares (deterministic).
    rt::cuda::launch(device, fn(kernel.c_str()), 1, kBlock, params);
    break;
  }
  case StepKind::Gemm: {
    const Slot &c = plan.slots[slots[2]];
    int64_t batch = step.ints[0], m = step.ints[1], n = step.ints[2],
            k = step.ints[3];
    bool transA = step.ints[4] != 0, transB = step.ints[5] != 0;
    int activation = static_cast<int>(step.ints[6]);
    bool hasBias = step.ints[7] != 0;
    void *a = base(slots[0]), *b = base(slots[1]), *out = base(slots[2]);
    if (batch * m * n == 0)
      break;
    if (k == 0) {
      rt::cuda::fillBytes(device, out, 0,
                          static_cast<size_t>(numel(c)) *
                              ::dlc::elementSize(c.type));
    } else if (c.type == ScalarType::Float || c.type == ScalarType::Double) {
      rt::cuda::gemm(device, c.type, batch, m, n, k, transA, transB, a, b, out);
    } else {
      long long B = batch, M = m, N = n, K = k;
      int tA = transA, tB = transB;
      std::vector<void *> params = {&a, &b, &out, &B, &M, &N, &K, &tA, &tB};
      launch(c.type == ScalarType::Int ? "dlc_gemm_i32" : "dlc_gemm_i64",
             batch * m * n, params);
    }
    if (hasBias || activation != 0) {
      void *bias = hasBias ? base(slots[3]) : nullptr;
      long long rows = batch * m, cols = n;
      std::vector<void *> params = {&out, &bias, &rows, &cols, &activation};
      launch(c.type == ScalarType::Double ? "dlc_epilogue_f64"
                                          : "dlc_epilogue_f32",
             rows * cols, params);
    }
    break;
  }
  case StepKind::Gather: {
    const Slot &input = plan.slots[slots[0]];
    const Slot &indices = plan.slots[slots[1]];
    int64_t axis = step.attr;
    int64_t es = static_cast<int64_t>(::dlc::elementSize(input.type));
    long long outer = product(input.shape, 0, axis);
    long long size = input.shape[axis];
    long long inner = product(input.shape, axis + 1, input.shape.size());
    long long count = numel(indices);
    if (size == 0 || outer * count == 0)
      break;
    int64_t unit = unitFor({inner * es});
    long long rowUnits = inner * es / unit;
    void *in = base(slots[0]), *idx = base(slots[1]), *out = base(slots[2]);
    int wide = indices.type == ScalarType::Long;
    std::string kernel = std::string("dlc_gather_") + unitName(unit);
    launch(kernel.c_str(), outer * count * rowUnits,
           {&in, &idx, &wide, &out, &outer, &size, &count, &rowUnits});
    break;
  }
  case StepKind::ScatterAdd: {
    const Slot &input = plan.slots[slots[0]];
    const Slot &indices = plan.slots[slots[1]];
    void *in = base(slots[0]), *idx = base(slots[1]), *updates = base(slots[2]),
         *out = base(slots[3]);
    size_t bytes = static_cast<size_t>(cpu::slotBytes(input));
    if (in != out)
      rt::cuda::copyOnDevice(device, out, in, bytes);
    int64_t axis = step.attr;
    long long outer = product(input.shape, 0, axis);
    long long size = input.shape[axis];
    long long inner = product(input.shape, axis + 1, input.shape.size());
    long long count = numel(indices);
    int wide = indices.type == ScalarType::Long;
    const char *kernel = nullptr;
    switch (input.type) {
    case ScalarType::Float:
      kernel = "dlc_scatter_add_f32";
      break;
    case ScalarType::Double:
      kernel = "dlc_scatter_add_f64";
      break;
    case ScalarType::Int:
      kernel = "dlc_scatter_add_i32";
      break;
    case ScalarType::Long:
      kernel = "dlc_scatter_add_i64";
      break;
    case ScalarType::Bool:
      throw ::dlc::Error(
          "scatter_add of bool tensors has no CUDA kernel" +
          (step.where.empty() ? std::string() : " (at " + step.where + ")"));
    }
    launch(kernel, outer * count * inner,
           {&idx, &wide, &updates, &out, &outer, &size, &count, &inner});
    break;
  }
  case StepKind::Concat: {
    const Slot &output = plan.slots[slots.back()];
    int64_t dim = step.attr;
    int64_t es = static_cast<int64_t>(::dlc::elementSize(output.type));
    long long outer = product(output.shape, 0, dim);
    int64_t inner = product(output.shape, dim + 1, output.shape.size());
    int64_t outRow = output.shape[dim] * inner * es;
    char *out = base(slots.back());
    int64_t offset = 0;
    for (size_t a = 0; a + 1 < slots.size(); ++a) {
      const Slot &part = plan.slots[slots[a]];
      int64_t chunk = part.shape[dim] * inner * es;
      if (chunk > 0 && outer > 0) {
        int64_t unit = unitFor({chunk, outRow, offset});
        void *src = base(slots[a]);
        void *dst = out + offset;
        long long rows = outer, rowUnits = chunk / unit,
                  srcStride = chunk / unit, dstStride = outRow / unit;
        std::string kernel = std::string("dlc_copy_rows_") + unitName(unit);
        launch(kernel.c_str(), rows * rowUnits,
               {&src, &dst, &rows, &rowUnits, &srcStride, &dstStride});
      }
      offset += chunk;
    }
    break;
  }
  case StepKind::Copy:
    rt::cuda::copyOnDevice(
        device, base(slots[1]), base(slots[0]),
        static_cast<size_t>(cpu::slotBytes(plan.slots[slots[1]])));
    break;
  case StepKind::Fill: {
    const Slot &slot = plan.slots[slots[0]];
    void *out = base(slots[0]);
    long long n = numel(slot);
    uint64_t value = 0;
    std::memcpy(&value, step.constant.data(),
                std::min<size_t>(step.constant.size(), sizeof(value)));
    size_t size = step.constant.size();
    uint8_t v8 = static_cast<uint8_t>(value);
    uint32_t v32 = static_cast<uint32_t>(value);
    void *valuePtr = size == 1   ? static_cast<void *>(&v8)
                     : size == 4 ? static_cast<void *>(&v32)
                                 : static_cast<void *>(&value);
    launch(size == 1   ? "dlc_fill_u8"
           : size == 4 ? "dlc_fill_u32"
                       : "dlc_fill_u64",
           n, {&out, &n, valuePtr});
    break;
  }
  case StepKind::Reference: {
    // On the host: operands over, the result back.
    reference::Kernel kernel;
    kernel.kind = static_cast<OpKind>(step.op);
    kernel.ints = step.ints;
    kernel.attr = step.attr;
    kernel.constant = step.constant;
    kernel.splat = step.splat;
    std::vector<std::vector<uint8_t>> host(slots.size());
    std::vector<reference::TensorRef> ins, outs;
    for (size_t a = 0; a < slots.size(); ++a) {
      const Slot &slot = plan.slots[slots[a]];
      size_t bytes = static_cast<size_t>(cpu::slotBytes(slot));
      host[a].resize(std::max<size_t>(bytes, 1));
      bool isInput = a + 1 < slots.size();
      if (isInput && bytes)
        rt::cuda::copyToHost(device, host[a].data(), base(slots[a]), bytes);
      reference::TensorRef ref{host[a].data(), slot.type, slot.shape};
      (isInput ? ins : outs).push_back(std::move(ref));
    }
    reference::runKernel(kernel, ins, outs);
    const Slot &result = plan.slots[slots.back()];
    if (size_t bytes = static_cast<size_t>(cpu::slotBytes(result)))
      rt::cuda::copyToDevice(device, base(slots.back()), host.back().data(),
                             bytes);
    break;
  }
  case StepKind::AllReduceStart:
  case StepKind::AllReduceWait:
    break; // refused when the executable was made
  }
}

/// An executable whose buffers live on `runsOn`, behind buffers on
/// another device: inputs elsewhere are copied over, results to `resultsOn`.
/// The reference backend serves CUDA tensors so (a host executable), and
/// tools give a CUDA executable host buffers.
class MovingExecutable : public rt::Executable {
public:
  MovingExecutable(std::shared_ptr<rt::Executable> inner, ::dlc::Device runsOn,
                   ::dlc::Device resultsOn)
      : inner(std::move(inner)), runsOn(runsOn), resultsOn(resultsOn) {}
  size_t numKernels() const override { return inner->numKernels(); }
  std::vector<rt::BufferPtr> run(std::vector<rt::BufferPtr> inputs) override {
    for (rt::BufferPtr &in : inputs)
      if (in && in->device() != runsOn)
        in = rt::cuda::copyBuffer(in, runsOn);
    std::vector<rt::BufferPtr> results = inner->run(std::move(inputs));
    for (rt::BufferPtr &result : results)
      result = rt::cuda::copyBuffer(result, resultsOn);
    return results;
  }

private:
  std::shared_ptr<rt::Executable> inner;
  ::dlc::Device runsOn, resultsOn;
};

::dlc::Device cudaDevice(int index) {
  return ::dlc::Device(::dlc::kCUDA, static_cast<int8_t>(index));
}

} // namespace

std::unique_ptr<rt::Executable>
wrapDeviceExecutable(std::shared_ptr<rt::Executable> device, int index) {
  return std::make_unique<MovingExecutable>(
      std::move(device), cudaDevice(index), ::dlc::Device(::dlc::kCPU));
}

std::unique_ptr<rt::Executable> loadCudaExecutable(Plan plan,
                                                   const std::string &ptx,
                                                   int device,
                                                   std::string &error) {
  try {
    if (!rt::cuda::isAvailable()) {
      error = "CUDA is not available: " + rt::cuda::unavailableReason();
      return nullptr;
    }
    std::shared_ptr<rt::cuda::Module> module;
    if (!ptx.empty())
      module = rt::cuda::Module::load(device, ptx);
    return std::make_unique<CudaExecutable>(std::move(plan), std::move(module),
                                            device);
  } catch (const ::dlc::Error &e) {
    error = e.what();
    return nullptr;
  }
}

std::unique_ptr<rt::Executable>
wrapHostExecutable(std::shared_ptr<rt::Executable> host, int device) {
  return std::make_unique<MovingExecutable>(
      std::move(host), ::dlc::Device(::dlc::kCPU), cudaDevice(device));
}

} // namespace mlir::dlc::cuda
