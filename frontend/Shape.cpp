//===- Shape.cpp - reshape, transpose, cat, split, slicing, indexing ------===//

#include "frontend/Functions.h"
#include "frontend/Indexing.h"
#include "frontend/detail/Recorder.h"

#include <algorithm>

namespace dlc {

using detail::OpKind;
using detail::Recorder;
using detail::Shape;
using detail::Value;

namespace {

int64_t numelOf(const Shape &shape) {
  int64_t n = 1;
  for (int64_t s : shape)
    n *= s;
  return n;
}

/// `shape` with one -1 inferred from `numel`; PyTorch's messages otherwise.
Shape inferShape(const Recorder &r, IntArrayRef requested, int64_t numel) {
  Shape shape = requested.vec();
  std::optional<size_t> inferred;
  int64_t known = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (inferred)
        r.fail("only one dimension can be inferred");
      inferred = i;
    } else if (shape[i] < 0) {
      r.fail("invalid shape dimension {}", shape[i]);
    } else {
      known *= shape[i];
    }
  }
  if (inferred) {
    if (known == 0)
      r.fail("cannot reshape tensor of {} elements into shape {} because the "
             "unspecified dimension size -1 can be any value and is ambiguous",
             numel, detail::formatShape(requested));
    if (numel % known == 0)
      shape[*inferred] = numel / known;
  }
  if (numelOf(shape) != numel || (inferred && numel % known != 0))
    r.fail("shape '{}' is invalid for input of size {}",
           detail::formatShape(requested), numel);
  return shape;
}

/// Start and length of a slice in PyTorch's clamping rules.
struct Range {
  int64_t start;
  int64_t limit;
};

Range clampRange(std::optional<int64_t> start, std::optional<int64_t> end,
                 int64_t size) {
  int64_t s = start.value_or(0), e = end.value_or(size);
  if (s < 0)
    s += size;
  if (e < 0)
    e += size;
  s = std::clamp<int64_t>(s, 0, size);
  e = std::clamp<int64_t>(e, s, size);
  return {s, e};
}

Value sliceAlong(Recorder &r, const Value &x, int64_t dim, int64_t start,
                 int64_t limit, int64_t step) {
  const Shape &shape = x.type().shape;
  Shape starts(shape.size(), 0), limits = shape, strides(shape.size(), 1);
  starts[dim] = start;
  limits[dim] = limit;
  strides[dim] = step;
  return r.slice(x, starts, limits, strides);
}

Value selectAlong(Recorder &r, const Value &x, int64_t dim, int64_t index) {
  const Shape &shape = x.type().shape;
  int64_t size = shape[dim];
  if (index < -size || index >= size)
    r.fail("index {} out of range for tensor of size {} at dimension {}", index,
           detail::formatShape(shape), dim);
  if (index < 0)
    index += size;
  Shape out = shape;
  out.erase(out.begin() + dim);
  return r.reshape(sliceAlong(r, x, dim, index, index + 1, 1), out);
}

/// Checks indices already realized (data the user passed in) against
/// [0, size): PyTorch reports these instead of clamping them.
void checkIndexRange(const Recorder &r, const Tensor &index, int64_t size,
                     int64_t dim) {
  const detail::TensorImpl &impl = *index.unsafeGetImpl();
  rt::BufferPtr buffer = detail::bufferIfRealized(impl.value);
  if (!buffer)
    return;
  const void *data = buffer->data();
  int64_t n = numelOf(impl.shape);
  for (int64_t i = 0; i < n; ++i) {
    int64_t v = impl.dtype == kInt ? static_cast<const int32_t *>(data)[i]
                                   : static_cast<const int64_t *>(data)[i];
    if (v < 0 || v >= size)
      r.fail("index {} is out of bounds for dimension {} with size {}", v, dim,
             size);
  }
}

void checkIndexType(const Recorder &r, const Tensor &index, const char *what) {
  ScalarType type = r.dtype(index);
  if (type != kLong && type != kInt)
    r.fail("expected {} to have dtype Long or Int, but got {}", what,
           toString(type));
}

