//===- Elementwise.cpp - Unary, binary, compare, where, clamp, in place ---===//

#include "frontend/Functions.h"
#include "frontend/detail/Recorder.h"

#include <cmath>

namespace dlc {

using detail::Operand;
using detail::OpKind;
using detail::Recorder;
using detail::Shape;
using detail::Value;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// An operand converted to `type` and broadcast to `shape`.
Value operandValue(Recorder &r, const Operand &x, ScalarType type,
                   const Shape &shape) {
  return x.tensor ? r.operand(*x.tensor, type, shape)
                  : r.splat(x.scalar, type, shape);
}

Shape operandShape(Recorder &r, const Operand &a, const Operand &b) {
  return r.broadcastShape({a.tensor, b.tensor});
}

/// exp, log, sqrt, ...: integers and bools become the default float type.
Value floatUnary(Recorder &r, OpKind kind, const Tensor &self) {
  ScalarType type = r.dtype(self);
  return r.unary(kind,
                 r.cast(r.value(self), isFloatingType(type) ? type : kFloat));
}

Tensor floatUnaryOp(const char *name, OpKind kind, const Tensor &self,
                    Loc loc) {
  Recorder r(name, loc);
  return r.result(floatUnary(r, kind, self), {&self});
}

/// The value and type of `a <kind> b` with PyTorch's promotion; add and mul
/// of bools are `or` and `and`, as in PyTorch.
Value arithmetic(Recorder &r, OpKind kind, const Operand &a, const Operand &b,
                 const Scalar &alpha = 1) {
  ScalarType type = r.resultType({a, b});
  if (kind == OpKind::Div && !isFloatingType(type))
    type = kFloat;
  if (!(alpha.isIntegral(true) && alpha.toLong() == 1)) {
    if (!isFloatingType(type) && alpha.isFloatingPoint())
      r.fail(
          "for integral input tensors, argument alpha must not be a floating "
          "point number");
    if (type == kBool && !alpha.isBoolean())
      r.fail("for a boolean tensor, alpha must be a boolean");
  }
  if (type == kBool) {
    if (kind == OpKind::Sub)
      r.fail("subtraction, the `-` operator, with two bool tensors is not "
             "supported; use the `^` or logical_xor() operator instead");
    if (kind == OpKind::Add)
      kind = OpKind::Or;
    else if (kind == OpKind::Mul)
      kind = OpKind::And;
  }
  Shape shape = operandShape(r, a, b);
  Value x = operandValue(r, a, type, shape);
  Value y = operandValue(r, b, type, shape);
  if (!(alpha.isIntegral(true) && alpha.toLong() == 1) && type != kBool)
    y = r.binary(OpKind::Mul, y, r.splat(alpha, type, shape));
  return r.binary(kind, x, y);
}

Value comparison(Recorder &r, int direction, const Operand &a,
                 const Operand &b) {
  ScalarType type = r.resultType({a, b});
  Shape shape = operandShape(r, a, b);
  return r.compare(direction, operandValue(r, a, type, shape),
                   operandValue(r, b, type, shape));
}

Tensor compareOp(const char *name, int direction, const Tensor &self,
                 const Operand &other, Loc loc) {
  Recorder r(name, loc);
  return r.result(comparison(r, direction, self, other), {&self, other.tensor});
}

void checkNotBool(const Recorder &r, const Tensor &self,
                  std::string_view what) {
  if (r.dtype(self) == kBool)
    r.fail("{} is not supported for bool tensors", what);
}

Value clampValue(Recorder &r, const Tensor &self,
                 const std::optional<Scalar> &min,
                 const std::optional<Scalar> &max) {
  if (!min && !max)
    r.fail("at least one of 'min' or 'max' must not be None");
  checkNotBool(r, self, "clamp");
  ScalarType type = min && max ? r.resultType({self, *min, *max})
                    : min      ? r.resultType({self, *min})
                               : r.resultType({self, *max});
  const Shape &shape = r.shape(self);
  Value x = r.cast(r.value(self), type);
  if (min)
    x = r.binary(OpKind::Max, x, r.splat(*min, type, shape));
  if (max)
    x = r.binary(OpKind::Min, x, r.splat(*max, type, shape));
  return x;
}

/// Integer powers by repeated squaring: exact, as PyTorch's integer pow.
Value integerPower(Recorder &r, const Value &base, int64_t exponent) {
  const Shape &shape = base.type().shape;
  ScalarType type = detail::toScalarType(base.type().element);
  Value result = r.splat(1, type, shape);
  Value square = base;
  for (bool first = true; exponent > 0; exponent >>= 1, first = false) {
    if (!first)
      square = r.binary(OpKind::Mul, square, square);
    if (exponent & 1)
      result = r.binary(OpKind::Mul, result, square);
  }
  return result;
}

/// `self` with `fill` (of self's type and shape) where `mask` is true.
Value maskedFill(Recorder &r, const Tensor &self, const Tensor &mask,
                 const Value &fill) {
  if (r.dtype(mask) != kBool)
    r.fail("only boolean masks are supported, but got a mask of dtype {}",
           toString(r.dtype(mask)));
  const Shape &shape = r.shape(self);
  int64_t badDim = 0;
  std::optional<Shape> joined =
      detail::broadcastShapes(shape, r.shape(mask), badDim);
  if (!joined || *joined != shape)
    r.fail("mask of shape {} cannot be broadcast to self of shape {}",
           detail::formatShape(r.shape(mask)), detail::formatShape(shape));
  return r.select(r.operand(mask, kBool, shape), fill, r.value(self));
}

Value maskedFill(Recorder &r, const Tensor &self, const Tensor &mask,
                 const Scalar &value) {
  ScalarType type = r.dtype(self);
  if (value.isFloatingPoint() && !isFloatingType(type) && type != kBool)
    r.fail(
        "value {} cannot be converted to type {} without losing its fraction",
        value.toDouble(), toString(type));
  return maskedFill(r, self, mask, r.splat(value, type, r.shape(self)));
}

} // namespace

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

