//===- Support.cpp - IntArrayRef, Scalar, TensorData, TensorIndex ---------===//

#include "frontend/ArrayRef.h"
#include "frontend/Functions.h"
#include "frontend/Indexing.h"
#include "frontend/Scalar.h"
#include "runtime/Error.h"

#include <algorithm>
#include <ostream>
#include <string_view>

namespace dlc {

bool IntArrayRef::equals(IntArrayRef other) const {
  return size() == other.size() && std::equal(begin(), end(), other.begin());
}

std::ostream &operator<<(std::ostream &os, IntArrayRef values) {
  os << '[';
  for (size_t i = 0; i < values.size(); ++i)
    os << (i ? ", " : "") << values[i];
  return os << ']';
}

ScalarType Scalar::type() const {
  switch (kind) {
  case Kind::Bool:
    return kBool;
  case Kind::Int:
    return kLong;
  case Kind::Float:
    return kFloat;
  }
  return kFloat;
}

std::ostream &operator<<(std::ostream &os, const Scalar &scalar) {
  if (scalar.isBoolean())
    return os << (scalar.toBool() ? "true" : "false");
  if (scalar.isIntegral(false))
    return os << scalar.toLong();
  return os << scalar.toDouble();
}

namespace detail {

TensorData::TensorData(std::initializer_list<TensorData> nested) {
  children.assign(nested.begin(), nested.end());
  sizes = {static_cast<int64_t>(children.size())};
  if (children.empty()) {
    inferredType = kFloat;
    return;
  }
  const std::vector<int64_t> &inner = children.front().shape();
  sizes.insert(sizes.end(), inner.begin(), inner.end());
  bool anyFloat = false, anyInt = false, allBool = true;
  for (const TensorData &child : children) {
    // Ragged lists are reported by dlc::tensor(), which knows the caller.
    ragged = ragged || child.isRagged() || child.shape() != inner;
    ScalarType t = child.type();
    anyFloat = anyFloat || isFloatingType(t);
    anyInt = anyInt || isIntegralType(t, false);
    allBool = allBool && t == kBool;
  }
  inferredType = anyFloat
                     ? (children.front().type() == kDouble ? kDouble : kFloat)
                 : anyInt  ? kLong
                 : allBool ? kBool
                           : kFloat;
}

void TensorData::flatten(std::vector<Scalar> &out) const {
  if (isScalar) {
    out.push_back(scalarValue);
    return;
  }
  out.insert(out.end(), leaves.begin(), leaves.end());
  for (const TensorData &child : children)
    child.flatten(out);
}

} // namespace detail

namespace indexing {

TensorIndex::TensorIndex(const char *text) : kind(Kind::Ellipsis) {
  if (std::string_view(text) != "...")
    throw Error("index: a string index must be \"...\" (Ellipsis), got \"" +
                std::string(text) + "\"");
}

} // namespace indexing
} // namespace dlc
