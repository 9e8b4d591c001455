//===- Kernels.cpp - The reference executor's op-by-op kernels ------------===//

#include "codegen/reference/Kernels.h"
#include "codegen/reference/Philox.h"
#include "runtime/Distributed.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace mlir::dlc::reference {
namespace {

using ::dlc::ScalarType;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Calls `f(T{})` with the storage type of `type` (uint8_t for bool).
template <typename F>
void dispatch(ScalarType type, F &&f) {
  switch (type) {
  case ScalarType::Bool:
    return f(uint8_t{});
  case ScalarType::Int:
    return f(int32_t{});
  case ScalarType::Long:
    return f(int64_t{});
  case ScalarType::Float:
    return f(float{});
  case ScalarType::Double:
    return f(double{});
  }
}

template <typename T>
T *ptr(const TensorRef &t) {
  return static_cast<T *>(t.data);
}

std::vector<int64_t> rowMajorStrides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

int64_t product(const std::vector<int64_t> &shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t d = begin; d < end; ++d)
    n *= shape[d];
  return n;
}

/// Calls `f(offset)` for every element of `shape` in row-major order, with
/// `offset = base + sum(index[d] * strides[d])`.
template <typename F>
void forEachOffset(const std::vector<int64_t> &shape,
                   const std::vector<int64_t> &strides, int64_t base, F &&f) {
  int64_t rank = static_cast<int64_t>(shape.size());
  for (int64_t size : shape)
    if (size == 0)
      return;
  if (rank == 0) {
    f(base);
    return;
  }
  std::vector<int64_t> index(rank, 0);
  int64_t inner = shape[rank - 1], innerStride = strides[rank - 1];
  int64_t offset = base;
  while (true) {
    for (int64_t i = 0; i < inner; ++i)
      f(offset + i * innerStride);
    int64_t d = rank - 2;
    for (; d >= 0; --d) {
      offset += strides[d];
      if (++index[d] < shape[d])
        break;
      offset -= strides[d] * shape[d];
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

/// out[i] = in[offset_i] over `out`'s shape (see forEachOffset).
void stridedCopy(const TensorRef &out, const TensorRef &in,
                 const std::vector<int64_t> &strides, int64_t base) {
  auto copy = [&](auto tag) {
    using T = decltype(tag);
    T *o = ptr<T>(out);
    const T *i = ptr<T>(in);
    forEachOffset(out.shape, strides, base,
                  [&](int64_t offset) { *o++ = i[offset]; });
  };
  switch (::dlc::elementSize(in.type)) {
  case 1:
    return copy(uint8_t{});
  case 4:
    return copy(uint32_t{});
  default:
    return copy(uint64_t{});
  }
}

template <typename T>
constexpr bool isFloat = std::is_floating_point_v<T>;

template <typename T>
T wrapAdd(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
}
template <typename T>
T wrapSub(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
}
template <typename T>
T wrapMul(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
}

/// The accumulator of sums and products: f64 for floats, i64 for integers.
template <typename T>
using Acc = std::conditional_t<isFloat<T>, double, int64_t>;

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename T>
T unaryOp(OpKind kind, T x, bool isBool) {
  if constexpr (isFloat<T>) {
    switch (kind) {
    case OpKind::Abs:
      return std::fabs(x);
    case OpKind::Erf:
      return std::erf(x);
    case OpKind::Exp:
      return std::exp(x);
    case OpKind::Log:
      return std::log(x);
    case OpKind::Log1p:
      return std::log1p(x);
    case OpKind::Neg:
      return -x;
    case OpKind::Relu:
      return std::isnan(x) ? x : (x > 0 ? x : T(0));
    case OpKind::Rsqrt:
      return T(1) / std::sqrt(x);
    case OpKind::Sigmoid:
      return T(1) / (T(1) + std::exp(-x));
    case OpKind::Sign:
      return std::isnan(x) ? x : T((x > 0) - (x < 0));
    case OpKind::Sqrt:
      return std::sqrt(x);
    case OpKind::Tanh:
      return std::tanh(x);
    default:
      break;
    }
  } else {
    switch (kind) {
    case OpKind::Abs:
      return x < 0 ? wrapSub(T(0), x) : x;
    case OpKind::Neg:
      return wrapSub(T(0), x);
    case OpKind::Relu:
      return x > 0 ? x : T(0);
    case OpKind::Sign:
      return T((x > 0) - (x < 0));
    case OpKind::Not:
      return isBool ? T(!x) : T(~x);
    default:
      break;
    }
  }
  assert(false && "unary op not defined for this type");
  return x;
}

template <typename T>
T binaryOp(OpKind kind, T a, T b) {
  if constexpr (isFloat<T>) {
    switch (kind) {
    case OpKind::Add:
      return a + b;
    case OpKind::Sub:
      return a - b;
    case OpKind::Mul:
      return a * b;
    case OpKind::Div:
      return a / b;
    case OpKind::Pow:
      return std::pow(a, b);
    case OpKind::Max:
      return (std::isnan(a) || std::isnan(b))
                 ? std::numeric_limits<T>::quiet_NaN()
                 : std::max(a, b);
    case OpKind::Min:
      return (std::isnan(a) || std::isnan(b))
                 ? std::numeric_limits<T>::quiet_NaN()
                 : std::min(a, b);
    default:
      break;
    }
  } else {
    switch (kind) {
    case OpKind::Add:
      return wrapAdd(a, b);
    case OpKind::Sub:
      return wrapSub(a, b);
    case OpKind::Mul:
      return wrapMul(a, b);
    case OpKind::Div:
      if (b == 0)
        return 0;
      if constexpr (std::is_signed_v<T>)
        if (a == std::numeric_limits<T>::min() && b == T(-1))
          return a;
      return a / b;
    case OpKind::Max:
      return std::max(a, b);
    case OpKind::Min:
      return std::min(a, b);
    case OpKind::And:
      return a & b;
    case OpKind::Or:
      return a | b;
    case OpKind::Xor:
      return a ^ b;
    default:
      break;
    }
  }
  assert(false && "binary op not defined for this type");
  return a;
}

void runUnary(OpKind kind, const TensorRef &in, const TensorRef &out) {
  bool isBool = in.type == ScalarType::Bool;
  dispatch(in.type, [&](auto tag) {
    using T = decltype(tag);
    const T *x = ptr<T>(in);
    T *y = ptr<T>(out);
    for (int64_t i = 0, n = in.numel(); i < n; ++i)
      y[i] = unaryOp<T>(kind, x[i], isBool);
  });
}

void runBinary(OpKind kind, const TensorRef &lhs, const TensorRef &rhs,
               const TensorRef &out) {
  dispatch(lhs.type, [&](auto tag) {
    using T = decltype(tag);
    const T *a = ptr<T>(lhs);
    const T *b = ptr<T>(rhs);
    T *y = ptr<T>(out);
    for (int64_t i = 0, n = lhs.numel(); i < n; ++i)
      y[i] = binaryOp<T>(kind, a[i], b[i]);
  });
}

void runCompare(int64_t direction, const TensorRef &lhs, const TensorRef &rhs,
                const TensorRef &out) {
  dispatch(lhs.type, [&](auto tag) {
    using T = decltype(tag);
    const T *a = ptr<T>(lhs);
    const T *b = ptr<T>(rhs);
    uint8_t *y = ptr<uint8_t>(out);
    for (int64_t i = 0, n = lhs.numel(); i < n; ++i) {
      bool r = false;
      switch (direction) {
      case 0:
        r = a[i] == b[i];
        break;
      case 1:
        r = a[i] != b[i];
        break;
      case 2:
        r = a[i] < b[i];
        break;
      case 3:
        r = a[i] <= b[i];
        break;
      case 4:
        r = a[i] > b[i];
        break;
      default:
        r = a[i] >= b[i];
        break;
      }
      y[i] = r;
    }
  });
}

void runSelect(const TensorRef &cond, const TensorRef &onTrue,
               const TensorRef &onFalse, const TensorRef &out) {
  dispatch(onTrue.type, [&](auto tag) {
    using T = decltype(tag);
    const uint8_t *c = ptr<uint8_t>(cond);
    const T *a = ptr<T>(onTrue);
    const T *b = ptr<T>(onFalse);
    T *y = ptr<T>(out);
    for (int64_t i = 0, n = out.numel(); i < n; ++i)
      y[i] = c[i] ? a[i] : b[i];
  });
}

/// dlc.cast of one element: floats to integers truncate (NaN gives 0, values
/// out of range saturate), anything to bool is `x != 0`.
template <typename To, typename From>
To convertElement(From x, bool toBool, bool fromBool) {
  if (toBool)
    return static_cast<To>(x != From(0));
  if (fromBool)
    return static_cast<To>(x ? 1 : 0);
  if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    if (std::isnan(x))
      return 0;
    if (x >= static_cast<From>(std::numeric_limits<To>::max()))
      return std::numeric_limits<To>::max();
    if (x <= static_cast<From>(std::numeric_limits<To>::min()))
      return std::numeric_limits<To>::min();
  }
  return static_cast<To>(x);
}

void runCast(const TensorRef &in, const TensorRef &out) {
  bool fromBool = in.type == ScalarType::Bool,
       toBool = out.type == ScalarType::Bool;
  dispatch(in.type, [&](auto fromTag) {
    using From = decltype(fromTag);
    dispatch(out.type, [&](auto toTag) {
      using To = decltype(toTag);
      const From *x = ptr<From>(in);
      To *y = ptr<To>(out);
      for (int64_t i = 0, n = in.numel(); i < n; ++i)
        y[i] = convertElement<To, From>(x[i], toBool, fromBool);
    });
  });
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

void runBroadcast(const std::vector<int64_t> &dims, const TensorRef &in,
                  const TensorRef &out) {
  std::vector<int64_t> inStrides = rowMajorStrides(in.shape);
  std::vector<int64_t> strides(out.shape.size(), 0);
  for (size_t i = 0; i < dims.size(); ++i)
    strides[dims[i]] = in.shape[i] == 1 ? 0 : inStrides[i];
  stridedCopy(out, in, strides, 0);
}

void runTranspose(const std::vector<int64_t> &perm, const TensorRef &in,
                  const TensorRef &out) {
  std::vector<int64_t> inStrides = rowMajorStrides(in.shape);
  std::vector<int64_t> strides;
  for (int64_t p : perm)
    strides.push_back(inStrides[p]);
  stridedCopy(out, in, strides, 0);
}

void runSlice(const std::vector<int64_t> &ints, const TensorRef &in,
              const TensorRef &out) {
  size_t rank = in.shape.size();
  std::vector<int64_t> inStrides = rowMajorStrides(in.shape);
  std::vector<int64_t> strides(rank);
  int64_t base = 0;
  for (size_t d = 0; d < rank; ++d) {
    base += ints[d] * inStrides[d];
    strides[d] = inStrides[d] * ints[2 * rank + d];
  }
  stridedCopy(out, in, strides, base);
}

void runConcat(int64_t dim, const std::vector<TensorRef> &inputs,
               const TensorRef &out) {
  size_t es = ::dlc::elementSize(out.type);
  int64_t outer = product(out.shape, 0, dim);
  int64_t inner = product(out.shape, dim + 1, out.shape.size());
  int64_t outRow = out.shape[dim] * inner;
  int64_t offset = 0;
  for (const TensorRef &in : inputs) {
    int64_t chunk = in.shape[dim] * inner;
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(static_cast<char *>(out.data) + (o * outRow + offset) * es,
                  static_cast<const char *>(in.data) + o * chunk * es,
                  chunk * es);
    offset += chunk;
  }
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// For every input element in order, the offset of the output element it
/// reduces into.
template <typename F>
void forEachReduced(const std::vector<int64_t> &inShape,
                    const std::vector<int64_t> &dims, F &&f) {
  std::vector<int64_t> kept = inShape;
  for (int64_t d : dims)
    kept[d] = 1;
  std::vector<int64_t> strides = rowMajorStrides(kept);
  for (int64_t d : dims)
    strides[d] = 0;
  int64_t i = 0;
  forEachOffset(inShape, strides, 0, [&](int64_t o) { f(i++, o); });
}

void runReduce(OpKind kind, const std::vector<int64_t> &dims,
               const TensorRef &in, const TensorRef &out) {
  bool isBool = in.type == ScalarType::Bool;
  dispatch(in.type, [&](auto tag) {
    using T = decltype(tag);
    const T *x = ptr<T>(in);
    T *y = ptr<T>(out);
    int64_t n = out.numel();
    if (kind == OpKind::ReduceSum) {
      std::vector<Acc<T>> acc(n, 0);
      forEachReduced(in.shape, dims, [&](int64_t i, int64_t o) {
        if constexpr (isFloat<T>)
          acc[o] += x[i];
        else
          acc[o] = wrapAdd<int64_t>(acc[o], x[i]);
      });
      for (int64_t o = 0; o < n; ++o)
        y[o] = static_cast<T>(acc[o]);
      return;
    }
    bool isMax = kind == OpKind::ReduceMax;
    T identity;
    if (isBool)
      identity = isMax ? 0 : 1;
    else if constexpr (isFloat<T>)
      identity = isMax ? -std::numeric_limits<T>::infinity()
                       : std::numeric_limits<T>::infinity();
    else
      identity = isMax ? std::numeric_limits<T>::lowest()
                       : std::numeric_limits<T>::max();
    std::fill(y, y + n, identity);
    forEachReduced(in.shape, dims, [&](int64_t i, int64_t o) {
      T v = x[i];
      if constexpr (isFloat<T>) {
        if (std::isnan(v) || std::isnan(y[o])) {
          y[o] = std::numeric_limits<T>::quiet_NaN();
          return;
        }
      }
      if (isMax ? v > y[o] : v < y[o])
        y[o] = v;
    });
  });
}

void runSoftmax(bool log, int64_t dim, const TensorRef &in,
                const TensorRef &out) {
  int64_t outer = product(in.shape, 0, dim);
  int64_t size = in.shape[dim];
  int64_t inner = product(in.shape, dim + 1, in.shape.size());
  dispatch(in.type, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (isFloat<T>) {
      const T *x = ptr<T>(in);
      T *y = ptr<T>(out);
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          auto at = [&](int64_t k) { return (o * size + k) * inner + i; };
          // A NaN anywhere in the row makes the whole row NaN.
          double max = -std::numeric_limits<double>::infinity();
          for (int64_t k = 0; k < size; ++k) {
            double v = x[at(k)];
            max =
                (std::isnan(v) || std::isnan(max)) ? v + max : std::max(max, v);
          }
          double sum = 0;
          for (int64_t k = 0; k < size; ++k)
            sum += std::exp(double(x[at(k)]) - max);
          for (int64_t k = 0; k < size; ++k) {
            double shifted = double(x[at(k)]) - max;
            y[at(k)] = static_cast<T>(log ? shifted - std::log(sum)
                                          : std::exp(shifted) / sum);
          }
        }
      }
    }
  });
}

//===----------------------------------------------------------------------===//
// Linear algebra and indexing
//===----------------------------------------------------------------------===//

void runMatmul(const TensorRef &lhs, const TensorRef &rhs,
               const TensorRef &out) {
  size_t rank = lhs.shape.size();
  int64_t batch = product(lhs.shape, 0, rank - 2);
  int64_t m = lhs.shape[rank - 2], k = lhs.shape[rank - 1],
          n = rhs.shape[rank - 1];
  dispatch(lhs.type, [&](auto tag) {
    using T = decltype(tag);
    const T *a = ptr<T>(lhs);
    const T *b = ptr<T>(rhs);
    T *y = ptr<T>(out);
    std::vector<Acc<T>> row(n);
    for (int64_t p = 0; p < batch; ++p) {
      const T *ab = a + p * m * k;
      const T *bb = b + p * k * n;
      T *yb = y + p * m * n;
      for (int64_t i = 0; i < m; ++i) {
        std::fill(row.begin(), row.end(), 0);
        for (int64_t l = 0; l < k; ++l) {
          Acc<T> av = ab[i * k + l];
          for (int64_t j = 0; j < n; ++j) {
            if constexpr (isFloat<T>)
              row[j] += av * static_cast<Acc<T>>(bb[l * n + j]);
            else
              row[j] =
                  wrapAdd<int64_t>(row[j], wrapMul<int64_t>(av, bb[l * n + j]));
          }
        }
        for (int64_t j = 0; j < n; ++j)
          yb[i * n + j] = static_cast<T>(row[j]);
      }
    }
  });
}

int64_t indexAt(const TensorRef &indices, int64_t i) {
  return indices.type == ScalarType::Int ? ptr<int32_t>(indices)[i]
                                         : ptr<int64_t>(indices)[i];
}

void runGather(int64_t axis, const TensorRef &in, const TensorRef &indices,
               const TensorRef &out) {
  size_t es = ::dlc::elementSize(in.type);
  int64_t outer = product(in.shape, 0, axis);
  int64_t size = in.shape[axis];
  int64_t inner = product(in.shape, axis + 1, in.shape.size());
  int64_t count = indices.numel();
  const char *x = static_cast<const char *>(in.data);
  char *y = static_cast<char *>(out.data);
  if (size == 0)
    return; // then the result is empty too unless count == 0
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < count; ++i) {
      int64_t j = std::clamp<int64_t>(indexAt(indices, i), 0, size - 1);
      std::memcpy(y + ((o * count + i) * inner) * es,
                  x + ((o * size + j) * inner) * es, inner * es);
    }
  }
}

