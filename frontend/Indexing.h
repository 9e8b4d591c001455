//===- Indexing.h - Tensor::index arguments, as torch::indexing -----------===//

#ifndef DLC_FRONTEND_INDEXING_H
#define DLC_FRONTEND_INDEXING_H

#include "frontend/Tensor.h"

#include <cstdint>
#include <optional>

namespace dlc::indexing {

/// `Slice(start, stop, step)`; `None` (std::nullopt) leaves an end open:
/// `Slice()` is `:`, `Slice(1, None)` is `1:`.
class Slice {
public:
  Slice(std::optional<int64_t> start = std::nullopt,
        std::optional<int64_t> stop = std::nullopt,
        std::optional<int64_t> step = std::nullopt)
      : startOpt(start), stopOpt(stop), stepOpt(step) {}
  std::optional<int64_t> start() const { return startOpt; }
  std::optional<int64_t> stop() const { return stopOpt; }
  std::optional<int64_t> step() const { return stepOpt; }

private:
  std::optional<int64_t> startOpt, stopOpt, stepOpt;
};

/// `None` inserts a dimension of size 1 (and leaves a Slice end open).
constexpr std::nullopt_t None = std::nullopt;

struct EllipsisIndexType {};
/// `Ellipsis` (or `"..."`) stands for as many `:` as needed.
constexpr EllipsisIndexType Ellipsis{};

/// One entry of `Tensor::index`: an integer (selects and drops a dimension),
/// a Slice, None, Ellipsis, or an integer tensor (picks entries along a
/// dimension, as index_select).
class TensorIndex {
public:
  enum class Kind { Integer, Slice, None, Ellipsis, Tensor };

  /* implicit */ TensorIndex(int64_t integer)
      : kind(Kind::Integer), integer(integer) {}
  /* implicit */ TensorIndex(int integer)
      : kind(Kind::Integer), integer(integer) {}
  /* implicit */ TensorIndex(Slice slice) : kind(Kind::Slice), slice(slice) {}
  /* implicit */ TensorIndex(std::nullopt_t) : kind(Kind::None) {}
  /* implicit */ TensorIndex(EllipsisIndexType) : kind(Kind::Ellipsis) {}
  /* implicit */ TensorIndex(const char *text);
  /* implicit */ TensorIndex(dlc::Tensor tensor)
      : kind(Kind::Tensor), tensor(std::move(tensor)) {}

  Kind getKind() const { return kind; }
  int64_t getInteger() const { return integer; }
  const Slice &getSlice() const { return slice; }
  const dlc::Tensor &getTensor() const { return tensor; }

private:
  Kind kind;
  int64_t integer = 0;
  Slice slice;
  dlc::Tensor tensor;
};

} // namespace dlc::indexing

#endif // DLC_FRONTEND_INDEXING_H
