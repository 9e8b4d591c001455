//===- Tensor.h - dlc::Tensor, a handle to a lazy or realized tensor ------===//
//
// A Tensor is a cheap, shared handle. Ops do not compute: they record a node
// of a lazy graph and check shapes and dtypes at once, throwing dlc::Error at
// the caller's line. Values are computed when the program asks for data
// (item(), data_ptr(), printing, dlc::sync()), all pending values together,
// as one compiled graph.
//
// Every method that can fail takes a defaulted `std::source_location`; users
// never pass it.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_TENSOR_H
#define DLC_FRONTEND_TENSOR_H

#include "frontend/ArrayRef.h"
#include "frontend/Scalar.h"
#include "frontend/TensorOptions.h"
#include "runtime/Device.h"
#include "runtime/ScalarType.h"

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

namespace dlc {

using Loc = std::source_location;

namespace detail {
struct TensorImpl;

/// The ScalarType of a C++ element type.
template <typename T>
constexpr ScalarType scalarTypeOf() {
  if constexpr (std::is_same_v<T, bool>)
    return kBool;
  else if constexpr (std::is_same_v<T, int32_t>)
    return kInt;
  else if constexpr (std::is_same_v<T, int64_t>)
    return kLong;
  else if constexpr (std::is_same_v<T, float>)
    return kFloat;
  else {
    static_assert(std::is_same_v<T, double>,
                  "dlc tensors hold bool, int32_t, int64_t, float or double");
    return kDouble;
  }
}
} // namespace detail

namespace indexing {
class TensorIndex;
} // namespace indexing

namespace detail {

/// A value with the location of the expression that produced it: lets the
/// operators (which cannot take a defaulted location) report the user's
/// line, because the conversion happens at the call site.
template <typename T>
struct WithLoc {
  /* implicit */ WithLoc(const T &value, Loc loc = Loc::current())
      : value(value), loc(loc) {}
  const T &value;
  Loc loc;
};

template <>
struct WithLoc<Scalar> {
  template <typename N>
    requires std::is_arithmetic_v<N>
  /* implicit */ WithLoc(N number, Loc loc = Loc::current())
      : value(number), loc(loc) {}
  /* implicit */ WithLoc(const Scalar &scalar, Loc loc = Loc::current())
      : value(scalar), loc(loc) {}
  Scalar value;
  Loc loc;
};

} // namespace detail

class Tensor {
public:
  /// An undefined tensor (`defined()` is false), as LibTorch's default.
  Tensor();
  explicit Tensor(std::shared_ptr<detail::TensorImpl> impl);

  //===--- Properties -----------------------------------------------------===//

  bool defined() const { return impl != nullptr; }
  IntArrayRef sizes(Loc loc = Loc::current()) const;
  /// The size of `dim` (negative counts from the end).
  int64_t size(int64_t dim, Loc loc = Loc::current()) const;
  int64_t dim(Loc loc = Loc::current()) const;
  int64_t ndimension(Loc loc = Loc::current()) const { return dim(loc); }
  int64_t numel(Loc loc = Loc::current()) const;
  ScalarType scalar_type(Loc loc = Loc::current()) const;
  ScalarType dtype(Loc loc = Loc::current()) const { return scalar_type(loc); }
  Device device(Loc loc = Loc::current()) const;
  TensorOptions options(Loc loc = Loc::current()) const;
  bool is_floating_point(Loc loc = Loc::current()) const;
  size_t element_size(Loc loc = Loc::current()) const;
  bool requires_grad(Loc loc = Loc::current()) const;
  bool is_leaf(Loc loc = Loc::current()) const;
  /// Sets requires_grad on a leaf; only floating-point tensors can.
  Tensor &requires_grad_(bool requiresGrad = true, Loc loc = Loc::current());

  //===--- Sparse gradients -----------------------------------------------===//

  /// Whether this is a sparse tensor in COO form: the gradient backward()
  /// gives a table read only through lookups (nn::Embedding with
  /// sparse(true)). It is also the dense tensor those rows add up to, so
  /// every op takes it, but that sum is only computed when something reads
  /// it: a training step whose optimizer applies the rows (SGD, Adagrad,
  /// SparseAdam) never makes a table-sized gradient.
  bool is_sparse(Loc loc = Loc::current()) const;
  /// A sparse tensor's indices [1, nnz] (int64) and values [nnz, ...], one
  /// row per lookup, repeats not summed (LibTorch's uncoalesced form).
  Tensor _indices(Loc loc = Loc::current()) const;
  Tensor _values(Loc loc = Loc::current()) const;
  int64_t _nnz(Loc loc = Loc::current()) const;
  /// The dense tensor: a sparse tensor's rows summed into zeros; a dense
  /// tensor itself.
  Tensor to_dense(Loc loc = Loc::current()) const;

