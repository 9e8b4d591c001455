//===- Creation.cpp - tensor, zeros, arange, rand, from_blob, ... ---------===//

#include "frontend/Functions.h"
#include "frontend/detail/Recorder.h"

#include <cmath>
#include <cstring>

namespace dlc {

using detail::Recorder;
using detail::Shape;
using detail::Value;

namespace {

Shape checkedShape(const Recorder &r, IntArrayRef size) {
  for (int64_t s : size)
    if (s < 0)
      r.fail("trying to create tensor with negative dimension {}: {}", s,
             detail::formatShape(size));
  return size.vec();
}

/// Applies requires_grad and checks the device of `options` on a new leaf.
Tensor makeLeaf(Recorder &r, const Value &value, const TensorOptions &options) {
  Tensor tensor;
  if (options.device().is_cuda()) {
    // Values the host already holds are copied over; recorded ones (fills,
    // random draws) are computed on the device.
    Device device = detail::checkedDevice(r, options.device());
    if (rt::BufferPtr data = detail::bufferIfRealized(value))
      tensor = r.wrap(
          detail::makeData(detail::copyBuffer(data, device), value.type()),
          /*grad=*/false, device);
    else
      tensor = r.wrap(value, /*grad=*/false, device);
  } else {
    tensor = r.result(value, {});
  }
  if (options.requires_grad())
    tensor.requires_grad_(true, r.location());
  return tensor;
}

template <typename T>
void store(void *data, int64_t i, const Scalar &value) {
  static_cast<T *>(data)[i] = value.to<T>();
}

} // namespace

Tensor tensor(const detail::TensorData &data, const TensorOptions &options,
              Loc loc) {
  Recorder r("tensor", loc);
  if (data.isRagged())
    r.fail("nested lists of different lengths cannot form a tensor");
  ScalarType type = options.has_dtype() ? options.dtype() : data.type();
  std::vector<Scalar> values;
  data.flatten(values);
  size_t es = elementSize(type);
  rt::BufferPtr buffer = rt::Buffer::allocate(values.size() * es);
  for (size_t i = 0; i < values.size(); ++i) {
    switch (type) {
    case ScalarType::Bool:
      static_cast<uint8_t *>(buffer->data())[i] = values[i].toBool();
      break;
    case ScalarType::Int:
      store<int32_t>(buffer->data(), i, values[i]);
      break;
    case ScalarType::Long:
      store<int64_t>(buffer->data(), i, values[i]);
      break;
    case ScalarType::Float:
      store<float>(buffer->data(), i, values[i]);
      break;
    case ScalarType::Double:
      store<double>(buffer->data(), i, values[i]);
      break;
    }
  }
  Value value =
      detail::makeData(std::move(buffer), detail::makeType(type, data.shape()));
  return makeLeaf(r, value, options);
}

Tensor full(IntArrayRef size, const Scalar &value, const TensorOptions &options,
            Loc loc) {
  Recorder r("full", loc);
  ScalarType type = options.has_dtype() ? options.dtype() : value.type();
  return makeLeaf(r, r.splat(value, type, checkedShape(r, size)), options);
}

Tensor zeros(IntArrayRef size, const TensorOptions &options, Loc loc) {
  Recorder r("zeros", loc);
  return makeLeaf(r, r.splat(0, options.dtype(), checkedShape(r, size)),
                  options);
}

Tensor ones(IntArrayRef size, const TensorOptions &options, Loc loc) {
  Recorder r("ones", loc);
  return makeLeaf(r, r.splat(1, options.dtype(), checkedShape(r, size)),
                  options);
}

Tensor empty(IntArrayRef size, const TensorOptions &options, Loc loc) {
  Recorder r("empty", loc);
  return makeLeaf(r, r.splat(0, options.dtype(), checkedShape(r, size)),
                  options);
}

Tensor arange(const Scalar &end, const TensorOptions &options, Loc loc) {
  return arange(0, end, 1, options, loc);
}

Tensor arange(const Scalar &start, const Scalar &end,
              const TensorOptions &options, Loc loc) {
  return arange(start, end, 1, options, loc);
}

Tensor arange(const Scalar &start, const Scalar &end, const Scalar &step,
              const TensorOptions &options, Loc loc) {
  Recorder r("arange", loc);
  bool anyFloat = start.isFloatingPoint() || end.isFloatingPoint() ||
                  step.isFloatingPoint();
  ScalarType type =
      options.has_dtype() ? options.dtype() : (anyFloat ? kFloat : kLong);
  double lo = start.toDouble(), hi = end.toDouble(), delta = step.toDouble();
  if (delta == 0 || !std::isfinite(lo) || !std::isfinite(hi) ||
      !std::isfinite(delta))
    r.fail("step must be nonzero and the bounds finite, got start={}, end={}, "
           "step={}",
           lo, hi, delta);
  if ((delta > 0 && hi < lo) || (delta < 0 && hi > lo))
    r.fail("upper bound and larger bound inconsistent with step sign");
  auto count = static_cast<int64_t>(std::ceil((hi - lo) / delta));
  Shape shape{count};
  Value values;
  if (!anyFloat) {
    // Exact in integers: start + i * step.
    Value i = r.iota(kLong, shape, 0);
    values =
        r.binary(detail::OpKind::Add,
                 r.binary(detail::OpKind::Mul, i, r.splat(step, kLong, shape)),
                 r.splat(start, kLong, shape));
  } else {
    Value i = r.iota(kDouble, shape, 0);
    values = r.binary(
        detail::OpKind::Add,
        r.binary(detail::OpKind::Mul, i, r.splat(delta, kDouble, shape)),
        r.splat(lo, kDouble, shape));
  }
  return makeLeaf(r, r.cast(values, type), options);
}

Tensor rand(IntArrayRef size, const TensorOptions &options, Loc loc) {
  Recorder r("rand", loc);
  if (!isFloatingType(options.dtype()))
    r.fail("rand needs a floating-point dtype, got {}",
           toString(options.dtype()));
  return makeLeaf(r, r.random(0, options.dtype(), checkedShape(r, size)),
                  options);
}

Tensor randn(IntArrayRef size, const TensorOptions &options, Loc loc) {
  Recorder r("randn", loc);
  if (!isFloatingType(options.dtype()))
    r.fail("randn needs a floating-point dtype, got {}",
           toString(options.dtype()));
  return makeLeaf(r, r.random(1, options.dtype(), checkedShape(r, size)),
                  options);
}

Tensor randint(int64_t high, IntArrayRef size, const TensorOptions &options,
               Loc loc) {
  return randint(0, high, size, options, loc);
}

Tensor randint(int64_t low, int64_t high, IntArrayRef size,
               const TensorOptions &options, Loc loc) {
  Recorder r("randint", loc);
  if (low >= high)
    r.fail(
        "random_ expects 'from' to be less than 'to', but got from={} >= to={}",
        low, high);
  ScalarType type = options.has_dtype() ? options.dtype() : kLong;
  Shape shape = checkedShape(r, size);
  // floor(u * (high - low)) + low, with u uniform in [0, 1) in f64; the
  // product is non-negative, so the truncating cast is the floor.
  int64_t range = high - low;
  Value u = r.random(0, kDouble, shape);
  Value scaled = r.binary(detail::OpKind::Mul, u,
                          r.splat(static_cast<double>(range), kDouble, shape));
  Value offset = r.binary(detail::OpKind::Min, r.cast(scaled, kLong),
                          r.splat(range - 1, kLong, shape));
  Value values =
      r.binary(detail::OpKind::Add, offset, r.splat(low, kLong, shape));
  return makeLeaf(r, r.cast(values, type), options);
}

Tensor eye(int64_t n, const TensorOptions &options, Loc loc) {
  return eye(n, n, options, loc);
}

Tensor eye(int64_t n, int64_t m, const TensorOptions &options, Loc loc) {
  Recorder r("eye", loc);
  if (n < 0 || m < 0)
    r.fail("n and m must be non-negative, got n={}, m={}", n, m);
  Shape shape{n, m};
  Value diagonal =
      r.compare(0, r.iota(kLong, shape, 0), r.iota(kLong, shape, 1));
  return makeLeaf(r, r.cast(diagonal, options.dtype()), options);
}

namespace {
TensorOptions likeOptions(const Tensor &self, const TensorOptions &options) {
  TensorOptions merged = options;
  if (!options.has_dtype())
    merged = merged.dtype(self.scalar_type());
  if (!options.has_device())
    merged = merged.device(self.device());
  return merged;
}
} // namespace

Tensor zeros_like(const Tensor &self, const TensorOptions &options, Loc loc) {
  Recorder("zeros_like", loc).impl(self);
  return zeros(self.sizes(), likeOptions(self, options), loc);
}

Tensor ones_like(const Tensor &self, const TensorOptions &options, Loc loc) {
  Recorder("ones_like", loc).impl(self);
  return ones(self.sizes(), likeOptions(self, options), loc);
}

Tensor full_like(const Tensor &self, const Scalar &value,
                 const TensorOptions &options, Loc loc) {
  Recorder("full_like", loc).impl(self);
  return full(self.sizes(), value, likeOptions(self, options), loc);
}

Tensor rand_like(const Tensor &self, const TensorOptions &options, Loc loc) {
  Recorder("rand_like", loc).impl(self);
  return rand(self.sizes(), likeOptions(self, options), loc);
}

Tensor randn_like(const Tensor &self, const TensorOptions &options, Loc loc) {
  Recorder("randn_like", loc).impl(self);
  return randn(self.sizes(), likeOptions(self, options), loc);
}

Tensor from_blob(void *data, IntArrayRef sizes, const TensorOptions &options,
                 Loc loc) {
  return from_blob(data, sizes, std::function<void(void *)>(), options, loc);
}

Tensor from_blob(void *data, IntArrayRef sizes,
                 const std::function<void(void *)> &deleter,
                 const TensorOptions &options, Loc loc) {
  Recorder r("from_blob", loc);
  Shape shape = checkedShape(r, sizes);
  int64_t numel = 1;
  for (int64_t s : shape)
    numel *= s;
  if (!data && numel > 0)
    r.fail("data is a null pointer for {} elements", numel);
  ScalarType type = options.dtype();
  rt::BufferPtr buffer =
      rt::Buffer::borrow(data, numel * elementSize(type), deleter);
  Tensor tensor = makeLeaf(
      r, detail::makeData(buffer, detail::makeType(type, shape)), options);
  tensor.unsafeGetImpl()->lendMemory(std::move(buffer));
  return tensor;
}

} // namespace dlc
