//===- DlcOps.h - The operations of the dlc dialect -----------------------===//

#ifndef DLC_IR_DLCOPS_H
#define DLC_IR_DLCOPS_H

#include "ir/DlcDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "ir/DlcOps.h.inc"

#endif // DLC_IR_DLCOPS_H
