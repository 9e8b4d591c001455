//===- CpuExecutable.h - Running a CPU plan -------------------------------===//

#ifndef DLC_CODEGEN_CPU_CPUEXECUTABLE_H
#define DLC_CODEGEN_CPU_CPUEXECUTABLE_H

#include "codegen/cpu/Gemm.h"
#include "codegen/cpu/Plan.h"
#include "runtime/Distributed.h"
#include "runtime/Executable.h"

#include <functional>
#include <memory>

namespace mlir::dlc::cpu {

/// The signature of every generated kernel: the slots' base pointers, and
/// the range of its parallel dimension to compute.
using KernelFn = void (*)(void **args, int64_t begin, int64_t end);

/// Runs a plan: one workspace allocation per run for the temporaries (the
/// memory plan packed them by lifetime), a fresh buffer per output, the
/// steps in order, each kernel split across the thread pool.
class CpuExecutable : public ::dlc::rt::Executable {
public:
  /// `kernels[i]` is the function of step i, for kernel steps.
  CpuExecutable(Plan plan, std::vector<KernelFn> kernels,
                std::shared_ptr<void> keepAlive);

  std::vector<::dlc::rt::BufferPtr>
  run(std::vector<::dlc::rt::BufferPtr> inputs) override;
  size_t numKernels() const override { return kernelCount; }
  const Plan &getPlan() const { return plan; }
  /// Results written into donated input buffers so far.
  int64_t getDonations() const { return donations; }

private:
  Plan plan;
  std::vector<KernelFn> kernels;
  /// What keeps the kernels' code alive (the JIT's library for them).
  std::shared_ptr<void> keepAlive;
  size_t kernelCount = 0;
  int64_t donations = 0;
  /// The all-reduces of a run, checked against the other processes' at the
  /// first run (they must have compiled the same program).
  ::dlc::rt::dist::Schedule collectives;
  bool scheduleChecked = false;
  /// Where each constant storage's bytes are (in `plan`).
  std::vector<char *> constantBases;
  /// The GEMM of each GEMM step, made at its first run.
  std::vector<std::unique_ptr<Gemm>> gemms;
};

} // namespace mlir::dlc::cpu

#endif // DLC_CODEGEN_CPU_CPUEXECUTABLE_H