  //===--- Autograd -------------------------------------------------------===//

  /// Accumulates the gradient of this tensor into `.grad()` of every leaf
  /// that requires grad and that it depends on. Without `gradient` the tensor
  /// must have one element. The gradients are recorded, not computed: they
  /// run with the rest of the step at the next realization. As in PyTorch,
  /// the graph is freed once that step has run unless `retain_graph` (which
  /// defaults to `create_graph`): a second backward through it is then an
  /// error, and the step may update the parameters in their own memory. A
  /// leaf read only by lookups with `sparse` gets a sparse gradient
  /// (is_sparse).
  void backward(const Tensor &gradient = {},
                std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false, Loc loc = Loc::current()) const;
  /// The gradient accumulated by backward() (undefined before the first, and
  /// for tensors that are not leaves).
  const Tensor &grad(Loc loc = Loc::current()) const;
  /// The same, assignable: `t.mutable_grad() = Tensor()` forgets it.
  Tensor &mutable_grad(Loc loc = Loc::current()) const;
  /// The same values, cut from the history: a leaf that does not require
  /// grad, through which no gradient flows.
  Tensor detach(Loc loc = Loc::current()) const;
  /// Makes this tensor hold `new_data`'s values, type and device, keeping
  /// its identity (every handle, a module's member and its parameter list,
  /// sees the change) and whether it requires grad: LibTorch's set_data,
  /// which Module::to() uses. The shape must stay the same (dlc's tensors
  /// never change shape); a gradient of another type or device is dropped;
  /// memory lent by from_blob is no longer written back to.
  void set_data(const Tensor &new_data, Loc loc = Loc::current()) const;
  /// "CPUFloatType", as LibTorch's `toString()`.
  std::string toString() const;
  /// True when both handles share one tensor.
  bool is_same(const Tensor &other) const { return impl == other.impl; }

  //===--- Data out (these realize) ---------------------------------------===//

  /// The single element, converted to T.
  template <typename T>
  T item(Loc loc = Loc::current()) const {
    return item(loc).to<T>();
  }
  Scalar item(Loc loc = Loc::current()) const;
  /// The tensor's memory; T must be its element type. Writing through it
  /// changes this tensor only (not other tensors or views derived from it).
  template <typename T>
  T *data_ptr(Loc loc = Loc::current()) const {
    return static_cast<T *>(typedDataPtr(detail::scalarTypeOf<T>(), loc));
  }
  void *data_ptr(Loc loc = Loc::current()) const;
  /// A copy of the elements, converted to T (dlc's own).
  template <typename T>
  std::vector<T> to_vector(Loc loc = Loc::current()) const {
    std::vector<T> values(static_cast<size_t>(numel(loc)));
    if constexpr (std::is_same_v<T, bool>) {
      std::vector<uint8_t> bytes(values.size());
      copyTo(bytes.data(), kBool, loc);
      for (size_t i = 0; i < bytes.size(); ++i)
        values[i] = bytes[i] != 0;
    } else {
      copyTo(values.data(), detail::scalarTypeOf<T>(), loc);
    }
    return values;
  }
  /// Writes the elements, converted to `type`, to `out` (realizing them).
  void copyTo(void *out, ScalarType type, Loc loc = Loc::current()) const;

  Tensor to(Device device, Loc loc = Loc::current()) const;
  Tensor to(DeviceType type, Loc loc = Loc::current()) const {
    return to(Device(type), loc);
  }
  Tensor to(ScalarType type, Loc loc = Loc::current()) const;
  Tensor to(Device device, ScalarType type, Loc loc = Loc::current()) const;
  Tensor to(const TensorOptions &options, Loc loc = Loc::current()) const;
  Tensor cpu(Loc loc = Loc::current()) const;
  Tensor cuda(Loc loc = Loc::current()) const;
  Tensor clone(Loc loc = Loc::current()) const;
  Tensor contiguous(Loc loc = Loc::current()) const;

  //===--- Elementwise ----------------------------------------------------===//

