//===- DlcOps.cpp - Verifiers, type inference and folders of dlc ops ------===//
//
// The C++ half of DlcOps.td, under the same banners. Type inference and
// verifiers treat a dynamic size as compatible with any size: no code here
// assumes that shapes are static.
//
//===----------------------------------------------------------------------===//

#include "ir/DlcOps.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APSInt.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::dlc;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {

/// Non-splat constants with more elements than this are not folded: folding
/// would copy them into a new attribute.
constexpr int64_t kMaxFoldedElements = 4096;

bool sizesCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// The better-known of two compatible sizes.
int64_t joinSizes(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) ? b : a;
}

/// `[3, ?, 4]`, for diagnostics.
std::string formatList(ArrayRef<int64_t> values) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '[';
  llvm::interleaveComma(values, os, [&](int64_t v) {
    if (ShapedType::isDynamic(v))
      os << '?';
    else
      os << v;
  });
  os << ']';
  return text;
}

/// True when `values` is strictly increasing and within [0, bound).
bool isStrictlyIncreasingBelow(ArrayRef<int64_t> values, int64_t bound) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] < 0 || values[i] >= bound)
      return false;
    if (i > 0 && values[i] <= values[i - 1])
      return false;
  }
  return true;
}

bool isPermutation(ArrayRef<int64_t> perm) {
  SmallVector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(perm.size()) || seen[p])
      return false;
    seen[p] = true;
  }
  return true;
}

bool isIdentity(ArrayRef<int64_t> perm) {
  for (auto [i, p] : llvm::enumerate(perm))
    if (p != static_cast<int64_t>(i))
      return false;
  return true;
}

/// True when `attr` is a splat constant equal to `value` (0 matches -0.0).
bool isSplatOf(Attribute attr, int64_t value) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(attr);
  if (!splat)
    return false;
  if (isa<FloatType>(splat.getElementType())) {
    APFloat f = splat.getSplatValue<APFloat>();
    if (value == 0)
      return f.isZero();
    APFloat expected(f.getSemantics(), static_cast<uint64_t>(value));
    return f.compare(expected) == APFloat::cmpEqual;
  }
  return splat.getSplatValue<APInt>().getSExtValue() == value;
}

/// True when every operand is a known constant small enough to fold.
bool areFoldable(ArrayRef<Attribute> operands) {
  return llvm::all_of(operands, [](Attribute attr) {
    auto elements = dyn_cast_or_null<DenseElementsAttr>(attr);
    return elements && (elements.isSplat() ||
                        elements.getNumElements() <= kMaxFoldedElements);
  });
}

/// Folds an elementwise binary op on constants with `onFloat` or `onInt`,
/// either of which may decline by returning std::nullopt.
template <typename FloatFn, typename IntFn>
OpFoldResult foldBinary(ArrayRef<Attribute> operands, Type type,
                        FloatFn &&onFloat, IntFn &&onInt) {
  if (!areFoldable(operands))
    return {};
  if (isa<FloatType>(getElementTypeOrSelf(type)))
    return constFoldBinaryOpConditional<FloatAttr, APFloat, void>(
        operands, type, onFloat);
  return constFoldBinaryOpConditional<IntegerAttr, APInt, void>(operands, type,
                                                                onInt);
}

template <typename FloatFn, typename IntFn>
OpFoldResult foldUnary(ArrayRef<Attribute> operands, FloatFn &&onFloat,
                       IntFn &&onInt) {
  if (!areFoldable(operands))
    return {};
  Type elementType = cast<DenseElementsAttr>(operands[0]).getElementType();
  if (isa<FloatType>(elementType))
    return constFoldUnaryOp<FloatAttr, APFloat, void>(operands, onFloat);
  return constFoldUnaryOp<IntegerAttr, APInt, void>(operands, onInt);
}

/// A splat constant of `type` made from the splat `attr`, or null when `attr`
/// is not a splat or `type` is not static.
Attribute resplat(Attribute attr, Type type) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(attr);
  auto shaped = dyn_cast<RankedTensorType>(type);
  if (!splat || !shaped || !shaped.hasStaticShape())
    return {};
  return SplatElementsAttr::get(shaped, splat.getSplatValue<Attribute>());
}

