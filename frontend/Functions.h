//===- Functions.h - The tensor functions of namespace dlc ----------------===//
//
// Creation functions and the function forms of Tensor's methods, with
// LibTorch's names, argument order and defaults.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_FUNCTIONS_H
#define DLC_FRONTEND_FUNCTIONS_H

#include "frontend/Tensor.h"

#include <functional>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace dlc {

//===--- Creation ---------------------------------------------------------===//

namespace detail {

/// The data of `dlc::tensor(...)`: a number, a vector, or nested braced lists
/// of numbers, as LibTorch's TensorDataContainer. Floating-point literals
/// give float32 (the default type), integer literals int64, bools bool; a
/// std::vector<T> keeps T's type.
class TensorData {
public:
  template <typename T>
    requires std::is_arithmetic_v<T>
  /* implicit */ TensorData(T value) : scalarValue(value), isScalar(true) {
    inferredType = Scalar(value).type();
  }
  /* implicit */ TensorData(std::initializer_list<TensorData> nested);
  template <typename T>
    requires std::is_arithmetic_v<T>
  /* implicit */ TensorData(const std::vector<T> &values);

  const std::vector<int64_t> &shape() const { return sizes; }
  ScalarType type() const { return inferredType; }
  /// True when nested lists have different lengths (reported by tensor()).
  bool isRagged() const { return ragged; }
  /// Appends the elements, row-major.
  void flatten(std::vector<Scalar> &out) const;

private:
  Scalar scalarValue;
  bool isScalar = false;
  std::vector<TensorData> children;
  std::vector<Scalar> leaves;
  std::vector<int64_t> sizes;
  ScalarType inferredType = kFloat;
  bool ragged = false;
};

template <typename T>
  requires std::is_arithmetic_v<T>
TensorData::TensorData(const std::vector<T> &values) {
  sizes = {static_cast<int64_t>(values.size())};
  leaves.reserve(values.size());
  for (const T &v : values)
    leaves.push_back(Scalar(static_cast<T>(v)));
  if constexpr (std::is_same_v<T, bool>)
    inferredType = kBool;
  else if constexpr (std::is_same_v<T, float>)
    inferredType = kFloat;
  else if constexpr (std::is_floating_point_v<T>)
    inferredType = kDouble;
  else if constexpr (sizeof(T) <= 4)
    inferredType = kInt;
  else
    inferredType = kLong;
}

} // namespace detail

/// A tensor holding `data`: `dlc::tensor({1.0, 2.0})`,
/// `dlc::tensor({{1, 2}, {3, 4}}, dlc::kFloat)`, `dlc::tensor(values)`.
Tensor tensor(const detail::TensorData &data, const TensorOptions &options = {},
              Loc loc = Loc::current());

Tensor zeros(IntArrayRef size, const TensorOptions &options = {},
             Loc loc = Loc::current());
Tensor ones(IntArrayRef size, const TensorOptions &options = {},
            Loc loc = Loc::current());
/// Filled with `value`; without a dtype, the type of `value` (Long for
/// integers, Bool for bools, float32 for floating point).
Tensor full(IntArrayRef size, const Scalar &value,
            const TensorOptions &options = {}, Loc loc = Loc::current());
/// Uninitialized in LibTorch; dlc fills it with zeros.
Tensor empty(IntArrayRef size, const TensorOptions &options = {},
             Loc loc = Loc::current());
Tensor arange(const Scalar &end, const TensorOptions &options = {},
              Loc loc = Loc::current());
Tensor arange(const Scalar &start, const Scalar &end,
              const TensorOptions &options = {}, Loc loc = Loc::current());
Tensor arange(const Scalar &start, const Scalar &end, const Scalar &step,
              const TensorOptions &options = {}, Loc loc = Loc::current());
/// Uniform in [0, 1), from the dlc generator (`manual_seed`).
Tensor rand(IntArrayRef size, const TensorOptions &options = {},
            Loc loc = Loc::current());
/// Standard normal, from the dlc generator.
Tensor randn(IntArrayRef size, const TensorOptions &options = {},
             Loc loc = Loc::current());