/// torch.gather through one flat take: the element of `self` at index
/// position p is self[p with dim replaced by index[p]].
Value gatherValue(Recorder &r, const Tensor &self, int64_t dim,
                  const Tensor &index) {
  const Shape &shape = r.shape(self);
  const Shape &indexShape = r.shape(index);
  Shape strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  Value linear = r.binary(OpKind::Mul, r.cast(r.value(index), kLong),
                          r.splat(strides[dim], kLong, indexShape));
  for (size_t d = 0; d < shape.size(); ++d) {
    if (static_cast<int64_t>(d) == dim)
      continue;
    Value position = r.iota(kLong, indexShape, static_cast<int64_t>(d));
    linear = r.binary(OpKind::Add, linear,
                      r.binary(OpKind::Mul, position,
                               r.splat(strides[d], kLong, indexShape)));
  }
  Value flat = r.reshape(r.value(self), {numelOf(shape)});
  return r.gather(flat, linear, 0);
}

} // namespace

//===----------------------------------------------------------------------===//
// Reshaping
//===----------------------------------------------------------------------===//

Tensor reshape(const Tensor &self, IntArrayRef shape, Loc loc) {
  Recorder r("reshape", loc);
  Shape target = inferShape(r, shape, numelOf(r.shape(self)));
  return r.view(r.reshape(r.value(self), target), self);
}

Tensor Tensor::reshape(IntArrayRef shape, Loc loc) const {
  return dlc::reshape(*this, shape, loc);
}

Tensor Tensor::view(IntArrayRef shape, Loc loc) const {
  Recorder r("view", loc);
  Shape target = inferShape(r, shape, numelOf(r.shape(*this)));
  return r.view(r.reshape(r.value(*this), target), *this);
}

Tensor flatten(const Tensor &self, int64_t start_dim, int64_t end_dim,
               Loc loc) {
  Recorder r("flatten", loc);
  const Shape &shape = r.shape(self);
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t s = r.wrapDim(start_dim, rank), e = r.wrapDim(end_dim, rank);
  if (s > e)
    r.fail("start_dim cannot come after end_dim");
  if (rank == 0)
    return r.view(r.reshape(r.value(self), {1}), self);
  Shape out(shape.begin(), shape.begin() + s);
  int64_t merged = 1;
  for (int64_t d = s; d <= e; ++d)
    merged *= shape[d];
  out.push_back(merged);
  out.insert(out.end(), shape.begin() + e + 1, shape.end());
  return r.view(r.reshape(r.value(self), out), self);
}

Tensor transpose(const Tensor &self, int64_t dim0, int64_t dim1, Loc loc) {
  Recorder r("transpose", loc);
  int64_t rank = static_cast<int64_t>(r.shape(self).size());
  int64_t a = r.wrapDim(dim0, rank), b = r.wrapDim(dim1, rank);
  if (rank == 0)
    return r.view(r.value(self), self);
  Shape perm(rank);
  for (int64_t d = 0; d < rank; ++d)
    perm[d] = d;
  std::swap(perm[a], perm[b]);
  return r.view(r.transpose(r.value(self), perm), self);
}

Tensor permute(const Tensor &self, IntArrayRef dims, Loc loc) {
  Recorder r("permute", loc);
  int64_t rank = static_cast<int64_t>(r.shape(self).size());
  if (static_cast<int64_t>(dims.size()) != rank)
    r.fail(
        "number of dims don't match in permute: the tensor has {} dimensions "
        "but {} were given",
        rank, dims.size());
  Shape perm;
  std::vector<bool> seen(std::max<int64_t>(rank, 1), false);
  for (int64_t d : dims) {
    int64_t w = r.wrapDim(d, rank);
    if (seen[w])
      r.fail("duplicate dims are not allowed");
    seen[w] = true;
    perm.push_back(w);
  }
  return r.view(r.transpose(r.value(self), perm), self);
}

