//===- Recorder.h - Recording the primitive ops of one user-facing op -----===//
//
// Frontend-internal. A user-facing op (`add`, `softmax`, `matmul`) checks its
// arguments with PyTorch's rules and records one or more dlc primitives. The
// Recorder names the op and the caller's line in every error, and builds
// primitives with their dlc semantics (explicit broadcasts, equal types).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DETAIL_RECORDER_H
#define DLC_FRONTEND_DETAIL_RECORDER_H

#include "frontend/Tensor.h"
#include "frontend/detail/Lazy.h"
#include "frontend/detail/TensorImpl.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace dlc::detail {

using Shape = std::vector<int64_t>;

/// `[2, 3]`.
std::string formatShape(IntArrayRef shape);
/// A tensor's shape as formatShape writes it, or `undefined`.
std::string formatShape(const Tensor &tensor);

/// The type both operands are converted to (c10::promoteTypes).
ScalarType promoteTypes(ScalarType a, ScalarType b);

/// A tensor or a C++ number taking part in type promotion.
struct Operand {
  /* implicit */ Operand(const Tensor &tensor) : tensor(&tensor) {}
  /* implicit */ Operand(const Scalar &scalar) : scalar(scalar) {}
  const Tensor *tensor = nullptr;
  Scalar scalar;
};

/// PyTorch's result type: tensors with dimensions decide within a category
/// (bool < integer < floating); 0-d tensors and numbers only raise the
/// category.
ScalarType resultType(std::initializer_list<Operand> operands);

/// PyTorch's can_cast: an in-place op may not lower the category.
bool canCast(ScalarType from, ScalarType to);

/// The PyTorch broadcast of two shapes, or nullopt with the dimension that
/// does not match in `badDim`.
std::optional<Shape> broadcastShapes(const Shape &a, const Shape &b,
                                     int64_t &badDim);

class Recorder {
public:
  Recorder(const char *op, const Loc &loc) : op(op), loc(loc) {}

  const char *name() const { return op; }
  const Loc &location() const { return loc; }

  [[noreturn]] void fail(std::string_view message) const;
  template <typename... Args>
  [[noreturn]] void fail(fmt::format_string<Args...> format,
                         Args &&...args) const {
    fail(std::string_view(fmt::format(format, std::forward<Args>(args)...)));
  }

  /// The impl of a defined tensor (throws for an undefined one).
  TensorImpl &impl(const Tensor &tensor) const;
  const Value &value(const Tensor &tensor) const { return impl(tensor).value; }
  const Shape &shape(const Tensor &tensor) const { return impl(tensor).shape; }
  ScalarType dtype(const Tensor &tensor) const { return impl(tensor).dtype; }

  /// resultType() of `operands`, after checking that their tensors are
  /// defined.
  ScalarType resultType(std::initializer_list<Operand> operands) const;

  /// `dim` in [-rank, rank) made non-negative; PyTorch's message otherwise.
  /// A 0-d tensor accepts dims -1 and 0, as PyTorch.
  int64_t wrapDim(int64_t dim, int64_t rank) const;
  /// Wrapped, sorted, without repeats (repeats are an error); empty = all.
  Shape wrapDims(IntArrayRef dims, int64_t rank) const;

  //===--- Primitives (dlc semantics: types already agree) ----------------===//

  Value unary(OpKind kind, const Value &x);
  Value binary(OpKind kind, const Value &a, const Value &b);
  /// direction: 0 eq, 1 ne, 2 lt, 3 le, 4 gt, 5 ge.
  Value compare(int direction, const Value &a, const Value &b);
  Value select(const Value &cond, const Value &onTrue, const Value &onFalse);
  Value cast(const Value &x, ScalarType type);
  /// A constant filled with `value` (converted to `type`).
  Value splat(const Scalar &value, ScalarType type, const Shape &shape);
  Value broadcastInDim(const Value &x, const Shape &shape, const Shape &dims);
  /// Expands `x` to `shape` aligning trailing dimensions (the caller has
  /// checked that it broadcasts).
  Value broadcastTo(const Value &x, const Shape &shape);
  Value reshape(const Value &x, const Shape &shape);
  Value transpose(const Value &x, const Shape &perm);
  Value slice(const Value &x, const Shape &start, const Shape &limit,
              const Shape &stride);
  Value concat(const std::vector<Value> &inputs, int64_t dim);
  Value reduce(OpKind kind, const Value &x, const Shape &dims, bool keepdim);
  Value matmul(const Value &a, const Value &b);
  Value gather(const Value &input, const Value &indices, int64_t axis);
  Value scatterAdd(const Value &input, const Value &indices,
                   const Value &updates, int64_t axis);
  Value iota(ScalarType type, const Shape &shape, int64_t dim);
  /// dlc.first_occurrence of 1-d indices: where each value first appears.
  Value firstOccurrence(const Value &indices);
  /// distribution: 0 uniform, 1 normal.
  Value random(int distribution, ScalarType type, const Shape &shape);
  Value softmax(OpKind kind, const Value &x, int64_t dim);
  Value stopGradient(const Value &x);
  /// dlc.grad of `y` with respect to `wrt`, seeded with `seed` when given:
  /// one gradient per wrt value.
  std::vector<Value> grad(const Value &y, const std::vector<Value> &wrt,
                          const std::optional<Value> &seed);
  /// dlc.all_reduce of `x` over the processes; reduction as
  /// mlir::dlc::CollectiveReduction (0 sum, 1 mean, 2 max, 3 min).
  Value allReduce(const Value &x, int reduction);

  //===--- Helpers in PyTorch terms ---------------------------------------===//

  /// `tensor` converted to `type` and broadcast to `shape`.
  Value operand(const Tensor &tensor, ScalarType type, const Shape &shape);
  /// The broadcast shape of `tensors` (PyTorch's message when they do not).
  Shape broadcastShape(std::initializer_list<const Tensor *> tensors) const;

  /// Wraps `value` in a new tensor. It requires grad when gradient mode is
  /// on and any of `inputs` requires grad. Realized at once in eager mode.
  /// (`wrap` with an explicit flag, for gradients made with create_graph.)
  Tensor result(const Value &value,
                std::initializer_list<const Tensor *> inputs);
  Tensor result(const Value &value, const std::vector<Tensor> &inputs);
  /// As result(), and marks the new tensor as a view of `base`.
  Tensor view(const Value &value, const Tensor &base);

  /// Checks an in-place update of `self` and rebinds it to `value`
  /// (converted to self's type; `value` has self's shape).
  Tensor &assign(Tensor &self, const Value &value,
                 std::initializer_list<const Tensor *> inputs);
  /// The checks of assign() without the update: no views, no leaf that
  /// requires grad (outside NoGradGuard), a result type self can hold.
  void checkInPlace(const Tensor &self, ScalarType resultType) const;

  Tensor wrap(const Value &value, bool grad, Device device);
  /// Fails when `impl`'s device differs from the one seen before
  /// (LibTorch's message); records it otherwise.
  void checkSameDevice(std::optional<Device> &seen,
                       const TensorImpl &impl) const;

private:
  Value record(GraphNode def, std::vector<Value> inputs, TensorType type);

  const char *op;
  Loc loc;
};

/// The TensorType of a shape and dtype.
TensorType makeType(ScalarType type, const Shape &shape);

/// `device` as tensors record it (plain "cuda" is cuda:0), after checking
/// that it exists: a CUDA device needs a driver and a GPU of that index
/// (the failure names the reason).
Device checkedDevice(const Recorder &r, Device device);

} // namespace dlc::detail

#endif // DLC_FRONTEND_DETAIL_RECORDER_H
