//===- ArrayRef.h - Non-owning views of lists (sizes, batch indices) -----===//

#ifndef DLC_FRONTEND_ARRAYREF_H
#define DLC_FRONTEND_ARRAYREF_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <vector>

namespace dlc {

/// A non-owning view of contiguous elements, as `c10::ArrayRef<T>` (datasets
/// take their batch requests as `ArrayRef<size_t>`). Built from a
/// vector, a braced list or a pointer and a length; it must not outlive them.
template <typename T>
class ArrayRef {
public:
  using value_type = T;
  using iterator = const T *;
  using const_iterator = const T *;

  constexpr ArrayRef() = default;
  /* implicit */ ArrayRef(const T &one) : first(&one), count(1) {}
  /* implicit */ ArrayRef(const std::vector<T> &values)
      : first(values.data()), count(values.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
#endif
  /* implicit */ constexpr ArrayRef(std::initializer_list<T> values)
      : first(values.begin()), count(values.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  constexpr ArrayRef(const T *data, size_t size) : first(data), count(size) {}

  constexpr const T *data() const { return first; }
  constexpr size_t size() const { return count; }
  constexpr bool empty() const { return count == 0; }
  constexpr const T *begin() const { return first; }
  constexpr const T *end() const { return first + count; }
  constexpr const T &operator[](size_t i) const { return first[i]; }
  constexpr const T &front() const { return first[0]; }
  constexpr const T &back() const { return first[count - 1]; }
  std::vector<T> vec() const { return {begin(), end()}; }

private:
  const T *first = nullptr;
  size_t count = 0;
};

/// A view of contiguous `int64_t`s, as `c10::IntArrayRef`: built from a
/// vector, a braced list or a single integer; it does not own the elements,
/// so it must not outlive them.
class IntArrayRef : public ArrayRef<int64_t> {
public:
  using ArrayRef<int64_t>::ArrayRef;
  constexpr IntArrayRef() = default;
  template <size_t N>
  /* implicit */ constexpr IntArrayRef(const std::array<int64_t, N> &values)
      : ArrayRef<int64_t>(values.data(), N) {}

  bool equals(IntArrayRef other) const;
  bool operator==(IntArrayRef other) const { return equals(other); }
  bool operator==(const std::vector<int64_t> &other) const {
    return equals(other);
  }
};

/// `[2, 3]`, as LibTorch prints sizes.
std::ostream &operator<<(std::ostream &os, IntArrayRef values);

} // namespace dlc

#endif // DLC_FRONTEND_ARRAYREF_H
