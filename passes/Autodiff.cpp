//===- Autodiff.cpp - Reverse-mode autodiff as an IR pass -----------------===//
//
// Expands `dlc.grad` into adjoint ops. The pass needs no tape: the forward
// ops are in the IR, and the backward ops it emits are ordinary dlc ops that
// later passes fuse with the forward ones. Every gradient rule lives in the
// table at the end of this file.
//
//===----------------------------------------------------------------------===//

#include "ir/DlcOps.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

#include <cmath>

namespace mlir::dlc {
#define GEN_PASS_DEF_DLCAUTODIFF
#include "passes/Passes.h.inc"
} // namespace mlir::dlc

using namespace mlir;
using namespace mlir::dlc;

namespace {

//===----------------------------------------------------------------------===//
// Emitting adjoint ops
//===----------------------------------------------------------------------===//

/// Builds the ops of one VJP rule at the forward op's location, marked as
/// backward. Every helper keeps types consistent by construction; a rule
/// that needs a constant of a dynamic shape fails (`failed` is set).
class Adjoint {
public:
  Adjoint(OpBuilder &builder, Operation *forward)
      : b(builder), forward(forward),
        loc(NameLoc::get(StringAttr::get(builder.getContext(), "backward"),
                         forward->getLoc())) {}

  Operation *op() const { return forward; }
  Value operand(unsigned i) const { return forward->getOperand(i); }
  Value result() const { return forward->getResult(0); }
  bool failed = false;

  /// A splat constant of `type` (zero on failure).
  Value constant(Type type, double value) {
    auto tensor = cast<RankedTensorType>(type);
    if (!tensor.hasStaticShape()) {
      forward->emitOpError("dlc-autodiff needs a static shape to build a "
                           "constant of type ")
          << type;
      failed = true;
      tensor = RankedTensorType::get(SmallVector<int64_t>(tensor.getRank(), 1),
                                     tensor.getElementType());
    }
    Type element = tensor.getElementType();
    Attribute scalar =
        isa<FloatType>(element)
            ? Attribute(b.getFloatAttr(element, value))
            : Attribute(b.getIntegerAttr(element, int64_t(value)));
    return b.create<ConstantOp>(loc, SplatElementsAttr::get(tensor, scalar));
  }
  Value zerosLike(Value v) { return constant(v.getType(), 0); }

  Value add(Value x, Value y) { return b.create<AddOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<SubOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.create<MulOp>(loc, x, y); }
  Value div(Value x, Value y) { return b.create<DivOp>(loc, x, y); }
  Value neg(Value x) { return b.create<NegOp>(loc, x); }
  Value scale(Value x, double factor) {
    return mul(x, constant(x.getType(), factor));
  }
  template <typename OpTy>
  Value unary(Value x) {
    return b.create<OpTy>(loc, x);
  }
  Value compare(ComparisonDirection direction, Value x, Value y) {
    return b.create<CompareOp>(loc, direction, x, y);
  }
  Value select(Value cond, Value x, Value y) {
    return b.create<SelectOp>(loc, cond, x, y);
  }
  Value convert(Value x, Type elementType) {
    if (getElementTypeOrSelf(x.getType()) == elementType)
      return x;
    return b.create<CastOp>(loc, x, elementType);
  }
  Value reshape(Value x, Type type) {
    if (x.getType() == type)
      return x;
    return b.create<ReshapeOp>(loc, type, x);
  }
  Value transpose(Value x, ArrayRef<int64_t> perm) {
    return b.create<TransposeOp>(loc, x, perm);
  }
  /// Swaps the last two dimensions.
  Value transposeLast(Value x) {
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    SmallVector<int64_t> perm;
    for (int64_t d = 0; d < rank; ++d)
      perm.push_back(d);
    std::swap(perm[rank - 1], perm[rank - 2]);
    return transpose(x, perm);
  }
  Value broadcast(Value x, Type type, ArrayRef<int64_t> dims) {
    if (x.getType() == type)
      return x;
    return b.create<BroadcastInDimOp>(loc, type, x, dims);
  }
  Value reduceSum(Value x, ArrayRef<int64_t> dims, bool keepdim) {
    if (dims.empty())
      return x;
    return b.create<ReduceSumOp>(loc, x, dims, keepdim);
  }
  Value slice(Value x, ArrayRef<int64_t> start, ArrayRef<int64_t> limit,
              ArrayRef<int64_t> stride) {
    return b.create<SliceOp>(loc, x, start, limit, stride);
  }
  Value concat(ValueRange xs, int64_t dim) {
    if (xs.size() == 1)
      return xs.front();
    return b.create<ConcatOp>(loc, xs, dim);
  }
  Value pow(Value x, Value y) { return b.create<PowOp>(loc, x, y); }
  Value logicalAnd(Value x, Value y) { return b.create<AndOp>(loc, x, y); }
  Value matmul(Value x, Value y) { return b.create<MatmulOp>(loc, x, y); }
  Value allReduce(Value x, CollectiveReduction reduction) {
    return b
        .create<AllReduceOp>(loc, TypeRange{x.getType()}, reduction,
                             ValueRange{x})
        ->getResult(0);
  }
  Value gather(Value x, Value indices, int64_t axis) {
    return b.create<GatherOp>(loc, x, indices, axis);
  }
  Value scatterAdd(Value x, Value indices, Value updates, int64_t axis) {
    return b.create<ScatterAddOp>(loc, x.getType(), x, indices, updates, axis);
  }

