//===- KernelEmitter.h - A dlc.fusion as a loop nest ----------------------===//

#ifndef DLC_CODEGEN_CPU_KERNELEMITTER_H
#define DLC_CODEGEN_CPU_KERNELEMITTER_H

#include "ir/DlcOps.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::dlc::cpu {

/// How the runtime calls an emitted kernel.
struct KernelShape {
  /// The kernel computes the range [begin, end) of [0, iterations).
  int64_t iterations = 1;
  /// The smallest range worth a thread (or, for partial kernels, the fixed
  /// chunk: chunk k writes partial k).
  int64_t grain = 1;
  /// A reduction over every dimension: the kernel writes one partial per
  /// chunk into an extra last argument, which a Combine step folds.
  bool partial = false;
  /// The partials' element type (the accumulator type) and the fold: 0 sum,
  /// 1 max, 2 min.
  Type partialType;
  int64_t combine = 0;
  /// The inputs read only at the element being written, and of the
  /// result's size: the result may overwrite them (buffer donation).
  SmallVector<int64_t> inPlaceInputs;
};

/// Emits `fusion` as the function `symbol(void **args, i64 begin, i64 end)`
/// into `module`, in the scf, arith, math and llvm dialects. `args` holds the
/// fusion's inputs, then its result, then (partial kernels) the partials.
/// Loops follow the fusion's kind (see dlc.fusion); every value is computed
/// at the loop's index, per-row values once per row.
/// What differs between the CPU's kernels and the GPU's.
struct EmitterOptions {
  /// A reduction over every dimension is split into fixed chunks of about
  /// this many elements (one partial each).
  int64_t partialElements = 65536;
  /// Elementwise kernels iterate over every element (the index split into
  /// all its dimensions) instead of keeping the innermost loop whole: one
  /// GPU thread per element, neighbours on neighbouring addresses.
  bool flattenElementwise = false;
};
FailureOr<KernelShape> emitFusionKernel(FusionOp fusion, ModuleOp module,
                                        const std::string &symbol,
                                        const EmitterOptions &options = {});

} // namespace mlir::dlc::cpu

#endif // DLC_CODEGEN_CPU_KERNELEMITTER_H
