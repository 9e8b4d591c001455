//===- Recorder.cpp - Recording the primitive ops of one user-facing op ---===//

#include "frontend/detail/Recorder.h"

#include "frontend/Autograd.h"
#include "runtime/Cuda.h"
#include "runtime/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace dlc::detail {

//===----------------------------------------------------------------------===//
// Shapes and types
//===----------------------------------------------------------------------===//

std::string formatShape(IntArrayRef shape) {
  std::ostringstream os;
  os << shape;
  return os.str();
}

std::string formatShape(const Tensor &tensor) {
  return tensor.defined() ? formatShape(tensor.sizes()) : "undefined";
}

TensorType makeType(ScalarType type, const Shape &shape) {
  return TensorType{toElementType(type), shape};
}

ScalarType promoteTypes(ScalarType a, ScalarType b) {
  if (a == b)
    return a;
  if (isFloatingType(a) || isFloatingType(b)) {
    if (isFloatingType(a) && isFloatingType(b))
      return kDouble;
    return isFloatingType(a) ? a : b;
  }
  if (a == kBool)
    return b;
  if (b == kBool)
    return a;
  return kLong; // Int and Long
}

namespace {

/// c10's combine_categories: `higher` wins within its category; a lower
/// group only raises the category.
std::optional<ScalarType> combine(std::optional<ScalarType> higher,
                                  std::optional<ScalarType> lower) {
  if (!higher)
    return lower;
  if (!lower || isFloatingType(*higher))
    return higher;
  if (*higher == kBool || isFloatingType(*lower))
    return promoteTypes(*higher, *lower);
  return higher;
}

void update(std::optional<ScalarType> &state, ScalarType type) {
  state = state ? promoteTypes(*state, type) : type;
}

} // namespace

ScalarType resultType(std::initializer_list<Operand> operands) {
  std::optional<ScalarType> dims, zeroDims, numbers;
  for (const Operand &operand : operands) {
    if (operand.tensor) {
      const TensorImpl *impl = operand.tensor->unsafeGetImpl();
      update(impl->shape.empty() ? zeroDims : dims, impl->dtype);
    } else {
      update(numbers, operand.scalar.type());
    }
  }
  return combine(dims, combine(zeroDims, numbers)).value_or(kFloat);
}

bool canCast(ScalarType from, ScalarType to) {
  if (isFloatingType(from) && isIntegralType(to, /*includeBool=*/false))
    return false;
  if (from != kBool && to == kBool)
    return false;
  return true;
}

std::optional<Shape> broadcastShapes(const Shape &a, const Shape &b,
                                     int64_t &badDim) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t x = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (x != y && x != 1 && y != 1) {
      badDim = static_cast<int64_t>(i);
      return std::nullopt;
    }
    out[i] = x == 1 ? y : x;
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Checks
//===----------------------------------------------------------------------===//

void Recorder::fail(std::string_view message) const {
  ::dlc::detail::throwError(op, message, loc);
}

TensorImpl &Recorder::impl(const Tensor &tensor) const {
  if (!tensor.defined())
    fail("expected a defined tensor, got an undefined one");
  return *tensor.unsafeGetImpl();
}

ScalarType Recorder::resultType(std::initializer_list<Operand> operands) const {
  for (const Operand &operand : operands)
    if (operand.tensor)
      impl(*operand.tensor);
  return detail::resultType(operands);
}

int64_t Recorder::wrapDim(int64_t dim, int64_t rank) const {
  int64_t bound = std::max<int64_t>(rank, 1);
  if (dim < -bound || dim >= bound)
    fail("dimension out of range (expected to be in range of [{}, {}], but got "
         "{})",
         -bound, bound - 1, dim);
  return dim < 0 ? dim + bound : dim;
}

