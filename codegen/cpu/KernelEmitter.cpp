//===- KernelEmitter.cpp - A dlc.fusion as a loop nest --------------------===//
//
// Every tensor in a fusion body is computed where it is used, at the loop's
// index: a value is never materialized, only its elements. Broadcasts,
// transposes, slices and unit reshapes remap the index on the way to an
// input, so every access is an affine function of the loop indices
// (`Affine`). Before emitting, the accesses decide which dimensions of the
// iteration space merge into one loop (those every access walks
// contiguously): an elementwise chain over a row-major tensor becomes one
// flat, vectorizable loop whatever its rank.
//
// The kernel is `sym(void **args, i64 begin, i64 end)`, which loads the
// argument pointers and calls `sym_impl(ptr noalias..., begin, end)`; LLVM
// inlines it and keeps the no-alias facts for the vectorizer. Accumulators
// live in allocas that LLVM promotes to registers (and vectorizes as
// reductions, reassociation being allowed on them).
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/KernelEmitter.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

#include <cstdlib>
#include <limits>
#include <map>
#include <set>

using namespace mlir;
using namespace mlir::dlc;
using namespace mlir::dlc::cpu;

namespace {

//===----------------------------------------------------------------------===//
// Affine indices
//===----------------------------------------------------------------------===//

/// `base + sum(coef[d] * i[d])` over the dimensions `i` of the iteration
/// space.
struct Affine {
  int64_t base = 0;
  SmallVector<int64_t> coef;

  static Affine constant(int64_t value, size_t rank) {
    Affine a;
    a.base = value;
    a.coef.assign(rank, 0);
    return a;
  }
  static Affine dim(size_t d, size_t rank) {
    Affine a = constant(0, rank);
    a.coef[d] = 1;
    return a;
  }
  Affine scaled(int64_t factor) const {
    Affine a = *this;
    a.base *= factor;
    for (int64_t &c : a.coef)
      c *= factor;
    return a;
  }
  Affine plus(const Affine &other) const {
    Affine a = *this;
    a.base += other.base;
    for (size_t d = 0; d < coef.size(); ++d)
      a.coef[d] += other.coef[d];
    return a;
  }
};

/// One Affine per dimension of a value: where in that value an element is.
using Index = SmallVector<Affine>;

SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// The row-major offset of `index` in a tensor of `shape`.
Affine linearize(const Index &index, ArrayRef<int64_t> shape, size_t rank) {
  Affine offset = Affine::constant(0, rank);
  SmallVector<int64_t> strides = rowMajorStrides(shape);
  for (size_t d = 0; d < index.size(); ++d)
    if (shape[d] != 1)
      offset = offset.plus(index[d].scaled(strides[d]));
  return offset;
}

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}
Type elementTypeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getElementType();
}

bool isReduce(Operation *op) {
  return isa<ReduceSumOp, ReduceMaxOp, ReduceMinOp>(op);
}

/// A reshape that only inserts or removes dimensions of size 1.
bool isUnitReshape(ReshapeOp reshape) {
  auto nonUnit = [](ArrayRef<int64_t> shape) {
    SmallVector<int64_t> sizes;
    for (int64_t s : shape)
      if (s != 1)
        sizes.push_back(s);
    return sizes;
  };
  return nonUnit(shapeOf(reshape.getInput())) ==
         nonUnit(shapeOf(reshape.getResult()));
}

/// Where operand `operand` of `op` is read, for the element of `op`'s result
/// at `index`. Fails for ops that are not index maps or elementwise.
FailureOr<Index> operandIndex(Operation *op, unsigned operand,
                              const Index &index, size_t rank) {
  if (op->hasTrait<OpTrait::dlc::Elementwise>())
    return index;
  if (auto broadcast = dyn_cast<BroadcastInDimOp>(op)) {
    ArrayRef<int64_t> in = shapeOf(broadcast.getInput());
    ArrayRef<int64_t> out = shapeOf(broadcast.getResult());
    Index result;
    for (auto [i, d] : llvm::enumerate(broadcast.getDims()))
      result.push_back(in[i] == 1 && out[d] != 1 ? Affine::constant(0, rank)
                                                 : index[d]);
    return result;
  }
  if (auto transpose = dyn_cast<TransposeOp>(op)) {
    ArrayRef<int64_t> perm = transpose.getPerm();
    Index result(perm.size(), Affine::constant(0, rank));
    for (auto [i, p] : llvm::enumerate(perm))
      result[p] = index[i];
    return result;
  }
  if (auto slice = dyn_cast<SliceOp>(op)) {
    Index result;
    for (size_t d = 0; d < index.size(); ++d)
      result.push_back(index[d]
                           .scaled(slice.getStride()[d])
                           .plus(Affine::constant(slice.getStart()[d], rank)));
    return result;
  }
  if (auto reshape = dyn_cast<ReshapeOp>(op);
      reshape && isUnitReshape(reshape)) {
    ArrayRef<int64_t> in = shapeOf(reshape.getInput());
    ArrayRef<int64_t> out = shapeOf(reshape.getResult());
    SmallVector<Affine> nonUnit;
    for (size_t d = 0; d < out.size(); ++d)
      if (out[d] != 1)
        nonUnit.push_back(index[d]);
    Index result;
    size_t next = 0;
    for (int64_t size : in)
      result.push_back(size == 1 ? Affine::constant(0, rank) : nonUnit[next++]);
    return result;
  }
  (void)operand;
  return failure();
}

/// A memo key: a value at an index.
using Key = std::pair<void *, std::vector<int64_t>>;

Key keyOf(Value value, const Index &index) {
  std::vector<int64_t> flat;
  for (const Affine &a : index) {
    flat.push_back(a.base);
    flat.insert(flat.end(), a.coef.begin(), a.coef.end());
  }
  return {value.getAsOpaquePointer(), std::move(flat)};
}

//===----------------------------------------------------------------------===//
// The emitter
//===----------------------------------------------------------------------===//

/// A loop of the kernel: dimensions of the iteration space merged into one.
struct LoopDim {
  int64_t size = 1;
  /// The space dimensions it covers, outermost first.
  SmallVector<size_t> dims;
};

class Emitter {
public:
  Emitter(FusionOp fusion, ModuleOp module, std::string symbol,
          const EmitterOptions &options)
      : fusion(fusion), module(module), symbol(std::move(symbol)),
        options(options), builder(fusion.getContext()), loc(fusion.getLoc()) {}

  FailureOr<KernelShape> run();

private:
  // Analysis.
  LogicalResult collect(Value value, const Index &index);
  /// Whether computing `value` at `index` computes `target` on the way.
  bool reaches(Value value, const Index &index, const Key &target,
               std::set<Key> &visited);
  void addAccess(const Affine &a) { accesses.push_back(a.coef); }
  SmallVector<LoopDim> mergeLoops(ArrayRef<size_t> dims) const;

  // Emission.
  FailureOr<Value> eval(Value value, const Index &index);
  FailureOr<Value> evalOp(Operation *op, const Index &index);
  Value affineValue(const Affine &a);
  Value load(BlockArgument argument, const Affine &offset);
  Value pointer(Value base, Type elementType, Value offset);
  void store(Value base, Type elementType, Value offset, Value value);
  Value i64(int64_t v) {
    return builder.create<arith::ConstantIntOp>(loc, v, 64);
  }
  Value scalarConstant(Type type, double floatValue, int64_t intValue);
  Value identityOf(Operation *reduce, Type accType);
  Value combine(Operation *reduce, Value acc, Value value, bool reassociate);
  Type accumulatorType(Operation *reduce);
  Value philox(Value counter, Value key, int word, SmallVector<Value> &words);
  Value randomElement(RandomOp random, Value linear);
  FailureOr<Value> convert(Value value, Type from, Type to);