Tensor neg(const Tensor &self, Loc loc) {
  Recorder r("neg", loc);
  if (r.dtype(self) == kBool)
    r.fail("negation, the `-` operator, on a bool tensor is not supported; to "
           "invert a mask, use logical_not()");
  return r.result(r.unary(OpKind::Neg, r.value(self)), {&self});
}

Tensor abs(const Tensor &self, Loc loc) {
  Recorder r("abs", loc);
  checkNotBool(r, self, "abs");
  return r.result(r.unary(OpKind::Abs, r.value(self)), {&self});
}

Tensor relu(const Tensor &self, Loc loc) {
  Recorder r("relu", loc);
  checkNotBool(r, self, "relu");
  return r.result(r.unary(OpKind::Relu, r.value(self)), {&self});
}

Tensor sign(const Tensor &self, Loc loc) {
  Recorder r("sign", loc);
  if (r.dtype(self) == kBool)
    return r.result(r.value(self), {&self});
  return r.result(r.unary(OpKind::Sign, r.value(self)), {&self});
}

Tensor square(const Tensor &self, Loc loc) {
  Recorder r("square", loc);
  checkNotBool(r, self, "square");
  const Value &x = r.value(self);
  return r.result(r.binary(OpKind::Mul, x, x), {&self});
}

Tensor logical_not(const Tensor &self, Loc loc) {
  Recorder r("logical_not", loc);
  const Value &x = r.value(self);
  if (r.dtype(self) == kBool)
    return r.result(r.unary(OpKind::Not, x), {&self});
  return r.result(r.compare(0, x, r.splat(0, r.dtype(self), r.shape(self))),
                  {&self});
}