/// Reports `dim` out of range for `type`, or succeeds.
LogicalResult checkDimInRange(std::optional<Location> loc, StringRef what,
                              int64_t dim, Type type) {
  int64_t rank = cast<RankedTensorType>(type).getRank();
  if (dim >= 0 && dim < rank)
    return success();
  return emitOptionalError(loc, what, " ", dim, " is out of range for ", type,
                           " of rank ", rank);
}

} // namespace

//===----------------------------------------------------------------------===//
// Slice ranges: `[start:limit, start:limit:stride, ...]`
//===----------------------------------------------------------------------===//

static ParseResult parseSliceRanges(OpAsmParser &parser,
                                    DenseI64ArrayAttr &start,
                                    DenseI64ArrayAttr &limit,
                                    DenseI64ArrayAttr &stride) {
  SmallVector<int64_t> starts, limits, strides;
  auto parseRange = [&]() -> ParseResult {
    int64_t s = 0, l = 0, st = 1;
    if (parser.parseInteger(s) || parser.parseColon() || parser.parseInteger(l))
      return failure();
    if (succeeded(parser.parseOptionalColon()) && parser.parseInteger(st))
      return failure();
    starts.push_back(s);
    limits.push_back(l);
    strides.push_back(st);
    return success();
  };
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, parseRange))
    return failure();
  MLIRContext *context = parser.getContext();
  start = DenseI64ArrayAttr::get(context, starts);
  limit = DenseI64ArrayAttr::get(context, limits);
  stride = DenseI64ArrayAttr::get(context, strides);
  return success();
}

static void printSliceRanges(OpAsmPrinter &printer, Operation *,
                             DenseI64ArrayAttr start, DenseI64ArrayAttr limit,
                             DenseI64ArrayAttr stride) {
  printer << '[';
  for (int64_t i = 0; i < start.size(); ++i) {
    if (i > 0)
      printer << ", ";
    printer << start[i] << ':' << limit[i];
    if (stride[i] != 1)
      printer << ':' << stride[i];
  }
  printer << ']';
}

#define GET_OP_CLASSES
#include "ir/DlcOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getOperands(), [](const APFloat &a) { return abs(a); },
      [](const APInt &a) { return a.abs(); });
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getOperands(), [](const APFloat &a) { return neg(a); },
      [](const APInt &a) { return -a; });
}

//===----------------------------------------------------------------------===//
// Elementwise binary
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  // x + 0 -> x. For floats this also folds x + (+0.0) with x = -0.0, which
  // would give +0.0; the sign of a zero sum does not matter to dlc's users.
  if (isSplatOf(adaptor.getRhs(), 0))
    return getLhs();
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a + b;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a + b;
      });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 0))
    return getLhs();
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a - b;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a - b;
      });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1))
    return getLhs();
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a * b;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a * b;
      });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1))
    return getLhs();
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a / b;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        // Division by zero and INT_MIN / -1 are left to run time.
        bool overflow = false;
        if (b.isZero())
          return std::nullopt;
        APInt quotient = a.sdiv_ov(b, overflow);
        if (overflow)
          return std::nullopt;
        return quotient;
      });
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return maximum(a, b);
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return llvm::APIntOps::smax(a, b);
      });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return minimum(a, b);
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return llvm::APIntOps::smin(a, b);
      });
}

OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1))
    return getLhs();
  return {};
}

//===----------------------------------------------------------------------===//
// Compare and select
//===----------------------------------------------------------------------===//

LogicalResult CompareOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto type = cast<RankedTensorType>(adaptor.getLhs().getType());
  inferred.push_back(type.clone(IntegerType::get(context, 1)));
  return success();
}

LogicalResult SelectOp::verify() {
  auto condType = getCond().getType();
  auto valueType = getOnTrue().getType();
  if (failed(verifyCompatibleShape(condType, valueType)))
    return emitOpError() << "condition " << condType << " and values "
                         << valueType << " differ in shape";
  return success();
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  if (getOnTrue() == getOnFalse())
    return getOnTrue();
  if (auto cond = dyn_cast_or_null<SplatElementsAttr>(adaptor.getCond()))
    return cond.getSplatValue<bool>() ? getOnTrue() : getOnFalse();
  return {};
}

//===----------------------------------------------------------------------===//
// Cast and constant
//===----------------------------------------------------------------------===//

void CastOp::build(OpBuilder &builder, OperationState &state, Value input,
                   Type elementType) {
  auto type = cast<RankedTensorType>(input.getType());
  build(builder, state, type.clone(elementType), input);
}