void runScatterAdd(int64_t axis, const TensorRef &in, const TensorRef &indices,
                   const TensorRef &updates, const TensorRef &out) {
  std::memcpy(out.data, in.data, in.numel() * ::dlc::elementSize(in.type));
  int64_t outer = product(in.shape, 0, axis);
  int64_t size = in.shape[axis];
  int64_t inner = product(in.shape, axis + 1, in.shape.size());
  int64_t count = indices.numel();
  dispatch(in.type, [&](auto tag) {
    using T = decltype(tag);
    const T *u = ptr<T>(updates);
    T *y = ptr<T>(out);
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < count; ++i) {
        int64_t j = indexAt(indices, i);
        if (j < 0 || j >= size)
          continue;
        T *dst = y + (o * size + j) * inner;
        const T *src = u + (o * count + i) * inner;
        for (int64_t c = 0; c < inner; ++c) {
          if constexpr (isFloat<T>)
            dst[c] += src[c];
          else
            dst[c] = wrapAdd(dst[c], src[c]);
        }
      }
    }
  });
}

void runFirstOccurrence(const TensorRef &indices, const TensorRef &out) {
  // An open-addressing table of (index value, first position): linear in
  // the count, whatever the range of the values.
  int64_t count = indices.numel();
  int64_t *y = ptr<int64_t>(out);
  size_t capacity = 16;
  while (capacity < static_cast<size_t>(2 * count))
    capacity *= 2;
  std::vector<int64_t> keys(capacity), first(capacity, -1);
  for (int64_t i = 0; i < count; ++i) {
    int64_t key = indexAt(indices, i);
    uint64_t h = static_cast<uint64_t>(key) * 0x9e3779b97f4a7c15ull;
    size_t slot = static_cast<size_t>(h >> 20) & (capacity - 1);
    while (first[slot] >= 0 && keys[slot] != key)
      slot = (slot + 1) & (capacity - 1);
    if (first[slot] < 0) {
      keys[slot] = key;
      first[slot] = i;
    }
    y[i] = first[slot];
  }
}