/// Integers uniform in [low, high); Long unless a dtype is given.
Tensor randint(int64_t high, IntArrayRef size,
               const TensorOptions &options = {}, Loc loc = Loc::current());
Tensor randint(int64_t low, int64_t high, IntArrayRef size,
               const TensorOptions &options = {}, Loc loc = Loc::current());
Tensor eye(int64_t n, const TensorOptions &options = {},
           Loc loc = Loc::current());
Tensor eye(int64_t n, int64_t m, const TensorOptions &options = {},
           Loc loc = Loc::current());
Tensor zeros_like(const Tensor &self, const TensorOptions &options = {},
                  Loc loc = Loc::current());
Tensor ones_like(const Tensor &self, const TensorOptions &options = {},
                 Loc loc = Loc::current());
Tensor full_like(const Tensor &self, const Scalar &value,
                 const TensorOptions &options = {}, Loc loc = Loc::current());
Tensor rand_like(const Tensor &self, const TensorOptions &options = {},
                 Loc loc = Loc::current());
Tensor randn_like(const Tensor &self, const TensorOptions &options = {},
                  Loc loc = Loc::current());
/// Borrows `data` (no copy), as LibTorch: the memory must outlive the tensor
/// and every tensor that shares it. In-place ops write their results back
/// into it.
Tensor from_blob(void *data, IntArrayRef sizes,
                 const TensorOptions &options = {}, Loc loc = Loc::current());
/// As above; `deleter(data)` runs when the memory is no longer used.
Tensor from_blob(void *data, IntArrayRef sizes,
                 const std::function<void(void *)> &deleter,
                 const TensorOptions &options = {}, Loc loc = Loc::current());

//===--- Elementwise ------------------------------------------------------===//

Tensor neg(const Tensor &self, Loc loc = Loc::current());
Tensor abs(const Tensor &self, Loc loc = Loc::current());
Tensor exp(const Tensor &self, Loc loc = Loc::current());
Tensor log(const Tensor &self, Loc loc = Loc::current());
Tensor log1p(const Tensor &self, Loc loc = Loc::current());
Tensor sqrt(const Tensor &self, Loc loc = Loc::current());
Tensor rsqrt(const Tensor &self, Loc loc = Loc::current());
Tensor square(const Tensor &self, Loc loc = Loc::current());
Tensor relu(const Tensor &self, Loc loc = Loc::current());
Tensor sigmoid(const Tensor &self, Loc loc = Loc::current());
Tensor tanh(const Tensor &self, Loc loc = Loc::current());
Tensor sign(const Tensor &self, Loc loc = Loc::current());
Tensor erf(const Tensor &self, Loc loc = Loc::current());
Tensor logical_not(const Tensor &self, Loc loc = Loc::current());
/// `approximate` is "none" (the erf form) or "tanh".
Tensor gelu(const Tensor &self, std::string_view approximate = "none",
            Loc loc = Loc::current());
Tensor pow(const Tensor &self, const Tensor &exponent,
           Loc loc = Loc::current());
Tensor pow(const Tensor &self, const Scalar &exponent,
           Loc loc = Loc::current());
Tensor pow(const Scalar &self, const Tensor &exponent,
           Loc loc = Loc::current());
Tensor clamp(const Tensor &self, std::optional<Scalar> min,
             std::optional<Scalar> max = std::nullopt,
             Loc loc = Loc::current());
Tensor clamp(const Tensor &self, const std::optional<Tensor> &min,
             const std::optional<Tensor> &max = std::nullopt,
             Loc loc = Loc::current());
Tensor clamp_min(const Tensor &self, const Scalar &min,
                 Loc loc = Loc::current());
Tensor clamp_max(const Tensor &self, const Scalar &max,
                 Loc loc = Loc::current());

Tensor add(const Tensor &self, const Tensor &other, const Scalar &alpha = 1,
           Loc loc = Loc::current());
Tensor add(const Tensor &self, const Scalar &other, const Scalar &alpha = 1,
           Loc loc = Loc::current());
Tensor sub(const Tensor &self, const Tensor &other, const Scalar &alpha = 1,
           Loc loc = Loc::current());