Tensor t(const Tensor &self, Loc loc) {
  Recorder r("t", loc);
  int64_t rank = static_cast<int64_t>(r.shape(self).size());
  if (rank > 2)
    r.fail("t() expects a tensor with <= 2 dimensions, but self is {}D", rank);
  if (rank < 2)
    return r.view(r.value(self), self);
  return r.view(r.transpose(r.value(self), {1, 0}), self);
}

Tensor unsqueeze(const Tensor &self, int64_t dim, Loc loc) {
  Recorder r("unsqueeze", loc);
  Shape shape = r.shape(self);
  int64_t d = r.wrapDim(dim, static_cast<int64_t>(shape.size()) + 1);
  shape.insert(shape.begin() + d, 1);
  return r.view(r.reshape(r.value(self), shape), self);
}

Tensor squeeze(const Tensor &self, Loc loc) {
  Recorder r("squeeze", loc);
  Shape shape;
  for (int64_t s : r.shape(self))
    if (s != 1)
      shape.push_back(s);
  return r.view(r.reshape(r.value(self), shape), self);
}

Tensor squeeze(const Tensor &self, int64_t dim, Loc loc) {
  Recorder r("squeeze", loc);
  Shape shape = r.shape(self);
  int64_t d = r.wrapDim(dim, static_cast<int64_t>(shape.size()));
  if (!shape.empty() && shape[d] == 1)
    shape.erase(shape.begin() + d);
  return r.view(r.reshape(r.value(self), shape), self);
}

Tensor Tensor::expand(IntArrayRef size, Loc loc) const {
  Recorder r("expand", loc);
  const Shape &shape = r.shape(*this);
  size_t rank = shape.size();
  if (size.size() < rank)
    r.fail("the number of sizes provided ({}) must be greater or equal to the "
           "number of dimensions in the tensor ({})",
           size.size(), rank);
  size_t lead = size.size() - rank;
  Shape target(size.size());
  for (size_t i = 0; i < size.size(); ++i) {
    int64_t want = size[i];
    if (i < lead) {
      if (want < 0)
        r.fail(
            "the expanded size of the tensor ({}) isn't allowed in a leading, "
            "non-existing dimension {}",
            want, i);
      target[i] = want;
      continue;
    }
    int64_t have = shape[i - lead];
    if (want == -1)
      want = have;
    if (have != 1 && want != have)
      r.fail("the expanded size of the tensor ({}) must match the existing "
             "size ({}) at "
             "non-singleton dimension {}; target sizes: {}, tensor sizes: {}",
             want, have, i, detail::formatShape(size),
             detail::formatShape(shape));
    target[i] = want;
  }
  return r.view(r.broadcastTo(r.value(*this), target), *this);
}

Tensor Tensor::expand_as(const Tensor &other, Loc loc) const {
  return expand(other.sizes(loc), loc);
}

//===----------------------------------------------------------------------===//
// Joining and splitting
//===----------------------------------------------------------------------===//

Tensor cat(const std::vector<Tensor> &tensors, int64_t dim, Loc loc) {
  Recorder r("cat", loc);
  if (tensors.empty())
    r.fail("expected a non-empty list of Tensors");
  // As PyTorch, 1-d empty tensors are skipped (the legacy form of "nothing").
  std::vector<const Tensor *> parts;
  for (const Tensor &t : tensors) {
    const Shape &s = r.shape(t);
    if (!(s.size() == 1 && s[0] == 0))
      parts.push_back(&t);
  }
  if (parts.empty())
    return r.result(r.value(tensors.front()), tensors);
  const Shape &first = r.shape(*parts.front());
  int64_t rank = static_cast<int64_t>(first.size());
  if (rank == 0)
    r.fail("zero-dimensional tensor (at position 0) cannot be concatenated");
  int64_t d = r.wrapDim(dim, rank);
  ScalarType type = r.dtype(*parts.front());
  for (size_t i = 0; i < parts.size(); ++i) {
    const Shape &s = r.shape(*parts[i]);
    if (static_cast<int64_t>(s.size()) != rank)
      r.fail("tensors must have same number of dimensions: got {} and {}", rank,
             s.size());
    for (int64_t k = 0; k < rank; ++k)
      if (k != d && s[k] != first[k])
        r.fail("sizes of tensors must match except in dimension {}: expected "
               "size {} "
               "but got size {} for tensor number {} in the list",
               d, first[k], s[k], i);
    type = detail::promoteTypes(type, r.dtype(*parts[i]));
  }
  std::vector<Value> values;
  for (const Tensor *t : parts)
    values.push_back(r.cast(r.value(*t), type));
  return r.result(r.concat(values, d), tensors);
}

