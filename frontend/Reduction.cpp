//===- Reduction.cpp - sum, mean, max, argmax, softmax, logsumexp, ... ----===//

#include "frontend/Functions.h"
#include "frontend/detail/Recorder.h"

#include <limits>

namespace dlc {

using detail::OpKind;
using detail::Recorder;
using detail::Shape;
using detail::Value;

namespace {

/// The shape of `shape` reduced over `dims`.
Shape reducedShape(const Shape &shape, const Shape &dims, bool keepdim) {
  Shape out;
  for (size_t d = 0; d < shape.size(); ++d) {
    bool reduced =
        std::find(dims.begin(), dims.end(), int64_t(d)) != dims.end();
    if (!reduced)
      out.push_back(shape[d]);
    else if (keepdim)
      out.push_back(1);
  }
  return out;
}

Shape identityDims(size_t rank) {
  Shape dims(rank);
  for (size_t d = 0; d < rank; ++d)
    dims[d] = static_cast<int64_t>(d);
  return dims;
}

Value sumValue(Recorder &r, const Tensor &self, IntArrayRef dim, bool keepdim,
               std::optional<ScalarType> dtype) {
  ScalarType type = r.dtype(self);
  ScalarType resultType =
      dtype ? *dtype : (isFloatingType(type) ? type : kLong);
  Shape dims = r.wrapDims(dim, static_cast<int64_t>(r.shape(self).size()));
  return r.reduce(OpKind::ReduceSum, r.cast(r.value(self), resultType), dims,
                  keepdim);
}

Value meanValue(Recorder &r, const Tensor &self, IntArrayRef dim, bool keepdim,
                std::optional<ScalarType> dtype) {
  ScalarType type = dtype ? *dtype : r.dtype(self);
  if (!isFloatingType(type))
    r.fail("could not infer output dtype: input dtype must be a floating point "
           "type, got {}",
           toString(type));
  const Shape &shape = r.shape(self);
  Shape dims = r.wrapDims(dim, static_cast<int64_t>(shape.size()));
  int64_t count = 1;
  for (int64_t d : dims)
    count *= shape[d];
  Value sum =
      r.reduce(OpKind::ReduceSum, r.cast(r.value(self), type), dims, keepdim);
  // 0 / 0 for an empty reduction gives NaN, as in PyTorch.
  return r.binary(OpKind::Div, sum,
                  r.splat(static_cast<double>(count), type, sum.type().shape));
}

/// Checks that no reduced dimension of `self` is empty (max/min have no
/// identity to return).
void checkNonEmpty(const Recorder &r, const Tensor &self, const Shape &dims) {
  const Shape &shape = r.shape(self);
  for (int64_t d : dims)
    if (shape[d] == 0)
      r.fail("expected reduction dim {} to have non-zero size", d);
}

/// The index of the first maximum (or minimum) along `dim`, keepdim, i64;
/// a NaN counts as the extreme, as in PyTorch.
Value argExtreme(Recorder &r, const Value &x, int64_t dim, bool isMax) {
  const Shape &shape = x.type().shape;
  Value extreme =
      r.reduce(isMax ? OpKind::ReduceMax : OpKind::ReduceMin, x, {dim}, true);
  Value hit = r.compare(
      0, x, r.broadcastInDim(extreme, shape, identityDims(shape.size())));
  if (x.type().element == detail::ElementType::F32 ||
      x.type().element == detail::ElementType::F64)
    hit = r.binary(OpKind::Or, hit, r.compare(1, x, x));
  Value positions = r.iota(kLong, shape, dim);
  Value candidates =
      r.select(hit, positions, r.splat(shape[dim], kLong, shape));
  return r.reduce(OpKind::ReduceMin, candidates, {dim}, true);
}

std::tuple<Tensor, Tensor> extremeAlong(const char *name, const Tensor &self,
                                        int64_t dim, bool keepdim, bool isMax,
                                        Loc loc) {
  Recorder r(name, loc);
  const Shape &shape = r.shape(self);
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t d = r.wrapDim(dim, rank);
  if (rank == 0) {
    Value zero = r.splat(0, kLong, {});
    return {r.result(r.value(self), {&self}), r.result(zero, {})};
  }
  checkNonEmpty(r, self, {d});
  const Value &x = r.value(self);
  Value values =
      r.reduce(isMax ? OpKind::ReduceMax : OpKind::ReduceMin, x, {d}, keepdim);
  Value indices = argExtreme(r, x, d, isMax);
  if (!keepdim)
    indices = r.reshape(indices, reducedShape(shape, {d}, false));
  return {r.result(values, {&self}), r.result(indices, {})};
}

Tensor extremeAll(const char *name, const Tensor &self, bool isMax, Loc loc) {
  Recorder r(name, loc);
  const Shape &shape = r.shape(self);
  int64_t numel = 1;
  for (int64_t s : shape)
    numel *= s;
  if (numel == 0)
    r.fail("expected reduction dim to be specified for input.numel() == 0");
  Shape dims = identityDims(shape.size());
  return r.result(r.reduce(isMax ? OpKind::ReduceMax : OpKind::ReduceMin,
                           r.value(self), dims, false),
                  {&self});
}

Tensor extremeDims(const char *name, const Tensor &self, IntArrayRef dim,
                   bool keepdim, bool isMax, Loc loc) {
  Recorder r(name, loc);
  Shape dims = r.wrapDims(dim, static_cast<int64_t>(r.shape(self).size()));
  checkNonEmpty(r, self, dims);
  return r.result(r.reduce(isMax ? OpKind::ReduceMax : OpKind::ReduceMin,
                           r.value(self), dims, keepdim),
                  {&self});
}

Tensor argExtremeOp(const char *name, const Tensor &self,
                    std::optional<int64_t> dim, bool keepdim, bool isMax,
                    Loc loc) {
  Recorder r(name, loc);
  const Shape &shape = r.shape(self);
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t numel = 1;
  for (int64_t s : shape)
    numel *= s;
  if (!dim) {
    if (numel == 0)
      r.fail("expected reduction dim to be specified for input.numel() == 0");
    Value flat = r.reshape(r.value(self), {numel});
    Value index = r.reshape(argExtreme(r, flat, 0, isMax), {});
    if (keepdim)
      index = r.reshape(index, Shape(shape.size(), 1));
    return r.result(index, {});
  }
  int64_t d = r.wrapDim(*dim, rank);
  if (rank == 0)
    return r.result(r.splat(0, kLong, {}), {});
  checkNonEmpty(r, self, {d});
  Value index = argExtreme(r, r.value(self), d, isMax);
  if (!keepdim)
    index = r.reshape(index, reducedShape(shape, {d}, false));
  return r.result(index, {});
}

Tensor softmaxOp(const char *name, OpKind kind, const Tensor &self, int64_t dim,
                 std::optional<ScalarType> dtype, Loc loc) {
  Recorder r(name, loc);
  ScalarType type = dtype ? *dtype : r.dtype(self);
  if (!isFloatingType(type))
    r.fail("expected a floating-point tensor, got {}; pass a floating dtype",
           toString(type));
  const Shape &shape = r.shape(self);
  int64_t d = r.wrapDim(dim, static_cast<int64_t>(shape.size()));
  Value x = r.cast(r.value(self), type);
  if (shape.empty()) {
    // A 0-d tensor is a softmax over one element.
    Value one = r.softmax(kind, r.reshape(x, {1}), 0);
    return r.result(r.reshape(one, {}), {&self});
  }
  return r.result(r.softmax(kind, x, d), {&self});
}

} // namespace

Tensor sum(const Tensor &self, std::optional<ScalarType> dtype, Loc loc) {
  Recorder r("sum", loc);
  return r.result(sumValue(r, self, {}, false, dtype), {&self});
}

Tensor sum(const Tensor &self, IntArrayRef dim, bool keepdim,
           std::optional<ScalarType> dtype, Loc loc) {
  Recorder r("sum", loc);
  return r.result(sumValue(r, self, dim, keepdim, dtype), {&self});
}

Tensor mean(const Tensor &self, std::optional<ScalarType> dtype, Loc loc) {
  Recorder r("mean", loc);
  return r.result(meanValue(r, self, {}, false, dtype), {&self});
}

Tensor mean(const Tensor &self, IntArrayRef dim, bool keepdim,
            std::optional<ScalarType> dtype, Loc loc) {
  Recorder r("mean", loc);
  return r.result(meanValue(r, self, dim, keepdim, dtype), {&self});
}

Tensor max(const Tensor &self, Loc loc) {
  return extremeAll("max", self, true, loc);
}
Tensor min(const Tensor &self, Loc loc) {
  return extremeAll("min", self, false, loc);
}

std::tuple<Tensor, Tensor> max(const Tensor &self, int64_t dim, bool keepdim,
                               Loc loc) {
  return extremeAlong("max", self, dim, keepdim, true, loc);
}
std::tuple<Tensor, Tensor> min(const Tensor &self, int64_t dim, bool keepdim,
                               Loc loc) {
  return extremeAlong("min", self, dim, keepdim, false, loc);
}

Tensor amax(const Tensor &self, IntArrayRef dim, bool keepdim, Loc loc) {
  return extremeDims("amax", self, dim, keepdim, true, loc);
}
Tensor amin(const Tensor &self, IntArrayRef dim, bool keepdim, Loc loc) {
  return extremeDims("amin", self, dim, keepdim, false, loc);
}

Tensor argmax(const Tensor &self, std::optional<int64_t> dim, bool keepdim,
              Loc loc) {
  return argExtremeOp("argmax", self, dim, keepdim, true, loc);
}
Tensor argmin(const Tensor &self, std::optional<int64_t> dim, bool keepdim,
              Loc loc) {
  return argExtremeOp("argmin", self, dim, keepdim, false, loc);
}

Tensor softmax(const Tensor &self, int64_t dim, std::optional<ScalarType> dtype,
               Loc loc) {
  return softmaxOp("softmax", OpKind::Softmax, self, dim, dtype, loc);
}

Tensor log_softmax(const Tensor &self, int64_t dim,
                   std::optional<ScalarType> dtype, Loc loc) {
  return softmaxOp("log_softmax", OpKind::LogSoftmax, self, dim, dtype, loc);
}

Tensor logsumexp(const Tensor &self, IntArrayRef dim, bool keepdim, Loc loc) {
  Recorder r("logsumexp", loc);
  ScalarType type = isFloatingType(r.dtype(self)) ? r.dtype(self) : kFloat;
  const Shape &shape = r.shape(self);
  Shape dims = r.wrapDims(dim, static_cast<int64_t>(shape.size()));
  Value x = r.cast(r.value(self), type);
  if (dims.empty())
    return r.result(x, {&self});
  // max + log(sum(exp(x - max))), with an infinite max replaced by 0 so that
  // rows of -inf give -inf rather than NaN.
  Value max = r.reduce(OpKind::ReduceMax, x, dims, true);
  const Shape &maxShape = max.type().shape;
  Value infinite = r.compare(
      0, r.unary(OpKind::Abs, max),
      r.splat(std::numeric_limits<double>::infinity(), type, maxShape));
  Value safeMax = r.select(infinite, r.splat(0, type, maxShape), max);
  Value shifted =
      r.binary(OpKind::Sub, x,
               r.broadcastInDim(safeMax, shape, identityDims(shape.size())));
  Value sum =
      r.reduce(OpKind::ReduceSum, r.unary(OpKind::Exp, shifted), dims, true);
  Value result = r.binary(OpKind::Add, r.unary(OpKind::Log, sum), safeMax);
  if (!keepdim)
    result = r.reshape(result, reducedShape(shape, dims, false));
  return r.result(result, {&self});
}

//===----------------------------------------------------------------------===//
// Methods
//===----------------------------------------------------------------------===//

Tensor Tensor::sum(std::optional<ScalarType> dtype, Loc loc) const {
  return dlc::sum(*this, dtype, loc);
}
Tensor Tensor::sum(IntArrayRef dim, bool keepdim,
                   std::optional<ScalarType> dtype, Loc loc) const {
  return dlc::sum(*this, dim, keepdim, dtype, loc);
}
Tensor Tensor::mean(std::optional<ScalarType> dtype, Loc loc) const {
  return dlc::mean(*this, dtype, loc);
}
Tensor Tensor::mean(IntArrayRef dim, bool keepdim,
                    std::optional<ScalarType> dtype, Loc loc) const {
  return dlc::mean(*this, dim, keepdim, dtype, loc);
}
Tensor Tensor::max(Loc loc) const { return dlc::max(*this, loc); }
std::tuple<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim,
                                       Loc loc) const {
  return dlc::max(*this, dim, keepdim, loc);
}
Tensor Tensor::min(Loc loc) const { return dlc::min(*this, loc); }
std::tuple<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim,
                                       Loc loc) const {
  return dlc::min(*this, dim, keepdim, loc);
}
Tensor Tensor::amax(IntArrayRef dim, bool keepdim, Loc loc) const {
  return dlc::amax(*this, dim, keepdim, loc);
}
Tensor Tensor::amin(IntArrayRef dim, bool keepdim, Loc loc) const {
  return dlc::amin(*this, dim, keepdim, loc);
}
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim, Loc loc) const {
  return dlc::argmax(*this, dim, keepdim, loc);
}
Tensor Tensor::argmin(std::optional<int64_t> dim, bool keepdim, Loc loc) const {
  return dlc::argmin(*this, dim, keepdim, loc);
}
Tensor Tensor::softmax(int64_t dim, std::optional<ScalarType> dtype,
                       Loc loc) const {
  return dlc::softmax(*this, dim, dtype, loc);
}
Tensor Tensor::log_softmax(int64_t dim, std::optional<ScalarType> dtype,
                           Loc loc) const {
  return dlc::log_softmax(*this, dim, dtype, loc);
}
Tensor Tensor::logsumexp(IntArrayRef dim, bool keepdim, Loc loc) const {
  return dlc::logsumexp(*this, dim, keepdim, loc);
}

} // namespace dlc