Tensor exp(const Tensor &self, Loc loc) {
  return floatUnaryOp("exp", OpKind::Exp, self, loc);
}
Tensor log(const Tensor &self, Loc loc) {
  return floatUnaryOp("log", OpKind::Log, self, loc);
}
Tensor log1p(const Tensor &self, Loc loc) {
  return floatUnaryOp("log1p", OpKind::Log1p, self, loc);
}
Tensor sqrt(const Tensor &self, Loc loc) {
  return floatUnaryOp("sqrt", OpKind::Sqrt, self, loc);
}
Tensor rsqrt(const Tensor &self, Loc loc) {
  return floatUnaryOp("rsqrt", OpKind::Rsqrt, self, loc);
}
Tensor sigmoid(const Tensor &self, Loc loc) {
  return floatUnaryOp("sigmoid", OpKind::Sigmoid, self, loc);
}
Tensor tanh(const Tensor &self, Loc loc) {
  return floatUnaryOp("tanh", OpKind::Tanh, self, loc);
}
Tensor erf(const Tensor &self, Loc loc) {
  return floatUnaryOp("erf", OpKind::Erf, self, loc);
}

Tensor gelu(const Tensor &self, std::string_view approximate, Loc loc) {
  Recorder r("gelu", loc);
  if (approximate != "none" && approximate != "tanh")
    r.fail("approximate argument must be either none or tanh, got \"{}\"",
           approximate);
  ScalarType type = r.dtype(self);
  if (!isFloatingType(type))
    r.fail("expected a floating-point tensor, got {}", toString(type));
  const Shape &shape = r.shape(self);
  const Value &x = r.value(self);
  auto c = [&](double v) { return r.splat(v, type, shape); };
  Value inner;
  if (approximate == "none") {
    // x * (1 + erf(x / sqrt(2))) / 2
    inner = r.unary(OpKind::Erf, r.binary(OpKind::Mul, x, c(M_SQRT1_2)));
  } else {
    // x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3))) / 2
    Value cube = r.binary(OpKind::Mul, r.binary(OpKind::Mul, x, x), x);
    Value poly =
        r.binary(OpKind::Add, x, r.binary(OpKind::Mul, cube, c(0.044715)));
    inner = r.unary(OpKind::Tanh,
                    r.binary(OpKind::Mul, poly, c(std::sqrt(2.0 / M_PI))));
  }
  Value half = r.binary(OpKind::Mul, x, c(0.5));
  return r.result(
      r.binary(OpKind::Mul, half, r.binary(OpKind::Add, inner, c(1.0))),
      {&self});
}

Tensor pow(const Tensor &self, const Scalar &exponent, Loc loc) {
  Recorder r("pow", loc);
  ScalarType type = r.resultType({self, exponent});
  const Shape &shape = r.shape(self);
  Value base = r.cast(r.value(self), type);
  if (isFloatingType(type))
    return r.result(r.binary(OpKind::Pow, base, r.splat(exponent, type, shape)),
                    {&self});
  if (exponent.toLong() < 0)
    r.fail("integers to negative integer powers are not allowed");
  return r.result(integerPower(r, base, exponent.toLong()), {&self});
}

Tensor pow(const Tensor &self, const Tensor &exponent, Loc loc) {
  Recorder r("pow", loc);
  ScalarType type = r.resultType({self, exponent});
  if (!isFloatingType(type))
    r.fail("integer tensors raised to integer tensor powers are not supported; "
           "convert to a floating type first");
  Shape shape = r.broadcastShape({&self, &exponent});
  return r.result(r.binary(OpKind::Pow, r.operand(self, type, shape),
                           r.operand(exponent, type, shape)),
                  {&self, &exponent});
}

Tensor pow(const Scalar &self, const Tensor &exponent, Loc loc) {
  Recorder r("pow", loc);
  ScalarType type = r.resultType({self, exponent});
  if (!isFloatingType(type))
    r.fail("integer bases raised to integer tensor powers are not supported; "
           "convert to a floating type first");
  const Shape &shape = r.shape(exponent);
  return r.result(r.binary(OpKind::Pow, r.splat(self, type, shape),
                           r.cast(r.value(exponent), type)),
                  {&exponent});
}

Tensor clamp(const Tensor &self, std::optional<Scalar> min,
             std::optional<Scalar> max, Loc loc) {
  Recorder r("clamp", loc);
  return r.result(clampValue(r, self, min, max), {&self});
}