Tensor stack(const std::vector<Tensor> &tensors, int64_t dim, Loc loc) {
  Recorder r("stack", loc);
  if (tensors.empty())
    r.fail("expected a non-empty list of Tensors");
  const Shape &first = r.shape(tensors.front());
  for (size_t i = 1; i < tensors.size(); ++i)
    if (r.shape(tensors[i]) != first)
      r.fail("stack expects each tensor to be equal size, but got {} at entry "
             "0 and {} "
             "at entry {}",
             detail::formatShape(first),
             detail::formatShape(r.shape(tensors[i])), i);
  int64_t d = r.wrapDim(dim, static_cast<int64_t>(first.size()) + 1);
  Shape expanded = first;
  expanded.insert(expanded.begin() + d, 1);
  ScalarType type = r.dtype(tensors.front());
  for (const Tensor &t : tensors)
    type = detail::promoteTypes(type, r.dtype(t));
  std::vector<Value> values;
  for (const Tensor &t : tensors)
    values.push_back(r.reshape(r.cast(r.value(t), type), expanded));
  return r.result(r.concat(values, d), tensors);
}

std::vector<Tensor> Tensor::split_with_sizes(IntArrayRef split_sizes,
                                             int64_t dim, Loc loc) const {
  Recorder r("split_with_sizes", loc);
  const Shape &shape = r.shape(*this);
  if (shape.empty())
    r.fail("split expects at least a 1-dimensional tensor");
  int64_t d = r.wrapDim(dim, static_cast<int64_t>(shape.size()));
  int64_t total = 0;
  for (int64_t s : split_sizes) {
    if (s < 0)
      r.fail("split_sizes must be non-negative, got {}",
             detail::formatShape(split_sizes));
    total += s;
  }
  if (total != shape[d])
    r.fail("split_with_sizes expects split_sizes to sum exactly to {} (input "
           "tensor's "
           "size at dimension {}), but got split_sizes={}",
           shape[d], d, detail::formatShape(split_sizes));
  std::vector<Tensor> parts;
  int64_t start = 0;
  for (int64_t s : split_sizes) {
    parts.push_back(
        r.view(sliceAlong(r, r.value(*this), d, start, start + s, 1), *this));
    start += s;
  }
  return parts;
}

std::vector<Tensor> Tensor::split(IntArrayRef split_sizes, int64_t dim,
                                  Loc loc) const {
  return split_with_sizes(split_sizes, dim, loc);
}

std::vector<Tensor> Tensor::split(int64_t split_size, int64_t dim,
                                  Loc loc) const {
  Recorder r("split", loc);
  const Shape &shape = r.shape(*this);
  if (shape.empty())
    r.fail("split expects at least a 1-dimensional tensor");
  if (split_size < 0)
    r.fail("split expects split_size be non-negative, but got split_size={}",
           split_size);
  int64_t d = r.wrapDim(dim, static_cast<int64_t>(shape.size()));
  int64_t size = shape[d];
  if (split_size == 0 && size != 0)
    r.fail("split_size can only be 0 if dimension size is 0, but got dimension "
           "size of {}",
           size);
  Shape sizes;
  if (size == 0) {
    sizes.push_back(0);
  } else {
    for (int64_t start = 0; start < size; start += split_size)
      sizes.push_back(std::min(split_size, size - start));
  }
  return split_with_sizes(sizes, dim, loc);
}