Shape Recorder::wrapDims(IntArrayRef dims, int64_t rank) const {
  Shape wrapped;
  if (rank == 0) {
    for (int64_t d : dims)
      wrapDim(d, rank);
    return wrapped;
  }
  if (dims.empty()) {
    for (int64_t d = 0; d < rank; ++d)
      wrapped.push_back(d);
    return wrapped;
  }
  for (int64_t d : dims)
    wrapped.push_back(wrapDim(d, rank));
  std::sort(wrapped.begin(), wrapped.end());
  for (size_t i = 1; i < wrapped.size(); ++i)
    if (wrapped[i] == wrapped[i - 1])
      fail("dim {} appears multiple times in the list of dims", wrapped[i]);
  return wrapped;
}

//===----------------------------------------------------------------------===//
// Primitives
//===----------------------------------------------------------------------===//

Value Recorder::record(GraphNode def, std::vector<Value> inputs,
                       TensorType type) {
  def.results = {std::move(type)};
  def.file = loc.file_name();
  def.line = loc.line();
  def.column = loc.column();
  return makeNode(std::move(def), std::move(inputs));
}

Value Recorder::unary(OpKind kind, const Value &x) {
  GraphNode def;
  def.op = kind;
  return record(std::move(def), {x}, x.type());
}

Value Recorder::binary(OpKind kind, const Value &a, const Value &b) {
  GraphNode def;
  def.op = kind;
  return record(std::move(def), {a, b}, a.type());
}

Value Recorder::compare(int direction, const Value &a, const Value &b) {
  GraphNode def;
  def.op = OpKind::Compare;
  def.attr = direction;
  return record(std::move(def), {a, b},
                TensorType{ElementType::I1, a.type().shape});
}

Value Recorder::select(const Value &cond, const Value &onTrue,
                       const Value &onFalse) {
  GraphNode def;
  def.op = OpKind::Select;
  return record(std::move(def), {cond, onTrue, onFalse}, onTrue.type());
}

Value Recorder::cast(const Value &x, ScalarType type) {
  ElementType element = toElementType(type);
  if (x.type().element == element)
    return x;
  GraphNode def;
  def.op = OpKind::Cast;
  return record(std::move(def), {x}, TensorType{element, x.type().shape});
}

/// A double as an integer of the target type: truncated toward zero,
/// saturated, NaN as 0 (a C++ cast would be undefined).
static int64_t toInteger(double value) {
  if (std::isnan(value))
    return 0;
  if (value >= 9.2233720368547758e18)
    return std::numeric_limits<int64_t>::max();
  if (value <= -9.2233720368547758e18)
    return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(value);
}

Value Recorder::splat(const Scalar &value, ScalarType type,
                      const Shape &shape) {
  GraphNode def;
  def.op = OpKind::Constant;
  if (isFloatingType(type)) {
    def.value.f = value.toDouble();
  } else if (type == kBool) {
    def.value.i = value.toBool() ? 1 : 0;
  } else {
    int64_t i =
        value.isFloatingPoint() ? toInteger(value.toDouble()) : value.toLong();
    def.value.i = type == kInt ? static_cast<int32_t>(i) : i;
  }
  return record(std::move(def), {}, makeType(type, shape));
}

Value Recorder::broadcastInDim(const Value &x, const Shape &shape,
                               const Shape &dims) {
  if (x.type().shape == shape)
    return x;
  GraphNode def;
  def.op = OpKind::BroadcastInDim;
  def.ints = dims;
  return record(std::move(def), {x}, TensorType{x.type().element, shape});
}

Value Recorder::broadcastTo(const Value &x, const Shape &shape) {
  const Shape &from = x.type().shape;
  if (from == shape)
    return x;
  Shape dims;
  for (size_t i = 0; i < from.size(); ++i)
    dims.push_back(static_cast<int64_t>(shape.size() - from.size() + i));
  return broadcastInDim(x, shape, dims);
}

Value Recorder::reshape(const Value &x, const Shape &shape) {
  if (x.type().shape == shape)
    return x;
  GraphNode def;
  def.op = OpKind::Reshape;
  return record(std::move(def), {x}, TensorType{x.type().element, shape});
}

