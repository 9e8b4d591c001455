//===- CpuExecutable.cpp - Running a CPU plan -----------------------------===//

#include "codegen/cpu/CpuExecutable.h"
#include "codegen/cpu/Gemm.h"
#include "codegen/cpu/Profile.h"
#include "codegen/reference/Kernels.h"
#include "runtime/Distributed.h"
#include "runtime/Error.h"
#include "runtime/Parallel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

using ::dlc::ScalarType;
namespace rt = ::dlc::rt;

namespace mlir::dlc::cpu {
namespace {

int64_t indexAt(const void *indices, ScalarType type, int64_t i) {
  return type == ScalarType::Int ? static_cast<const int32_t *>(indices)[i]
                                 : static_cast<const int64_t *>(indices)[i];
}

/// Rows of `input` picked along `axis`; indices clamped (dlc.gather).
void gather(const Slot &input, const void *in, const Slot &indices,
            const void *idx, void *out, int64_t axis) {
  size_t es = ::dlc::elementSize(input.type);
  int64_t outer = product(input.shape, 0, axis);
  int64_t size = input.shape[axis];
  int64_t inner = product(input.shape, axis + 1, input.shape.size());
  int64_t count = numel(indices);
  if (size == 0 || outer * count == 0)
    return;
  int64_t rowBytes = inner * static_cast<int64_t>(es);
  rt::parallelFor(
      outer * count,
      std::max<int64_t>(1, 16384 / std::max<int64_t>(rowBytes, 1)),
      [&](int64_t begin, int64_t end) {
        for (int64_t item = begin; item < end; ++item) {
          int64_t o = item / count, i = item % count;
          int64_t j =
              std::clamp<int64_t>(indexAt(idx, indices.type, i), 0, size - 1);
          std::memcpy(static_cast<char *>(out) + item * rowBytes,
                      static_cast<const char *>(in) + (o * size + j) * rowBytes,
                      rowBytes);
        }
      });
}

template <typename T>
void scatterAddTyped(const Slot &input, const Slot &indices, const void *idx,
                     const T *updates, T *out, int64_t axis) {
  int64_t outer = product(input.shape, 0, axis);
  int64_t size = input.shape[axis];
  int64_t inner = product(input.shape, axis + 1, input.shape.size());
  int64_t count = numel(indices);
  // Deterministic: every output element receives its updates in index
  // order, from one thread. Split over the outer dimension, or over columns.
  auto columns = [&](int64_t o, int64_t cBegin, int64_t cEnd) {
    for (int64_t i = 0; i < count; ++i) {
      int64_t j = indexAt(idx, indices.type, i);
      if (j < 0 || j >= size)
        continue;
      T *dst = out + (o * size + j) * inner;
      const T *src = updates + (o * count + i) * inner;
      for (int64_t c = cBegin; c < cEnd; ++c)
        dst[c] += src[c];
    }
  };
  if (outer > 1)
    rt::parallelFor(outer, 1, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o)
        columns(o, 0, inner);
    });
  else if (outer == 1)
    rt::parallelFor(
        inner, std::max<int64_t>(16, 65536 / std::max<int64_t>(count, 1)),
        [&](int64_t begin, int64_t end) { columns(0, begin, end); });
}

void concat(const std::vector<const Slot *> &inputs,
            const std::vector<const void *> &data, const Slot &output,
            void *out, int64_t dim) {
  size_t es = ::dlc::elementSize(output.type);
  int64_t outer = product(output.shape, 0, dim);
  int64_t inner = product(output.shape, dim + 1, output.shape.size());
  int64_t outRow = output.shape[dim] * inner;
  rt::parallelFor(outer, 1, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      int64_t offset = 0;
      for (size_t i = 0; i < inputs.size(); ++i) {
        int64_t chunk = inputs[i]->shape[dim] * inner;
        std::memcpy(static_cast<char *>(out) + (o * outRow + offset) * es,
                    static_cast<const char *>(data[i]) + o * chunk * es,
                    chunk * es);
        offset += chunk;
      }
    }
  });
}