std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t dim, Loc loc) const {
  Recorder r("chunk", loc);
  if (chunks <= 0)
    r.fail("chunk expects `chunks` to be greater than 0, got: {}", chunks);
  const Shape &shape = r.shape(*this);
  if (shape.empty())
    r.fail("chunk expects at least a 1-dimensional tensor");
  int64_t d = r.wrapDim(dim, static_cast<int64_t>(shape.size()));
  int64_t size = shape[d];
  int64_t each = (size + chunks - 1) / chunks;
  if (each == 0) {
    // PyTorch gives `chunks` empty pieces for an empty dimension.
    return split_with_sizes(Shape(chunks, 0), dim, loc);
  }
  return split(each, dim, loc);
}

std::vector<Tensor> split(const Tensor &self, int64_t split_size, int64_t dim,
                          Loc loc) {
  return self.split(split_size, dim, loc);
}

std::vector<Tensor> chunk(const Tensor &self, int64_t chunks, int64_t dim,
                          Loc loc) {
  return self.chunk(chunks, dim, loc);
}

//===----------------------------------------------------------------------===//
// Slicing and indexing
//===----------------------------------------------------------------------===//

Tensor narrow(const Tensor &self, int64_t dim, int64_t start, int64_t length,
              Loc loc) {
  Recorder r("narrow", loc);
  const Shape &shape = r.shape(self);
  if (shape.empty())
    r.fail("narrow() cannot be applied to a 0-dim tensor");
  int64_t d = r.wrapDim(dim, static_cast<int64_t>(shape.size()));
  int64_t size = shape[d];
  if (start < -size || start > size)
    r.fail(
        "start out of range (expected to be in range of [{}, {}], but got {})",
        -size, size, start);
  if (start < 0)
    start += size;
  if (length < 0)
    r.fail("narrow(): length must be non-negative");
  if (start + length > size)
    r.fail("start ({}) + length ({}) exceeds dimension size ({})", start,
           length, size);
  return r.view(sliceAlong(r, r.value(self), d, start, start + length, 1),
                self);
}

Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length,
                      Loc loc) const {
  return dlc::narrow(*this, dim, start, length, loc);
}

Tensor Tensor::slice(int64_t dim, std::optional<int64_t> start,
                     std::optional<int64_t> end, int64_t step, Loc loc) const {
  Recorder r("slice", loc);
  const Shape &shape = r.shape(*this);
  if (shape.empty())
    r.fail("slice() cannot be applied to a 0-dim tensor");
  if (step <= 0)
    r.fail("slice step must be positive, got {}", step);
  int64_t d = r.wrapDim(dim, static_cast<int64_t>(shape.size()));
  Range range = clampRange(start, end, shape[d]);
  return r.view(
      sliceAlong(r, r.value(*this), d, range.start, range.limit, step), *this);
}

Tensor Tensor::select(int64_t dim, int64_t index, Loc loc) const {
  Recorder r("select", loc);
  const Shape &shape = r.shape(*this);
  if (shape.empty())
    r.fail("select() cannot be applied to a 0-dim tensor");
  int64_t d = r.wrapDim(dim, static_cast<int64_t>(shape.size()));
  return r.view(selectAlong(r, r.value(*this), d, index), *this);
}

Tensor Tensor::index(std::initializer_list<indexing::TensorIndex> indices,
                     Loc loc) const {
  return index(std::vector<indexing::TensorIndex>(indices), loc);
}