  /// Loops over `loops`: the first `flat` of them as one range [lo, hi) of
  /// their flattened index, the rest whole. `body` sees each loop's index.
  void emitLoops(ArrayRef<LoopDim> loops, size_t flat, Value lo, Value hi,
                 function_ref<void()> body);
  void emitWholeLoops(ArrayRef<LoopDim> loops, size_t first,
                      function_ref<void()> body);
  /// Loops over `loops` where loop `ranged` runs over [lo, hi).
  void emitRangedLoops(ArrayRef<LoopDim> loops, size_t ranged, Value lo,
                       Value hi, function_ref<void()> body,
                       size_t position = 0);

  LogicalResult emitElementwise(Value root, Value lo, Value hi,
                                KernelShape &shape);
  LogicalResult emitRows(Value root, Value lo, Value hi, KernelShape &shape);
  LogicalResult emitReduce(Operation *root, Value lo, Value hi,
                           KernelShape &shape);

  FusionOp fusion;
  ModuleOp module;
  std::string symbol;
  EmitterOptions options;
  OpBuilder builder;
  Location loc;

  /// The iteration space and its access pattern.
  SmallVector<int64_t> space;
  std::vector<SmallVector<int64_t>> accesses;
  std::set<Key> collected;

  /// During emission: the loop index of each space dimension's loop (the
  /// loop's index on the last space dimension of a merged loop, null on the
  /// others), and each space dimension's coefficient multiplier.
  SmallVector<LoopDim> currentLoops;
  llvm::DenseMap<size_t, Value> loopIndex;
  /// Space dimension -> the loop it belongs to.
  SmallVector<int64_t> loopOfDim;

  /// Values computed in the current loop body.
  std::map<Key, Value> memo;
  /// Per-row values of a rows kernel: each reduction's result for the row.
  llvm::DenseMap<Operation *, Value> rowValues;

  SmallVector<Value> argPointers;
  Block *entry = nullptr;
  bool failedBody = false;
  /// Sums over short f32 rows may accumulate in f32 (see accumulatorType).
  bool narrowSums = false;
  /// The matmul of a matmul fusion: its product is already in the output
  /// buffer, where the epilogue reads it.
  Operation *inPlace = nullptr;
  /// Every offset each input is read at.
  llvm::DenseMap<unsigned, SmallVector<Affine>> argumentAccesses;
  /// The inputs the result may overwrite: read at the output's offset only.
  void findInPlaceInputs(const Affine &out, Type resultType,
                         KernelShape &shape);

  /// An accumulator: a scalar alloca in the entry block.
  Value accumulator(Type type);
};

bool Emitter::reaches(Value value, const Index &index, const Key &target,
                      std::set<Key> &visited) {
  Key key = keyOf(value, index);
  if (key == target)
    return true;
  if (!visited.insert(key).second || isa<BlockArgument>(value))
    return false;
  Operation *op = value.getDefiningOp();
  if (isReduce(op) || isa<IotaOp, RandomOp, ConstantOp>(op))
    return false;
  for (unsigned i = 0; i < op->getNumOperands(); ++i) {
    FailureOr<Index> operand = operandIndex(op, i, index, space.size());
    if (succeeded(operand) &&
        reaches(op->getOperand(i), *operand, target, visited))
      return true;
  }
  return false;
}

LogicalResult Emitter::collect(Value value, const Index &index) {
  if (!collected.insert(keyOf(value, index)).second)
    return success();
  size_t rank = space.size();
  if (auto argument = dyn_cast<BlockArgument>(value)) {
    Affine offset = linearize(index, shapeOf(argument), rank);
    addAccess(offset);
    argumentAccesses[argument.getArgNumber()].push_back(offset);
    return success();
  }
  Operation *op = value.getDefiningOp();
  if (op == inPlace) {
    addAccess(linearize(index, shapeOf(value), rank));
    return success();
  }
  if (isReduce(op))
    return success(); // a per-row value: no access of its own
  if (auto iota = dyn_cast<IotaOp>(op)) {
    addAccess(index[iota.getDim()]);
    return success();
  }
  if (auto random = dyn_cast<RandomOp>(op)) {
    addAccess(linearize(index, shapeOf(random.getResult()), rank));
    if (failed(collect(random.getSeed(), {})) ||
        failed(collect(random.getOffset(), {})))
      return failure();
    return success();
  }
  if (isa<ConstantOp>(op))
    return success();
  for (unsigned i = 0; i < op->getNumOperands(); ++i) {
    FailureOr<Index> operand = operandIndex(op, i, index, rank);
    if (failed(operand))
      return op->emitError(
          "cannot generate CPU code for this op inside a fusion");
    if (failed(collect(op->getOperand(i), *operand)))
      return failure();
  }
  return success();
}

/// Merges adjacent dimensions of `dims` (space dimensions, in order; size-1
/// dimensions are dropped first) that every access walks as one: the outer
/// stride is the inner stride times the inner size.
SmallVector<LoopDim> Emitter::mergeLoops(ArrayRef<size_t> dims) const {
  SmallVector<LoopDim> loops;
  for (size_t d : dims) {
    if (space[d] == 1)
      continue;
    if (!loops.empty() && space[d] != 0 && loops.back().size != 0) {
      size_t last = loops.back().dims.back();
      bool mergeable =
          llvm::all_of(accesses, [&](const SmallVector<int64_t> &coef) {
            return coef[last] == coef[d] * space[d];
          });
      if (mergeable) {
        loops.back().size *= space[d];
        loops.back().dims.push_back(d);
        continue;
      }
    }
    loops.push_back({space[d], {d}});
  }
  return loops;
}

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

Type storageType(Type type) {
  if (type.isInteger(1))
    return IntegerType::get(type.getContext(), 8);
  return type;
}

Value Emitter::affineValue(const Affine &a) {
  // The coefficient of a merged loop is its last dimension's.
  Value result;
  for (const LoopDim &loop : currentLoops) {
    int64_t coef = a.coef[loop.dims.back()];
    if (coef == 0)
      continue;
    Value index = loopIndex.lookup(loop.dims.back());
    Value term =
        coef == 1
            ? index
            : builder.create<arith::MulIOp>(loc, index, i64(coef)).getResult();
    result = result
                 ? builder.create<arith::AddIOp>(loc, result, term).getResult()
                 : term;
  }
  if (!result)
    return i64(a.base);
  if (a.base != 0)
    result = builder.create<arith::AddIOp>(loc, result, i64(a.base));
  return result;
}

Value Emitter::pointer(Value base, Type elementType, Value offset) {
  auto ptrType = LLVM::LLVMPointerType::get(builder.getContext());
  return builder.create<LLVM::GEPOp>(loc, ptrType, storageType(elementType),
                                     base, ValueRange{offset},
                                     /*inbounds=*/true);
}