Tensor clamp(const Tensor &self, const std::optional<Tensor> &min,
             const std::optional<Tensor> &max, Loc loc) {
  Recorder r("clamp", loc);
  if (!min && !max)
    r.fail("at least one of 'min' or 'max' must not be None");
  checkNotBool(r, self, "clamp");
  const Tensor *lo = min ? &*min : nullptr;
  const Tensor *hi = max ? &*max : nullptr;
  ScalarType type = r.dtype(self);
  if (lo)
    type = r.resultType({self, *lo});
  if (hi)
    type = detail::promoteTypes(type, r.resultType({self, *hi}));
  Shape shape = r.broadcastShape({&self, lo, hi});
  Value x = r.operand(self, type, shape);
  if (lo)
    x = r.binary(OpKind::Max, x, r.operand(*lo, type, shape));
  if (hi)
    x = r.binary(OpKind::Min, x, r.operand(*hi, type, shape));
  return r.result(x, {&self, lo, hi});
}

Tensor clamp_min(const Tensor &self, const Scalar &min, Loc loc) {
  Recorder r("clamp_min", loc);
  return r.result(clampValue(r, self, min, std::nullopt), {&self});
}

Tensor clamp_max(const Tensor &self, const Scalar &max, Loc loc) {
  Recorder r("clamp_max", loc);
  return r.result(clampValue(r, self, std::nullopt, max), {&self});
}

//===----------------------------------------------------------------------===//
// Binary
//===----------------------------------------------------------------------===//

Tensor add(const Tensor &self, const Tensor &other, const Scalar &alpha,
           Loc loc) {
  Recorder r("add", loc);
  return r.result(arithmetic(r, OpKind::Add, self, other, alpha),
                  {&self, &other});
}
Tensor add(const Tensor &self, const Scalar &other, const Scalar &alpha,
           Loc loc) {
  Recorder r("add", loc);
  return r.result(arithmetic(r, OpKind::Add, self, other, alpha), {&self});
}
Tensor sub(const Tensor &self, const Tensor &other, const Scalar &alpha,
           Loc loc) {
  Recorder r("sub", loc);
  return r.result(arithmetic(r, OpKind::Sub, self, other, alpha),
                  {&self, &other});
}
Tensor sub(const Tensor &self, const Scalar &other, const Scalar &alpha,
           Loc loc) {
  Recorder r("sub", loc);
  return r.result(arithmetic(r, OpKind::Sub, self, other, alpha), {&self});
}
Tensor mul(const Tensor &self, const Tensor &other, Loc loc) {
  Recorder r("mul", loc);
  return r.result(arithmetic(r, OpKind::Mul, self, other), {&self, &other});
}
Tensor mul(const Tensor &self, const Scalar &other, Loc loc) {
  Recorder r("mul", loc);
  return r.result(arithmetic(r, OpKind::Mul, self, other), {&self});
}
Tensor div(const Tensor &self, const Tensor &other, Loc loc) {
  Recorder r("div", loc);
  return r.result(arithmetic(r, OpKind::Div, self, other), {&self, &other});
}
Tensor div(const Tensor &self, const Scalar &other, Loc loc) {
  Recorder r("div", loc);
  return r.result(arithmetic(r, OpKind::Div, self, other), {&self});
}

Tensor maximum(const Tensor &self, const Tensor &other, Loc loc) {
  Recorder r("maximum", loc);
  return r.result(arithmetic(r, OpKind::Max, self, other), {&self, &other});
}
Tensor minimum(const Tensor &self, const Tensor &other, Loc loc) {
  Recorder r("minimum", loc);
  return r.result(arithmetic(r, OpKind::Min, self, other), {&self, &other});
}

