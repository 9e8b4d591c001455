//===- DlcOps.td - The operations of the dlc dialect ----------------------===//
//
// One block per op, grouped by family. The C++ half of each op (verifier,
// type inference, folder) sits under the same banner in DlcOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_IR_DLCOPS_TD
#define DLC_IR_DLCOPS_TD

include "ir/DlcBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

class Dlc_UnaryOp<string mnemonic, Type type, string formula,
                  list<Trait> traits = []>
    : Dlc_Op<mnemonic, !listconcat(traits,
          [Pure, Dlc_Elementwise, SameOperandsAndResultType])> {
  let summary = "elementwise " # formula;
  let description = [{
    Computes `}] # formula # [{` for every element of `input`. The result has
    the type of the operand.

    Example:

    ```mlir
    %y = dlc.}] # mnemonic # [{ %x : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins type:$input);
  let results = (outs type:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Dlc_AbsOp : Dlc_UnaryOp<"abs", Dlc_NumericTensor, "|x|", [Idempotent]> {
  let hasFolder = 1;
}
def Dlc_ErfOp : Dlc_UnaryOp<"erf", Dlc_FloatTensor, "erf(x)">;
def Dlc_ExpOp : Dlc_UnaryOp<"exp", Dlc_FloatTensor, "e^x">;
def Dlc_LogOp : Dlc_UnaryOp<"log", Dlc_FloatTensor, "ln(x)">;
def Dlc_Log1pOp : Dlc_UnaryOp<"log1p", Dlc_FloatTensor, "ln(1 + x)">;
def Dlc_NegOp : Dlc_UnaryOp<"neg", Dlc_NumericTensor, "-x", [Involution]> {
  let hasFolder = 1;
}
def Dlc_NotOp : Dlc_UnaryOp<"not", Dlc_IntOrBoolTensor, "~x (bitwise; logical on i1)",
                           [Involution]>;
def Dlc_ReluOp : Dlc_UnaryOp<"relu", Dlc_NumericTensor, "max(x, 0)", [Idempotent]>;
def Dlc_RsqrtOp : Dlc_UnaryOp<"rsqrt", Dlc_FloatTensor, "1 / sqrt(x)">;
def Dlc_SigmoidOp : Dlc_UnaryOp<"sigmoid", Dlc_FloatTensor, "1 / (1 + e^-x)">;
def Dlc_SignOp : Dlc_UnaryOp<"sign", Dlc_NumericTensor, "sign(x) in {-1, 0, 1}",
                            [Idempotent]>;
def Dlc_SqrtOp : Dlc_UnaryOp<"sqrt", Dlc_FloatTensor, "sqrt(x)">;
def Dlc_TanhOp : Dlc_UnaryOp<"tanh", Dlc_FloatTensor, "tanh(x)">;

//===----------------------------------------------------------------------===//
// Elementwise binary
//===----------------------------------------------------------------------===//

class Dlc_BinaryOp<string mnemonic, Type type, string formula,
                   list<Trait> traits = [], string note = "">
    : Dlc_Op<mnemonic, !listconcat(traits,
          [Pure, Dlc_Elementwise, SameOperandsAndResultType])> {
  let summary = "elementwise " # formula;
  let description = [{
    Computes `}] # formula # [{` elementwise. Both operands and the result have
    one type: there is no implicit broadcasting, a smaller operand is first
    expanded with `dlc.broadcast_in_dim`. }] # note # [{

    Example:

    ```mlir
    %z = dlc.}] # mnemonic # [{ %x, %y : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins type:$lhs, type:$rhs);
  let results = (outs type:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Dlc_AddOp : Dlc_BinaryOp<"add", Dlc_NumericTensor, "x + y", [Commutative]> {
  let hasFolder = 1;
}
def Dlc_AndOp : Dlc_BinaryOp<"and", Dlc_IntOrBoolTensor, "x & y (logical on i1)",
                             [Commutative]>;
def Dlc_DivOp : Dlc_BinaryOp<"div", Dlc_NumericTensor,
    "x / y (integers: truncated toward zero)", [],
    "Integer division by zero gives an unspecified value; it never traps."> {
  let hasFolder = 1;
}
def Dlc_MaxOp : Dlc_BinaryOp<"max", Dlc_NumericTensor, "max(x, y)", [Commutative],
    "On floating point a NaN in either operand gives NaN, as `torch.maximum`."> {
  let hasFolder = 1;
}
def Dlc_MinOp : Dlc_BinaryOp<"min", Dlc_NumericTensor, "min(x, y)", [Commutative],
    "On floating point a NaN in either operand gives NaN, as `torch.minimum`."> {
  let hasFolder = 1;
}
def Dlc_MulOp : Dlc_BinaryOp<"mul", Dlc_NumericTensor, "x * y", [Commutative]> {
  let hasFolder = 1;
}
def Dlc_OrOp : Dlc_BinaryOp<"or", Dlc_IntOrBoolTensor, "x | y (logical on i1)",
                            [Commutative]>;
def Dlc_PowOp : Dlc_BinaryOp<"pow", Dlc_FloatTensor, "x ^ y"> {
  let hasFolder = 1;
}
def Dlc_SubOp : Dlc_BinaryOp<"sub", Dlc_NumericTensor, "x - y"> {
  let hasFolder = 1;
}
def Dlc_XorOp : Dlc_BinaryOp<"xor", Dlc_IntOrBoolTensor, "x ^ y (bitwise; logical on i1)",
                             [Commutative]>;

//===----------------------------------------------------------------------===//
// Compare and select
//===----------------------------------------------------------------------===//

def Dlc_CompareOp : Dlc_Op<"compare",
    [Pure, Dlc_Elementwise, SameTypeOperands, InferTypeOpAdaptor]> {
  let summary = "elementwise comparison giving an i1 mask";
  let description = [{
    Compares `lhs` and `rhs` elementwise with `direction` (`eq`, `ne`, `lt`,
    `le`, `gt`, `ge`) and returns an `i1` tensor of the operands' shape.
    Floating-point comparisons are ordered: any comparison with NaN is false,
    except `ne`, which is true (IEEE 754, as in PyTorch).

    Example:

    ```mlir
    %m = dlc.compare lt, %x, %y : tensor<4xf32>
    // %m : tensor<4xi1>
    ```
  }];
  let arguments = (ins Dlc_ComparisonDirection:$direction,
                       Dlc_Tensor:$lhs, Dlc_Tensor:$rhs);
  let results = (outs Dlc_BoolTensor:$result);
  let assemblyFormat = "$direction `,` $lhs `,` $rhs attr-dict `:` type($lhs)";
}

def Dlc_SelectOp : Dlc_Op<"select",
    [Pure, Dlc_Elementwise, AllTypesMatch<["on_true", "on_false", "result"]>]> {
  let summary = "elementwise choice by an i1 mask";
  let description = [{
    Returns `on_true` where `cond` is true and `on_false` elsewhere. `cond`
    has the shape of the other operands.

    Example:

    ```mlir
    %r = dlc.select %m, %x, %y : tensor<4xi1>, tensor<4xf32>
    ```
  }];
  let arguments = (ins Dlc_BoolTensor:$cond, Dlc_Tensor:$on_true,
                       Dlc_Tensor:$on_false);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = [{
    $cond `,` $on_true `,` $on_false attr-dict `:` type($cond) `,` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Cast and constant
//===----------------------------------------------------------------------===//

def Dlc_CastOp : Dlc_Op<"cast", [Pure, Dlc_Elementwise]> {
  let summary = "elementwise conversion to another element type";
  let description = [{
    Converts every element to the result's element type, as
    `Tensor::to(ScalarType)` does in PyTorch: float to integer truncates
    toward zero (NaN gives 0 and values out of range saturate, where C++
    would be undefined), integer or float to `i1` is `x != 0`, `i1` to a
    number is 0 or 1, a narrower integer wraps. The shape does not change.

    Example:

    ```mlir
    %i = dlc.cast %x : tensor<4xf32> to tensor<4xi64>
    ```
  }];
  let arguments = (ins Dlc_Tensor:$input);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Type":$elementType)>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Dlc_ConstantOp : Dlc_Op<"constant",
    [ConstantLike, Pure, InferTypeOpAdaptor]> {
  let summary = "a tensor literal";
  let description = [{
    Produces the tensor held by the `value` attribute.

    Example:

    ```mlir
    %c = dlc.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %z = dlc.constant dense<0> : tensor<4x4xi64>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Dlc_BroadcastInDimOp : Dlc_Op<"broadcast_in_dim", [Pure]> {
  let summary = "expand a tensor to a larger shape";
  let description = [{
    Copies `input` into a tensor of the result's shape. `dims[i]` names the
    result dimension that input dimension `i` maps to; the entries are
    strictly increasing (a broadcast never transposes). A mapped input
    dimension has the size of its result dimension or size 1, which is then
    repeated. Result dimensions not named in `dims` are new.

    Example:

    ```mlir
    // A bias of shape [4] added to every row of a [3, 4] matrix.
    %b = dlc.broadcast_in_dim %bias dims = [1] : tensor<4xf32> to tensor<3x4xf32>
    // A keepdim reduction expanded back: [3, 1] -> [3, 4].
    %m = dlc.broadcast_in_dim %max dims = [0, 1] : tensor<3x1xf32> to tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Dlc_Tensor:$input, DenseI64ArrayAttr:$dims);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = [{
    $input `dims` `=` $dims attr-dict `:` type($input) `to` type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::llvm::ArrayRef<int64_t>":$shape,
                   "::llvm::ArrayRef<int64_t>":$dims)>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Dlc_ConcatOp : Dlc_Op<"concat", [Pure, InferTypeOpAdaptor]> {
  let summary = "join tensors along one dimension";
  let description = [{
    Concatenates `inputs` along `dim`. All inputs have one element type and
    rank, and agree on every other dimension.

    Example:

    ```mlir
    %c = dlc.concat %a, %b dim = 0 : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
    ```
  }];
  let arguments = (ins Variadic<Dlc_Tensor>:$inputs, I64Attr:$dim);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = [{
    $inputs `dim` `=` $dim attr-dict `:` `(` type($inputs) `)` `->` type($result)
  }];
  let hasFolder = 1;
}

def Dlc_ReshapeOp : Dlc_Op<"reshape", [Pure]> {
  let summary = "reinterpret the elements in a new shape";
  let description = [{
    Returns the elements of `input`, in row-major order, in the result's
    shape. Both have the same element type and number of elements.

    Example:

    ```mlir
    %r = dlc.reshape %x : tensor<2x6xf32> to tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Dlc_Tensor:$input);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::llvm::ArrayRef<int64_t>":$shape)>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Dlc_SliceOp : Dlc_Op<"slice", [Pure, InferTypeOpAdaptor]> {
  let summary = "a strided box of a tensor";
  let description = [{
    Takes, in every dimension `d`, the elements at `start[d]`,
    `start[d] + stride[d]`, ... below `limit[d]`. The ranges are written
    `start:limit` or `start:limit:stride`; 0 <= start <= limit <= size and
    stride >= 1.

    Example:

    ```mlir
    // Rows 0 and 1, every other column from column 1.
    %s = dlc.slice %x [0:2, 1:6:2] : tensor<4x6xf32> -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Dlc_Tensor:$input, DenseI64ArrayAttr:$start,
                       DenseI64ArrayAttr:$limit, DenseI64ArrayAttr:$stride);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = [{
    $input custom<SliceRanges>($start, $limit, $stride) attr-dict
    `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Dlc_TransposeOp : Dlc_Op<"transpose", [Pure, InferTypeOpAdaptor]> {
  let summary = "permute the dimensions of a tensor";
  let description = [{
    Result dimension `i` is input dimension `perm[i]`.

    Example:

    ```mlir
    %t = dlc.transpose %x perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Dlc_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = [{
    $input `perm` `=` $perm attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Dlc_ReduceOp<string mnemonic, Type type, string what, string note = "">
    : Dlc_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = what # " over a list of dimensions";
  let description = [{
    Reduces `input` to its }] # what # [{ over `dims` (strictly increasing).
    With `keepdim` the reduced dimensions stay, with size 1; without it they
    are removed, as `dim`/`keepdim` in PyTorch. }] # note # [{

    Example:

    ```mlir
    %r = dlc.}] # mnemonic # [{ %x dims = [1] : tensor<2x3xf32> -> tensor<2xf32>
    %k = dlc.}] # mnemonic # [{ %x dims = [0, 1] keepdim : tensor<2x3xf32> -> tensor<1x1xf32>
    ```
  }];
  let arguments = (ins type:$input, DenseI64ArrayAttr:$dims,
                       UnitAttr:$keepdim);
  let results = (outs type:$result);
  let assemblyFormat = [{
    $input `dims` `=` $dims (`keepdim` $keepdim^)? attr-dict
    `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Dlc_ReduceMaxOp : Dlc_ReduceOp<"reduce_max", Dlc_Tensor, "maximum",
    "On floating point a NaN anywhere in a reduced group gives NaN.">;
def Dlc_ReduceMinOp : Dlc_ReduceOp<"reduce_min", Dlc_Tensor, "minimum",
    "On floating point a NaN anywhere in a reduced group gives NaN.">;
def Dlc_ReduceSumOp : Dlc_ReduceOp<"reduce_sum", Dlc_NumericTensor, "sum">;

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Dlc_MatmulOp : Dlc_Op<"matmul", [Pure, InferTypeOpAdaptor]> {
  let summary = "matrix product over the last two dimensions, batched over the rest";
  let description = [{
    `lhs` is `[B..., M, K]` and `rhs` is `[B..., K, N]` with the same batch
    dimensions `B...` (a broadcast batch is expanded first); the result is
    `[B..., M, N]`. Both operands have one element type.

    Example:

    ```mlir
    %y = dlc.matmul %x, %w : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
    %z = dlc.matmul %q, %k : tensor<2x5x16xf32>, tensor<2x16x7xf32> -> tensor<2x5x7xf32>
    ```
  }];
  let arguments = (ins Dlc_NumericTensor:$lhs, Dlc_NumericTensor:$rhs);
  let results = (outs Dlc_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Indexing
//===----------------------------------------------------------------------===//

def Dlc_GatherOp : Dlc_Op<"gather", [Pure, InferTypeOpAdaptor]> {
  let summary = "take slices of a tensor at integer indices along one axis";
  let description = [{
    For an `input` of shape `[A..., n, C...]` where `n` is dimension `axis`,
    and `indices` of any shape `I...`, the result has shape `[A..., I..., C...]`
    and `result[a, i, c] = input[a, indices[i], c]` (`torch.index_select`
    when `indices` is 1-d, `embedding` when `input` is the weight matrix).
    An index outside `[0, n)` is clamped into it: reads never go out of
    bounds. (The frontend reports out-of-range indices it already holds as
    data; indices computed in the same graph are clamped.)

    Example:

    ```mlir
    // Embedding lookup: 2x3 ids into a 100x16 table.
    %e = dlc.gather %table[%ids] axis = 0 : tensor<100x16xf32>, tensor<2x3xi64> -> tensor<2x3x16xf32>
    ```
  }];
  let arguments = (ins Dlc_Tensor:$input, Dlc_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = [{
    $input `[` $indices `]` `axis` `=` $axis attr-dict
    `:` type($input) `,` type($indices) `->` type($result)
  }];
}

def Dlc_ScatterAddOp : Dlc_Op<"scatter_add",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "add slices into a tensor at integer indices along one axis";
  let description = [{
    The adjoint of `dlc.gather`: starts from `input` (shape `[A..., n, C...]`,
    `n` at `axis`) and adds `updates` (shape `[A..., I..., C...]`) into it:
    `result[a, indices[i], c] += updates[a, i, c]`. Repeated indices
    accumulate. Updates whose index is outside `[0, n)` are dropped.

    Example:

    ```mlir
    // The gradient of an embedding lookup.
    %g = dlc.scatter_add %zeros[%ids], %d axis = 0 : tensor<100x16xf32>, tensor<2x3xi64>, tensor<2x3x16xf32>
    ```
  }];
  let arguments = (ins Dlc_NumericTensor:$input, Dlc_IndexTensor:$indices,
                       Dlc_NumericTensor:$updates, I64Attr:$axis);
  let results = (outs Dlc_NumericTensor:$result);
  let assemblyFormat = [{
    $input `[` $indices `]` `,` $updates `axis` `=` $axis attr-dict
    `:` type($input) `,` type($indices) `,` type($updates)
  }];
  let hasVerifier = 1;
}

def Dlc_FirstOccurrenceOp : Dlc_Op<"first_occurrence",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "the first position of each index's value";
  let description = [{
    For a 1-d tensor of indices `[n]`, the `i64` tensor `[n]` whose element
    `i` is the smallest `j` with `indices[j] == indices[i]`. With it, a sparse
    gradient (rows `values[i]` for the table rows `indices[i]`) is coalesced
    without a table-sized tensor: `scatter_add` of the values at
    `first_occurrence` sums each row's contributions, in order, at its first
    position.

    Example:

    ```mlir
    // [7, 3, 7, 7, 3] -> [0, 1, 0, 0, 1]
    %f = dlc.first_occurrence %ids : tensor<5xi64> -> tensor<5xi64>
    ```
  }];
  let arguments = (ins Dlc_IndexTensor:$indices);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = [{
    $indices attr-dict `:` type($indices) `->` type($result)
  }];
  let hasVerifier = 1;
}


//===----------------------------------------------------------------------===//
// Generators
//===----------------------------------------------------------------------===//

def Dlc_IotaOp : Dlc_Op<"iota", [Pure]> {
  let summary = "the index along one dimension";
  let description = [{
    Every element is its own index along `dim`, converted to the result's
    element type.

    Example:

    ```mlir
    %i = dlc.iota dim = 1 : tensor<2x3xi64>
    // [[0, 1, 2], [0, 1, 2]]
    ```
  }];
  let arguments = (ins I64Attr:$dim);
  let results = (outs Dlc_NumericTensor:$result);
  let assemblyFormat = "`dim` `=` $dim attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Dlc_RandomOp : Dlc_Op<"random", [Pure]> {
  let summary = "counter-based random numbers";
  let description = [{
    Fills the result with samples of `distribution`: `uniform` in [0, 1) or
    standard `normal`. The values are a pure function of `seed`, `offset` and
    the element's row-major position `i`: element `i` comes from the block
    `x0, x1, x2, x3` of Philox-4x32-10 (Random123's philox4x32_10) with the
    128-bit counter `offset + i` and the 64-bit key `seed`, as

    - uniform f32: `(x0 >> 8) * 2^-24`
    - uniform f64: `((x0 << 32 | x1) >> 11) * 2^-53`
    - normal (computed in f64, then rounded): `sqrt(-2 ln u1) cos(2 pi u2)`
      with `u1 = (((x0 << 32 | x1) >> 11) + 1) * 2^-53` and
      `u2 = ((x2 << 32 | x3) >> 11) * 2^-53`

    so every backend gives the same numbers. Two ops with equal operands give
    equal tensors: the op is pure and can be recomputed or moved; the
    frontend advances `offset` by the number of values each draw consumes.

    Example:

    ```mlir
    %u = dlc.random uniform %seed, %offset : tensor<64x16xf32>
    ```
  }];
  let arguments = (ins Dlc_RandomDistribution:$distribution,
                       Dlc_I64Scalar:$seed, Dlc_I64Scalar:$offset);
  let results = (outs Dlc_FloatTensor:$result);
  let assemblyFormat = [{
    $distribution $seed `,` $offset attr-dict `:` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Autodiff
//===----------------------------------------------------------------------===//

def Dlc_GradOp : Dlc_Op<"grad",
    [Pure, AttrSizedOperandSegments, InferTypeOpAdaptor]> {
  let summary = "a request for reverse-mode gradients";
  let description = [{
    Stands for the gradients of `y` with respect to each value in `wrt`: the
    vector-Jacobian product with `seed` as the cotangent of `y`. Without
    `seed`, `y` has one element and the seed is 1 (`loss.backward()`). Each
    result has the type of its `wrt` value; a `wrt` value that `y` does not
    depend on gets zeros. `y`, `seed` and `wrt` are floating point.

    The op is verified here and expanded into ordinary dlc ops by the
    `dlc-autodiff` pass. Because the expansion is dlc IR, a `dlc.grad` over
    values computed by another `dlc.grad` gives second-order derivatives.

    Example:

    ```mlir
    %gw, %gb = dlc.grad %loss wrt(%w, %b) : tensor<f32> wrt(tensor<16x4xf32>, tensor<4xf32>)
    %gx = dlc.grad %y wrt(%x) seed(%dy) : tensor<8x4xf32> wrt(tensor<8x16xf32>)
    ```
  }];
  let arguments = (ins Dlc_FloatTensor:$y, Variadic<Dlc_Tensor>:$wrt,
                       Optional<Dlc_FloatTensor>:$seed);
  let results = (outs Variadic<Dlc_Tensor>:$gradients);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$y, "::mlir::ValueRange":$wrt,
                   CArg<"::mlir::Value", "{}">:$seed)>
  ];
}

def Dlc_StopGradientOp : Dlc_Op<"stop_gradient",
    [Pure, Dlc_Elementwise, SameOperandsAndResultType]> {
  let summary = "identity that blocks gradients";
  let description = [{
    Returns `input` unchanged; `dlc-autodiff` propagates no gradient through
    it (`Tensor::detach()`). It is removed after autodiff.

    Example:

    ```mlir
    %d = dlc.stop_gradient %x : tensor<4xf32>
    ```
  }];
  let arguments = (ins Dlc_Tensor:$input);
  let results = (outs Dlc_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Collectives
//===----------------------------------------------------------------------===//

def Dlc_AllReduceOp : Dlc_Op<"all_reduce", [InferTypeOpAdaptor]> {
  let summary = "combines a value across the processes of a distributed job";
  let description = [{
    Every process of the job (MPI's world; one process without it) passes
    its own `inputs`; each result is the elementwise `reduction` (sum, mean,
    max or min) of that input over all processes, the same on every
    process. Several inputs make one call (a bucket): they share one
    element type and travel as one message. Results have the types of the
    inputs.

    Not pure: it communicates, so it is neither removed when unused nor
    merged with another all-reduce of the same values; every process runs
    the same program and so makes the same calls in the same order. The
    `dlc-schedule-collectives` pass buckets the all-reduces of a step and
    places each where its inputs are ready; the runtime starts it there and
    waits for it where a result is first read, so the communication
    overlaps the ops in between.

    The gradient of a sum (mean) is the sum (mean) of the results'
    gradients over the processes; max and min have no gradient.

    Example:

    ```mlir
    %g = dlc.all_reduce mean (%grad) : tensor<16x4xf32>
    %a, %b = dlc.all_reduce sum (%x, %y) : tensor<4xf32>, tensor<8xf32>
    ```
  }];
  let arguments = (ins Dlc_CollectiveReduction:$reduction,
                       Variadic<Dlc_Tensor>:$inputs);
  let results = (outs Variadic<Dlc_Tensor>:$results);
  let assemblyFormat = [{
    $reduction `(` $inputs `)` attr-dict `:` type($inputs)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def Dlc_FusionOp : Dlc_Op<"fusion", [IsolatedFromAbove, Pure,
    SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "ops that one kernel computes";
  let description = [{
    Groups dlc ops that code generation turns into one kernel (`dlc-fuse`
    makes them). The body computes the results from the block arguments,
    which stand for `inputs`; nothing else from outside is visible. `kind`
    says which loop structure the kernel has:

    - `elementwise`: one loop nest over the result's shape; every op is
      evaluated at the loop's index (broadcast, transpose and slice remap it).
    - `rows`: reductions over the trailing dimensions of the result's shape,
      whose results are broadcast back: per row, one loop per reduction, then
      one loop writing the result (softmax, log_softmax, layer norm, their
      backward passes), reading the row from memory once.
    - `reduce`: one reduction (the result) of an elementwise expression,
      accumulated in the input's memory order.
    - `matmul`: a `dlc.matmul` (whose operands are inputs) and an
      elementwise epilogue of its result, of the result's shape and element
      type: the product is written to the result's memory and the epilogue
      applied to it there, while it is still in cache (bias, activation,
      the relu mask of a gradient, an optimizer update).

    Example:

    ```mlir
    %y = dlc.fusion elementwise (%x, %b) : (tensor<8x4xf32>, tensor<4xf32>) -> tensor<8x4xf32> {
    ^bb0(%a: tensor<8x4xf32>, %c: tensor<4xf32>):
      %bb = dlc.broadcast_in_dim %c dims = [1] : tensor<4xf32> to tensor<8x4xf32>
      %s = dlc.add %a, %bb : tensor<8x4xf32>
      %r = dlc.relu %s : tensor<8x4xf32>
      dlc.yield %r : tensor<8x4xf32>
    }
    ```
  }];
  let arguments = (ins Dlc_FusionKind:$kind, Variadic<Dlc_Tensor>:$inputs);
  let results = (outs Variadic<Dlc_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $kind `(` $inputs `)` attr-dict `:` functional-type($inputs, $results) $body
  }];
  let hasVerifier = 1;
}

def Dlc_YieldOp : Dlc_Op<"yield", [Pure, Terminator, ReturnLike,
    HasParent<"FusionOp">]> {
  let summary = "the results of a dlc.fusion";
  let description = [{
    Ends a `dlc.fusion` body with the values the fusion returns.

    Example:

    ```mlir
    dlc.yield %r, %s : tensor<8x4xf32>, tensor<8xf32>
    ```
  }];
  let arguments = (ins Variadic<Dlc_Tensor>:$values);
  let builders = [OpBuilder<(ins), [{ /* nothing to yield */ }]>];
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

//===----------------------------------------------------------------------===//
// Composite ops (rewritten into primitives by dlc-decompose)
//===----------------------------------------------------------------------===//

class Dlc_CompositeSoftmaxOp<string mnemonic, string formula>
    : Dlc_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let description = [{
    Computes `}] # formula # [{` along `dim`, in the numerically stable form
    that subtracts the maximum first. A composite: autodiff and fusion see it
    whole, `dlc-decompose` rewrites it into `reduce_max`, `sub`, `exp`,
    `reduce_sum` and a division or logarithm.

    Example:

    ```mlir
    %p = dlc.}] # mnemonic # [{ %logits dim = 1 : tensor<8x10xf32>
    ```
  }];
  let arguments = (ins Dlc_FloatTensor:$input, I64Attr:$dim);
  let results = (outs Dlc_FloatTensor:$result);
  let assemblyFormat = "$input `dim` `=` $dim attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Dlc_LogSoftmaxOp : Dlc_CompositeSoftmaxOp<"log_softmax",
    "x - log(sum(exp(x)))"> {
  let summary = "logarithm of softmax along one dimension";
}
def Dlc_SoftmaxOp : Dlc_CompositeSoftmaxOp<"softmax", "exp(x) / sum(exp(x))"> {
  let summary = "softmax along one dimension";
}

#endif // DLC_IR_DLCOPS_TD