Value Recorder::transpose(const Value &x, const Shape &perm) {
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i)
    identity = identity && perm[i] == static_cast<int64_t>(i);
  if (identity)
    return x;
  Shape shape;
  for (int64_t p : perm)
    shape.push_back(x.type().shape[p]);
  GraphNode def;
  def.op = OpKind::Transpose;
  def.ints = perm;
  return record(std::move(def), {x}, TensorType{x.type().element, shape});
}

Value Recorder::slice(const Value &x, const Shape &start, const Shape &limit,
                      const Shape &stride) {
  const Shape &from = x.type().shape;
  Shape shape;
  bool whole = true;
  for (size_t d = 0; d < from.size(); ++d) {
    shape.push_back((limit[d] - start[d] + stride[d] - 1) / stride[d]);
    whole = whole && start[d] == 0 && limit[d] == from[d] && stride[d] == 1;
  }
  if (whole)
    return x;
  GraphNode def;
  def.op = OpKind::Slice;
  def.ints = start;
  def.ints.insert(def.ints.end(), limit.begin(), limit.end());
  def.ints.insert(def.ints.end(), stride.begin(), stride.end());
  return record(std::move(def), {x}, TensorType{x.type().element, shape});
}

Value Recorder::concat(const std::vector<Value> &inputs, int64_t dim) {
  if (inputs.size() == 1)
    return inputs.front();
  Shape shape = inputs.front().type().shape;
  shape[dim] = 0;
  for (const Value &in : inputs)
    shape[dim] += in.type().shape[dim];
  GraphNode def;
  def.op = OpKind::Concat;
  def.attr = dim;
  return record(std::move(def), inputs,
                TensorType{inputs.front().type().element, shape});
}

Value Recorder::reduce(OpKind kind, const Value &x, const Shape &dims,
                       bool keepdim) {
  if (dims.empty())
    return x;
  const Shape &from = x.type().shape;
  Shape shape;
  for (size_t d = 0; d < from.size(); ++d) {
    bool reduced =
        std::find(dims.begin(), dims.end(), int64_t(d)) != dims.end();
    if (!reduced)
      shape.push_back(from[d]);
    else if (keepdim)
      shape.push_back(1);
  }
  GraphNode def;
  def.op = kind;
  def.ints = dims;
  def.attr = keepdim ? 1 : 0;
  return record(std::move(def), {x}, TensorType{x.type().element, shape});
}

Value Recorder::matmul(const Value &a, const Value &b) {
  Shape shape = a.type().shape;
  shape.back() = b.type().shape.back();
  GraphNode def;
  def.op = OpKind::Matmul;
  return record(std::move(def), {a, b}, TensorType{a.type().element, shape});
}

Value Recorder::gather(const Value &input, const Value &indices, int64_t axis) {
  const Shape &from = input.type().shape;
  Shape shape(from.begin(), from.begin() + axis);
  shape.insert(shape.end(), indices.type().shape.begin(),
               indices.type().shape.end());
  shape.insert(shape.end(), from.begin() + axis + 1, from.end());
  GraphNode def;
  def.op = OpKind::Gather;
  def.attr = axis;
  return record(std::move(def), {input, indices},
                TensorType{input.type().element, shape});
}

Value Recorder::scatterAdd(const Value &input, const Value &indices,
                           const Value &updates, int64_t axis) {
  GraphNode def;
  def.op = OpKind::ScatterAdd;
  def.attr = axis;
  return record(std::move(def), {input, indices, updates}, input.type());
}

Value Recorder::firstOccurrence(const Value &indices) {
  GraphNode def;
  def.op = OpKind::FirstOccurrence;
  return record(std::move(def), {indices},
                TensorType{ElementType::I64, indices.type().shape});
}

Value Recorder::iota(ScalarType type, const Shape &shape, int64_t dim) {
  GraphNode def;
  def.op = OpKind::Iota;
  def.attr = dim;
  return record(std::move(def), {}, makeType(type, shape));
}