void runIota(int64_t dim, const TensorRef &out) {
  int64_t size = out.shape[dim];
  int64_t inner = product(out.shape, dim + 1, out.shape.size());
  dispatch(out.type, [&](auto tag) {
    using T = decltype(tag);
    T *y = ptr<T>(out);
    for (int64_t i = 0, n = out.numel(); i < n; ++i)
      y[i] = static_cast<T>((i / inner) % size);
  });
}

void runRandom(int64_t distribution, const TensorRef &seed,
               const TensorRef &offset, const TensorRef &out) {
  uint64_t key = static_cast<uint64_t>(*ptr<int64_t>(seed));
  uint64_t base = static_cast<uint64_t>(*ptr<int64_t>(offset));
  bool normal = distribution == 1;
  int64_t n = out.numel();
  if (out.type == ScalarType::Float) {
    float *y = ptr<float>(out);
    for (int64_t i = 0; i < n; ++i) {
      auto x = philox4x32(base + i, key);
      y[i] = normal ? static_cast<float>(normalDouble(x)) : uniformFloat(x);
    }
  } else {
    double *y = ptr<double>(out);
    for (int64_t i = 0; i < n; ++i) {
      auto x = philox4x32(base + i, key);
      y[i] = normal ? normalDouble(x) : uniformDouble(x);
    }
  }
}

