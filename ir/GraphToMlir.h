//===- GraphToMlir.h - A recorded Graph as a dlc func.func ----------------===//

#ifndef DLC_IR_GRAPHTOMLIR_H
#define DLC_IR_GRAPHTOMLIR_H

#include "ir/Graph.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir::dlc {

/// The MLIR type of a graph tensor type (size -1 becomes dynamic).
RankedTensorType toMlirType(MLIRContext *context, const TensorType &type);

/// Builds `graph` as a function named `name` in a new module: one argument
/// per input, one dlc op per node (with the node's source location), one
/// result per output. Emits diagnostics and returns null when the module
/// does not verify (a node inconsistent with its op's rules).
OwningOpRef<ModuleOp> buildModule(MLIRContext *context, const Graph &graph,
                                  StringRef name);

} // namespace mlir::dlc

#endif // DLC_IR_GRAPHTOMLIR_H