/// A realized 0-d i64 tensor holding `value`: the seed and offset operands
/// of dlc.random are data, so that every draw records the same graph.
static Value int64Data(uint64_t value) {
  rt::BufferPtr buffer = rt::Buffer::allocate(sizeof(int64_t));
  *static_cast<int64_t *>(buffer->data()) = static_cast<int64_t>(value);
  return makeData(std::move(buffer), TensorType{ElementType::I64, {}});
}

Value Recorder::random(int distribution, ScalarType type, const Shape &shape) {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  auto [seed, offset] = nextRandomOffset(static_cast<uint64_t>(count));
  GraphNode def;
  def.op = OpKind::Random;
  def.attr = distribution;
  return record(std::move(def), {int64Data(seed), int64Data(offset)},
                makeType(type, shape));
}

Value Recorder::stopGradient(const Value &x) {
  GraphNode def;
  def.op = OpKind::StopGradient;
  return record(std::move(def), {x}, x.type());
}

std::vector<Value> Recorder::grad(const Value &y, const std::vector<Value> &wrt,
                                  const std::optional<Value> &seed) {
  GraphNode def;
  def.op = OpKind::Grad;
  def.attr = seed ? 1 : 0;
  def.file = loc.file_name();
  def.line = loc.line();
  def.column = loc.column();
  std::vector<Value> inputs{y};
  for (const Value &x : wrt) {
    inputs.push_back(x);
    def.results.push_back(x.type());
  }
  if (seed)
    inputs.push_back(*seed);
  Value first = makeNode(std::move(def), std::move(inputs));
  std::vector<Value> results;
  for (uint32_t i = 0; i < wrt.size(); ++i)
    results.push_back(Value{first.node, i});
  return results;
}

Value Recorder::allReduce(const Value &x, int reduction) {
  GraphNode def;
  def.op = OpKind::AllReduce;
  def.attr = reduction;
  return record(std::move(def), {x}, x.type());
}

Value Recorder::softmax(OpKind kind, const Value &x, int64_t dim) {
  GraphNode def;
  def.op = kind;
  def.attr = dim;
  return record(std::move(def), {x}, x.type());
}

//===----------------------------------------------------------------------===//
// PyTorch-level helpers
//===----------------------------------------------------------------------===//

Value Recorder::operand(const Tensor &tensor, ScalarType type,
                        const Shape &shape) {
  return broadcastTo(cast(value(tensor), type), shape);
}

Shape Recorder::broadcastShape(
    std::initializer_list<const Tensor *> tensors) const {
  std::optional<Shape> out;
  for (const Tensor *t : tensors) {
    if (!t)
      continue;
    const Shape &s = shape(*t);
    if (!out) {
      out = s;
      continue;
    }
    int64_t badDim = 0;
    std::optional<Shape> joined = broadcastShapes(*out, s, badDim);
    if (!joined) {
      size_t rank = std::max(out->size(), s.size());
      int64_t x = (*out)[badDim - (rank - out->size())];
      int64_t y = s[badDim - (rank - s.size())];
      fail("shapes {} and {} cannot be broadcast together: the size of tensor "
           "a ({}) must match the size of tensor b ({}) at non-singleton "
           "dimension {}",
           formatShape(*out), formatShape(s), x, y, badDim);
    }
    out = std::move(joined);
  }
  return out.value_or(Shape{});
}

void Recorder::checkSameDevice(std::optional<Device> &seen,
                               const TensorImpl &impl) const {
  // A zero-dimensional CPU tensor goes with tensors of any device, as in
  // LibTorch (an optimizer's step count, a learning rate): it is copied
  // over when the graph runs.
  Device device = impl.device;
  if (device.is_cpu() && impl.shape.empty())
    return;
  if (seen && *seen != device)
    fail("expected all tensors to be on the same device, but found at least "
         "two devices, {} and {}",
         seen->str(), device.str());
  seen = device;
}