  /// `x` (the reduced form) broadcast back over `dims` of `type`, with or
  /// without kept dimensions.
  Value unreduce(Value x, Type type, ArrayRef<int64_t> dims, bool keepdim) {
    int64_t rank = cast<RankedTensorType>(type).getRank();
    SmallVector<int64_t> map;
    for (int64_t d = 0; d < rank; ++d)
      if (keepdim || !llvm::is_contained(dims, d))
        map.push_back(d);
    return broadcast(x, type, map);
  }

  /// A tensor of `type` that is `x` where `start:limit:stride` selects and 0
  /// elsewhere: the adjoint of a slice, built from concat and reshape.
  Value pad(Value x, RankedTensorType type, ArrayRef<int64_t> start,
            ArrayRef<int64_t> stride) {
    Value current = x;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      auto shape =
          llvm::to_vector(cast<RankedTensorType>(current.getType()).getShape());
      int64_t size = type.getDimSize(d);
      if (stride[d] > 1) {
        // Interleave stride-1 zeros after every element: [.., n, ..] ->
        // [.., n, 1, ..] ++ [.., n, s-1, ..] -> [.., n * s, ..], cut to fit.
        int64_t n = shape[d], step = stride[d];
        auto withUnit = shape;
        withUnit.insert(withUnit.begin() + d + 1, 1);
        auto zeros = shape;
        zeros.insert(zeros.begin() + d + 1, step - 1);
        Type element = type.getElementType();
        SmallVector<Value> halves{
            reshape(current, RankedTensorType::get(withUnit, element)),
            constant(RankedTensorType::get(zeros, element), 0)};
        Value spread = concat(halves, d + 1);
        auto joined = shape;
        joined[d] = n * step;
        current = reshape(spread, RankedTensorType::get(joined, element));
        int64_t keep = std::min(n * step, size - start[d]);
        SmallVector<int64_t> lo(joined.size(), 0), hi(joined),
            st(joined.size(), 1);
        hi[d] = keep;
        if (keep != n * step)
          current = slice(current, lo, hi, st);
        shape = llvm::to_vector(
            cast<RankedTensorType>(current.getType()).getShape());
      }
      int64_t before = start[d], after = size - start[d] - shape[d];
      SmallVector<Value> parts;
      auto zerosOf = [&](int64_t n) {
        auto zeroShape = shape;
        zeroShape[d] = n;
        return constant(RankedTensorType::get(zeroShape, type.getElementType()),
                        0);
      };
      if (before > 0)
        parts.push_back(zerosOf(before));
      parts.push_back(current);
      if (after > 0)
        parts.push_back(zerosOf(after));
      current = concat(parts, d);
    }
    return current;
  }

private:
  OpBuilder &b;
  Operation *forward;
  Location loc;
};

/// The adjoints of one op's operands, given the adjoint `g` of its result.
/// `needed[i]` says whether operand i wants one; a rule leaves the others
/// null.
using VjpRule = void (*)(Adjoint &a, Value g, ArrayRef<bool> needed,
                         SmallVectorImpl<Value> &grads);

//===----------------------------------------------------------------------===//
// The gradient rules, one per differentiable op
//===----------------------------------------------------------------------===//