Value Emitter::load(BlockArgument argument, const Affine &offset) {
  Type type = elementTypeOf(argument);
  Value address =
      pointer(argPointers[argument.getArgNumber()], type, affineValue(offset));
  Value loaded = builder.create<LLVM::LoadOp>(loc, storageType(type), address);
  if (type.isInteger(1))
    return builder.create<arith::CmpIOp>(
        loc, arith::CmpIPredicate::ne, loaded,
        builder.create<arith::ConstantIntOp>(loc, 0, 8));
  return loaded;
}

void Emitter::store(Value base, Type elementType, Value offset, Value value) {
  if (elementType.isInteger(1))
    value = builder.create<arith::ExtUIOp>(loc, builder.getI8Type(), value);
  builder.create<LLVM::StoreOp>(loc, value, pointer(base, elementType, offset));
}

Value Emitter::scalarConstant(Type type, double floatValue, int64_t intValue) {
  if (isa<FloatType>(type))
    return builder.create<arith::ConstantOp>(
        loc, builder.getFloatAttr(type, floatValue));
  return builder.create<arith::ConstantOp>(
      loc, builder.getIntegerAttr(type, intValue));
}

FailureOr<Value> Emitter::convert(Value x, Type from, Type to) {
  if (from == to)
    return x;
  bool fromBool = from.isInteger(1), toBool = to.isInteger(1);
  if (toBool) {
    if (isa<FloatType>(from))
      return builder
          .create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, x,
                                 scalarConstant(from, 0, 0))
          .getResult();
    return builder
        .create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, x,
                               scalarConstant(from, 0, 0))
        .getResult();
  }
  if (auto toFloat = dyn_cast<FloatType>(to)) {
    if (auto fromFloat = dyn_cast<FloatType>(from))
      return fromFloat.getWidth() < toFloat.getWidth()
                 ? builder.create<arith::ExtFOp>(loc, to, x).getResult()
                 : builder.create<arith::TruncFOp>(loc, to, x).getResult();
    if (fromBool)
      return builder.create<arith::UIToFPOp>(loc, to, x).getResult();
    return builder.create<arith::SIToFPOp>(loc, to, x).getResult();
  }
  auto toInt = cast<IntegerType>(to);
  if (auto fromFloat = dyn_cast<FloatType>(from)) {
    // Truncation toward zero; NaN gives 0 and out-of-range values saturate.
    unsigned width = toInt.getWidth();
    int64_t max = width == 32 ? std::numeric_limits<int32_t>::max()
                              : std::numeric_limits<int64_t>::max();
    int64_t min = width == 32 ? std::numeric_limits<int32_t>::min()
                              : std::numeric_limits<int64_t>::min();
    Value converted = builder.create<arith::FPToSIOp>(loc, to, x);
    Value maxF = scalarConstant(from, static_cast<double>(max), 0);
    Value minF = scalarConstant(from, static_cast<double>(min), 0);
    Value result = builder.create<arith::SelectOp>(
        loc,
        builder.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, x, maxF),
        scalarConstant(to, 0, max), converted);
    result = builder.create<arith::SelectOp>(
        loc,
        builder.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLE, x, minF),
        scalarConstant(to, 0, min), result);
    return builder
        .create<arith::SelectOp>(
            loc,
            builder.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, x, x),
            scalarConstant(to, 0, 0), result)
        .getResult();
  }
  unsigned fromWidth = cast<IntegerType>(from).getWidth();
  if (fromWidth < toInt.getWidth())
    return fromBool ? builder.create<arith::ExtUIOp>(loc, to, x).getResult()
                    : builder.create<arith::ExtSIOp>(loc, to, x).getResult();
  return builder.create<arith::TruncIOp>(loc, to, x).getResult();
}

//===----------------------------------------------------------------------===//
// Philox (see codegen/reference/Philox.h for the definition)
//===----------------------------------------------------------------------===//

Value Emitter::philox(Value counter, Value key, int,
                      SmallVector<Value> &words) {
  Type i32 = builder.getI32Type();
  auto c32 = [&](uint32_t v) {
    return builder
        .create<arith::ConstantIntOp>(loc, static_cast<int64_t>(v), 32)
        .getResult();
  };
  auto low = [&](Value v) {
    return builder.create<arith::TruncIOp>(loc, i32, v).getResult();
  };
  auto high = [&](Value v) {
    return low(builder.create<arith::ShRUIOp>(loc, v, i64(32)));
  };
  Value c[4] = {low(counter), high(counter), c32(0), c32(0)};
  Value k[2] = {low(key), high(key)};
  for (int round = 0; round < 10; ++round) {
    auto p0 =
        builder.create<arith::MulUIExtendedOp>(loc, c32(0xD2511F53u), c[0]);
    auto p1 =
        builder.create<arith::MulUIExtendedOp>(loc, c32(0xCD9E8D57u), c[2]);
    Value n0 = builder.create<arith::XOrIOp>(
        loc, builder.create<arith::XOrIOp>(loc, p1.getHigh(), c[1]), k[0]);
    Value n2 = builder.create<arith::XOrIOp>(
        loc, builder.create<arith::XOrIOp>(loc, p0.getHigh(), c[3]), k[1]);
    c[0] = n0;
    c[1] = p1.getLow();
    c[2] = n2;
    c[3] = p0.getLow();
    if (round < 9) {
      k[0] = builder.create<arith::AddIOp>(loc, k[0], c32(0x9E3779B9u));
      k[1] = builder.create<arith::AddIOp>(loc, k[1], c32(0xBB67AE85u));
    }
  }
  words.assign(c, c + 4);
  return c[0];
}