Tensor Recorder::wrap(const Value &value, bool grad, Device device) {
  auto impl = std::make_shared<TensorImpl>(value, device);
  // Only floating-point values carry gradients (a comparison of tensors that
  // require grad does not).
  ElementType element = value.type().element;
  grad = grad && (element == ElementType::F32 || element == ElementType::F64);
  if (grad && GradMode::is_enabled()) {
    impl->requiresGrad = true;
    impl->isLeaf = false;
    value.node->requiresGrad = true;
  }
  Tensor tensor(std::move(impl));
  if (eagerEnabled())
    realizeAll();
  return tensor;
}

Tensor Recorder::result(const Value &value,
                        std::initializer_list<const Tensor *> inputs) {
  bool grad = false;
  std::optional<Device> device;
  for (const Tensor *t : inputs) {
    if (t && t->defined()) {
      grad = grad || t->unsafeGetImpl()->requiresGrad;
      checkSameDevice(device, *t->unsafeGetImpl());
    }
  }
  return wrap(value, grad, device.value_or(Device(kCPU)));
}

Tensor Recorder::result(const Value &value, const std::vector<Tensor> &inputs) {
  bool grad = false;
  std::optional<Device> device;
  for (const Tensor &t : inputs) {
    if (t.defined()) {
      grad = grad || t.unsafeGetImpl()->requiresGrad;
      checkSameDevice(device, *t.unsafeGetImpl());
    }
  }
  return wrap(value, grad, device.value_or(Device(kCPU)));
}

Tensor Recorder::view(const Value &value, const Tensor &base) {
  Tensor tensor = result(value, {&base});
  // A view of a view is a view of the root: updating the root in place must
  // be refused while any of them lives.
  std::shared_ptr<TensorImpl> root = impl(base).viewBase.lock();
  if (!root)
    root = base.getImpl();
  tensor.unsafeGetImpl()->viewBase = root;
  ++root->liveViews;
  return tensor;
}

void Recorder::checkInPlace(const Tensor &self, ScalarType resultType) const {
  TensorImpl &target = impl(self);
  if (int views = target.liveViews.load(); views > 0)
    fail("cannot update a tensor of shape {} in place while {} view{} of it "
         "{} alive: dlc records a functional graph, so the views would keep "
         "the old values; use the out-of-place op, or drop the views first",
         formatShape(target.shape), views, views == 1 ? "" : "s",
         views == 1 ? "is" : "are");
  if (std::shared_ptr<TensorImpl> base = target.viewBase.lock())
    fail("cannot update a view in place: its base tensor of shape {} would "
         "not see the change in dlc's functional graph; update the base, or "
         "clone() the view first",
         formatShape(base->shape));
  if (target.requiresGrad && target.isLeaf && GradMode::is_enabled())
    fail("a leaf Variable that requires grad is being used in an in-place "
         "operation");
  if (!canCast(resultType, target.dtype))
    fail("result type {} can't be cast to the desired output type {}",
         toString(resultType), toString(target.dtype));
}

Tensor &Recorder::assign(Tensor &self, const Value &value,
                         std::initializer_list<const Tensor *> inputs) {
  checkInPlace(self, toScalarType(value.type().element));
  TensorImpl &target = impl(self);
  Value update = cast(value, target.dtype);
  bool grad = target.requiresGrad;
  for (const Tensor *t : inputs)
    grad = grad || (t && t->defined() && t->unsafeGetImpl()->requiresGrad);
  if (grad && GradMode::is_enabled()) {
    update.node->requiresGrad = true;
    target.requiresGrad = true;
    target.isLeaf = false;
  }
  rebind(target, std::move(update));
  if (eagerEnabled())
    realizeAll();
  return self;
}

Device checkedDevice(const Recorder &r, Device device) {
  if (device.is_cpu())
    return Device(kCPU);
  int index = std::max<int>(device.index(), 0);
  if (!rt::cuda::isAvailable())
    r.fail("cannot use {}: CUDA is not available: {}", device.str(),
           rt::cuda::unavailableReason());
  int count = rt::cuda::deviceCount();
  if (index >= count)
    r.fail("cannot use {}: this machine has {} CUDA device{}", device.str(),
           count, count == 1 ? "" : "s");
  return Device(kCUDA, static_cast<int8_t>(index));
}

} // namespace dlc::detail