/// Elementwise unary ops: grads[0] = g * f'(x), written with the result r
/// where that is cheaper.
void vjpAbs(Adjoint &a, Value g, ArrayRef<bool>,
            SmallVectorImpl<Value> &grads) {
  grads[0] = a.mul(g, a.unary<SignOp>(a.operand(0)));
}
void vjpErf(Adjoint &a, Value g, ArrayRef<bool>,
            SmallVectorImpl<Value> &grads) {
  Value x = a.operand(0);
  Value bell = a.unary<ExpOp>(a.neg(a.mul(x, x)));
  grads[0] = a.mul(g, a.scale(bell, 2.0 / std::sqrt(M_PI)));
}
void vjpExp(Adjoint &a, Value g, ArrayRef<bool>,
            SmallVectorImpl<Value> &grads) {
  grads[0] = a.mul(g, a.result());
}
void vjpLog(Adjoint &a, Value g, ArrayRef<bool>,
            SmallVectorImpl<Value> &grads) {
  grads[0] = a.div(g, a.operand(0));
}
void vjpLog1p(Adjoint &a, Value g, ArrayRef<bool>,
              SmallVectorImpl<Value> &grads) {
  Value x = a.operand(0);
  grads[0] = a.div(g, a.add(x, a.constant(x.getType(), 1)));
}
void vjpNeg(Adjoint &a, Value g, ArrayRef<bool>,
            SmallVectorImpl<Value> &grads) {
  grads[0] = a.neg(g);
}
void vjpRelu(Adjoint &a, Value g, ArrayRef<bool>,
             SmallVectorImpl<Value> &grads) {
  Value x = a.operand(0);
  Value positive = a.compare(ComparisonDirection::gt, x, a.zerosLike(x));
  grads[0] = a.select(positive, g, a.zerosLike(g));
}
void vjpRsqrt(Adjoint &a, Value g, ArrayRef<bool>,
              SmallVectorImpl<Value> &grads) {
  // d/dx x^-1/2 = -1/2 x^-3/2 = -1/2 r^3
  Value r = a.result();
  grads[0] = a.scale(a.mul(g, a.mul(a.mul(r, r), r)), -0.5);
}
void vjpSigmoid(Adjoint &a, Value g, ArrayRef<bool>,
                SmallVectorImpl<Value> &grads) {
  Value r = a.result();
  grads[0] = a.mul(g, a.mul(r, a.sub(a.constant(r.getType(), 1), r)));
}
void vjpSign(Adjoint &a, Value g, ArrayRef<bool>,
             SmallVectorImpl<Value> &grads) {
  grads[0] = a.zerosLike(g);
}
void vjpSqrt(Adjoint &a, Value g, ArrayRef<bool>,
             SmallVectorImpl<Value> &grads) {
  grads[0] = a.scale(a.div(g, a.result()), 0.5);
}
void vjpTanh(Adjoint &a, Value g, ArrayRef<bool>,
             SmallVectorImpl<Value> &grads) {
  Value r = a.result();
  grads[0] = a.mul(g, a.sub(a.constant(r.getType(), 1), a.mul(r, r)));
}

/// Elementwise binary ops. Operands have the result's type (broadcasts are
/// explicit ops with their own rule).
void vjpAdd(Adjoint &, Value g, ArrayRef<bool>, SmallVectorImpl<Value> &grads) {
  grads[0] = g;
  grads[1] = g;
}
void vjpSub(Adjoint &a, Value g, ArrayRef<bool> needed,
            SmallVectorImpl<Value> &grads) {
  grads[0] = g;
  if (needed[1])
    grads[1] = a.neg(g);
}
void vjpMul(Adjoint &a, Value g, ArrayRef<bool> needed,
            SmallVectorImpl<Value> &grads) {
  if (needed[0])
    grads[0] = a.mul(g, a.operand(1));
  if (needed[1])
    grads[1] = a.mul(g, a.operand(0));
}
void vjpDiv(Adjoint &a, Value g, ArrayRef<bool> needed,
            SmallVectorImpl<Value> &grads) {
  Value y = a.operand(1);
  if (needed[0])
    grads[0] = a.div(g, y);
  if (needed[1]) // d(x/y)/dy = -x/y^2 = -r/y
    grads[1] = a.neg(a.div(a.mul(g, a.result()), y));
}
void vjpPow(Adjoint &a, Value g, ArrayRef<bool> needed,
            SmallVectorImpl<Value> &grads) {
  Value x = a.operand(0), y = a.operand(1);
  if (needed[0]) {
    Value lower = a.pow(x, a.sub(y, a.constant(y.getType(), 1)));
    grads[0] = a.mul(g, a.mul(y, lower));
  }
  if (needed[1]) {
    // r * ln(x), taken as 0 where x == 0 and y >= 0 (PyTorch's choice: the
    // limit exists there while ln(0) does not).
    Value zero = a.zerosLike(x);
    Value atZero = a.logicalAnd(a.compare(ComparisonDirection::eq, x, zero),
                                a.compare(ComparisonDirection::ge, y, zero));
    Value term = a.mul(a.result(), a.unary<LogOp>(x));
    grads[1] = a.mul(g, a.select(atZero, a.zerosLike(term), term));
  }
}