Value Emitter::randomElement(RandomOp random, Value linear) {
  Value seed = *eval(random.getSeed(), {});
  Value offset = *eval(random.getOffset(), {});
  Value counter = builder.create<arith::AddIOp>(loc, offset, linear);
  SmallVector<Value> x;
  philox(counter, seed, 0, x);
  Type f64 = builder.getF64Type();
  Type type = elementTypeOf(random.getResult());
  auto wide = [&](Value hi, Value lo) {
    Type i64Type = builder.getI64Type();
    Value h = builder.create<arith::ShLIOp>(
        loc, builder.create<arith::ExtUIOp>(loc, i64Type, hi), i64(32));
    Value bits = builder.create<arith::OrIOp>(
        loc, h, builder.create<arith::ExtUIOp>(loc, i64Type, lo));
    return builder.create<arith::ShRUIOp>(loc, bits, i64(11)).getResult();
  };
  auto f64c = [&](double v) { return scalarConstant(f64, v, 0); };
  if (random.getDistribution() == RandomDistribution::uniform) {
    if (type.isF32()) {
      Value bits = builder.create<arith::ShRUIOp>(
          loc, x[0], builder.create<arith::ConstantIntOp>(loc, 8, 32));
      Value f = builder.create<arith::UIToFPOp>(loc, type, bits);
      return builder.create<arith::MulFOp>(loc, f,
                                           scalarConstant(type, 0x1.0p-24, 0));
    }
    Value f = builder.create<arith::UIToFPOp>(loc, f64, wide(x[0], x[1]));
    return builder.create<arith::MulFOp>(loc, f, f64c(0x1.0p-53));
  }
  Value a = builder.create<arith::AddIOp>(loc, wide(x[0], x[1]), i64(1));
  Value u1 = builder.create<arith::MulFOp>(
      loc, builder.create<arith::UIToFPOp>(loc, f64, a), f64c(0x1.0p-53));
  Value u2 = builder.create<arith::MulFOp>(
      loc, builder.create<arith::UIToFPOp>(loc, f64, wide(x[2], x[3])),
      f64c(0x1.0p-53));
  Value radius = builder.create<math::SqrtOp>(
      loc, builder.create<arith::MulFOp>(loc, f64c(-2.0),
                                         builder.create<math::LogOp>(loc, u1)));
  Value angle = builder.create<math::CosOp>(
      loc, builder.create<arith::MulFOp>(loc, f64c(6.283185307179586), u2));
  Value normal = builder.create<arith::MulFOp>(loc, radius, angle);
  if (type.isF32())
    return builder.create<arith::TruncFOp>(loc, type, normal);
  return normal;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Whether computing `value` calls a math function (exp, log, tanh, ...):
/// then a loop over it is bound by arithmetic, not memory.
static bool callsMath(Value value, llvm::DenseSet<Operation *> &seen) {
  Operation *op = value.getDefiningOp();
  if (!op || isReduce(op) || !seen.insert(op).second)
    return false;
  if (isa<ExpOp, LogOp, Log1pOp, TanhOp, ErfOp, SigmoidOp, PowOp>(op))
    return true;
  return llvm::any_of(op->getOperands(),
                      [&](Value v) { return callsMath(v, seen); });
}

/// f32 and f64 sums accumulate in f64, integer sums in i64 (as the reference
/// executor); max and min in the element type. Rows of at most 64K f32
/// elements whose summand calls a math function (softmax's exp) sum in f32:
/// the vectorized loop keeps 64 partial sums or more, each of a few hundred
/// values at most, and computes the function at twice the width (softmax
/// 1.5x faster). Where memory bounds the loop, f64 costs nothing (and was
/// faster for layer norm).
Type Emitter::accumulatorType(Operation *reduce) {
  Type type = elementTypeOf(reduce->getOperand(0));
  if (!isa<ReduceSumOp>(reduce))
    return type;
  llvm::DenseSet<Operation *> seen;
  if (type.isF32() && narrowSums && callsMath(reduce->getOperand(0), seen))
    return type;
  if (isa<FloatType>(type))
    return builder.getF64Type();
  return builder.getI64Type();
}

Value Emitter::identityOf(Operation *reduce, Type accType) {
  if (isa<ReduceSumOp>(reduce))
    return scalarConstant(accType, 0, 0);
  bool isMax = isa<ReduceMaxOp>(reduce);
  if (isa<FloatType>(accType)) {
    double inf = std::numeric_limits<double>::infinity();
    return scalarConstant(accType, isMax ? -inf : inf, 0);
  }
  unsigned width = accType.getIntOrFloatBitWidth();
  if (width == 1)
    return scalarConstant(accType, 0, isMax ? 0 : 1);
  APInt value =
      isMax ? APInt::getSignedMinValue(width) : APInt::getSignedMaxValue(width);
  return builder.create<arith::ConstantOp>(
      loc, builder.getIntegerAttr(accType, value));
}

Value Emitter::combine(Operation *reduce, Value acc, Value value,
                       bool reassociate) {
  Type accType = acc.getType();
  if (value.getType() != accType)
    value = *convert(value, value.getType(), accType);
  bool isFloat = isa<FloatType>(accType);
  if (isa<ReduceSumOp>(reduce)) {
    if (!isFloat)
      return builder.create<arith::AddIOp>(loc, acc, value);
    auto flags = reassociate ? arith::FastMathFlags::reassoc
                             : arith::FastMathFlags::none;
    return builder.create<arith::AddFOp>(loc, acc, value, flags);
  }
  bool isMax = isa<ReduceMaxOp>(reduce);
  if (isFloat)
    return isMax
               ? builder.create<arith::MaximumFOp>(loc, acc, value).getResult()
               : builder.create<arith::MinimumFOp>(loc, acc, value).getResult();
  if (accType.isInteger(1))
    return isMax ? builder.create<arith::MaxUIOp>(loc, acc, value).getResult()
                 : builder.create<arith::MinUIOp>(loc, acc, value).getResult();
  return isMax ? builder.create<arith::MaxSIOp>(loc, acc, value).getResult()
               : builder.create<arith::MinSIOp>(loc, acc, value).getResult();
}

//===----------------------------------------------------------------------===//
// Values at an index
//===----------------------------------------------------------------------===//

FailureOr<Value> Emitter::eval(Value value, const Index &index) {
  Key key = keyOf(value, index);
  if (auto it = memo.find(key); it != memo.end())
    return it->second;
  FailureOr<Value> result;
  if (auto argument = dyn_cast<BlockArgument>(value)) {
    result = load(argument, linearize(index, shapeOf(argument), space.size()));
  } else if (value.getDefiningOp() == inPlace) {
    Type type = elementTypeOf(value);
    Value output = argPointers[fusion.getInputs().size()];
    Value address =
        pointer(output, type,
                affineValue(linearize(index, shapeOf(value), space.size())));
    result = builder.create<LLVM::LoadOp>(loc, storageType(type), address)
                 .getResult();
    if (type.isInteger(1))
      result = builder
                   .create<arith::CmpIOp>(
                       loc, arith::CmpIPredicate::ne, *result,
                       builder.create<arith::ConstantIntOp>(loc, 0, 8))
                   .getResult();
  } else {
    Operation *op = value.getDefiningOp();
    if (isReduce(op)) {
      Value row = rowValues.lookup(op);
      if (!row)
        return op->emitError(
            "a reduction's result is used where it is not computed");
      result = row;
    } else {
      result = evalOp(op, index);
    }
  }
  if (failed(result))
    return failure();
  memo[key] = *result;
  return result;
}

FailureOr<Value> Emitter::evalOp(Operation *op, const Index &index) {
  size_t rank = space.size();
  Type type = op->getNumResults() ? elementTypeOf(op->getResult(0)) : Type();
  if (auto constant = dyn_cast<ConstantOp>(op)) {
    auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
    if (!dense || !dense.isSplat())
      return op->emitError("only splat constants are computed inside a kernel");
    return builder
        .create<arith::ConstantOp>(loc, dense.getSplatValue<TypedAttr>())
        .getResult();
  }
  if (auto iota = dyn_cast<IotaOp>(op)) {
    Value i = affineValue(index[iota.getDim()]);
    return convert(i, builder.getI64Type(), type);
  }
  if (auto random = dyn_cast<RandomOp>(op))
    return randomElement(
        random,
        affineValue(linearize(index, shapeOf(random.getResult()), rank)));

  // Index maps.
  if (isa<BroadcastInDimOp, TransposeOp, SliceOp, ReshapeOp>(op)) {
    FailureOr<Index> in = operandIndex(op, 0, index, rank);
    if (failed(in))
      return op->emitError(
          "cannot generate CPU code for this op inside a fusion");
    return eval(op->getOperand(0), *in);
  }

  SmallVector<Value> x;
  for (Value operand : op->getOperands()) {
    FailureOr<Value> v = eval(operand, index);
    if (failed(v))
      return failure();
    x.push_back(*v);
  }
  Type operandType =
      op->getNumOperands() ? elementTypeOf(op->getOperand(0)) : type;
  bool isFloat = isa<FloatType>(operandType);
  bool isBool = operandType.isInteger(1);
  auto zero = [&]() { return scalarConstant(type, 0, 0); };
  auto one = [&]() { return scalarConstant(type, 1, 1); };

  if (isa<StopGradientOp>(op))
    return x[0];
  if (auto castOp = dyn_cast<CastOp>(op))
    return convert(x[0], operandType, type);
  if (auto select = dyn_cast<SelectOp>(op))
    return builder.create<arith::SelectOp>(loc, x[0], x[1], x[2]).getResult();
  if (auto compare = dyn_cast<CompareOp>(op)) {
    using D = ComparisonDirection;
    D d = compare.getDirection();
    if (isFloat) {
      arith::CmpFPredicate p = d == D::eq   ? arith::CmpFPredicate::OEQ
                               : d == D::ne ? arith::CmpFPredicate::UNE
                               : d == D::lt ? arith::CmpFPredicate::OLT
                               : d == D::le ? arith::CmpFPredicate::OLE
                               : d == D::gt ? arith::CmpFPredicate::OGT
                                            : arith::CmpFPredicate::OGE;
      return builder.create<arith::CmpFOp>(loc, p, x[0], x[1]).getResult();
    }
    arith::CmpIPredicate p =
        d == D::eq   ? arith::CmpIPredicate::eq
        : d == D::ne ? arith::CmpIPredicate::ne
        : d == D::lt
            ? (isBool ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt)
        : d == D::le
            ? (isBool ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle)
        : d == D::gt
            ? (isBool ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt)
            : (isBool ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge);
    return builder.create<arith::CmpIOp>(loc, p, x[0], x[1]).getResult();
  }

  // Unary.
  if (isa<AbsOp>(op))
    return isFloat ? builder.create<math::AbsFOp>(loc, x[0]).getResult()
                   : builder.create<math::AbsIOp>(loc, x[0]).getResult();
  if (isa<NegOp>(op))
    return isFloat
               ? builder.create<arith::NegFOp>(loc, x[0]).getResult()
               : builder.create<arith::SubIOp>(loc, zero(), x[0]).getResult();
  if (isa<NotOp>(op))
    return builder
        .create<arith::XOrIOp>(
            loc, x[0],
            builder.create<arith::ConstantOp>(
                loc,
                builder.getIntegerAttr(
                    type, APInt::getAllOnes(type.getIntOrFloatBitWidth()))))
        .getResult();
  if (isa<ReluOp>(op)) {
    // max(x, 0), NaN kept, -0 gives +0 (as the reference).
    Value positive =
        isFloat ? builder
                      .create<arith::CmpFOp>(loc, arith::CmpFPredicate::UGT,
                                             x[0], zero())
                      .getResult()
                : builder
                      .create<arith::CmpIOp>(loc, arith::CmpIPredicate::sgt,
                                             x[0], zero())
                      .getResult();
    return builder.create<arith::SelectOp>(loc, positive, x[0], zero())
        .getResult();
  }
  if (isa<SignOp>(op)) {
    Value gt, lt;
    if (isFloat) {
      gt = builder.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x[0],
                                         zero());
      lt = builder.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, x[0],
                                         zero());
    } else {
      gt = builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sgt, x[0],
                                         zero());
      lt = builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, x[0],
                                         zero());
    }
    Value result = builder.create<arith::SelectOp>(
        loc, gt, one(),
        builder.create<arith::SelectOp>(loc, lt, scalarConstant(type, -1, -1),
                                        zero()));
    if (isFloat)
      result = builder.create<arith::SelectOp>(
          loc,
          builder.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, x[0],
                                        x[0]),
          x[0], result);
    return result;
  }
  if (isa<ExpOp>(op))
    return builder.create<math::ExpOp>(loc, x[0]).getResult();
  if (isa<LogOp>(op))
    return builder.create<math::LogOp>(loc, x[0]).getResult();
  if (isa<Log1pOp>(op))
    return builder.create<math::Log1pOp>(loc, x[0]).getResult();
  if (isa<ErfOp>(op))
    return builder.create<math::ErfOp>(loc, x[0]).getResult();
  if (isa<TanhOp>(op))
    return builder.create<math::TanhOp>(loc, x[0]).getResult();
  if (isa<SqrtOp>(op))
    return builder.create<math::SqrtOp>(loc, x[0]).getResult();
  if (isa<RsqrtOp>(op))
    return builder
        .create<arith::DivFOp>(loc, one(),
                               builder.create<math::SqrtOp>(loc, x[0]))
        .getResult();
  if (isa<SigmoidOp>(op)) {
    Value e = builder.create<math::ExpOp>(
        loc, builder.create<arith::NegFOp>(loc, x[0]));
    return builder
        .create<arith::DivFOp>(loc, one(),
                               builder.create<arith::AddFOp>(loc, one(), e))
        .getResult();
  }

  // Binary.
  if (isa<AddOp>(op))
    return isFloat ? builder.create<arith::AddFOp>(loc, x[0], x[1]).getResult()
                   : builder.create<arith::AddIOp>(loc, x[0], x[1]).getResult();
  if (isa<SubOp>(op))
    return isFloat ? builder.create<arith::SubFOp>(loc, x[0], x[1]).getResult()
                   : builder.create<arith::SubIOp>(loc, x[0], x[1]).getResult();
  if (isa<MulOp>(op))
    return isFloat ? builder.create<arith::MulFOp>(loc, x[0], x[1]).getResult()
                   : builder.create<arith::MulIOp>(loc, x[0], x[1]).getResult();
  if (isa<DivOp>(op)) {
    if (isFloat)
      return builder.create<arith::DivFOp>(loc, x[0], x[1]).getResult();
    // x / 0 is 0 and MIN / -1 is MIN (no trap, as the reference).
    Value isZero = builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq,
                                                 x[1], zero());
    unsigned width = type.getIntOrFloatBitWidth();
    Value min = builder.create<arith::ConstantOp>(
        loc, builder.getIntegerAttr(type, APInt::getSignedMinValue(width)));
    Value overflow = builder.create<arith::AndIOp>(
        loc,
        builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, x[0], min),
        builder.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, x[1],
                                      scalarConstant(type, -1, -1)));
    Value safe = builder.create<arith::SelectOp>(
        loc, builder.create<arith::OrIOp>(loc, isZero, overflow), one(), x[1]);
    Value quotient = builder.create<arith::DivSIOp>(loc, x[0], safe);
    return builder.create<arith::SelectOp>(loc, isZero, zero(), quotient)
        .getResult();
  }
  if (isa<MaxOp>(op)) {
    if (isFloat)
      return builder.create<arith::MaximumFOp>(loc, x[0], x[1]).getResult();
    return isBool ? builder.create<arith::MaxUIOp>(loc, x[0], x[1]).getResult()
                  : builder.create<arith::MaxSIOp>(loc, x[0], x[1]).getResult();
  }
  if (isa<MinOp>(op)) {
    if (isFloat)
      return builder.create<arith::MinimumFOp>(loc, x[0], x[1]).getResult();
    return isBool ? builder.create<arith::MinUIOp>(loc, x[0], x[1]).getResult()
                  : builder.create<arith::MinSIOp>(loc, x[0], x[1]).getResult();
  }
  if (isa<AndOp>(op))
    return builder.create<arith::AndIOp>(loc, x[0], x[1]).getResult();
  if (isa<OrOp>(op))
    return builder.create<arith::OrIOp>(loc, x[0], x[1]).getResult();
  if (isa<XorOp>(op))
    return builder.create<arith::XOrIOp>(loc, x[0], x[1]).getResult();
  if (auto pow = dyn_cast<PowOp>(op)) {
    // x^2 is x * x exactly; the rest goes to libm's pow, as the reference.
    if (auto constant = pow.getRhs().getDefiningOp<ConstantOp>()) {
      auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
      if (dense && dense.isSplat() &&
          dense.getSplatValue<APFloat>().isExactlyValue(2.0))
        return builder.create<arith::MulFOp>(loc, x[0], x[0]).getResult();
    }
    return builder.create<math::PowFOp>(loc, x[0], x[1]).getResult();
  }
  return op->emitError("cannot generate CPU code for this op inside a fusion");
}

