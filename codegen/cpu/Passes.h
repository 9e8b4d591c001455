//===- Passes.h - The CPU backend's passes --------------------------------===//
//
// dlc-cpu-kernels turns every dlc.fusion into a kernel function of the
// module (loops in scf, arith, math and llvm) and records on the fusion how
// the runtime calls it; dlc-cpu-lower takes a module of kernels on to the
// LLVM dialect. dlc-opt runs both, so every stage of the CPU code is
// visible as IR.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_CODEGEN_CPU_PASSES_H
#define DLC_CODEGEN_CPU_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::dlc::cpu {

/// Attributes dlc-cpu-kernels puts on each fusion.
inline constexpr const char *kKernelAttr = "dlc.kernel"; // FlatSymbolRefAttr
inline constexpr const char *kIterationsAttr = "dlc.iterations"; // i64
inline constexpr const char *kGrainAttr = "dlc.grain";           // i64
inline constexpr const char *kPartialAttr =
    "dlc.partial"; // TypeAttr (full reductions)
inline constexpr const char *kCombineAttr =
    "dlc.combine"; // i64: 0 sum, 1 max, 2 min
/// The inputs a kernel may overwrite with its result (DenseI64ArrayAttr).
inline constexpr const char *kInPlaceAttr = "dlc.in_place";
/// On a matmul fusion whose epilogue the GEMM library applies itself (a
/// bias row and an activation): i64 activation (GemmActivation), and the
/// input index of the bias or -1. Such a fusion gets no kernel.
inline constexpr const char *kLibraryActivationAttr = "dlc.library_activation";
inline constexpr const char *kLibraryBiasAttr = "dlc.library_bias";
/// Marks the functions dlc-cpu-kernels emits.
inline constexpr const char *kKernelFunctionAttr = "dlc.kernel_function";

std::unique_ptr<Pass> createCpuKernelsPass();
std::unique_ptr<Pass> createCpuLowerPass();

/// Lowers the kernel functions of `module` (those marked
/// kKernelFunctionAttr, and nothing else may be left) to the LLVM dialect:
/// f32 exp, log, log1p, erf and tanh as polynomials (vectorizable), other
/// math functions as libm calls, loops as branches.
LogicalResult lowerKernelsToLLVM(ModuleOp module);

/// The dialects the two passes create.
void registerCpuDialects(DialectRegistry &registry);
/// Makes both passes known to the pass registry (for dlc-opt).
void registerCpuPasses();

} // namespace mlir::dlc::cpu

#endif // DLC_CODEGEN_CPU_PASSES_H