/// max/min send the adjoint to the operand that was chosen; a tie splits it
/// in halves, as torch.maximum and torch.minimum.
void maxMinRule(Adjoint &a, Value g, ArrayRef<bool> needed,
                SmallVectorImpl<Value> &grads, ComparisonDirection wins) {
  Value x = a.operand(0), y = a.operand(1);
  Value zero = a.zerosLike(g);
  Value half = a.scale(g, 0.5);
  Value tie = a.compare(ComparisonDirection::eq, x, y);
  if (needed[0])
    grads[0] = a.select(a.compare(wins, x, y), g, a.select(tie, half, zero));
  if (needed[1])
    grads[1] = a.select(a.compare(wins, y, x), g, a.select(tie, half, zero));
}
void vjpMax(Adjoint &a, Value g, ArrayRef<bool> needed,
            SmallVectorImpl<Value> &grads) {
  maxMinRule(a, g, needed, grads, ComparisonDirection::gt);
}
void vjpMin(Adjoint &a, Value g, ArrayRef<bool> needed,
            SmallVectorImpl<Value> &grads) {
  maxMinRule(a, g, needed, grads, ComparisonDirection::lt);
}

/// select: each value operand gets the adjoint where it was chosen.
void vjpSelect(Adjoint &a, Value g, ArrayRef<bool> needed,
               SmallVectorImpl<Value> &grads) {
  Value cond = a.operand(0);
  Value zero = a.zerosLike(g);
  if (needed[1])
    grads[1] = a.select(cond, g, zero);
  if (needed[2])
    grads[2] = a.select(cond, zero, g);
}

/// cast between floating types: the adjoint converts back.
void vjpCast(Adjoint &a, Value g, ArrayRef<bool>,
             SmallVectorImpl<Value> &grads) {
  grads[0] = a.convert(g, getElementTypeOrSelf(a.operand(0).getType()));
}

//===--- Shape manipulation ---------------------------------------------===//