//===----------------------------------------------------------------------===//
// Loops
//===----------------------------------------------------------------------===//

void Emitter::emitWholeLoops(ArrayRef<LoopDim> loops, size_t first,
                             function_ref<void()> body) {
  if (first == loops.size()) {
    body();
    return;
  }
  auto loop =
      builder.create<scf::ForOp>(loc, i64(0), i64(loops[first].size), i64(1));
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(loop.getBody());
  loopIndex[loops[first].dims.back()] = loop.getInductionVar();
  emitWholeLoops(loops, first + 1, body);
}

void Emitter::emitLoops(ArrayRef<LoopDim> loops, size_t flat, Value lo,
                        Value hi, function_ref<void()> body) {
  if (flat == 0) {
    emitWholeLoops(loops, 0, body);
    return;
  }
  auto loop = builder.create<scf::ForOp>(loc, lo, hi, i64(1));
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(loop.getBody());
  // The flattened index, split into the loops' indices (innermost last).
  Value rest = loop.getInductionVar();
  for (size_t l = flat; l-- > 0;) {
    if (l == 0) {
      loopIndex[loops[l].dims.back()] = rest;
      break;
    }
    Value size = i64(loops[l].size);
    loopIndex[loops[l].dims.back()] =
        builder.create<arith::RemUIOp>(loc, rest, size);
    rest = builder.create<arith::DivUIOp>(loc, rest, size);
  }
  emitWholeLoops(loops, flat, body);
}