LogicalResult CastOp::verify() {
  Type from = getInput().getType();
  Type to = getType();
  if (failed(verifyCompatibleShape(from, to)))
    return emitOpError() << "cannot cast " << from << " to " << to
                         << ": the shapes differ";
  return success();
}

/// Converts one element as `dlc.cast` does, or returns null when the result
/// is not representable (a NaN or an out-of-range float cast to an integer).
static Attribute castElement(Attribute value, Type to) {
  auto toInt = dyn_cast<IntegerType>(to);
  if (auto f = dyn_cast<FloatAttr>(value)) {
    APFloat v = f.getValue();
    if (auto toFloat = dyn_cast<FloatType>(to)) {
      bool losesInfo = false;
      v.convert(toFloat.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &losesInfo);
      return FloatAttr::get(to, v);
    }
    if (toInt.getWidth() == 1)
      return IntegerAttr::get(to, v.isZero() ? 0 : 1);
    APSInt result(toInt.getWidth(), /*isUnsigned=*/false);
    bool exact = false;
    if (v.convertToInteger(result, APFloat::rmTowardZero, &exact) ==
        APFloat::opInvalidOp)
      return {};
    return IntegerAttr::get(to, result);
  }
  auto i = cast<IntegerAttr>(value);
  APInt v = i.getValue();
  bool fromBool = v.getBitWidth() == 1;
  if (auto toFloat = dyn_cast<FloatType>(to)) {
    APFloat result(toFloat.getFloatSemantics());
    result.convertFromAPInt(v, /*IsSigned=*/!fromBool,
                            APFloat::rmNearestTiesToEven);
    return FloatAttr::get(to, result);
  }
  if (toInt.getWidth() == 1)
    return IntegerAttr::get(to, v.isZero() ? 0 : 1);
  return IntegerAttr::get(to, fromBool ? v.zext(toInt.getWidth())
                                       : v.sextOrTrunc(toInt.getWidth()));
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (!areFoldable(adaptor.getOperands()))
    return {};
  auto input = cast<DenseElementsAttr>(adaptor.getInput());
  auto type = cast<RankedTensorType>(getType());
  Type to = type.getElementType();
  if (input.isSplat()) {
    Attribute element = castElement(input.getSplatValue<Attribute>(), to);
    return element ? SplatElementsAttr::get(type, element) : Attribute();
  }
  SmallVector<Attribute> elements;
  for (Attribute value : input.getValues<Attribute>()) {
    elements.push_back(castElement(value, to));
    if (!elements.back())
      return {};
  }
  return DenseElementsAttr::get(type, elements);
}

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getValue().getType());
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

void BroadcastInDimOp::build(OpBuilder &builder, OperationState &state,
                             Value input, ArrayRef<int64_t> shape,
                             ArrayRef<int64_t> dims) {
  auto type = cast<RankedTensorType>(input.getType());
  build(builder, state, RankedTensorType::get(shape, type.getElementType()),
        input, dims);
}

LogicalResult BroadcastInDimOp::verify() {
  auto inputType = getInput().getType();
  auto resultType = getType();
  ArrayRef<int64_t> dims = getDims();
  if (inputType.getElementType() != resultType.getElementType())
    return emitOpError() << "cannot broadcast " << inputType << " to "
                         << resultType << ": the element types differ";
  if (static_cast<int64_t>(dims.size()) != inputType.getRank())
    return emitOpError() << "dims " << formatList(dims) << " has "
                         << dims.size() << " entries but the operand "
                         << inputType << " has rank " << inputType.getRank();
  if (!isStrictlyIncreasingBelow(dims, resultType.getRank()))
    return emitOpError() << "dims " << formatList(dims)
                         << " must be strictly increasing and below the rank "
                         << resultType.getRank() << " of " << resultType;
  for (auto [i, dim] : llvm::enumerate(dims)) {
    int64_t from = inputType.getDimSize(i);
    int64_t to = resultType.getDimSize(dim);
    if (from != 1 && !sizesCompatible(from, to))
      return emitOpError() << "cannot broadcast " << inputType << " to "
                           << resultType << ": operand dimension " << i
                           << " has size " << from << " but result dimension "
                           << dim << " has size " << to;
  }
  return success();
}