/// A broadcast in the forward pass is a sum in the backward pass: over the
/// new dimensions and over the size-1 dimensions that were repeated.
void vjpBroadcastInDim(Adjoint &a, Value g, ArrayRef<bool>,
                       SmallVectorImpl<Value> &grads) {
  auto op = cast<BroadcastInDimOp>(a.op());
  auto from = cast<RankedTensorType>(op.getInput().getType());
  auto to = op.getType();
  ArrayRef<int64_t> dims = op.getDims();
  SmallVector<int64_t> summed;
  for (int64_t d = 0; d < to.getRank(); ++d) {
    const int64_t *mapped = llvm::find(dims, d);
    if (mapped == dims.end()) {
      summed.push_back(d);
      continue;
    }
    int64_t i = mapped - dims.begin();
    if (from.getDimSize(i) == 1 && to.getDimSize(d) != 1)
      summed.push_back(d);
  }
  grads[0] = a.reshape(a.reduceSum(g, summed, /*keepdim=*/false), from);
}
void vjpReshape(Adjoint &a, Value g, ArrayRef<bool>,
                SmallVectorImpl<Value> &grads) {
  grads[0] = a.reshape(g, a.operand(0).getType());
}
void vjpTranspose(Adjoint &a, Value g, ArrayRef<bool>,
                  SmallVectorImpl<Value> &grads) {
  ArrayRef<int64_t> perm = cast<TransposeOp>(a.op()).getPerm();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = static_cast<int64_t>(i);
  grads[0] = a.transpose(g, inverse);
}
void vjpSlice(Adjoint &a, Value g, ArrayRef<bool>,
              SmallVectorImpl<Value> &grads) {
  auto op = cast<SliceOp>(a.op());
  grads[0] = a.pad(g, cast<RankedTensorType>(op.getInput().getType()),
                   op.getStart(), op.getStride());
}
/// The sum of the adjoints of several slices of one value, as one concat of
/// their gradients and zeros for the gaps, when the slices take disjoint
/// unit-stride ranges of one dimension (and all of every other): a sequence
/// model taking time step t out of a [B, T, H] tensor. Summing T padded
/// adjoints instead costs T full-size tensors; null when the slices do not
/// have that form.
Value joinSliceAdjoints(OpBuilder &builder,
                        ArrayRef<std::pair<SliceOp, Value>> slices) {
  if (slices.size() < 2)
    return {};
  SliceOp first = slices.front().first;
  auto type = cast<RankedTensorType>(first.getInput().getType());
  if (!type.hasStaticShape())
    return {};
  int64_t dim = -1;
  for (auto [constSlice, g] : slices) {
    SliceOp slice = constSlice;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (slice.getStride()[d] != 1)
        return {};
      bool whole =
          slice.getStart()[d] == 0 && slice.getLimit()[d] == type.getDimSize(d);
      if (whole)
        continue;
      if (dim >= 0 && dim != d)
        return {};
      dim = d;
    }
  }
  if (dim < 0)
    return {};
  SmallVector<std::pair<SliceOp, Value>> sorted(slices);
  llvm::stable_sort(sorted, [&](auto a, auto b) {
    return a.first.getStart()[dim] < b.first.getStart()[dim];
  });
  Adjoint a(builder, sorted.back().first);
  SmallVector<Value> parts;
  int64_t at = 0;
  for (auto [slice, g] : sorted) {
    int64_t start = slice.getStart()[dim];
    if (start < at)
      return {}; // overlapping slices: summed the general way
    if (start > at) {
      auto shape = llvm::to_vector(type.getShape());
      shape[dim] = start - at;
      parts.push_back(a.constant(type.clone(shape), 0));
    }
    parts.push_back(g);
    at = slice.getLimit()[dim];
  }
  if (at < type.getDimSize(dim)) {
    auto shape = llvm::to_vector(type.getShape());
    shape[dim] = type.getDimSize(dim) - at;
    parts.push_back(a.constant(type.clone(shape), 0));
  }
  return a.concat(parts, dim);
}

void vjpConcat(Adjoint &a, Value g, ArrayRef<bool> needed,
               SmallVectorImpl<Value> &grads) {
  auto op = cast<ConcatOp>(a.op());
  int64_t dim = op.getDim();
  auto shape = llvm::to_vector(op.getType().getShape());
  int64_t offset = 0;
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    int64_t size = cast<RankedTensorType>(input.getType()).getDimSize(dim);
    if (needed[i]) {
      SmallVector<int64_t> start(shape.size(), 0), limit(shape),
          stride(shape.size(), 1);
      start[dim] = offset;
      limit[dim] = offset + size;
      grads[i] = a.slice(g, start, limit, stride);
    }
    offset += size;
  }
}

//===--- Reductions -----------------------------------------------------===//

void vjpReduceSum(Adjoint &a, Value g, ArrayRef<bool>,
                  SmallVectorImpl<Value> &grads) {
  auto op = cast<ReduceSumOp>(a.op());
  grads[0] =
      a.unreduce(g, op.getInput().getType(), op.getDims(), op.getKeepdim());
}

/// max/min over dims: the adjoint is shared evenly by the elements equal to
/// the extreme (PyTorch's amax/amin rule).
template <typename ReduceOp>
void vjpReduceExtreme(Adjoint &a, Value g, ArrayRef<bool>,
                      SmallVectorImpl<Value> &grads) {
  auto op = cast<ReduceOp>(a.op());
  Value x = op.getInput();
  Type type = x.getType();
  ArrayRef<int64_t> dims = op.getDims();
  bool keepdim = op.getKeepdim();
  Value hit = a.compare(ComparisonDirection::eq, x,
                        a.unreduce(op.getResult(), type, dims, keepdim));
  Value ones = a.convert(hit, getElementTypeOrSelf(type));
  Value count =
      a.unreduce(a.reduceSum(ones, dims, /*keepdim=*/true), type, dims, true);
  Value share = a.div(a.unreduce(g, type, dims, keepdim), count);
  grads[0] = a.select(hit, share, a.zerosLike(share));
}

//===--- Linear algebra and indexing ------------------------------------===//