Tensor eq(const Tensor &self, const Tensor &other, Loc loc) {
  return compareOp("eq", 0, self, other, loc);
}
Tensor eq(const Tensor &self, const Scalar &other, Loc loc) {
  return compareOp("eq", 0, self, other, loc);
}
Tensor ne(const Tensor &self, const Tensor &other, Loc loc) {
  return compareOp("ne", 1, self, other, loc);
}
Tensor ne(const Tensor &self, const Scalar &other, Loc loc) {
  return compareOp("ne", 1, self, other, loc);
}
Tensor lt(const Tensor &self, const Tensor &other, Loc loc) {
  return compareOp("lt", 2, self, other, loc);
}
Tensor lt(const Tensor &self, const Scalar &other, Loc loc) {
  return compareOp("lt", 2, self, other, loc);
}
Tensor le(const Tensor &self, const Tensor &other, Loc loc) {
  return compareOp("le", 3, self, other, loc);
}
Tensor le(const Tensor &self, const Scalar &other, Loc loc) {
  return compareOp("le", 3, self, other, loc);
}
Tensor gt(const Tensor &self, const Tensor &other, Loc loc) {
  return compareOp("gt", 4, self, other, loc);
}
Tensor gt(const Tensor &self, const Scalar &other, Loc loc) {
  return compareOp("gt", 4, self, other, loc);
}
Tensor ge(const Tensor &self, const Tensor &other, Loc loc) {
  return compareOp("ge", 5, self, other, loc);
}
Tensor ge(const Tensor &self, const Scalar &other, Loc loc) {
  return compareOp("ge", 5, self, other, loc);
}

//===----------------------------------------------------------------------===//
// where and masked_fill
//===----------------------------------------------------------------------===//

namespace {
Tensor whereOp(const Tensor &condition, const Operand &a, const Operand &b,
               Loc loc) {
  Recorder r("where", loc);
  if (r.dtype(condition) != kBool)
    r.fail("expected condition to be a boolean tensor, but got a tensor with "
           "dtype {}",
           toString(r.dtype(condition)));
  ScalarType type = r.resultType({a, b});
  Shape shape = r.broadcastShape({&condition, a.tensor, b.tensor});
  Value value = r.select(r.operand(condition, kBool, shape),
                         operandValue(r, a, type, shape),
                         operandValue(r, b, type, shape));
  return r.result(value, {&condition, a.tensor, b.tensor});
}
} // namespace

Tensor where(const Tensor &condition, const Tensor &self, const Tensor &other,
             Loc loc) {
  return whereOp(condition, self, other, loc);
}
Tensor where(const Tensor &condition, const Scalar &self, const Tensor &other,
             Loc loc) {
  return whereOp(condition, self, other, loc);
}
Tensor where(const Tensor &condition, const Tensor &self, const Scalar &other,
             Loc loc) {
  return whereOp(condition, self, other, loc);
}
Tensor where(const Tensor &condition, const Scalar &self, const Scalar &other,
             Loc loc) {
  return whereOp(condition, self, other, loc);
}

Tensor masked_fill(const Tensor &self, const Tensor &mask, const Scalar &value,
                   Loc loc) {
  Recorder r("masked_fill", loc);
  return r.result(maskedFill(r, self, mask, value), {&self, &mask});
}

//===----------------------------------------------------------------------===//
// Methods
//===----------------------------------------------------------------------===//