  Tensor neg(Loc loc = Loc::current()) const;
  Tensor abs(Loc loc = Loc::current()) const;
  Tensor exp(Loc loc = Loc::current()) const;
  Tensor log(Loc loc = Loc::current()) const;
  Tensor log1p(Loc loc = Loc::current()) const;
  Tensor sqrt(Loc loc = Loc::current()) const;
  Tensor rsqrt(Loc loc = Loc::current()) const;
  Tensor square(Loc loc = Loc::current()) const;
  Tensor relu(Loc loc = Loc::current()) const;
  Tensor sigmoid(Loc loc = Loc::current()) const;
  Tensor tanh(Loc loc = Loc::current()) const;
  Tensor sign(Loc loc = Loc::current()) const;
  Tensor erf(Loc loc = Loc::current()) const;
  Tensor logical_not(Loc loc = Loc::current()) const;
  Tensor pow(const Tensor &exponent, Loc loc = Loc::current()) const;
  Tensor pow(const Scalar &exponent, Loc loc = Loc::current()) const;
  Tensor clamp(std::optional<Scalar> min,
               std::optional<Scalar> max = std::nullopt,
               Loc loc = Loc::current()) const;
  Tensor clamp_min(const Scalar &min, Loc loc = Loc::current()) const;
  Tensor clamp_max(const Scalar &max, Loc loc = Loc::current()) const;

  Tensor add(const Tensor &other, const Scalar &alpha = 1,
             Loc loc = Loc::current()) const;
  Tensor add(const Scalar &other, const Scalar &alpha = 1,
             Loc loc = Loc::current()) const;
  Tensor sub(const Tensor &other, const Scalar &alpha = 1,
             Loc loc = Loc::current()) const;
  Tensor sub(const Scalar &other, const Scalar &alpha = 1,
             Loc loc = Loc::current()) const;
  Tensor mul(const Tensor &other, Loc loc = Loc::current()) const;
  Tensor mul(const Scalar &other, Loc loc = Loc::current()) const;
  Tensor div(const Tensor &other, Loc loc = Loc::current()) const;
  Tensor div(const Scalar &other, Loc loc = Loc::current()) const;
  Tensor maximum(const Tensor &other, Loc loc = Loc::current()) const;
  Tensor minimum(const Tensor &other, Loc loc = Loc::current()) const;

  Tensor eq(const Tensor &other, Loc loc = Loc::current()) const;
  Tensor eq(const Scalar &other, Loc loc = Loc::current()) const;
  Tensor ne(const Tensor &other, Loc loc = Loc::current()) const;
  Tensor ne(const Scalar &other, Loc loc = Loc::current()) const;
  Tensor lt(const Tensor &other, Loc loc = Loc::current()) const;
  Tensor lt(const Scalar &other, Loc loc = Loc::current()) const;
  Tensor le(const Tensor &other, Loc loc = Loc::current()) const;
  Tensor le(const Scalar &other, Loc loc = Loc::current()) const;
  Tensor gt(const Tensor &other, Loc loc = Loc::current()) const;
  Tensor gt(const Scalar &other, Loc loc = Loc::current()) const;
  Tensor ge(const Tensor &other, Loc loc = Loc::current()) const;
  Tensor ge(const Scalar &other, Loc loc = Loc::current()) const;

  Tensor masked_fill(const Tensor &mask, const Scalar &value,
                     Loc loc = Loc::current()) const;
  Tensor masked_fill(const Tensor &mask, const Tensor &value,
                     Loc loc = Loc::current()) const;
  /// `where(condition, *this, other)`.
  Tensor where(const Tensor &condition, const Tensor &other,
               Loc loc = Loc::current()) const;

  //===--- Reductions -----------------------------------------------------===//