void vjpMatmul(Adjoint &a, Value g, ArrayRef<bool> needed,
               SmallVectorImpl<Value> &grads) {
  if (needed[0])
    grads[0] = a.matmul(g, a.transposeLast(a.operand(1)));
  if (needed[1])
    grads[1] = a.matmul(a.transposeLast(a.operand(0)), g);
}
void vjpGather(Adjoint &a, Value g, ArrayRef<bool>,
               SmallVectorImpl<Value> &grads) {
  auto op = cast<GatherOp>(a.op());
  grads[0] = a.scatterAdd(a.zerosLike(op.getInput()), op.getIndices(), g,
                          op.getAxis());
}
void vjpScatterAdd(Adjoint &a, Value g, ArrayRef<bool> needed,
                   SmallVectorImpl<Value> &grads) {
  auto op = cast<ScatterAddOp>(a.op());
  grads[0] = g;
  if (needed[2])
    grads[2] = a.gather(g, op.getIndices(), op.getAxis());
}

//===--- Collectives ----------------------------------------------------===//

/// y_p = sum_q x_q on every process p, so dL/dx_q = sum_p dL/dy_p: the
/// gradient of a sum is the sum of the gradients (and of a mean, the mean).
void vjpAllReduce(Adjoint &a, Value g, ArrayRef<bool>,
                  SmallVectorImpl<Value> &grads) {
  auto op = cast<AllReduceOp>(a.op());
  CollectiveReduction reduction = op.getReduction();
  if (reduction != CollectiveReduction::sum &&
      reduction != CollectiveReduction::mean) {
    op.emitOpError("has no gradient for the reduction '")
        << stringifyCollectiveReduction(reduction)
        << "'; only sum and mean are differentiable";
    a.failed = true;
    return;
  }
  grads[0] = a.allReduce(g, reduction);
}

//===--- Composites -----------------------------------------------------===//

void vjpSoftmax(Adjoint &a, Value g, ArrayRef<bool>,
                SmallVectorImpl<Value> &grads) {
  // r * (g - sum(g * r)) along dim
  auto op = cast<SoftmaxOp>(a.op());
  Value r = op.getResult();
  int64_t dim = op.getDim();
  Value dot = a.reduceSum(a.mul(g, r), {dim}, /*keepdim=*/true);
  grads[0] = a.mul(r, a.sub(g, a.unreduce(dot, r.getType(), {dim}, true)));
}
void vjpLogSoftmax(Adjoint &a, Value g, ArrayRef<bool>,
                   SmallVectorImpl<Value> &grads) {
  // g - exp(r) * sum(g) along dim
  auto op = cast<LogSoftmaxOp>(a.op());
  Value r = op.getResult();
  int64_t dim = op.getDim();
  Value total = a.reduceSum(g, {dim}, /*keepdim=*/true);
  grads[0] = a.sub(
      g, a.mul(a.unary<ExpOp>(r), a.unreduce(total, r.getType(), {dim}, true)));
}

//===----------------------------------------------------------------------===//
// The table: every differentiable op and its rule
//===----------------------------------------------------------------------===//

const llvm::StringMap<VjpRule> &vjpRules() {
  static const llvm::StringMap<VjpRule> rules = {
      {AbsOp::getOperationName(), vjpAbs},
      {AddOp::getOperationName(), vjpAdd},
      {AllReduceOp::getOperationName(), vjpAllReduce},
      {BroadcastInDimOp::getOperationName(), vjpBroadcastInDim},
      {CastOp::getOperationName(), vjpCast},
      {ConcatOp::getOperationName(), vjpConcat},
      {DivOp::getOperationName(), vjpDiv},
      {ErfOp::getOperationName(), vjpErf},
      {ExpOp::getOperationName(), vjpExp},
      {GatherOp::getOperationName(), vjpGather},
      {Log1pOp::getOperationName(), vjpLog1p},
      {LogOp::getOperationName(), vjpLog},
      {LogSoftmaxOp::getOperationName(), vjpLogSoftmax},
      {MatmulOp::getOperationName(), vjpMatmul},
      {MaxOp::getOperationName(), vjpMax},
      {MinOp::getOperationName(), vjpMin},
      {MulOp::getOperationName(), vjpMul},
      {NegOp::getOperationName(), vjpNeg},
      {PowOp::getOperationName(), vjpPow},
      {ReduceMaxOp::getOperationName(), vjpReduceExtreme<ReduceMaxOp>},
      {ReduceMinOp::getOperationName(), vjpReduceExtreme<ReduceMinOp>},
      {ReduceSumOp::getOperationName(), vjpReduceSum},
      {ReluOp::getOperationName(), vjpRelu},
      {ReshapeOp::getOperationName(), vjpReshape},
      {RsqrtOp::getOperationName(), vjpRsqrt},
      {ScatterAddOp::getOperationName(), vjpScatterAdd},
      {SelectOp::getOperationName(), vjpSelect},
      {SigmoidOp::getOperationName(), vjpSigmoid},
      {SignOp::getOperationName(), vjpSign},
      {SliceOp::getOperationName(), vjpSlice},
      {SoftmaxOp::getOperationName(), vjpSoftmax},
      {SqrtOp::getOperationName(), vjpSqrt},
      {SubOp::getOperationName(), vjpSub},
      {TanhOp::getOperationName(), vjpTanh},
      {TransposeOp::getOperationName(), vjpTranspose},
  };
  return rules;
}

