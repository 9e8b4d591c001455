//===- Tensor.cpp - Properties, data out, conversions, printing -----------===//

#include "frontend/Tensor.h"
#include "frontend/Autograd.h"
#include "frontend/Functions.h"
#include "frontend/detail/Recorder.h"

#include "runtime/Format.h"

#include <cstring>
#include <ostream>

namespace dlc {

using detail::Recorder;
using detail::TensorImpl;
using detail::Value;

Tensor::Tensor() = default;
Tensor::Tensor(std::shared_ptr<detail::TensorImpl> impl)
    : impl(std::move(impl)) {}

//===----------------------------------------------------------------------===//
// Properties
//===----------------------------------------------------------------------===//

IntArrayRef Tensor::sizes(Loc loc) const {
  return Recorder("sizes", loc).impl(*this).shape;
}

int64_t Tensor::size(int64_t dim, Loc loc) const {
  Recorder r("size", loc);
  const auto &shape = r.shape(*this);
  if (shape.empty())
    r.fail("dimension specified as {} but tensor has no dimensions", dim);
  return shape[r.wrapDim(dim, static_cast<int64_t>(shape.size()))];
}

int64_t Tensor::dim(Loc loc) const {
  return static_cast<int64_t>(Recorder("dim", loc).shape(*this).size());
}

int64_t Tensor::numel(Loc loc) const {
  int64_t n = 1;
  for (int64_t size : Recorder("numel", loc).shape(*this))
    n *= size;
  return n;
}

ScalarType Tensor::scalar_type(Loc loc) const {
  return Recorder("scalar_type", loc).dtype(*this);
}

Device Tensor::device(Loc loc) const {
  return Recorder("device", loc).impl(*this).device;
}

TensorOptions Tensor::options(Loc loc) const {
  TensorImpl &i = Recorder("options", loc).impl(*this);
  return TensorOptions().dtype(i.dtype).device(i.device).requires_grad(
      i.requiresGrad);
}

bool Tensor::is_floating_point(Loc loc) const {
  return isFloatingType(scalar_type(loc));
}

size_t Tensor::element_size(Loc loc) const {
  return elementSize(scalar_type(loc));
}

bool Tensor::requires_grad(Loc loc) const {
  return Recorder("requires_grad", loc).impl(*this).requiresGrad;
}

bool Tensor::is_leaf(Loc loc) const {
  TensorImpl &i = Recorder("is_leaf", loc).impl(*this);
  return !i.requiresGrad || i.isLeaf;
}

bool Tensor::is_sparse(Loc loc) const {
  return Recorder("is_sparse", loc).impl(*this).sparseIndices.defined();
}

static const TensorImpl &sparseImpl(const Recorder &r, const Tensor &t) {
  const TensorImpl &impl = r.impl(t);
  if (!impl.sparseIndices.defined())
    r.fail("expected a sparse tensor, got a dense one of shape {}",
           detail::formatShape(impl.shape));
  return impl;
}

Tensor Tensor::_indices(Loc loc) const {
  Recorder r("_indices", loc);
  const Tensor &indices = sparseImpl(r, *this).sparseIndices;
  return indices.reshape({1, indices.size(0)});
}

Tensor Tensor::_values(Loc loc) const {
  Recorder r("_values", loc);
  return sparseImpl(r, *this).sparseValues;
}

int64_t Tensor::_nnz(Loc loc) const {
  Recorder r("_nnz", loc);
  return sparseImpl(r, *this).sparseIndices.size(0);
}

Tensor Tensor::to_dense(Loc loc) const {
  Recorder r("to_dense", loc);
  const TensorImpl &impl = r.impl(*this);
  if (!impl.sparseIndices.defined())
    return *this;
  return r.result(r.value(*this), {this});
}

Tensor &Tensor::requires_grad_(bool requiresGrad, Loc loc) {
  Recorder r("requires_grad_", loc);
  TensorImpl &i = r.impl(*this);
  if (requiresGrad && !isFloatingType(i.dtype))
    r.fail("only Tensors of floating point dtype can require gradients, got {}",
           dlc::toString(i.dtype));
  if (!(!i.requiresGrad || i.isLeaf) && !requiresGrad)
    r.fail("you can only change requires_grad flags of leaf variables; use "
           "detach() to get a tensor that does not require grad");
  i.requiresGrad = requiresGrad;
  i.markLeafValue();
  return *this;
}

std::string Tensor::toString() const {
  if (!impl)
    return "UndefinedType";
  return std::string(impl->device.is_cpu() ? "CPU" : "CUDA") +
         std::string(dlc::toString(impl->dtype)) + "Type";
}

//===----------------------------------------------------------------------===//
// Data out
//===----------------------------------------------------------------------===//

namespace {

/// The realized buffer of `impl`'s value (realizing every pending value).
rt::BufferPtr realized(TensorImpl &impl) { return detail::realize(impl); }

/// The same in host memory: a CUDA tensor's value is copied over.
rt::BufferPtr realizedOnHost(TensorImpl &impl) {
  rt::BufferPtr buffer = realized(impl);
  if (buffer->device().is_cpu())
    return buffer;
  return detail::copyBuffer(buffer, Device(kCPU));
}

template <typename T>
T elementAs(const void *data, ScalarType type, int64_t i) {
  switch (type) {
  case ScalarType::Bool:
    return static_cast<T>(static_cast<const uint8_t *>(data)[i] != 0);
  case ScalarType::Int:
    return static_cast<T>(static_cast<const int32_t *>(data)[i]);
  case ScalarType::Long:
    return static_cast<T>(static_cast<const int64_t *>(data)[i]);
  case ScalarType::Float:
    return static_cast<T>(static_cast<const float *>(data)[i]);
  case ScalarType::Double:
    return static_cast<T>(static_cast<const double *>(data)[i]);
  }
  return T();
}

} // namespace

Scalar Tensor::item(Loc loc) const {
  Recorder r("item", loc);
  TensorImpl &i = r.impl(*this);
  int64_t n = numel(loc);
  if (n != 1)
    r.fail("a Tensor with {} elements cannot be converted to Scalar", n);
  rt::BufferPtr buffer = realizedOnHost(i);
  const void *data = buffer->data();
  switch (i.dtype) {
  case ScalarType::Bool:
    return elementAs<bool>(data, i.dtype, 0);
  case ScalarType::Int:
  case ScalarType::Long:
    return elementAs<int64_t>(data, i.dtype, 0);
  case ScalarType::Float:
  case ScalarType::Double:
    return elementAs<double>(data, i.dtype, 0);
  }
  return Scalar();
}

void *Tensor::data_ptr(Loc loc) const {
  Recorder r("data_ptr", loc);
  TensorImpl &i = r.impl(*this);
  rt::BufferPtr buffer = realized(i);
  // Writes through the pointer must change this tensor only: unless this
  // tensor owns its memory alone (or lent it, from_blob), copy it first.
  bool lentByUser = i.writeBack && i.writeBack == buffer;
  bool shared = i.value.node.use_count() > 1 || buffer.use_count() > 2 ||
                buffer->isBorrowed();
  if (!lentByUser && shared) {
    // On a GPU the pointer is device memory, as LibTorch's.
    rt::BufferPtr copy = detail::copyBuffer(buffer, buffer->device());
    detail::rebind(i, detail::makeData(copy, i.value.type()));
    buffer = std::move(copy);
  }
  return buffer->data();
}

void *Tensor::typedDataPtr(ScalarType expected, Loc loc) const {
  Recorder r("data_ptr", loc);
  ScalarType type = r.dtype(*this);
  if (type != expected)
    r.fail("expected scalar type {} but found {}", dlc::toString(expected),
           dlc::toString(type));
  return data_ptr(loc);
}

void Tensor::copyTo(void *out, ScalarType type, Loc loc) const {
  Recorder r("copyTo", loc);
  TensorImpl &i = r.impl(*this);
  int64_t n = numel(loc);
  rt::BufferPtr buffer = realizedOnHost(i);
  const void *data = buffer->data();
  for (int64_t k = 0; k < n; ++k) {
    switch (type) {
    case ScalarType::Bool:
      static_cast<uint8_t *>(out)[k] = elementAs<bool>(data, i.dtype, k);
      break;
    case ScalarType::Int:
      static_cast<int32_t *>(out)[k] = elementAs<int32_t>(data, i.dtype, k);
      break;
    case ScalarType::Long:
      static_cast<int64_t *>(out)[k] = elementAs<int64_t>(data, i.dtype, k);
      break;
    case ScalarType::Float:
      static_cast<float *>(out)[k] = elementAs<float>(data, i.dtype, k);
      break;
    case ScalarType::Double:
      static_cast<double *>(out)[k] = elementAs<double>(data, i.dtype, k);
      break;
    }
  }
}

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

Tensor Tensor::to(Device device, Loc loc) const {
  Recorder r("to", loc);
  TensorImpl &i = r.impl(*this);
  Device target = detail::checkedDevice(r, device);
  // Already there: the same tensor, with its value computed now.
  if (i.device == target) {
    realized(i);
    return *this;
  }
  if (i.requiresGrad && GradMode::is_enabled())
    r.fail("moving a tensor that requires grad from {} to {} is not "
           "differentiable in dlc yet: move the leaves (model->to(device), or "
           "create them with TensorOptions().device(...)) before computing "
           "with them, or detach() it first",
           i.device.str(), target.str());
  rt::BufferPtr moved = detail::copyBuffer(realized(i), target);
  return r.wrap(detail::makeData(std::move(moved), i.value.type()),
                /*grad=*/false, target);
}

Tensor Tensor::to(ScalarType type, Loc loc) const {
  Recorder r("to", loc);
  TensorImpl &i = r.impl(*this);
  if (i.dtype == type)
    return *this;
  return r.result(r.cast(i.value, type), {this});
}

Tensor Tensor::to(Device device, ScalarType type, Loc loc) const {
  return to(type, loc).to(device, loc);
}

Tensor Tensor::to(const TensorOptions &options, Loc loc) const {
  Recorder r("to", loc);
  TensorImpl &i = r.impl(*this);
  if (options.has_requires_grad() && options.requires_grad() != i.requiresGrad)
    r.fail(
        "to() cannot change requires_grad; use requires_grad_() or detach()");
  Tensor converted = options.has_dtype() ? to(options.dtype(), loc) : *this;
  return options.has_device() ? converted.to(options.device(), loc) : converted;
}

Tensor Tensor::cpu(Loc loc) const { return to(Device(kCPU), loc); }
Tensor Tensor::cuda(Loc loc) const { return to(Device(kCUDA), loc); }

Tensor Tensor::clone(Loc loc) const {
  Recorder r("clone", loc);
  // Values are immutable: the copy may share it; data_ptr() copies the
  // memory before anyone writes to it.
  return r.result(r.value(*this), {this});
}

Tensor Tensor::contiguous(Loc loc) const {
  Recorder("contiguous", loc).impl(*this);
  return *this;
}

//===----------------------------------------------------------------------===//
// Operators
//===----------------------------------------------------------------------===//

Tensor Tensor::operator[](detail::WithLoc<int64_t> index) const {
  return select(0, index.value, index.loc);
}

Tensor operator-(detail::WithLoc<Tensor> a) { return neg(a.value, a.loc); }

Tensor operator+(const Tensor &a, detail::WithLoc<Tensor> b) {
  return add(a, b.value, 1, b.loc);
}
Tensor operator+(const Tensor &a, detail::WithLoc<Scalar> b) {
  return add(a, b.value, 1, b.loc);
}
Tensor operator+(detail::WithLoc<Scalar> a, const Tensor &b) {
  return add(b, a.value, 1, a.loc);
}
Tensor operator-(const Tensor &a, detail::WithLoc<Tensor> b) {
  return sub(a, b.value, 1, b.loc);
}
Tensor operator-(const Tensor &a, detail::WithLoc<Scalar> b) {
  return sub(a, b.value, 1, b.loc);
}
Tensor operator-(detail::WithLoc<Scalar> a, const Tensor &b) {
  return add(neg(b, a.loc), a.value, 1, a.loc);
}
Tensor operator*(const Tensor &a, detail::WithLoc<Tensor> b) {
  return mul(a, b.value, b.loc);
}
Tensor operator*(const Tensor &a, detail::WithLoc<Scalar> b) {
  return mul(a, b.value, b.loc);
}
Tensor operator*(detail::WithLoc<Scalar> a, const Tensor &b) {
  return mul(b, a.value, a.loc);
}
Tensor operator/(const Tensor &a, detail::WithLoc<Tensor> b) {
  return div(a, b.value, b.loc);
}
Tensor operator/(const Tensor &a, detail::WithLoc<Scalar> b) {
  return div(a, b.value, b.loc);
}
Tensor operator/(detail::WithLoc<Scalar> a, const Tensor &b) {
  ScalarType type = Recorder("div", a.loc).resultType({b, a.value});
  return div(full_like(b, a.value, type, a.loc), b, a.loc);
}
Tensor operator==(const Tensor &a, detail::WithLoc<Tensor> b) {
  return eq(a, b.value, b.loc);
}
Tensor operator==(const Tensor &a, detail::WithLoc<Scalar> b) {
  return eq(a, b.value, b.loc);
}
Tensor operator!=(const Tensor &a, detail::WithLoc<Tensor> b) {
  return ne(a, b.value, b.loc);
}
Tensor operator!=(const Tensor &a, detail::WithLoc<Scalar> b) {
  return ne(a, b.value, b.loc);
}
Tensor operator<(const Tensor &a, detail::WithLoc<Tensor> b) {
  return lt(a, b.value, b.loc);
}
Tensor operator<(const Tensor &a, detail::WithLoc<Scalar> b) {
  return lt(a, b.value, b.loc);
}
Tensor operator<=(const Tensor &a, detail::WithLoc<Tensor> b) {
  return le(a, b.value, b.loc);
}
Tensor operator<=(const Tensor &a, detail::WithLoc<Scalar> b) {
  return le(a, b.value, b.loc);
}
Tensor operator>(const Tensor &a, detail::WithLoc<Tensor> b) {
  return gt(a, b.value, b.loc);
}
Tensor operator>(const Tensor &a, detail::WithLoc<Scalar> b) {
  return gt(a, b.value, b.loc);
}
Tensor operator>=(const Tensor &a, detail::WithLoc<Tensor> b) {
  return ge(a, b.value, b.loc);
}
Tensor operator>=(const Tensor &a, detail::WithLoc<Scalar> b) {
  return ge(a, b.value, b.loc);
}

std::ostream &operator<<(std::ostream &os, const Tensor &tensor) {
  if (!tensor.defined())
    return os << "[ Tensor (undefined) ]";
  TensorImpl &i = *tensor.unsafeGetImpl();
  rt::BufferPtr buffer = realizedOnHost(i);
  rt::formatTensor(os, buffer->data(), i.dtype, i.shape, i.device);
  return os;
}

} // namespace dlc