  Tensor sum(std::optional<ScalarType> dtype = std::nullopt,
             Loc loc = Loc::current()) const;
  Tensor sum(IntArrayRef dim, bool keepdim = false,
             std::optional<ScalarType> dtype = std::nullopt,
             Loc loc = Loc::current()) const;
  Tensor mean(std::optional<ScalarType> dtype = std::nullopt,
              Loc loc = Loc::current()) const;
  Tensor mean(IntArrayRef dim, bool keepdim = false,
              std::optional<ScalarType> dtype = std::nullopt,
              Loc loc = Loc::current()) const;
  Tensor max(Loc loc = Loc::current()) const;
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false,
                                 Loc loc = Loc::current()) const;
  Tensor min(Loc loc = Loc::current()) const;
  std::tuple<Tensor, Tensor> min(int64_t dim, bool keepdim = false,
                                 Loc loc = Loc::current()) const;
  Tensor amax(IntArrayRef dim = {}, bool keepdim = false,
              Loc loc = Loc::current()) const;
  Tensor amin(IntArrayRef dim = {}, bool keepdim = false,
              Loc loc = Loc::current()) const;
  Tensor argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
                Loc loc = Loc::current()) const;
  Tensor argmin(std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
                Loc loc = Loc::current()) const;
  Tensor softmax(int64_t dim, std::optional<ScalarType> dtype = std::nullopt,
                 Loc loc = Loc::current()) const;
  Tensor log_softmax(int64_t dim,
                     std::optional<ScalarType> dtype = std::nullopt,
                     Loc loc = Loc::current()) const;
  Tensor logsumexp(IntArrayRef dim, bool keepdim = false,
                   Loc loc = Loc::current()) const;

  //===--- Linear algebra -------------------------------------------------===//

  Tensor matmul(const Tensor &other, Loc loc = Loc::current()) const;
  Tensor mm(const Tensor &other, Loc loc = Loc::current()) const;
  Tensor bmm(const Tensor &other, Loc loc = Loc::current()) const;

  //===--- Shapes ---------------------------------------------------------===//

  Tensor reshape(IntArrayRef shape, Loc loc = Loc::current()) const;
  Tensor view(IntArrayRef shape, Loc loc = Loc::current()) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1,
                 Loc loc = Loc::current()) const;
  Tensor transpose(int64_t dim0, int64_t dim1, Loc loc = Loc::current()) const;
  Tensor permute(IntArrayRef dims, Loc loc = Loc::current()) const;
  Tensor t(Loc loc = Loc::current()) const;
  Tensor unsqueeze(int64_t dim, Loc loc = Loc::current()) const;
  Tensor squeeze(Loc loc = Loc::current()) const;
  Tensor squeeze(int64_t dim, Loc loc = Loc::current()) const;
  Tensor expand(IntArrayRef size, Loc loc = Loc::current()) const;
  Tensor expand_as(const Tensor &other, Loc loc = Loc::current()) const;
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0,
                            Loc loc = Loc::current()) const;
  std::vector<Tensor> split(IntArrayRef split_sizes, int64_t dim = 0,
                            Loc loc = Loc::current()) const;
  std::vector<Tensor> split_with_sizes(IntArrayRef split_sizes, int64_t dim = 0,
                                       Loc loc = Loc::current()) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0,
                            Loc loc = Loc::current()) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length,
                Loc loc = Loc::current()) const;
  Tensor slice(int64_t dim = 0, std::optional<int64_t> start = std::nullopt,
               std::optional<int64_t> end = std::nullopt, int64_t step = 1,
               Loc loc = Loc::current()) const;
  Tensor select(int64_t dim, int64_t index, Loc loc = Loc::current()) const;
  /// `t.index({Slice(0, 2), 1, None, Ellipsis, ids})`.
  Tensor index(std::initializer_list<indexing::TensorIndex> indices,
               Loc loc = Loc::current()) const;
  Tensor index(const std::vector<indexing::TensorIndex> &indices,
               Loc loc = Loc::current()) const;
  Tensor index_select(int64_t dim, const Tensor &index,
                      Loc loc = Loc::current()) const;
  Tensor gather(int64_t dim, const Tensor &index,
                Loc loc = Loc::current()) const;
  /// `select(0, i)`.
  Tensor operator[](detail::WithLoc<int64_t> index) const;

  //===--- In place (the handle is rebound to a new value) ----------------===//

  Tensor &add_(const Tensor &other, const Scalar &alpha = 1,
               Loc loc = Loc::current());
  Tensor &add_(const Scalar &other, const Scalar &alpha = 1,
               Loc loc = Loc::current());
  Tensor &sub_(const Tensor &other, const Scalar &alpha = 1,
               Loc loc = Loc::current());
  Tensor &sub_(const Scalar &other, const Scalar &alpha = 1,
               Loc loc = Loc::current());
  Tensor &mul_(const Tensor &other, Loc loc = Loc::current());
  Tensor &mul_(const Scalar &other, Loc loc = Loc::current());
  Tensor &div_(const Tensor &other, Loc loc = Loc::current());
  Tensor &div_(const Scalar &other, Loc loc = Loc::current());
  Tensor &zero_(Loc loc = Loc::current());
  Tensor &fill_(const Scalar &value, Loc loc = Loc::current());
  Tensor &copy_(const Tensor &src, Loc loc = Loc::current());
  Tensor &clamp_(std::optional<Scalar> min,
                 std::optional<Scalar> max = std::nullopt,
                 Loc loc = Loc::current());
  Tensor &masked_fill_(const Tensor &mask, const Scalar &value,
                       Loc loc = Loc::current());
  /// index_add in place: `source`'s slices along `dim` added at `index`.
  Tensor &index_add_(int64_t dim, const Tensor &index, const Tensor &source,
                     Loc loc = Loc::current());

  Tensor &operator+=(detail::WithLoc<Tensor> other) {
    return add_(other.value, 1, other.loc);
  }
  Tensor &operator+=(detail::WithLoc<Scalar> other) {
    return add_(other.value, 1, other.loc);
  }
  Tensor &operator-=(detail::WithLoc<Tensor> other) {
    return sub_(other.value, 1, other.loc);
  }
  Tensor &operator-=(detail::WithLoc<Scalar> other) {
    return sub_(other.value, 1, other.loc);
  }
  Tensor &operator*=(detail::WithLoc<Tensor> other) {
    return mul_(other.value, other.loc);
  }
  Tensor &operator*=(detail::WithLoc<Scalar> other) {
    return mul_(other.value, other.loc);
  }
  Tensor &operator/=(detail::WithLoc<Tensor> other) {
    return div_(other.value, other.loc);
  }
  Tensor &operator/=(detail::WithLoc<Scalar> other) {
    return div_(other.value, other.loc);
  }

  /// The shared implementation (frontend-internal).
  detail::TensorImpl *unsafeGetImpl() const { return impl.get(); }
  const std::shared_ptr<detail::TensorImpl> &getImpl() const { return impl; }