/// Whether values computed by `op` carry gradient from its operands:
/// integer and i1 results never do, stop_gradient blocks it, and ops that
/// make values from nothing (constant, iota, random) have no operands that
/// could.
bool propagates(Operation *op) {
  if (isa<StopGradientOp, CompareOp, AndOp, OrOp, XorOp, NotOp, IotaOp,
          RandomOp, ConstantOp, FirstOccurrenceOp>(op))
    return false;
  return true;
}

bool isFloatValue(Value v) {
  return isa<FloatType>(getElementTypeOrSelf(v.getType()));
}

//===----------------------------------------------------------------------===//
// Expanding one dlc.grad
//===----------------------------------------------------------------------===//

/// `v` when it is a dlc.scatter_add into a zero constant (the adjoint of a
/// gather), else null.
ScatterAddOp scatterIntoZeros(Value v) {
  auto scatter = v.getDefiningOp<ScatterAddOp>();
  if (!scatter)
    return {};
  auto zeros = scatter.getInput().getDefiningOp<ConstantOp>();
  if (!zeros)
    return {};
  auto splat = dyn_cast<SplatElementsAttr>(zeros.getValue());
  if (!splat)
    return {};
  Type element = splat.getElementType();
  if (isa<FloatType>(element))
    return splat.getSplatValue<APFloat>().isZero() ? scatter : ScatterAddOp();
  return splat.getSplatValue<APInt>().isZero() ? scatter : ScatterAddOp();
}