Tensor Tensor::index(const std::vector<indexing::TensorIndex> &indices,
                     Loc loc) const {
  using Kind = indexing::TensorIndex::Kind;
  Recorder r("index", loc);
  int64_t rank = static_cast<int64_t>(r.shape(*this).size());
  int64_t consuming = 0, ellipses = 0, tensors = 0;
  for (const auto &idx : indices) {
    if (idx.getKind() == Kind::Ellipsis)
      ++ellipses;
    else if (idx.getKind() != Kind::None)
      ++consuming;
    if (idx.getKind() == Kind::Tensor)
      ++tensors;
  }
  if (ellipses > 1)
    r.fail("an index can only have a single ellipsis ('...')");
  if (consuming > rank)
    r.fail("too many indices for tensor of dimension {}", rank);
  if (tensors > 1)
    r.fail("indexing with more than one tensor is not supported");

  Value x = r.value(*this);
  std::vector<const Tensor *> inputs{this};
  int64_t dim = 0;
  for (const auto &idx : indices) {
    switch (idx.getKind()) {
    case Kind::Integer:
      x = selectAlong(r, x, dim, idx.getInteger());
      break;
    case Kind::Slice: {
      const indexing::Slice &s = idx.getSlice();
      int64_t step = s.step().value_or(1);
      if (step <= 0)
        r.fail("slice step must be positive, got {}", step);
      Range range = clampRange(s.start(), s.stop(), x.type().shape[dim]);
      x = sliceAlong(r, x, dim, range.start, range.limit, step);
      ++dim;
      break;
    }
    case Kind::None: {
      Shape shape = x.type().shape;
      shape.insert(shape.begin() + dim, 1);
      x = r.reshape(x, shape);
      ++dim;
      break;
    }
    case Kind::Ellipsis:
      dim += rank - consuming;
      break;
    case Kind::Tensor: {
      const Tensor &index = idx.getTensor();
      ScalarType type = r.dtype(index);
      if (type == kBool)
        r.fail(
            "boolean mask indexing gives a shape that depends on the data, "
            "which a "
            "recorded graph cannot have; use masked_fill() or where() instead");
      checkIndexType(r, index, "index tensors");
      int64_t size = x.type().shape[dim];
      checkIndexRange(r, index, size, dim);
      x = r.gather(x, r.value(index), dim);
      dim += static_cast<int64_t>(r.shape(index).size());
      inputs.push_back(&index);
      break;
    }
    }
  }
  if (tensors > 0)
    return r.result(x, {this, inputs.back()});
  return r.view(x, *this);
}

Tensor index_select(const Tensor &self, int64_t dim, const Tensor &index,
                    Loc loc) {
  Recorder r("index_select", loc);
  const Shape &shape = r.shape(self);
  const Shape &indexShape = r.shape(index);
  checkIndexType(r, index, "index");
  if (indexShape.size() > 1)
    r.fail("index is supposed to be a vector, got shape {}",
           detail::formatShape(indexShape));
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t d = r.wrapDim(dim, rank);
  if (rank == 0) {
    checkIndexRange(r, index, 1, 0);
    return r.result(r.value(self), {&self, &index});
  }
  checkIndexRange(r, index, shape[d], d);
  Value indices = r.reshape(r.value(index), {numelOf(indexShape)});
  return r.result(r.gather(r.value(self), indices, d), {&self, &index});
}

Tensor gather(const Tensor &self, int64_t dim, const Tensor &index, Loc loc) {
  Recorder r("gather", loc);
  const Shape &shape = r.shape(self);
  const Shape &indexShape = r.shape(index);
  if (r.dtype(index) != kLong)
    r.fail("expected dtype int64 for index, got {}", toString(r.dtype(index)));
  if (indexShape.size() != shape.size())
    r.fail("index tensor must have the same number of dimensions as input "
           "tensor: {} "
           "and {}",
           detail::formatShape(indexShape), detail::formatShape(shape));
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t d = r.wrapDim(dim, rank);
  if (rank == 0) {
    checkIndexRange(r, index, 1, 0);
    return r.result(r.value(self), {&self, &index});
  }
  for (int64_t k = 0; k < rank; ++k)
    if (k != d && indexShape[k] > shape[k])
      r.fail("size does not match at dimension {}: expected index {} to be "
             "smaller "
             "than self {} apart from dimension {}",
             k, detail::formatShape(indexShape), detail::formatShape(shape), d);
  checkIndexRange(r, index, shape[d], d);
  return r.result(gatherValue(r, self, d, index), {&self, &index});
}