OpFoldResult BroadcastInDimOp::fold(FoldAdaptor adaptor) {
  // Strictly increasing dims over equal ranks are the identity.
  if (getInput().getType() == getType())
    return getInput();
  if (Attribute splat = resplat(adaptor.getInput(), getType()))
    return splat;
  // broadcast(broadcast(x)) -> broadcast(x): input dimension i of the inner
  // op lands on outer.dims[inner.dims[i]].
  if (auto inner = getInput().getDefiningOp<BroadcastInDimOp>()) {
    SmallVector<int64_t> composed;
    for (int64_t dim : inner.getDims())
      composed.push_back(getDims()[dim]);
    getInputMutable().assign(inner.getInput());
    setDims(composed);
    return getResult();
  }
  return {};
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(loc, "'dlc.concat' op needs at least one input");
  auto first = cast<RankedTensorType>(inputs.front().getType());
  int64_t dim = adaptor.getDim();
  if (failed(checkDimInRange(loc, "'dlc.concat' op dim", dim, first)))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  for (Value input : inputs.drop_front()) {
    auto type = cast<RankedTensorType>(input.getType());
    if (type.getElementType() != first.getElementType() ||
        type.getRank() != first.getRank())
      return emitOptionalError(loc, "'dlc.concat' op cannot join ", first,
                               " and ", type,
                               ": inputs need one element type and one rank");
    for (int64_t d = 0; d < type.getRank(); ++d) {
      int64_t size = type.getDimSize(d);
      if (d == dim) {
        shape[d] =
            ShapedType::isDynamic(shape[d]) || ShapedType::isDynamic(size)
                ? ShapedType::kDynamic
                : shape[d] + size;
      } else if (!sizesCompatible(shape[d], size)) {
        return emitOptionalError(loc, "'dlc.concat' op cannot join ", first,
                                 " and ", type, " along dim ", dim,
                                 ": dimension ", d, " differs");
      } else {
        shape[d] = joinSizes(shape[d], size);
      }
    }
  }
  inferred.push_back(first.clone(shape));
  return success();
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  return {};
}

void ReshapeOp::build(OpBuilder &builder, OperationState &state, Value input,
                      ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(input.getType());
  build(builder, state, type.clone(shape), input);
}

LogicalResult ReshapeOp::verify() {
  auto inputType = getInput().getType();
  auto resultType = getType();
  if (inputType.getElementType() != resultType.getElementType())
    return emitOpError() << "cannot reshape " << inputType << " to "
                         << resultType << ": the element types differ";
  if (inputType.hasStaticShape() && resultType.hasStaticShape() &&
      inputType.getNumElements() != resultType.getNumElements())
    return emitOpError() << "cannot reshape " << inputType << " ("
                         << inputType.getNumElements() << " elements) to "
                         << resultType << " (" << resultType.getNumElements()
                         << " elements)";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  if (areFoldable(adaptor.getOperands()) && getType().hasStaticShape())
    return cast<DenseElementsAttr>(adaptor.getInput()).reshape(getType());
  return {};
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> start = adaptor.getStart();
  ArrayRef<int64_t> limit = adaptor.getLimit();
  ArrayRef<int64_t> stride = adaptor.getStride();
  int64_t rank = type.getRank();
  if (static_cast<int64_t>(start.size()) != rank ||
      static_cast<int64_t>(limit.size()) != rank ||
      static_cast<int64_t>(stride.size()) != rank)
    return emitOptionalError(loc,
                             "'dlc.slice' op needs one range per "
                             "dimension of ",
                             type, ", got ", start.size());
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = type.getDimSize(d);
    if (start[d] < 0 || start[d] > limit[d] || stride[d] < 1 ||
        (!ShapedType::isDynamic(size) && limit[d] > size))
      return emitOptionalError(loc, "'dlc.slice' op range ", start[d], ":",
                               limit[d], ":", stride[d], " of dimension ", d,
                               " is invalid for ", type);
    shape.push_back((limit[d] - start[d] + stride[d] - 1) / stride[d]);
  }
  inferred.push_back(type.clone(shape));
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  // Starting at 0 with the input's type means taking every element: a size
  // n >= 2 is kept only by the range 0:n:1, and sizes 0 and 1 by any range.
  if (getInput().getType() == getType() &&
      llvm::all_of(getStart(), [](int64_t s) { return s == 0; }))
    return getInput();
  return resplat(adaptor.getInput(), getType());
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if (static_cast<int64_t>(perm.size()) != type.getRank() ||
      !isPermutation(perm))
    return emitOptionalError(loc, "'dlc.transpose' op perm ", formatList(perm),
                             " is not a permutation of the ", type.getRank(),
                             " dimensions of ", type);
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  inferred.push_back(type.clone(shape));
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  if (isIdentity(getPerm()))
    return getInput();
  if (Attribute splat = resplat(adaptor.getInput(), getType()))
    return splat;
  // transpose(transpose(x, p), q) = transpose(x, p[q[i]]).
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    SmallVector<int64_t> composed;
    for (int64_t q : getPerm())
      composed.push_back(inner.getPerm()[q]);
    if (isIdentity(composed))
      return inner.getInput();
    getInputMutable().assign(inner.getInput());
    setPerm(composed);
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