/// Folds per-chunk partials in order: 0 sum, 1 max (NaN wins), 2 min.
/// Bools (uint8_t) are 0 or 1.
template <typename Acc, typename Out>
void combine(const Acc *partials, int64_t count, int64_t op, Out *out) {
  Acc acc;
  if (op == 0)
    acc = Acc(0);
  else if constexpr (std::is_same_v<Acc, uint8_t>)
    acc = op == 1 ? 0 : 1;
  else if constexpr (std::is_floating_point_v<Acc>)
    acc = op == 1 ? -std::numeric_limits<Acc>::infinity()
                  : std::numeric_limits<Acc>::infinity();
  else
    acc = op == 1 ? std::numeric_limits<Acc>::lowest()
                  : std::numeric_limits<Acc>::max();
  for (int64_t i = 0; i < count; ++i) {
    Acc v = partials[i];
    if (op == 0) {
      acc += v;
      continue;
    }
    if constexpr (std::is_floating_point_v<Acc>) {
      if (std::isnan(v) || std::isnan(acc)) {
        acc = std::numeric_limits<Acc>::quiet_NaN();
        continue;
      }
    }
    acc = op == 1 ? std::max(acc, v) : std::min(acc, v);
  }
  *out = static_cast<Out>(acc);
}

void combineStep(const Slot &partial, const void *partials, int64_t count,
                 int64_t op, const Slot &output, void *out) {
  switch (partial.type) {
  case ScalarType::Double:
    if (output.type == ScalarType::Float)
      return combine(static_cast<const double *>(partials), count, op,
                     static_cast<float *>(out));
    return combine(static_cast<const double *>(partials), count, op,
                   static_cast<double *>(out));
  case ScalarType::Float:
    return combine(static_cast<const float *>(partials), count, op,
                   static_cast<float *>(out));
  case ScalarType::Long:
    if (output.type == ScalarType::Int)
      return combine(static_cast<const int64_t *>(partials), count, op,
                     static_cast<int32_t *>(out));
    return combine(static_cast<const int64_t *>(partials), count, op,
                   static_cast<int64_t *>(out));
  case ScalarType::Int:
    return combine(static_cast<const int32_t *>(partials), count, op,
                   static_cast<int32_t *>(out));
  case ScalarType::Bool:
    return combine(static_cast<const uint8_t *>(partials), count, op,
                   static_cast<uint8_t *>(out));
  }
}

/// `count` copies of the element `value` (1, 4 or 8 bytes) from `out` on.
void fill(void *out, int64_t count, const std::vector<uint8_t> &value) {
  auto typed = [&](auto tag) {
    using T = decltype(tag);
    T v;
    std::memcpy(&v, value.data(), sizeof(T));
    T *p = static_cast<T *>(out);
    rt::parallelFor(count, 1 << 16, [&](int64_t begin, int64_t end) {
      std::fill(p + begin, p + end, v);
    });
  };
  switch (value.size()) {
  case 1:
    return typed(uint8_t{});
  case 4:
    return typed(uint32_t{});
  default:
    return typed(uint64_t{});
  }
}

const char *kindName(StepKind kind) {
  switch (kind) {
  case StepKind::Kernel:
    return "kernel";
  case StepKind::PartialKernel:
    return "partial kernel";
  case StepKind::Combine:
    return "combine";
  case StepKind::Gemm:
    return "gemm";
  case StepKind::Gather:
    return "gather";
  case StepKind::ScatterAdd:
    return "scatter_add";
  case StepKind::Concat:
    return "concat";
  case StepKind::Copy:
    return "copy";
  case StepKind::Reference:
    return "reference";
  case StepKind::Fill:
    return "fill";
  case StepKind::AllReduceStart:
    return "all_reduce start";
  case StepKind::AllReduceWait:
    return "all_reduce wait";
  }
  return "?";
}

/// Times one step for DLC_PROFILE.
class StepTimer {
public:
  StepTimer(const Step *step, const Plan &plan) : step(step), plan(plan) {
    if (step)
      start = std::chrono::steady_clock::now();
  }
  ~StepTimer() {
    if (!step)
      return;
    std::chrono::duration<double> elapsed =
        std::chrono::steady_clock::now() - start;
    std::string name = kindName(step->kind);
    if (!step->symbol.empty())
      name += " " + step->symbol.substr(step->symbol.rfind('_') + 1);
    if (!step->slots.empty()) {
      const Slot &out = plan.slots[step->slots.back()];
      name += " ->";
      for (int64_t s : out.shape)
        name += " " + std::to_string(s);
    }
    if (step->kind == StepKind::Gemm)
      name += " (m n k " + std::to_string(step->ints[1]) + " " +
              std::to_string(step->ints[2]) + " " +
              std::to_string(step->ints[3]) + (step->ints[4] ? " tA" : "") +
              (step->ints[5] ? " tB" : "") + (step->ints[7] ? " +bias" : "") +
              (step->ints[6] ? " +activation" : "") + ")";
    if (!step->where.empty())
      name += " at " + step->where;
    recordStep(name, elapsed.count());
  }

private:
  const Step *step;
  const Plan &plan;
  std::chrono::steady_clock::time_point start;
};

} // namespace

