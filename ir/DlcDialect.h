//===- DlcDialect.h - The dlc dialect and its enums -----------------------===//

#ifndef DLC_IR_DLCDIALECT_H
#define DLC_IR_DLCDIALECT_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"

#include "mlir/IR/OpDefinition.h"

#include "ir/DlcDialect.h.inc"
#include "ir/DlcEnums.h.inc"

namespace mlir::OpTrait::dlc {

/// Marks ops whose result elements each come from the operand elements at the
/// same position: what fusion groups into one loop. No verifier of its own;
/// the ops' verifiers name mismatched types.
template <typename ConcreteType>
class Elementwise : public TraitBase<ConcreteType, Elementwise> {};

} // namespace mlir::OpTrait::dlc

#endif // DLC_IR_DLCDIALECT_H