void Emitter::emitRangedLoops(ArrayRef<LoopDim> loops, size_t ranged, Value lo,
                              Value hi, function_ref<void()> body,
                              size_t position) {
  if (position == loops.size()) {
    body();
    return;
  }
  bool isRanged = position == ranged;
  auto loop = builder.create<scf::ForOp>(
      loc, isRanged ? lo : i64(0), isRanged ? hi : i64(loops[position].size),
      i64(1));
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(loop.getBody());
  loopIndex[loops[position].dims.back()] = loop.getInductionVar();
  emitRangedLoops(loops, ranged, lo, hi, body, position + 1);
}

//===----------------------------------------------------------------------===//
// Kernel kinds
//===----------------------------------------------------------------------===//

static Index identityIndex(size_t rank) {
  Index index;
  for (size_t d = 0; d < rank; ++d)
    index.push_back(Affine::dim(d, rank));
  return index;
}

LogicalResult Emitter::emitElementwise(Value root, Value lo, Value hi,
                                       KernelShape &shape) {
  space.assign(shapeOf(root).begin(), shapeOf(root).end());
  size_t rank = space.size();
  Index index = identityIndex(rank);
  Affine out = linearize(index, space, rank);
  addAccess(out);
  if (failed(collect(root, index)))
    return failure();
  SmallVector<size_t> all;
  for (size_t d = 0; d < rank; ++d)
    all.push_back(d);
  currentLoops = mergeLoops(all);

  int64_t numel = 1;
  for (int64_t s : space)
    numel *= s;
  int64_t inner = currentLoops.empty() ? 1 : currentLoops.back().size;
  size_t flat = currentLoops.empty() ? 0
                : options.flattenElementwise
                    ? currentLoops.size()
                    : std::max<size_t>(1, currentLoops.size() - 1);
  int64_t iterations = 1;
  for (size_t l = 0; l < flat; ++l)
    iterations *= currentLoops[l].size;
  shape.iterations = numel == 0 ? 0 : iterations;
  // About 32K elements per thread at least.
  shape.grain = currentLoops.size() <= 1
                    ? 32768
                    : std::max<int64_t>(1, 32768 / std::max<int64_t>(inner, 1));

  Value output = argPointers[fusion.getInputs().size()];
  Type type = elementTypeOf(root);
  auto body = [&]() {
    memo.clear();
    FailureOr<Value> v = eval(root, index);
    if (succeeded(v))
      store(output, type, affineValue(out), *v);
    else
      failedBody = true;
  };
  if (currentLoops.empty()) {
    body();
  } else {
    emitLoops(currentLoops, flat, lo, hi, body);
  }
  // Each element is read and then written by one iteration: in place is
  // safe for inputs read at that element only (not for a matmul epilogue,
  // whose product is written before any input is read).
  if (!inPlace)
    findInPlaceInputs(out, type, shape);
  return failure(failedBody);
}

Value Emitter::accumulator(Type type) {
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(entry);
  Value one = i64(1);
  return builder.create<LLVM::AllocaOp>(
      loc, LLVM::LLVMPointerType::get(builder.getContext()), type, one,
      /*alignment=*/0);
}