static LogicalResult inferReduceType(std::optional<Location> loc,
                                     StringRef opName, Type input,
                                     ArrayRef<int64_t> dims, bool keepdim,
                                     SmallVectorImpl<Type> &inferred) {
  auto type = cast<RankedTensorType>(input);
  if (!isStrictlyIncreasingBelow(dims, type.getRank()))
    return emitOptionalError(loc, "'", opName, "' op dims ", formatList(dims),
                             " must be strictly increasing and below the rank ",
                             type.getRank(), " of ", type);
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (!llvm::is_contained(dims, d))
      shape.push_back(type.getDimSize(d));
    else if (keepdim)
      shape.push_back(1);
  }
  inferred.push_back(type.clone(shape));
  return success();
}

#define DLC_DEFINE_REDUCE_INFERENCE(Op)                                        \
  LogicalResult Op::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferReduceType(loc, getOperationName(),                            \
                           adaptor.getInput().getType(), adaptor.getDims(),    \
                           adaptor.getKeepdim(), inferred);                    \
  }
DLC_DEFINE_REDUCE_INFERENCE(ReduceMaxOp)
DLC_DEFINE_REDUCE_INFERENCE(ReduceMinOp)
DLC_DEFINE_REDUCE_INFERENCE(ReduceSumOp)
#undef DLC_DEFINE_REDUCE_INFERENCE

OpFoldResult ReduceMaxOp::fold(FoldAdaptor adaptor) {
  if (getDims().empty())
    return getInput();
  return resplat(adaptor.getInput(), getType());
}

OpFoldResult ReduceMinOp::fold(FoldAdaptor adaptor) {
  if (getDims().empty())
    return getInput();
  return resplat(adaptor.getInput(), getType());
}

OpFoldResult ReduceSumOp::fold(FoldAdaptor) {
  if (getDims().empty())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhs = cast<RankedTensorType>(adaptor.getRhs().getType());
  if (lhs.getElementType() != rhs.getElementType())
    return emitOptionalError(loc, "'dlc.matmul' op cannot multiply ", lhs,
                             " by ", rhs, ": the element types differ");
  int64_t rank = lhs.getRank();
  if (rank < 2 || rhs.getRank() != rank)
    return emitOptionalError(loc, "'dlc.matmul' op cannot multiply ", lhs,
                             " by ", rhs,
                             ": operands need one rank of at least 2");
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank - 2; ++d) {
    if (!sizesCompatible(lhs.getDimSize(d), rhs.getDimSize(d)))
      return emitOptionalError(loc, "'dlc.matmul' op cannot multiply ", lhs,
                               " by ", rhs, ": batch dimension ", d,
                               " differs");
    shape.push_back(joinSizes(lhs.getDimSize(d), rhs.getDimSize(d)));
  }
  if (!sizesCompatible(lhs.getDimSize(rank - 1), rhs.getDimSize(rank - 2)))
    return emitOptionalError(loc, "'dlc.matmul' op cannot multiply ", lhs,
                             " by ", rhs, ": inner dimensions ",
                             lhs.getDimSize(rank - 1), " and ",
                             rhs.getDimSize(rank - 2), " differ");
  shape.push_back(lhs.getDimSize(rank - 2));
  shape.push_back(rhs.getDimSize(rank - 1));
  inferred.push_back(lhs.clone(shape));
  return success();
}

//===----------------------------------------------------------------------===//
// Indexing
//===----------------------------------------------------------------------===//

