//===- ScalarType.h - Element types of dlc tensors ------------------------===//
//
// The dtypes a user names (`dlc::kFloat32`, ...), shared by the frontend and
// the runtime. LibTorch's names and spellings.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_SCALARTYPE_H
#define DLC_RUNTIME_SCALARTYPE_H

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string_view>

namespace dlc {

/// The element type of a tensor.
enum class ScalarType : int8_t { Bool, Int, Long, Float, Double };

constexpr ScalarType kBool = ScalarType::Bool;
constexpr ScalarType kInt = ScalarType::Int;
constexpr ScalarType kInt32 = ScalarType::Int;
constexpr ScalarType kLong = ScalarType::Long;
constexpr ScalarType kInt64 = ScalarType::Long;
constexpr ScalarType kFloat = ScalarType::Float;
constexpr ScalarType kFloat32 = ScalarType::Float;
constexpr ScalarType kDouble = ScalarType::Double;
constexpr ScalarType kFloat64 = ScalarType::Double;

/// Bytes per element (`bool` is one byte holding 0 or 1).
constexpr size_t elementSize(ScalarType type) {
  switch (type) {
  case ScalarType::Bool:
    return 1;
  case ScalarType::Int:
  case ScalarType::Float:
    return 4;
  case ScalarType::Long:
  case ScalarType::Double:
    return 8;
  }
  return 0;
}

constexpr bool isFloatingType(ScalarType type) {
  return type == ScalarType::Float || type == ScalarType::Double;
}

/// Integral types; `bool` counts only when `includeBool` is set (LibTorch's
/// `isIntegralType`).
constexpr bool isIntegralType(ScalarType type, bool includeBool) {
  return type == ScalarType::Int || type == ScalarType::Long ||
         (includeBool && type == ScalarType::Bool);
}

/// LibTorch's name of the type: "Float", "Long", ...
std::string_view toString(ScalarType type);

std::ostream &operator<<(std::ostream &os, ScalarType type);

} // namespace dlc

#endif // DLC_RUNTIME_SCALARTYPE_H