LogicalResult Emitter::emitRows(Value root, Value lo, Value hi,
                                KernelShape &shape) {
  SmallVector<Operation *> reduces;
  for (Operation &op : fusion.getBody().front())
    if (isReduce(&op))
      reduces.push_back(&op);
  if (reduces.empty())
    return fusion.emitError("a rows fusion without a reduction");
  ArrayRef<int64_t> full = shapeOf(reduces.front()->getOperand(0));
  auto dimsOf = [](Operation *op) -> ArrayRef<int64_t> {
    if (auto r = dyn_cast<ReduceSumOp>(op))
      return r.getDims();
    if (auto r = dyn_cast<ReduceMaxOp>(op))
      return r.getDims();
    return cast<ReduceMinOp>(op).getDims();
  };
  size_t p = static_cast<size_t>(dimsOf(reduces.front()).front());
  space.assign(full.begin(), full.end());
  size_t rank = space.size();
  Index index = identityIndex(rank);
  for (Operation *reduce : reduces)
    if (failed(collect(reduce->getOperand(0), index)))
      return failure();

  // The root: one value per element (the full shape) or per row (the row
  // dimensions, possibly followed by unit dimensions: keepdim).
  ArrayRef<int64_t> rootShape = shapeOf(root);
  bool perElement = rootShape == full;
  Index rootIndex;
  if (perElement) {
    rootIndex = index;
  } else {
    if (rootShape.size() < p || rootShape.take_front(p) != full.take_front(p) ||
        llvm::any_of(rootShape.drop_front(p), [](int64_t s) { return s != 1; }))
      return fusion.emitError(
          "a rows fusion whose result is neither per element nor per row");
    for (size_t d = 0; d < rootShape.size(); ++d)
      rootIndex.push_back(d < p ? index[d] : Affine::constant(0, rank));
  }
  Affine out = linearize(rootIndex, rootShape, rank);
  addAccess(out);
  if (failed(collect(root, rootIndex)))
    return failure();

  SmallVector<size_t> outerDims, innerDims;
  for (size_t d = 0; d < rank; ++d)
    (d < p ? outerDims : innerDims).push_back(d);
  SmallVector<LoopDim> outer = mergeLoops(outerDims);
  SmallVector<LoopDim> inner = mergeLoops(innerDims);
  currentLoops = outer;
  currentLoops.append(inner.begin(), inner.end());

  int64_t rows = 1, rowSize = 1;
  for (const LoopDim &loop : outer)
    rows *= loop.size;
  for (const LoopDim &loop : inner)
    rowSize *= loop.size;
  shape.iterations = rows;
  shape.grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(rowSize, 1));
  narrowSums = rowSize <= 65536;

  SmallVector<Value> accumulators;
  for (Operation *reduce : reduces)
    accumulators.push_back(accumulator(accumulatorType(reduce)));
  Value output = argPointers[fusion.getInputs().size()];
  Type type = elementTypeOf(root);

  // The last reduction's input, when the result needs it again at the same
  // element (softmax: exp(x - max) is summed, then divided by the sum): the
  // reduction loop keeps it in the output row, which the writing loop then
  // reads instead of computing it again.
  Value cached;
  if (perElement && isa<FloatType>(type)) {
    Value last = reduces.back()->getOperand(0);
    std::set<Key> visited;
    if (!isa<BlockArgument>(last) && elementTypeOf(last) == type &&
        reaches(root, rootIndex, keyOf(last, index), visited))
      cached = last;
  }

  auto rowBody = [&]() {
    rowValues.clear();
    for (auto [reduce, acc] : llvm::zip(reduces, accumulators)) {
      Type accType = accumulatorType(reduce);
      builder.create<LLVM::StoreOp>(loc, identityOf(reduce, accType), acc);
      emitWholeLoops(inner, 0, [&, reduce = reduce, acc = acc]() {
        memo.clear();
        FailureOr<Value> v = eval(reduce->getOperand(0), index);
        if (failed(v)) {
          failedBody = true;
          return;
        }
        if (reduce == reduces.back() && cached)
          store(output, type, affineValue(out), *v);
        Value current = builder.create<LLVM::LoadOp>(loc, accType, acc);
        builder.create<LLVM::StoreOp>(
            loc, combine(reduce, current, *v, /*reassociate=*/true), acc);
      });
      memo.clear();
      Value total = builder.create<LLVM::LoadOp>(loc, accType, acc);
      rowValues[reduce] =
          *convert(total, accType, elementTypeOf(reduce->getResult(0)));
    }
    auto write = [&]() {
      memo.clear();
      if (cached)
        memo[keyOf(cached, index)] = builder.create<LLVM::LoadOp>(
            loc, type, pointer(output, type, affineValue(out)));
      FailureOr<Value> v = eval(root, rootIndex);
      if (failed(v)) {
        failedBody = true;
        return;
      }
      store(output, type, affineValue(out), *v);
    };
    if (perElement)
      emitWholeLoops(inner, 0, write);
    else
      write();
  };
  if (outer.empty())
    rowBody();
  else
    emitLoops(outer, outer.size(), lo, hi, rowBody);
  // A row is read by the reduction loops before the writing loop writes
  // it; unless the output row also holds cached values in between.
  if (perElement && !cached)
    findInPlaceInputs(out, type, shape);
  return failure(failedBody);
}

LogicalResult Emitter::emitReduce(Operation *root, Value lo, Value hi,
                                  KernelShape &shape) {
  Value input = root->getOperand(0);
  ArrayRef<int64_t> inShape = shapeOf(input);
  ArrayRef<int64_t> reduced;
  if (auto r = dyn_cast<ReduceSumOp>(root))
    reduced = r.getDims();
  else if (auto r = dyn_cast<ReduceMaxOp>(root))
    reduced = r.getDims();
  else
    reduced = cast<ReduceMinOp>(root).getDims();
  space.assign(inShape.begin(), inShape.end());
  size_t rank = space.size();
  Index index = identityIndex(rank);
  SmallVector<bool> isReduced(rank, false);
  for (int64_t d : reduced)
    isReduced[d] = true;
  Index keptIndex;
  SmallVector<int64_t> keptShape;
  for (size_t d = 0; d < rank; ++d)
    if (!isReduced[d]) {
      keptIndex.push_back(index[d]);
      keptShape.push_back(space[d]);
    }
  Affine out = linearize(keptIndex, keptShape, rank);
  addAccess(out);
  if (failed(collect(input, index)))
    return failure();

  // Loops: runs of kept or of reduced dimensions, each merged.
  SmallVector<LoopDim> loops;
  SmallVector<bool> loopReduced;
  for (size_t d = 0; d < rank;) {
    SmallVector<size_t> run;
    size_t e = d;
    while (e < rank && isReduced[e] == isReduced[d])
      run.push_back(e++);
    for (LoopDim &loop : mergeLoops(run)) {
      loops.push_back(loop);
      loopReduced.push_back(isReduced[d]);
    }
    d = e;
  }
  currentLoops = loops;
  int64_t numel = 1;
  for (int64_t s : space)
    numel *= s;

  Type type = elementTypeOf(root->getResult(0));
  Type accType = accumulatorType(root);
  Value output = argPointers[fusion.getInputs().size()];
  std::optional<size_t> firstKept;
  size_t lastKept = 0;
  for (size_t l = 0; l < loops.size(); ++l)
    if (!loopReduced[l]) {
      if (!firstKept)
        firstKept = l;
      lastKept = l;
    }

  auto accumulate = [&](Value acc) {
    return [&, acc]() {
      memo.clear();
      FailureOr<Value> v = eval(input, index);
      if (failed(v)) {
        failedBody = true;
        return;
      }
      Value current = builder.create<LLVM::LoadOp>(loc, accType, acc);
      builder.create<LLVM::StoreOp>(
          loc, combine(root, current, *v, /*reassociate=*/true), acc);
    };
  };

  if (!firstKept) {
    // Everything is reduced: partial results over fixed chunks of rows.
    size_t flat = loops.empty() ? 0 : std::max<size_t>(1, loops.size() - 1);
    int64_t iterations = 1;
    for (size_t l = 0; l < flat; ++l)
      iterations *= loops[l].size;
    int64_t inner = flat < loops.size() ? loops.back().size : 1;
    shape.partial = true;
    shape.partialType = accType;
    shape.combine = isa<ReduceSumOp>(root) ? 0 : isa<ReduceMaxOp>(root) ? 1 : 2;
    shape.iterations = numel == 0 ? 0 : iterations;
    shape.grain = std::max<int64_t>(1, options.partialElements /
                                           std::max<int64_t>(inner, 1));
    Value acc = accumulator(accType);
    builder.create<LLVM::StoreOp>(loc, identityOf(root, accType), acc);
    if (loops.empty())
      accumulate(acc)();
    else
      emitLoops(loops, flat, lo, hi, accumulate(acc));
    Value total = builder.create<LLVM::LoadOp>(loc, accType, acc);
    Value chunk = builder.create<arith::DivUIOp>(loc, lo, i64(shape.grain));
    Value partials = argPointers[fusion.getInputs().size() + 1];
    store(partials, accType, chunk, total);
    return failure(failedBody);
  }

  // Split over the first kept loop: every output element is computed by one
  // thread, in memory order.
  size_t split = *firstKept;
  shape.iterations = loops[split].size;
  shape.grain = std::max<int64_t>(
      1, 32768 / std::max<int64_t>(
                     1, numel / std::max<int64_t>(1, loops[split].size)));
  SmallVector<LoopDim> keptLoops;
  size_t keptSplit = 0;
  for (size_t l = 0; l < loops.size(); ++l)
    if (!loopReduced[l]) {
      if (l == split)
        keptSplit = keptLoops.size();
      keptLoops.push_back(loops[l]);
    }
  emitRangedLoops(keptLoops, keptSplit, lo, hi, [&]() {
    store(output, type, affineValue(out), identityOf(root, type));
  });

  ArrayRef<LoopDim> head = ArrayRef<LoopDim>(loops).take_front(lastKept + 1);
  bool trailingReduced = lastKept + 1 < loops.size();
  Value acc = trailingReduced ? accumulator(accType) : Value();
  emitRangedLoops(head, split, lo, hi, [&]() {
    Value value;
    if (trailingReduced) {
      builder.create<LLVM::StoreOp>(loc, identityOf(root, accType), acc);
      emitWholeLoops(loops, lastKept + 1, accumulate(acc));
      value = builder.create<LLVM::LoadOp>(loc, accType, acc);
      value = *convert(value, accType, type);
    } else {
      memo.clear();
      FailureOr<Value> v = eval(input, index);
      if (failed(v)) {
        failedBody = true;
        return;
      }
      value = *v;
    }
    Value address = pointer(output, type, affineValue(out));
    Value current =
        builder.create<LLVM::LoadOp>(loc, storageType(type), address);
    if (type.isInteger(1))
      current = builder.create<arith::CmpIOp>(
          loc, arith::CmpIPredicate::ne, current,
          builder.create<arith::ConstantIntOp>(loc, 0, 8));
    Value combined = combine(root, current, value, /*reassociate=*/false);
    if (type.isInteger(1))
      combined =
          builder.create<arith::ExtUIOp>(loc, builder.getI8Type(), combined);
    builder.create<LLVM::StoreOp>(loc, combined, address);
  });
  return failure(failedBody);
}