Tensor embedding(const Tensor &weight, const Tensor &indices,
                 int64_t padding_idx, bool scale_grad_by_freq, bool sparse,
                 Loc loc) {
  (void)padding_idx;
  (void)scale_grad_by_freq;
  Recorder r("embedding", loc);
  const Shape &shape = r.shape(weight);
  if (shape.size() != 2)
    r.fail("'weight' must be 2-D, got shape {}", detail::formatShape(shape));
  checkIndexType(r, indices, "argument 'indices'");
  checkIndexRange(r, indices, shape[0], 0);
  Value rows = r.gather(r.value(weight), r.value(indices), 0);
  rows.node->sparseLookup = sparse;
  return r.result(rows, {&weight, &indices});
}

/// index_add's checks and its value (dim made non-negative).
static Value indexAddValue(Recorder &r, const Tensor &self, int64_t dim,
                           const Tensor &index, const Tensor &source) {
  const Shape &shape = r.shape(self);
  int64_t rank = static_cast<int64_t>(shape.size());
  if (dim < -rank || dim >= std::max<int64_t>(rank, 1))
    r.fail("dim {} is out of range for a tensor of rank {}", dim, rank);
  if (dim < 0)
    dim += rank;
  checkIndexType(r, index, "argument 'index'");
  const Shape &indexShape = r.shape(index);
  if (indexShape.size() != 1)
    r.fail("'index' must be 1-D, got shape {}",
           detail::formatShape(indexShape));
  Shape expected = shape;
  if (rank > 0)
    expected[dim] = indexShape[0];
  if (r.shape(source) != expected)
    r.fail("'source' must have shape {} (self's with dim {} of index's "
           "length), got {}",
           detail::formatShape(expected), dim,
           detail::formatShape(r.shape(source)));
  if (r.impl(source).dtype != r.impl(self).dtype)
    r.fail("'source' has dtype {} but self has {}",
           toString(r.impl(source).dtype), toString(r.impl(self).dtype));
  checkIndexRange(r, index, rank > 0 ? shape[dim] : 1, 0);
  return r.scatterAdd(r.value(self), r.value(index), r.value(source), dim);
}

Tensor index_add(const Tensor &self, int64_t dim, const Tensor &index,
                 const Tensor &source, Loc loc) {
  Recorder r("index_add", loc);
  return r.result(indexAddValue(r, self, dim, index, source), {&self, &source});
}

Tensor &Tensor::index_add_(int64_t dim, const Tensor &index,
                           const Tensor &source, Loc loc) {
  Recorder r("index_add_", loc);
  r.checkInPlace(*this, r.dtype(*this));
  return r.assign(*this, indexAddValue(r, *this, dim, index, source),
                  {this, &source});
}

Tensor slice(const Tensor &self, int64_t dim, std::optional<int64_t> start,
             std::optional<int64_t> end, int64_t step, Loc loc) {
  return self.slice(dim, start, end, step, loc);
}
Tensor select(const Tensor &self, int64_t dim, int64_t index, Loc loc) {
  return self.select(dim, index, loc);
}
Tensor clone(const Tensor &self, Loc loc) { return self.clone(loc); }

Tensor Tensor::index_select(int64_t dim, const Tensor &index, Loc loc) const {
  return dlc::index_select(*this, dim, index, loc);
}
Tensor Tensor::gather(int64_t dim, const Tensor &index, Loc loc) const {
  return dlc::gather(*this, dim, index, loc);
}
Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim, Loc loc) const {
  return dlc::flatten(*this, start_dim, end_dim, loc);
}
Tensor Tensor::transpose(int64_t dim0, int64_t dim1, Loc loc) const {
  return dlc::transpose(*this, dim0, dim1, loc);
}
Tensor Tensor::permute(IntArrayRef dims, Loc loc) const {
  return dlc::permute(*this, dims, loc);
}
Tensor Tensor::t(Loc loc) const { return dlc::t(*this, loc); }
Tensor Tensor::unsqueeze(int64_t dim, Loc loc) const {
  return dlc::unsqueeze(*this, dim, loc);
}
Tensor Tensor::squeeze(Loc loc) const { return dlc::squeeze(*this, loc); }
Tensor Tensor::squeeze(int64_t dim, Loc loc) const {
  return dlc::squeeze(*this, dim, loc);
}

} // namespace dlc