void runConstant(const Kernel &kernel, const TensorRef &out) {
  size_t es = ::dlc::elementSize(out.type);
  int64_t n = out.numel();
  if (!kernel.splat) {
    std::memcpy(out.data, kernel.constant.data(), n * es);
    return;
  }
  char *y = static_cast<char *>(out.data);
  for (int64_t i = 0; i < n; ++i)
    std::memcpy(y + i * es, kernel.constant.data(), es);
}

} // namespace

void runKernel(const Kernel &kernel, const std::vector<TensorRef> &inputs,
               const std::vector<TensorRef> &outputs) {
  const TensorRef &out = outputs.front();
  switch (kernel.kind) {
  case OpKind::Abs:
  case OpKind::Erf:
  case OpKind::Exp:
  case OpKind::Log:
  case OpKind::Log1p:
  case OpKind::Neg:
  case OpKind::Not:
  case OpKind::Relu:
  case OpKind::Rsqrt:
  case OpKind::Sigmoid:
  case OpKind::Sign:
  case OpKind::Sqrt:
  case OpKind::Tanh:
    return runUnary(kernel.kind, inputs[0], out);
  case OpKind::Add:
  case OpKind::And:
  case OpKind::Div:
  case OpKind::Max:
  case OpKind::Min:
  case OpKind::Mul:
  case OpKind::Or:
  case OpKind::Pow:
  case OpKind::Sub:
  case OpKind::Xor:
    return runBinary(kernel.kind, inputs[0], inputs[1], out);
  case OpKind::Compare:
    return runCompare(kernel.attr, inputs[0], inputs[1], out);
  case OpKind::Select:
    return runSelect(inputs[0], inputs[1], inputs[2], out);
  case OpKind::Cast:
    return runCast(inputs[0], out);
  case OpKind::Constant:
    return runConstant(kernel, out);
  case OpKind::BroadcastInDim:
    return runBroadcast(kernel.ints, inputs[0], out);
  case OpKind::Concat:
    return runConcat(kernel.attr, inputs, out);
  case OpKind::Reshape:
  case OpKind::StopGradient:
    std::memcpy(out.data, inputs[0].data,
                out.numel() * ::dlc::elementSize(out.type));
    return;
  case OpKind::Slice:
    return runSlice(kernel.ints, inputs[0], out);
  case OpKind::Transpose:
    return runTranspose(kernel.ints, inputs[0], out);
  case OpKind::ReduceMax:
  case OpKind::ReduceMin:
  case OpKind::ReduceSum:
    return runReduce(kernel.kind, kernel.ints, inputs[0], out);
  case OpKind::Matmul:
    return runMatmul(inputs[0], inputs[1], out);
  case OpKind::Gather:
    return runGather(kernel.attr, inputs[0], inputs[1], out);
  case OpKind::ScatterAdd:
    return runScatterAdd(kernel.attr, inputs[0], inputs[1], inputs[2], out);
  case OpKind::Iota:
    return runIota(kernel.attr, out);
  case OpKind::FirstOccurrence:
    return runFirstOccurrence(inputs[0], out);
  case OpKind::Random:
    return runRandom(kernel.attr, inputs[0], inputs[1], out);
  case OpKind::LogSoftmax:
  case OpKind::Softmax:
    return runSoftmax(kernel.kind == OpKind::LogSoftmax, kernel.attr, inputs[0],
                      out);
  case OpKind::AllReduce: {
    // Each input copied to its output, then the outputs reduced in place
    // across the processes, as one call.
    std::vector<::dlc::rt::dist::Span> spans;
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::memcpy(outputs[i].data, inputs[i].data,
                  outputs[i].numel() * ::dlc::elementSize(outputs[i].type));
      spans.push_back({outputs[i].data, outputs[i].numel()});
    }
    ::dlc::rt::dist::all_reduce(
        std::move(spans), out.type,
        static_cast<::dlc::rt::dist::ReduceOp>(kernel.attr), "dlc.all_reduce");
    return;
  }
  case OpKind::Grad:
    break;
  }
  assert(false && "the reference executor was built with an op it cannot run");
}

} // namespace mlir::dlc::reference