Tensor sub(const Tensor &self, const Scalar &other, const Scalar &alpha = 1,
           Loc loc = Loc::current());
Tensor mul(const Tensor &self, const Tensor &other, Loc loc = Loc::current());
Tensor mul(const Tensor &self, const Scalar &other, Loc loc = Loc::current());
/// True division: integer inputs give the default floating type.
Tensor div(const Tensor &self, const Tensor &other, Loc loc = Loc::current());
Tensor div(const Tensor &self, const Scalar &other, Loc loc = Loc::current());
Tensor maximum(const Tensor &self, const Tensor &other,
               Loc loc = Loc::current());
Tensor minimum(const Tensor &self, const Tensor &other,
               Loc loc = Loc::current());

Tensor eq(const Tensor &self, const Tensor &other, Loc loc = Loc::current());
Tensor eq(const Tensor &self, const Scalar &other, Loc loc = Loc::current());
Tensor ne(const Tensor &self, const Tensor &other, Loc loc = Loc::current());
Tensor ne(const Tensor &self, const Scalar &other, Loc loc = Loc::current());
Tensor lt(const Tensor &self, const Tensor &other, Loc loc = Loc::current());
Tensor lt(const Tensor &self, const Scalar &other, Loc loc = Loc::current());
Tensor le(const Tensor &self, const Tensor &other, Loc loc = Loc::current());
Tensor le(const Tensor &self, const Scalar &other, Loc loc = Loc::current());
Tensor gt(const Tensor &self, const Tensor &other, Loc loc = Loc::current());
Tensor gt(const Tensor &self, const Scalar &other, Loc loc = Loc::current());
Tensor ge(const Tensor &self, const Tensor &other, Loc loc = Loc::current());
Tensor ge(const Tensor &self, const Scalar &other, Loc loc = Loc::current());

/// `condition ? self : other`, elementwise with broadcasting.
Tensor where(const Tensor &condition, const Tensor &self, const Tensor &other,
             Loc loc = Loc::current());
Tensor where(const Tensor &condition, const Scalar &self, const Tensor &other,
             Loc loc = Loc::current());
Tensor where(const Tensor &condition, const Tensor &self, const Scalar &other,
             Loc loc = Loc::current());
Tensor where(const Tensor &condition, const Scalar &self, const Scalar &other,
             Loc loc = Loc::current());
Tensor masked_fill(const Tensor &self, const Tensor &mask, const Scalar &value,
                   Loc loc = Loc::current());

//===--- Reductions -------------------------------------------------------===//

Tensor sum(const Tensor &self, std::optional<ScalarType> dtype = std::nullopt,
           Loc loc = Loc::current());
Tensor sum(const Tensor &self, IntArrayRef dim, bool keepdim = false,
           std::optional<ScalarType> dtype = std::nullopt,
           Loc loc = Loc::current());
Tensor mean(const Tensor &self, std::optional<ScalarType> dtype = std::nullopt,
            Loc loc = Loc::current());
Tensor mean(const Tensor &self, IntArrayRef dim, bool keepdim = false,
            std::optional<ScalarType> dtype = std::nullopt,
            Loc loc = Loc::current());
Tensor max(const Tensor &self, Loc loc = Loc::current());
std::tuple<Tensor, Tensor> max(const Tensor &self, int64_t dim,
                               bool keepdim = false, Loc loc = Loc::current());
Tensor min(const Tensor &self, Loc loc = Loc::current());
std::tuple<Tensor, Tensor> min(const Tensor &self, int64_t dim,
                               bool keepdim = false, Loc loc = Loc::current());
Tensor amax(const Tensor &self, IntArrayRef dim = {}, bool keepdim = false,
            Loc loc = Loc::current());
Tensor amin(const Tensor &self, IntArrayRef dim = {}, bool keepdim = false,
            Loc loc = Loc::current());
Tensor argmax(const Tensor &self, std::optional<int64_t> dim = std::nullopt,
              bool keepdim = false, Loc loc = Loc::current());