private:
  void *typedDataPtr(ScalarType expected, Loc loc) const;

  std::shared_ptr<detail::TensorImpl> impl;
};

Tensor operator-(detail::WithLoc<Tensor> a);
Tensor operator+(const Tensor &a, detail::WithLoc<Tensor> b);
Tensor operator+(const Tensor &a, detail::WithLoc<Scalar> b);
Tensor operator+(detail::WithLoc<Scalar> a, const Tensor &b);
Tensor operator-(const Tensor &a, detail::WithLoc<Tensor> b);
Tensor operator-(const Tensor &a, detail::WithLoc<Scalar> b);
Tensor operator-(detail::WithLoc<Scalar> a, const Tensor &b);
Tensor operator*(const Tensor &a, detail::WithLoc<Tensor> b);
Tensor operator*(const Tensor &a, detail::WithLoc<Scalar> b);
Tensor operator*(detail::WithLoc<Scalar> a, const Tensor &b);
Tensor operator/(const Tensor &a, detail::WithLoc<Tensor> b);
Tensor operator/(const Tensor &a, detail::WithLoc<Scalar> b);
Tensor operator/(detail::WithLoc<Scalar> a, const Tensor &b);
Tensor operator==(const Tensor &a, detail::WithLoc<Tensor> b);
Tensor operator==(const Tensor &a, detail::WithLoc<Scalar> b);
Tensor operator!=(const Tensor &a, detail::WithLoc<Tensor> b);
Tensor operator!=(const Tensor &a, detail::WithLoc<Scalar> b);
Tensor operator<(const Tensor &a, detail::WithLoc<Tensor> b);
Tensor operator<(const Tensor &a, detail::WithLoc<Scalar> b);
Tensor operator<=(const Tensor &a, detail::WithLoc<Tensor> b);
Tensor operator<=(const Tensor &a, detail::WithLoc<Scalar> b);
Tensor operator>(const Tensor &a, detail::WithLoc<Tensor> b);
Tensor operator>(const Tensor &a, detail::WithLoc<Scalar> b);
Tensor operator>=(const Tensor &a, detail::WithLoc<Tensor> b);
Tensor operator>=(const Tensor &a, detail::WithLoc<Scalar> b);

/// Prints the values (realizing the tensor) as LibTorch does.
std::ostream &operator<<(std::ostream &os, const Tensor &tensor);

} // namespace dlc

#endif // DLC_FRONTEND_TENSOR_H