/// The shape `[A..., I..., C...]` that gathering `indices` (shape `I...`)
/// along `axis` of `input` (shape `[A..., n, C...]`) gives.
static SmallVector<int64_t>
gatheredShape(RankedTensorType input, RankedTensorType indices, int64_t axis) {
  SmallVector<int64_t> shape(input.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, input.getShape().drop_front(axis + 1));
  return shape;
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto indices = cast<RankedTensorType>(adaptor.getIndices().getType());
  int64_t axis = adaptor.getAxis();
  if (failed(checkDimInRange(loc, "'dlc.gather' op axis", axis, input)))
    return failure();
  inferred.push_back(input.clone(gatheredShape(input, indices, axis)));
  return success();
}

LogicalResult ScatterAddOp::verify() {
  auto input = getInput().getType();
  auto indices = getIndices().getType();
  auto updates = getUpdates().getType();
  int64_t axis = getAxis();
  if (failed(
          checkDimInRange(getLoc(), "'dlc.scatter_add' op axis", axis, input)))
    return failure();
  SmallVector<int64_t> expected = gatheredShape(input, indices, axis);
  if (updates.getElementType() != input.getElementType() ||
      failed(verifyCompatibleShape(updates.getShape(), expected)))
    return emitOpError() << "updates " << updates << " do not fit " << input
                         << " indexed by " << indices << " along axis " << axis
                         << ": expected shape " << formatList(expected)
                         << " and element type " << input.getElementType();
  return success();
}

LogicalResult FirstOccurrenceOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location>,
    FirstOccurrenceOp::Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  auto indices = cast<RankedTensorType>(adaptor.getIndices().getType());
  inferred.push_back(
      RankedTensorType::get(indices.getShape(), IntegerType::get(context, 64)));
  return success();
}

LogicalResult FirstOccurrenceOp::verify() {
  if (getIndices().getType().getRank() != 1)
    return emitOpError() << "takes a 1-d tensor of indices, not "
                         << getIndices().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Generators
//===----------------------------------------------------------------------===//

LogicalResult IotaOp::verify() {
  return checkDimInRange(getLoc(), "'dlc.iota' op dim", getDim(), getType());
}

//===----------------------------------------------------------------------===//
// Autodiff
//===----------------------------------------------------------------------===//

void GradOp::build(OpBuilder &builder, OperationState &state, Value y,
                   ValueRange wrt, Value seed) {
  build(builder, state, TypeRange(wrt.getTypes()), y, wrt, seed);
}

//===----------------------------------------------------------------------===//
// Collectives
//===----------------------------------------------------------------------===//

LogicalResult AllReduceOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  llvm::append_range(inferred, adaptor.getInputs().getTypes());
  return success();
}

LogicalResult AllReduceOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "needs at least one input";
  Type element = getElementTypeOrSelf(getInputs().front().getType());
  for (auto [i, value] : llvm::enumerate(getInputs())) {
    Type type = value.getType();
    if (getElementTypeOrSelf(type) != element)
      return emitOpError() << "input #" << i << " of type " << type
                           << " differs in element type from input #0 of type "
                           << getInputs().front().getType()
                           << ": one call carries one element type";
    if (!cast<RankedTensorType>(type).hasStaticShape())
      return emitOpError() << "input #" << i << " of type " << type
                           << " is not static: every process must send the "
                              "same number of elements";
  }
  if (getReduction() == CollectiveReduction::mean && !isa<FloatType>(element))
    return emitOpError() << "mean needs floating-point inputs, got "
                         << getInputs().front().getType();
  return success();
}

LogicalResult GradOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  llvm::append_range(inferred, adaptor.getWrt().getTypes());
  return success();
}

LogicalResult GradOp::verify() {
  if (getWrt().empty())
    return emitOpError()
           << "needs at least one value to differentiate with respect to";
  for (auto [i, value] : llvm::enumerate(getWrt())) {
    Type type = value.getType();
    if (!isa<FloatType>(getElementTypeOrSelf(type)))
      return emitOpError() << "cannot differentiate with respect to wrt #" << i
                           << " of type " << type
                           << ": only floating-point values have gradients";
  }
  auto yType = getY().getType();
  if (Value seed = getSeed()) {
    if (seed.getType() != yType)
      return emitOpError() << "seed type " << seed.getType()
                           << " differs from the type of y " << yType;
  } else if (!yType.hasStaticShape() || yType.getNumElements() != 1) {
    return emitOpError() << "needs a seed when y is not a single element, got "
                         << yType;
  }
  return success();
}