CpuExecutable::CpuExecutable(Plan plan, std::vector<KernelFn> kernels,
                             std::shared_ptr<void> keepAlive)
    : plan(std::move(plan)), kernels(std::move(kernels)),
      keepAlive(std::move(keepAlive)) {
  gemms.resize(this->plan.steps.size());
  constantBases.resize(this->plan.storages.size(), nullptr);
  for (size_t s = 0; s < this->plan.storages.size(); ++s)
    if (this->plan.storages[s].kind == StorageKind::Constant)
      constantBases[s] =
          reinterpret_cast<char *>(this->plan.storages[s].data.data());
  for (const Step &step : this->plan.steps)
    if (step.kind != StepKind::Copy && step.kind != StepKind::AllReduceWait)
      ++kernelCount;
  // FNV-1a over each all-reduce's reduction, element type and sizes.
  uint64_t hash = 14695981039346656037ull;
  auto mix = [&](uint64_t word) {
    for (int b = 0; b < 8; ++b) {
      hash ^= (word >> (8 * b)) & 0xff;
      hash *= 1099511628211ull;
    }
  };
  for (const Step &step : this->plan.steps) {
    if (step.kind != StepKind::AllReduceStart)
      continue;
    size_t n = step.slots.size() / 2;
    mix(static_cast<uint64_t>(step.attr));
    mix(static_cast<uint64_t>(this->plan.slots[step.slots[0]].type));
    mix(n);
    for (size_t r = 0; r < n; ++r) {
      uint64_t count =
          static_cast<uint64_t>(numel(this->plan.slots[step.slots[r]]));
      mix(count);
      collectives.elements += count;
    }
    ++collectives.calls;
  }
  collectives.hash = hash;
  scheduleChecked = collectives.calls == 0;
}