LogicalResult expandGrad(GradOp grad) {
  Block *block = grad->getBlock();
  Value y = grad.getY();
  if (y.getParentBlock() != block)
    return grad.emitOpError("differentiates a value defined in another block, "
                            "which dlc-autodiff does not support");

  // Values that depend on a wrt value through differentiable ops.
  llvm::DenseSet<Value> active(grad.getWrt().begin(), grad.getWrt().end());
  for (Operation &op : *block) {
    if (&op == grad.getOperation())
      break;
    if (!propagates(&op) || llvm::none_of(op.getOperands(), [&](Value v) {
          return active.contains(v);
        }))
      continue;
    for (Value result : op.getResults())
      if (isFloatValue(result))
        active.insert(result);
  }

  OpBuilder builder(grad);
  llvm::DenseMap<Value, Value> adjoints;
  auto accumulate = [&](Value v, Value contribution, Operation *from) {
    auto [it, inserted] = adjoints.try_emplace(v, contribution);
    if (inserted)
      return;
    // A lookup's adjoint, scattered into zeros, is scattered into the other
    // contributions instead: an embedding table read twice (DIN's item ids
    // and history) gets one table-sized gradient, not two and their sum.
    if (ScatterAddOp scatter = scatterIntoZeros(contribution)) {
      it->second = Adjoint(builder, from)
                       .scatterAdd(it->second, scatter.getIndices(),
                                   scatter.getUpdates(), scatter.getAxis());
      return;
    }
    if (ScatterAddOp scatter = scatterIntoZeros(it->second)) {
      it->second = Adjoint(builder, from)
                       .scatterAdd(contribution, scatter.getIndices(),
                                   scatter.getUpdates(), scatter.getAxis());
      return;
    }
    it->second = Adjoint(builder, from).add(it->second, contribution);
  };
  // Slice adjoints wait here until their operand's adjoint is needed, so
  // that many slices of one value become one concat (joinSliceAdjoints).
  llvm::DenseMap<Value, SmallVector<std::pair<SliceOp, Value>>> slices;
  auto flushSlices = [&](Value v) -> LogicalResult {
    auto it = slices.find(v);
    if (it == slices.end())
      return success();
    SmallVector<std::pair<SliceOp, Value>> pending = std::move(it->second);
    slices.erase(it);
    if (Value joined = joinSliceAdjoints(builder, pending)) {
      accumulate(v, joined, pending.back().first);
      return success();
    }
    for (auto [slice, g] : pending) {
      Adjoint adjoint(builder, slice);
      SmallVector<Value> grads(1);
      vjpSlice(adjoint, g, {true}, grads);
      if (adjoint.failed)
        return failure();
      accumulate(v, grads[0], slice);
    }
    return success();
  };
  if (Value seed = grad.getSeed()) {
    adjoints[y] = seed;
  } else {
    Adjoint start(builder, grad);
    adjoints[y] = start.constant(y.getType(), 1);
    if (start.failed)
      return failure();
  }

  // Reverse program order is a reverse topological order of the block.
  for (Operation *op = grad->getPrevNode(); op; op = op->getPrevNode()) {
    for (Value result : op->getResults())
      if (failed(flushSlices(result)))
        return failure();
    // A bucketed all-reduce: each result's gradient is the all-reduce of
    // its adjoint, input by input.
    if (auto allReduce = dyn_cast<AllReduceOp>(op);
        allReduce && op->getNumResults() > 1) {
      for (auto [i, result] : llvm::enumerate(op->getResults())) {
        auto it = adjoints.find(result);
        Value input = op->getOperand(i);
        if (it == adjoints.end() || !active.contains(input) ||
            !isFloatValue(input))
          continue;
        Adjoint adjoint(builder, op);
        SmallVector<Value> grads(1);
        vjpAllReduce(adjoint, it->second, {true}, grads);
        if (adjoint.failed)
          return failure();
        accumulate(input, grads[0], op);
      }
      continue;
    }
    if (op->getNumResults() != 1)
      continue;
    auto it = adjoints.find(op->getResult(0));
    if (it == adjoints.end() || !propagates(op))
      continue;
    SmallVector<bool> needed;
    for (Value operand : op->getOperands())
      needed.push_back(active.contains(operand) && isFloatValue(operand));
    if (llvm::none_of(needed, [](bool b) { return b; }))
      continue;
    if (isa<GradOp>(op))
      return op->emitOpError("is differentiated before it was expanded");
    if (auto slice = dyn_cast<SliceOp>(op)) {
      slices[slice.getInput()].push_back({slice, it->second});
      continue;
    }
    auto rule = vjpRules().find(op->getName().getStringRef());
    if (rule == vjpRules().end())
      return op->emitOpError("has no gradient rule, but a dlc.grad needs the "
                             "gradient of its result");
    Adjoint adjoint(builder, op);
    SmallVector<Value> grads(op->getNumOperands());
    rule->second(adjoint, it->second, needed, grads);
    if (adjoint.failed)
      return failure();
    for (auto [i, operand] : llvm::enumerate(op->getOperands()))
      if (needed[i] && grads[i])
        accumulate(operand, grads[i], op);
  }

  // A wrt value y does not depend on gets zeros.
  SmallVector<Value> results;
  for (Value x : grad.getWrt())
    if (failed(flushSlices(x)))
      return failure();
  for (Value x : grad.getWrt()) {
    auto it = adjoints.find(x);
    if (it != adjoints.end()) {
      results.push_back(it->second);
      continue;
    }
    Adjoint zeros(builder, grad);
    results.push_back(zeros.zerosLike(x));
    if (zeros.failed)
      return failure();
  }
  grad->replaceAllUsesWith(results);
  grad->erase();
  return success();
}

struct DlcAutodiffPass : mlir::dlc::impl::DlcAutodiffBase<DlcAutodiffPass> {
  void runOnOperation() override {
    // Program order: a grad over values an earlier grad computed sees that
    // grad's expansion.
    SmallVector<GradOp> grads;
    getOperation()->walk([&](GradOp grad) { grads.push_back(grad); });
    for (GradOp grad : grads)
      if (failed(expandGrad(grad)))
        return signalPassFailure();
    getOperation()->walk([](StopGradientOp op) {
      op.replaceAllUsesWith(op.getInput());
      op.erase();
    });
  }
};

} // namespace

std::vector<std::string> mlir::dlc::getDifferentiableOpNames() {
  std::vector<std::string> names;
  for (const auto &entry : vjpRules())
    names.push_back(entry.getKey().str());
  return names;
}