ParseResult GradOp::parse(OpAsmParser &parser, OperationState &result) {
  OpAsmParser::UnresolvedOperand y, seed;
  SmallVector<OpAsmParser::UnresolvedOperand> wrt;
  Type yType;
  SmallVector<Type> wrtTypes;
  if (parser.parseOperand(y) || parser.parseKeyword("wrt") ||
      parser.parseOperandList(wrt, AsmParser::Delimiter::Paren))
    return failure();
  bool hasSeed = succeeded(parser.parseOptionalKeyword("seed"));
  if (hasSeed && (parser.parseLParen() || parser.parseOperand(seed) ||
                  parser.parseRParen()))
    return failure();
  SMLoc typesLoc = parser.getCurrentLocation();
  if (parser.parseOptionalAttrDict(result.attributes) ||
      parser.parseColonType(yType) || parser.parseKeyword("wrt") ||
      parser.parseCommaSeparatedList(AsmParser::Delimiter::Paren, [&] {
        return parser.parseType(wrtTypes.emplace_back());
      }))
    return failure();
  if (parser.resolveOperand(y, yType, result.operands) ||
      parser.resolveOperands(wrt, wrtTypes, typesLoc, result.operands) ||
      (hasSeed && parser.resolveOperand(seed, yType, result.operands)))
    return failure();
  result.getOrAddProperties<Properties>().operandSegmentSizes = {
      1, static_cast<int32_t>(wrt.size()), hasSeed ? 1 : 0};
  result.addTypes(wrtTypes);
  return success();
}

void GradOp::print(OpAsmPrinter &p) {
  p << ' ' << getY() << " wrt(";
  p.printOperands(getWrt());
  p << ')';
  if (Value seed = getSeed())
    p << " seed(" << seed << ')';
  p.printOptionalAttrDict((*this)->getAttrs(),
                          /*elidedAttrs=*/{getOperandSegmentSizesAttrName()});
  p << " : " << getY().getType() << " wrt(";
  llvm::interleaveComma(getWrt().getTypes(), p);
  p << ')';
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

LogicalResult FusionOp::verify() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError() << "has " << getInputs().size()
                         << " inputs but its body takes "
                         << body.getNumArguments() << " arguments";
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(getInputs(), body.getArguments()))) {
    auto [input, argument] = pair;
    if (input.getType() != argument.getType())
      return emitOpError() << "input #" << i << " of type " << input.getType()
                           << " does not match its body argument of type "
                           << argument.getType();
  }
  auto yield = cast<YieldOp>(body.getTerminator());
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError() << "yields values of types ("
                         << yield.getValues().getTypes() << ") but returns ("
                         << getResultTypes() << ")";
  for (Operation &op : body.without_terminator())
    if (op.getDialect() != (*this)->getDialect() || isa<FusionOp, GradOp>(op))
      return op.emitOpError("cannot be inside a dlc.fusion: a fusion holds dlc "
                            "primitives only");
  // A matmul is the head of a `matmul` fusion only, its operands are
  // inputs, and the epilogue keeps its result's shape and element type.
  auto matmuls = llvm::to_vector(body.getOps<MatmulOp>());
  if (getKind() != FusionKind::matmul) {
    if (!matmuls.empty())
      return matmuls.front().emitOpError(
          "is inside a dlc.fusion that is not of kind matmul");
    return success();
  }
  if (matmuls.size() != 1)
    return emitOpError("of kind matmul holds ")
           << matmuls.size() << " matmuls, expected 1";
  MatmulOp matmul = matmuls.front();
  for (Value operand : matmul->getOperands())
    if (!isa<BlockArgument>(operand))
      return matmul.emitOpError(
          "in a matmul fusion takes the fusion's inputs as operands");
  if (getNumResults() != 1 || getResult(0).getType() != matmul.getType())
    return emitOpError("of kind matmul returns ")
           << getResultTypes() << ", but its matmul computes "
           << matmul.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Composite ops
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  return checkDimInRange(getLoc(), "'dlc.softmax' op dim", getDim(), getType());
}

LogicalResult LogSoftmaxOp::verify() {
  return checkDimInRange(getLoc(), "'dlc.log_softmax' op dim", getDim(),
                         getType());
}