void Emitter::findInPlaceInputs(const Affine &out, Type resultType,
                                KernelShape &shape) {
  auto bytes = [](Type type) {
    return std::max<unsigned>(8, type.getIntOrFloatBitWidth()) / 8;
  };
  auto same = [&](const Affine &a) {
    return a.base == out.base && a.coef == out.coef;
  };
  for (auto [i, input] : llvm::enumerate(fusion.getInputs())) {
    auto it = argumentAccesses.find(i);
    if (it == argumentAccesses.end() ||
        input.getType() != fusion.getResult(0).getType() ||
        bytes(elementTypeOf(input)) != bytes(resultType))
      continue;
    if (llvm::all_of(it->second, same))
      shape.inPlaceInputs.push_back(static_cast<int64_t>(i));
  }
}

FailureOr<KernelShape> Emitter::run() {
  MLIRContext *context = builder.getContext();
  WalkResult shapes = fusion->walk([&](Operation *op) {
    SmallVector<Type> types(op->getOperandTypes());
    types.append(op->getResultTypes().begin(), op->getResultTypes().end());
    for (Type type : types) {
      auto tensor = dyn_cast<RankedTensorType>(type);
      if (!tensor || !tensor.hasStaticShape()) {
        op->emitError("the CPU backend needs static shapes, got ") << type;
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  if (shapes.wasInterrupted())
    return failure();
  auto ptrType = LLVM::LLVMPointerType::get(context);
  Type i64Type = builder.getI64Type();
  size_t numInputs = fusion.getInputs().size();
  // Inputs, the result, and the partials of a full reduction.
  size_t numPointers = numInputs + 2;

  builder.setInsertionPointToEnd(module.getBody());
  SmallVector<Type> implArgs(numPointers, ptrType);
  implArgs.push_back(i64Type);
  implArgs.push_back(i64Type);
  auto impl = builder.create<func::FuncOp>(
      loc, symbol + "_impl", builder.getFunctionType(implArgs, {}));
  impl.setPrivate();
  impl->setAttr(kKernelFunctionAttr, builder.getUnitAttr());
  for (size_t i = 0; i < numPointers; ++i)
    impl.setArgAttr(i, LLVM::LLVMDialect::getNoAliasAttrName(),
                    builder.getUnitAttr());
  entry = impl.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  for (size_t i = 0; i < numPointers; ++i)
    argPointers.push_back(entry->getArgument(i));
  Value lo = entry->getArgument(numPointers);
  Value hi = entry->getArgument(numPointers + 1);

  auto yield = cast<YieldOp>(fusion.getBody().front().getTerminator());
  if (yield.getNumOperands() != 1)
    return fusion.emitError("a kernel computes one result");
  Value root = yield.getOperand(0);
  // The root's Value inside the body is what the kernel stores.
  KernelShape shape;
  LogicalResult emitted = failure();
  switch (fusion.getKind()) {
  case FusionKind::elementwise:
    emitted = emitElementwise(root, lo, hi, shape);
    break;
  case FusionKind::matmul: {
    // The epilogue: the runtime has written the product to the output.
    auto matmuls = llvm::to_vector(fusion.getBody().front().getOps<MatmulOp>());
    if (matmuls.size() != 1)
      return fusion.emitError("a matmul fusion holds one matmul");
    inPlace = matmuls.front();
    emitted = emitElementwise(root, lo, hi, shape);
    break;
  }
  case FusionKind::rows:
    emitted = emitRows(root, lo, hi, shape);
    break;
  case FusionKind::reduce:
    if (!root.getDefiningOp() || !isReduce(root.getDefiningOp()))
      return fusion.emitError("a reduce fusion must yield its reduction");
    emitted = emitReduce(root.getDefiningOp(), lo, hi, shape);
    break;
  }
  builder.create<func::ReturnOp>(loc);
  if (failed(emitted)) {
    impl.erase();
    return failure();
  }

  // The entry point: unpack the argument array.
  builder.setInsertionPointToEnd(module.getBody());
  auto kernel = builder.create<func::FuncOp>(
      loc, symbol, builder.getFunctionType({ptrType, i64Type, i64Type}, {}));
  kernel->setAttr(kKernelFunctionAttr, builder.getUnitAttr());
  Block *body = kernel.addEntryBlock();
  builder.setInsertionPointToStart(body);
  SmallVector<Value> operands;
  size_t passed = numInputs + 1 + (shape.partial ? 1 : 0);
  for (size_t i = 0; i < numPointers; ++i) {
    if (i >= passed) {
      operands.push_back(builder.create<LLVM::ZeroOp>(loc, ptrType));
      continue;
    }
    Value slot = builder.create<LLVM::GEPOp>(
        loc, ptrType, ptrType, body->getArgument(0),
        ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
    operands.push_back(builder.create<LLVM::LoadOp>(loc, ptrType, slot));
  }
  operands.push_back(body->getArgument(1));
  operands.push_back(body->getArgument(2));
  builder.create<func::CallOp>(loc, impl, operands);
  builder.create<func::ReturnOp>(loc);
  return shape;
}

} // namespace

FailureOr<KernelShape>
mlir::dlc::cpu::emitFusionKernel(FusionOp fusion, ModuleOp module,
                                 const std::string &symbol,
                                 const EmitterOptions &options) {
  return Emitter(fusion, module, symbol, options).run();
}
