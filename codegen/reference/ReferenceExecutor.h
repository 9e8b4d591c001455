//===- ReferenceExecutor.h - Run a dlc function op by op ------------------===//

#ifndef DLC_CODEGEN_REFERENCE_REFERENCEEXECUTOR_H
#define DLC_CODEGEN_REFERENCE_REFERENCEEXECUTOR_H

#include "codegen/reference/Kernels.h"
#include "runtime/Executable.h"
#include "runtime/ScalarType.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <memory>
#include <optional>

namespace mlir::dlc {

/// The runtime element type of an MLIR element type (f32, f64, i32, i64,
/// i1), or nullopt for any other.
std::optional<::dlc::ScalarType> getScalarType(Type type);

/// The reference kernel of `op` (its kind and attributes in GraphNode's
/// encoding; a constant's bytes). Emits a diagnostic for what the reference
/// kernels cannot run.
LogicalResult describeReferenceKernel(Operation *op, reference::Kernel &kernel);

/// An executable that runs `func` op by op with the reference kernels: the
/// oracle of every compiled backend, and the fallback for what a backend
/// cannot compile. Emits a diagnostic and returns null for what it cannot
/// run: dynamic sizes, `dlc.grad` (run dlc-autodiff first), ops of other
/// dialects.
///
/// With `checkFinite` (anomaly detection), the executable checks the
/// floating-point arguments and every op's floating-point results as it
/// runs, and throws dlc::Error at the first NaN or infinity, naming the op
/// and the source line it was recorded at:
///   `detect_anomaly: dlc.log produced NaN at element 3 of
///   tensor<4xf32> (model.cpp:42)`.
std::unique_ptr<::dlc::rt::Executable>
buildReferenceExecutable(func::FuncOp func, bool checkFinite = false);

} // namespace mlir::dlc

#endif // DLC_CODEGEN_REFERENCE_REFERENCEEXECUTOR_H