Tensor Tensor::neg(Loc loc) const { return dlc::neg(*this, loc); }
Tensor Tensor::abs(Loc loc) const { return dlc::abs(*this, loc); }
Tensor Tensor::exp(Loc loc) const { return dlc::exp(*this, loc); }
Tensor Tensor::log(Loc loc) const { return dlc::log(*this, loc); }
Tensor Tensor::log1p(Loc loc) const { return dlc::log1p(*this, loc); }
Tensor Tensor::sqrt(Loc loc) const { return dlc::sqrt(*this, loc); }
Tensor Tensor::rsqrt(Loc loc) const { return dlc::rsqrt(*this, loc); }
Tensor Tensor::square(Loc loc) const { return dlc::square(*this, loc); }
Tensor Tensor::relu(Loc loc) const { return dlc::relu(*this, loc); }
Tensor Tensor::sigmoid(Loc loc) const { return dlc::sigmoid(*this, loc); }
Tensor Tensor::tanh(Loc loc) const { return dlc::tanh(*this, loc); }
Tensor Tensor::sign(Loc loc) const { return dlc::sign(*this, loc); }
Tensor Tensor::erf(Loc loc) const { return dlc::erf(*this, loc); }
Tensor Tensor::logical_not(Loc loc) const {
  return dlc::logical_not(*this, loc);
}
Tensor Tensor::pow(const Tensor &exponent, Loc loc) const {
  return dlc::pow(*this, exponent, loc);
}
Tensor Tensor::pow(const Scalar &exponent, Loc loc) const {
  return dlc::pow(*this, exponent, loc);
}
Tensor Tensor::clamp(std::optional<Scalar> min, std::optional<Scalar> max,
                     Loc loc) const {
  return dlc::clamp(*this, min, max, loc);
}
Tensor Tensor::clamp_min(const Scalar &min, Loc loc) const {
  return dlc::clamp_min(*this, min, loc);
}
Tensor Tensor::clamp_max(const Scalar &max, Loc loc) const {
  return dlc::clamp_max(*this, max, loc);
}
Tensor Tensor::add(const Tensor &other, const Scalar &alpha, Loc loc) const {
  return dlc::add(*this, other, alpha, loc);
}
Tensor Tensor::add(const Scalar &other, const Scalar &alpha, Loc loc) const {
  return dlc::add(*this, other, alpha, loc);
}
Tensor Tensor::sub(const Tensor &other, const Scalar &alpha, Loc loc) const {
  return dlc::sub(*this, other, alpha, loc);
}
Tensor Tensor::sub(const Scalar &other, const Scalar &alpha, Loc loc) const {
  return dlc::sub(*this, other, alpha, loc);
}
Tensor Tensor::mul(const Tensor &other, Loc loc) const {
  return dlc::mul(*this, other, loc);
}
Tensor Tensor::mul(const Scalar &other, Loc loc) const {
  return dlc::mul(*this, other, loc);
}
Tensor Tensor::div(const Tensor &other, Loc loc) const {
  return dlc::div(*this, other, loc);
}
Tensor Tensor::div(const Scalar &other, Loc loc) const {
  return dlc::div(*this, other, loc);
}
Tensor Tensor::maximum(const Tensor &other, Loc loc) const {
  return dlc::maximum(*this, other, loc);
}
Tensor Tensor::minimum(const Tensor &other, Loc loc) const {
  return dlc::minimum(*this, other, loc);
}
Tensor Tensor::eq(const Tensor &other, Loc loc) const {
  return dlc::eq(*this, other, loc);
}
Tensor Tensor::eq(const Scalar &other, Loc loc) const {
  return dlc::eq(*this, other, loc);
}
Tensor Tensor::ne(const Tensor &other, Loc loc) const {
  return dlc::ne(*this, other, loc);
}
Tensor Tensor::ne(const Scalar &other, Loc loc) const {
  return dlc::ne(*this, other, loc);
}
Tensor Tensor::lt(const Tensor &other, Loc loc) const {
  return dlc::lt(*this, other, loc);
}
Tensor Tensor::lt(const Scalar &other, Loc loc) const {
  return dlc::lt(*this, other, loc);
}
Tensor Tensor::le(const Tensor &other, Loc loc) const {
  return dlc::le(*this, other, loc);
}
Tensor Tensor::le(const Scalar &other, Loc loc) const {
  return dlc::le(*this, other, loc);
}
Tensor Tensor::gt(const Tensor &other, Loc loc) const {
  return dlc::gt(*this, other, loc);
}
Tensor Tensor::gt(const Scalar &other, Loc loc) const {
  return dlc::gt(*this, other, loc);
}
Tensor Tensor::ge(const Tensor &other, Loc loc) const {
  return dlc::ge(*this, other, loc);
}
Tensor Tensor::ge(const Scalar &other, Loc loc) const {
  return dlc::ge(*this, other, loc);
}
Tensor Tensor::masked_fill(const Tensor &mask, const Scalar &value,
                           Loc loc) const {
  return dlc::masked_fill(*this, mask, value, loc);
}
Tensor Tensor::masked_fill(const Tensor &mask, const Tensor &value,
                           Loc loc) const {
  Recorder r("masked_fill", loc);
  if (!r.shape(value).empty())
    r.fail(
        "only supports a 0-dimensional value tensor, but got a tensor with {} "
        "dimension(s)",
        r.shape(value).size());
  Value fill = r.operand(value, r.dtype(*this), r.shape(*this));
  return r.result(maskedFill(r, *this, mask, fill), {this, &mask, &value});
}
Tensor Tensor::where(const Tensor &condition, const Tensor &other,
                     Loc loc) const {
  return dlc::where(condition, *this, other, loc);
}

