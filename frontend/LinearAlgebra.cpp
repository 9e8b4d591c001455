//===- LinearAlgebra.cpp - matmul, mm, bmm --------------------------------===//

#include "frontend/Functions.h"
#include "frontend/detail/Recorder.h"

namespace dlc {

using detail::Recorder;
using detail::Shape;
using detail::Value;

namespace {

void checkTypes(const Recorder &r, const Tensor &a, const Tensor &b) {
  ScalarType x = r.dtype(a), y = r.dtype(b);
  if (x != y)
    r.fail("expected both operands to have the same dtype, but got {} != {}",
           toString(x), toString(y));
  if (x == kBool)
    r.fail("matrix products of bool tensors are not supported");
}

[[noreturn]] void cannotMultiply(const Recorder &r, const Tensor &a,
                                 const Tensor &b) {
  r.fail("cannot multiply {} by {}", detail::formatShape(r.shape(a)),
         detail::formatShape(r.shape(b)));
}

} // namespace

Tensor matmul(const Tensor &self, const Tensor &other, Loc loc) {
  Recorder r("matmul", loc);
  checkTypes(r, self, other);
  Shape a = r.shape(self), b = r.shape(other);
  if (a.empty() || b.empty())
    r.fail("both arguments to matmul need to be at least 1D, but they are {}D "
           "and {}D",
           a.size(), b.size());
  // Vectors become matrices, and the added dimension goes away at the end.
  bool dropRow = a.size() == 1, dropColumn = b.size() == 1;
  if (dropRow)
    a.insert(a.begin(), 1);
  if (dropColumn)
    b.push_back(1);
  if (a.back() != b[b.size() - 2])
    cannotMultiply(r, self, other);
  Shape batchA(a.begin(), a.end() - 2), batchB(b.begin(), b.end() - 2);
  int64_t badDim = 0;
  std::optional<Shape> batch = detail::broadcastShapes(batchA, batchB, badDim);
  if (!batch)
    r.fail(
        "cannot multiply {} by {}: batch dimensions {} and {} do not broadcast",
        detail::formatShape(r.shape(self)), detail::formatShape(r.shape(other)),
        detail::formatShape(batchA), detail::formatShape(batchB));
  if (batchB.empty() && !batchA.empty()) {
    // A batch times one matrix (nn::Linear on [B, T, in]): one GEMM with the
    // batch folded into the rows, as LibTorch's matmul does. A batched GEMM
    // of the broadcast matrix would run B small products, and its gradient
    // would be B partial weight gradients summed afterwards.
    int64_t rows = 1;
    for (int64_t d : Shape(a.begin(), a.end() - 1))
      rows *= d;
    Value folded = r.reshape(r.reshape(r.value(self), a), {rows, a.back()});
    Value product = r.matmul(folded, r.reshape(r.value(other), b));
    Shape out(a.begin(), a.end() - 1);
    if (!dropColumn)
      out.push_back(b.back());
    return r.result(r.reshape(product, out), {&self, &other});
  }
  Shape fullA = *batch, fullB = *batch;
  fullA.insert(fullA.end(), a.end() - 2, a.end());
  fullB.insert(fullB.end(), b.end() - 2, b.end());
  Value x = r.broadcastTo(r.reshape(r.value(self), a), fullA);
  Value y = r.broadcastTo(r.reshape(r.value(other), b), fullB);
  Value product = r.matmul(x, y);
  Shape out = *batch;
  if (!dropRow)
    out.push_back(a[a.size() - 2]);
  if (!dropColumn)
    out.push_back(b.back());
  return r.result(r.reshape(product, out), {&self, &other});
}

Tensor mm(const Tensor &self, const Tensor &other, Loc loc) {
  Recorder r("mm", loc);
  checkTypes(r, self, other);
  const Shape &a = r.shape(self), &b = r.shape(other);
  if (a.size() != 2 || b.size() != 2)
    r.fail("both arguments must be matrices, got {} and {}",
           detail::formatShape(a), detail::formatShape(b));
  if (a[1] != b[0])
    cannotMultiply(r, self, other);
  return r.result(r.matmul(r.value(self), r.value(other)), {&self, &other});
}

Tensor bmm(const Tensor &self, const Tensor &other, Loc loc) {
  Recorder r("bmm", loc);
  checkTypes(r, self, other);
  const Shape &a = r.shape(self), &b = r.shape(other);
  if (a.size() != 3 || b.size() != 3)
    r.fail("both arguments must be 3D tensors, got {} and {}",
           detail::formatShape(a), detail::formatShape(b));
  if (a[0] != b[0])
    r.fail("batch1 and batch2 must have same number of batches, got {} and {}",
           a[0], b[0]);
  if (a[2] != b[1])
    cannotMultiply(r, self, other);
  return r.result(r.matmul(r.value(self), r.value(other)), {&self, &other});
}

Tensor Tensor::matmul(const Tensor &other, Loc loc) const {
  return dlc::matmul(*this, other, loc);
}
Tensor Tensor::mm(const Tensor &other, Loc loc) const {
  return dlc::mm(*this, other, loc);
}
Tensor Tensor::bmm(const Tensor &other, Loc loc) const {
  return dlc::bmm(*this, other, loc);
}

} // namespace dlc