std::vector<rt::BufferPtr>
CpuExecutable::run(std::vector<rt::BufferPtr> inputs) {
  RunMemory memory = bindStorages(plan, inputs, ::dlc::Device(::dlc::kCPU),
                                  constantBases, "cpu executable");
  donations += memory.donations;
  if (!scheduleChecked) {
    std::string what = "dlc.all_reduce";
    for (const Step &step : plan.steps)
      if (step.kind == StepKind::AllReduceStart && !step.where.empty()) {
        what += " at " + step.where;
        break;
      }
    rt::dist::check_same_schedule(collectives, what);
    scheduleChecked = true;
  }
  const std::vector<char *> &bases = memory.bases;
  auto base = [&](int32_t slot) { return bases[plan.slots[slot].storage]; };

  std::vector<void *> args;
  bool profiling = profilingEnabled();
  // All-reduces in flight, by start step. Should a step throw, the
  // destructor waits for them: the communication thread writes into this
  // run's buffers until then.
  struct InFlight {
    std::vector<std::unique_ptr<rt::dist::Work>> works;
    ~InFlight() {
      for (auto &work : works)
        if (work)
          try {
            work->wait();
          } catch (...) {
          }
    }
  } inFlight;
  if (collectives.calls > 0)
    inFlight.works.resize(plan.steps.size());
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step &step = plan.steps[i];
    const std::vector<int32_t> &slots = step.slots;
    StepTimer timer(profiling ? &step : nullptr, plan);
    switch (step.kind) {
    case StepKind::Kernel: {
      args.assign(slots.size(), nullptr);
      for (size_t a = 0; a < slots.size(); ++a)
        args[a] = base(slots[a]);
      KernelFn fn = kernels[i];
      void **argv = args.data();
      rt::parallelFor(
          step.iterations, step.grain,
          [&](int64_t begin, int64_t end) { fn(argv, begin, end); });
      break;
    }
    case StepKind::PartialKernel: {
      args.assign(slots.size(), nullptr);
      for (size_t a = 0; a < slots.size(); ++a)
        args[a] = base(slots[a]);
      KernelFn fn = kernels[i];
      void **argv = args.data();
      rt::parallelChunks(
          step.iterations, step.grain,
          [&](int64_t begin, int64_t end) { fn(argv, begin, end); });
      break;
    }
    case StepKind::Combine: {
      const Slot &partial = plan.slots[slots[0]];
      combineStep(partial, base(slots[0]), numel(partial), step.attr,
                  plan.slots[slots[1]], base(slots[1]));
      break;
    }
    case StepKind::Gemm: {
      std::unique_ptr<Gemm> &product = gemms[i];
      if (!product)
        product = std::make_unique<Gemm>(
            plan.slots[slots[2]].type, step.ints[0], step.ints[1], step.ints[2],
            step.ints[3], step.ints[4] != 0, step.ints[5] != 0,
            step.ints[7] != 0, static_cast<GemmActivation>(step.ints[6]));
      product->run(base(slots[0]), base(slots[1]),
                   slots.size() > 3 ? base(slots[3]) : nullptr, base(slots[2]));
      break;
    }
    case StepKind::Gather:
      gather(plan.slots[slots[0]], base(slots[0]), plan.slots[slots[1]],
             base(slots[1]), base(slots[2]), step.attr);
      break;
    case StepKind::ScatterAdd: {
      const Slot &input = plan.slots[slots[0]];
      if (base(slots[3]) != base(slots[0])) // else in place (the plan's)
        std::memcpy(base(slots[3]), base(slots[0]), slotBytes(input));
      const Slot &indices = plan.slots[slots[1]];
      switch (input.type) {
      case ScalarType::Float:
        scatterAddTyped(input, indices, base(slots[1]),
                        reinterpret_cast<const float *>(base(slots[2])),
                        reinterpret_cast<float *>(base(slots[3])), step.attr);
        break;
      case ScalarType::Double:
        scatterAddTyped(input, indices, base(slots[1]),
                        reinterpret_cast<const double *>(base(slots[2])),
                        reinterpret_cast<double *>(base(slots[3])), step.attr);
        break;
      case ScalarType::Int:
        scatterAddTyped(input, indices, base(slots[1]),
                        reinterpret_cast<const int32_t *>(base(slots[2])),
                        reinterpret_cast<int32_t *>(base(slots[3])), step.attr);
        break;
      case ScalarType::Long:
        scatterAddTyped(input, indices, base(slots[1]),
                        reinterpret_cast<const int64_t *>(base(slots[2])),
                        reinterpret_cast<int64_t *>(base(slots[3])), step.attr);
        break;
      case ScalarType::Bool:
        break;
      }
      break;
    }
    case StepKind::Concat: {
      std::vector<const Slot *> parts;
      std::vector<const void *> data;
      for (size_t a = 0; a + 1 < slots.size(); ++a) {
        parts.push_back(&plan.slots[slots[a]]);
        data.push_back(base(slots[a]));
      }
      concat(parts, data, plan.slots[slots.back()], base(slots.back()),
             step.attr);
      break;
    }
    case StepKind::Copy:
      std::memcpy(base(slots[1]), base(slots[0]),
                  slotBytes(plan.slots[slots[1]]));
      break;
    case StepKind::Fill: {
      const Slot &slot = plan.slots[slots[0]];
      fill(base(slots[0]), numel(slot), step.constant);
      break;
    }
    case StepKind::AllReduceStart: {
      size_t n = slots.size() / 2;
      std::vector<rt::dist::Span> spans;
      for (size_t r = 0; r < n; ++r) {
        const Slot &out = plan.slots[slots[n + r]];
        if (base(slots[r]) != base(slots[n + r]))
          std::memcpy(base(slots[n + r]), base(slots[r]), slotBytes(out));
        spans.push_back({base(slots[n + r]), numel(out)});
      }
      inFlight.works[i] = rt::dist::all_reduce_async(
          std::move(spans), plan.slots[slots[n]].type,
          static_cast<rt::dist::ReduceOp>(step.attr),
          "dlc.all_reduce" +
              (step.where.empty() ? std::string() : " at " + step.where));
      break;
    }
    case StepKind::AllReduceWait: {
      std::unique_ptr<rt::dist::Work> work =
          std::move(inFlight.works[step.attr]);
      if (work)
        work->wait();
      break;
    }
    case StepKind::Reference: {
      reference::Kernel kernel;
      kernel.kind = static_cast<OpKind>(step.op);
      kernel.ints = step.ints;
      kernel.attr = step.attr;
      kernel.constant = step.constant;
      kernel.splat = step.splat;
      std::vector<reference::TensorRef> ins, outs;
      for (size_t a = 0; a < slots.size(); ++a) {
        const Slot &slot = plan.slots[slots[a]];
        reference::TensorRef ref{base(slots[a]), slot.type, slot.shape};
        (a + 1 < slots.size() ? ins : outs).push_back(std::move(ref));
      }
      reference::runKernel(kernel, ins, outs);
      break;
    }
    }
  }
  return runResults(plan, memory);
}

} // namespace mlir::dlc::cpu