//===----------------------------------------------------------------------===//
// In place
//===----------------------------------------------------------------------===//

namespace {

/// Checks that an in-place result of `shape` fits self.
void checkInPlaceShape(const Recorder &r, const Tensor &self,
                       const Shape &shape) {
  if (shape != r.shape(self))
    r.fail("output with shape {} doesn't match the broadcast shape {}",
           detail::formatShape(r.shape(self)), detail::formatShape(shape));
}

Tensor &arithmeticInPlace(const char *name, OpKind kind, Tensor &self,
                          const Operand &other, const Scalar &alpha, Loc loc) {
  Recorder r(name, loc);
  r.checkInPlace(self, r.dtype(self));
  Value value = arithmetic(r, kind, self, other, alpha);
  checkInPlaceShape(r, self, value.type().shape);
  return r.assign(self, value, {&self, other.tensor});
}

} // namespace

Tensor &Tensor::add_(const Tensor &other, const Scalar &alpha, Loc loc) {
  return arithmeticInPlace("add_", OpKind::Add, *this, other, alpha, loc);
}
Tensor &Tensor::add_(const Scalar &other, const Scalar &alpha, Loc loc) {
  return arithmeticInPlace("add_", OpKind::Add, *this, other, alpha, loc);
}
Tensor &Tensor::sub_(const Tensor &other, const Scalar &alpha, Loc loc) {
  return arithmeticInPlace("sub_", OpKind::Sub, *this, other, alpha, loc);
}
Tensor &Tensor::sub_(const Scalar &other, const Scalar &alpha, Loc loc) {
  return arithmeticInPlace("sub_", OpKind::Sub, *this, other, alpha, loc);
}
Tensor &Tensor::mul_(const Tensor &other, Loc loc) {
  return arithmeticInPlace("mul_", OpKind::Mul, *this, other, 1, loc);
}
Tensor &Tensor::mul_(const Scalar &other, Loc loc) {
  return arithmeticInPlace("mul_", OpKind::Mul, *this, other, 1, loc);
}
Tensor &Tensor::div_(const Tensor &other, Loc loc) {
  return arithmeticInPlace("div_", OpKind::Div, *this, other, 1, loc);
}
Tensor &Tensor::div_(const Scalar &other, Loc loc) {
  return arithmeticInPlace("div_", OpKind::Div, *this, other, 1, loc);
}

Tensor &Tensor::fill_(const Scalar &value, Loc loc) {
  Recorder r("fill_", loc);
  r.checkInPlace(*this, r.dtype(*this));
  return r.assign(*this, r.splat(value, r.dtype(*this), r.shape(*this)),
                  {this});
}

Tensor &Tensor::zero_(Loc loc) {
  Recorder r("zero_", loc);
  r.checkInPlace(*this, r.dtype(*this));
  return r.assign(*this, r.splat(0, r.dtype(*this), r.shape(*this)), {this});
}

Tensor &Tensor::copy_(const Tensor &src, Loc loc) {
  Recorder r("copy_", loc);
  r.checkInPlace(*this, r.dtype(*this));
  Shape shape = r.broadcastShape({this, &src});
  checkInPlaceShape(r, *this, shape);
  // copy_ converts to self's type whatever the source type.
  return r.assign(*this, r.operand(src, r.dtype(*this), shape), {this, &src});
}

Tensor &Tensor::clamp_(std::optional<Scalar> min, std::optional<Scalar> max,
                       Loc loc) {
  Recorder r("clamp_", loc);
  r.checkInPlace(*this, r.dtype(*this));
  return r.assign(*this, clampValue(r, *this, min, max), {this});
}

Tensor &Tensor::masked_fill_(const Tensor &mask, const Scalar &value, Loc loc) {
  Recorder r("masked_fill_", loc);
  r.checkInPlace(*this, r.dtype(*this));
  return r.assign(*this, maskedFill(r, *this, mask, value), {this, &mask});
}

} // namespace dlc