Tensor argmin(const Tensor &self, std::optional<int64_t> dim = std::nullopt,
              bool keepdim = false, Loc loc = Loc::current());
Tensor softmax(const Tensor &self, int64_t dim,
               std::optional<ScalarType> dtype = std::nullopt,
               Loc loc = Loc::current());
Tensor log_softmax(const Tensor &self, int64_t dim,
                   std::optional<ScalarType> dtype = std::nullopt,
                   Loc loc = Loc::current());
Tensor logsumexp(const Tensor &self, IntArrayRef dim, bool keepdim = false,
                 Loc loc = Loc::current());

//===--- Linear algebra ---------------------------------------------------===//

/// torch.matmul: dot, matrix-vector, matrix-matrix, or batched with
/// broadcast batch dimensions, by the operands' ranks.
Tensor matmul(const Tensor &self, const Tensor &other,
              Loc loc = Loc::current());
Tensor mm(const Tensor &self, const Tensor &other, Loc loc = Loc::current());
Tensor bmm(const Tensor &self, const Tensor &other, Loc loc = Loc::current());

//===--- Shapes and indexing ----------------------------------------------===//

Tensor reshape(const Tensor &self, IntArrayRef shape, Loc loc = Loc::current());
Tensor flatten(const Tensor &self, int64_t start_dim = 0, int64_t end_dim = -1,
               Loc loc = Loc::current());
Tensor transpose(const Tensor &self, int64_t dim0, int64_t dim1,
                 Loc loc = Loc::current());
Tensor permute(const Tensor &self, IntArrayRef dims, Loc loc = Loc::current());
Tensor t(const Tensor &self, Loc loc = Loc::current());
Tensor unsqueeze(const Tensor &self, int64_t dim, Loc loc = Loc::current());
Tensor squeeze(const Tensor &self, Loc loc = Loc::current());
Tensor squeeze(const Tensor &self, int64_t dim, Loc loc = Loc::current());
Tensor cat(const std::vector<Tensor> &tensors, int64_t dim = 0,
           Loc loc = Loc::current());
Tensor stack(const std::vector<Tensor> &tensors, int64_t dim = 0,
             Loc loc = Loc::current());
std::vector<Tensor> split(const Tensor &self, int64_t split_size,
                          int64_t dim = 0, Loc loc = Loc::current());
std::vector<Tensor> chunk(const Tensor &self, int64_t chunks, int64_t dim = 0,
                          Loc loc = Loc::current());
Tensor narrow(const Tensor &self, int64_t dim, int64_t start, int64_t length,
              Loc loc = Loc::current());
Tensor slice(const Tensor &self, int64_t dim = 0,
             std::optional<int64_t> start = std::nullopt,
             std::optional<int64_t> end = std::nullopt, int64_t step = 1,
             Loc loc = Loc::current());
Tensor select(const Tensor &self, int64_t dim, int64_t index,
              Loc loc = Loc::current());
Tensor clone(const Tensor &self, Loc loc = Loc::current());
Tensor index_select(const Tensor &self, int64_t dim, const Tensor &index,
                    Loc loc = Loc::current());
/// torch.gather: `out[i][j] = self[index[i][j]][j]` for dim 0, and so on.
Tensor gather(const Tensor &self, int64_t dim, const Tensor &index,
              Loc loc = Loc::current());
/// torch.index_add: `self` with `source`'s slices along `dim` added at the
/// positions `index` (1-D) names; repeated indices accumulate, indices
/// outside `[0, size)` are an error when known, dropped otherwise.
Tensor index_add(const Tensor &self, int64_t dim, const Tensor &index,
                 const Tensor &source, Loc loc = Loc::current());
/// Rows of `weight` ([num_embeddings, dim]) at `indices`, as torch::embedding.
/// With `sparse`, a weight read only by such lookups gets a sparse gradient
/// (Tensor::is_sparse).
Tensor embedding(const Tensor &weight, const Tensor &indices,
                 int64_t padding_idx = -1, bool scale_grad_by_freq = false,
                 bool sparse = false, Loc loc = Loc::current());

} // namespace dlc

#endif // DLC_FRONTEND_FUNCTIONS_H
