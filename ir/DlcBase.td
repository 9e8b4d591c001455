//===- DlcBase.td - The dlc dialect, its type constraints and enums -------===//
//
// The pieces every dlc op definition shares: the dialect record, the element
// and tensor type constraints, the enums carried as attributes, and the op base
// class.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_IR_DLCBASE_TD
#define DLC_IR_DLCBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Dialect
//===----------------------------------------------------------------------===//

def Dlc_Dialect : Dialect {
  let name = "dlc";
  let cppNamespace = "::mlir::dlc";
  let summary = "The tensor-level IR of the dlc deep learning compiler";
  let description = [{
    `dlc` is the IR that a recorded dlc program is lowered to. Values are
    builtin ranked tensors with value semantics; element types are `f32`,
    `f64`, `i32`, `i64` and `i1`.

    The dialect is a small set of primitives: elementwise unary, binary,
    compare and select; cast; constant; explicit broadcast, reshape,
    transpose, slice and concat; reductions; batched matmul; gather and
    scatter-add; iota and counter-based random numbers. Operands of
    elementwise ops have identical types: every broadcast is an explicit
    `dlc.broadcast_in_dim`, which is what makes gradients (a broadcast in
    the forward pass is a sum in the backward pass) and fusion simple.

    `dlc.grad` requests reverse-mode derivatives; the `dlc-autodiff` pass
    expands it into ordinary dlc ops. Composite ops (`dlc.softmax`,
    `dlc.log_softmax`) exist so that autodiff and fusion can see them whole;
    `dlc-decompose` rewrites them into primitives.

    Shapes may contain dynamic sizes (`tensor<?x16xf32>`); verifiers and
    type inference treat a dynamic size as compatible with any size.
  }];
  let hasConstantMaterializer = 1;
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Dlc_FloatElement : AnyTypeOf<[F32, F64]>;
def Dlc_IntElement : AnyTypeOf<[I32, I64]>;
def Dlc_Element : AnyTypeOf<[F32, F64, I32, I64, I1]>;

def Dlc_Tensor : RankedTensorOf<[F32, F64, I32, I64, I1]>;
def Dlc_FloatTensor : RankedTensorOf<[F32, F64]>;
/// Integer and floating-point tensors: what arithmetic accepts.
def Dlc_NumericTensor : RankedTensorOf<[F32, F64, I32, I64]>;
def Dlc_IntOrBoolTensor : RankedTensorOf<[I32, I64, I1]>;
def Dlc_BoolTensor : RankedTensorOf<[I1]>;
def Dlc_IndexTensor : RankedTensorOf<[I32, I64]>;

/// A 0-d `tensor<i64>`: the seed and offset operands of `dlc.random`.
def Dlc_I64Scalar : Type<
    And<[RankedTensorOf<[I64]>.predicate,
         CPred<"::llvm::cast<::mlir::RankedTensorType>($_self).getRank() == 0">]>,
    "0-d tensor of 64-bit integer">,
  BuildableType<"::mlir::RankedTensorType::get({}, $_builder.getI64Type())">;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

// Printed as bare keywords (`dlc.compare lt, ...`), stored as i32 attributes.
def Dlc_ComparisonDirection : I32EnumAttr<"ComparisonDirection",
    "which comparison `dlc.compare` makes", [
      I32EnumAttrCase<"eq", 0>,
      I32EnumAttrCase<"ne", 1>,
      I32EnumAttrCase<"lt", 2>,
      I32EnumAttrCase<"le", 3>,
      I32EnumAttrCase<"gt", 4>,
      I32EnumAttrCase<"ge", 5>
    ]> {
  let cppNamespace = "::mlir::dlc";
}

def Dlc_RandomDistribution : I32EnumAttr<"RandomDistribution",
    "which distribution `dlc.random` samples", [
      I32EnumAttrCase<"uniform", 0>,
      I32EnumAttrCase<"normal", 1>
    ]> {
  let cppNamespace = "::mlir::dlc";
}

def Dlc_CollectiveReduction : I32EnumAttr<"CollectiveReduction",
    "how `dlc.all_reduce` combines the processes' values", [
      I32EnumAttrCase<"sum", 0>,
      I32EnumAttrCase<"mean", 1>,
      I32EnumAttrCase<"max", 2>,
      I32EnumAttrCase<"min", 3>
    ]> {
  let cppNamespace = "::mlir::dlc";
}

def Dlc_FusionKind : I32EnumAttr<"FusionKind",
    "the loop structure of the kernel a dlc.fusion becomes", [
      I32EnumAttrCase<"elementwise", 0>,
      I32EnumAttrCase<"rows", 1>,
      I32EnumAttrCase<"reduce", 2>,
      I32EnumAttrCase<"matmul", 3>
    ]> {
  let cppNamespace = "::mlir::dlc";
}

//===----------------------------------------------------------------------===//
// Traits
//===----------------------------------------------------------------------===//

/// Each result element is computed from the operand elements at the same
/// position (fusion groups these). Unlike upstream's `Elementwise` it has no
/// verifier of its own, so that each op's verifier names mismatched types.
def Dlc_Elementwise : NativeOpTrait<"Elementwise"> {
  let cppNamespace = "::mlir::OpTrait::dlc";
}

//===----------------------------------------------------------------------===//
// Op base class
//===----------------------------------------------------------------------===//

class Dlc_Op<string mnemonic, list<Trait> traits = []>
    : Op<Dlc_Dialect, mnemonic, traits>;

#endif // DLC_IR_DLCBASE_TD
