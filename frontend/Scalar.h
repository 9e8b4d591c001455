//===- Scalar.h - A number passed to a tensor op --------------------------===//

#ifndef DLC_FRONTEND_SCALAR_H
#define DLC_FRONTEND_SCALAR_H

#include "runtime/ScalarType.h"

#include <cstdint>
#include <iosfwd>
#include <type_traits>

namespace dlc {

/// A C++ number given to an op (`x * 2`, `full({2}, 0.5)`), as `c10::Scalar`.
/// It remembers whether it was a bool, an integer or a floating-point value:
/// that decides type promotion (an integer tensor times 2 stays integral,
/// times 2.5 becomes float).
class Scalar {
public:
  Scalar() : Scalar(int64_t(0)) {}
  template <typename T>
    requires std::is_arithmetic_v<T>
  /* implicit */ Scalar(T value) {
    if constexpr (std::is_same_v<T, bool>) {
      kind = Kind::Bool;
      i = value ? 1 : 0;
      d = i;
    } else if constexpr (std::is_integral_v<T>) {
      kind = Kind::Int;
      i = static_cast<int64_t>(value);
      d = static_cast<double>(value);
    } else {
      kind = Kind::Float;
      d = static_cast<double>(value);
      i = 0;
    }
  }

  bool isFloatingPoint() const { return kind == Kind::Float; }
  bool isIntegral(bool includeBool) const {
    return kind == Kind::Int || (includeBool && kind == Kind::Bool);
  }
  bool isBoolean() const { return kind == Kind::Bool; }

  double toDouble() const { return d; }
  int64_t toLong() const {
    return kind == Kind::Float ? static_cast<int64_t>(d) : i;
  }
  bool toBool() const { return kind == Kind::Float ? d != 0 : i != 0; }
  template <typename T>
  T to() const {
    if constexpr (std::is_same_v<T, bool>)
      return toBool();
    else if constexpr (std::is_integral_v<T>)
      return static_cast<T>(toLong());
    else
      return static_cast<T>(toDouble());
  }

  /// The type PyTorch gives this number alone: Bool, Long or the default
  /// floating type.
  ScalarType type() const;

private:
  enum class Kind : uint8_t { Bool, Int, Float };
  Kind kind;
  int64_t i;
  double d;
};

std::ostream &operator<<(std::ostream &os, const Scalar &scalar);

} // namespace dlc

#endif // DLC_FRONTEND_SCALAR_H
