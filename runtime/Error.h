//===- Error.h - The exception dlc throws for user mistakes ---------------===//

#ifndef DLC_RUNTIME_ERROR_H
#define DLC_RUNTIME_ERROR_H

#include <exception>
#include <source_location>
#include <string>
#include <string_view>

namespace dlc {

/// Thrown for every misuse a user can make: a shape mismatch, a wrong dtype, a
/// bad file. The message names the operation, the shapes and the caller's
/// line: `matmul: cannot multiply [3, 2] by [3, 2] (train.cpp:41)`.
class Error : public std::exception {
public:
  explicit Error(std::string message) : message(std::move(message)) {}
  const char *what() const noexcept override { return message.c_str(); }

private:
  std::string message;
};

namespace detail {

/// `file.cpp:41` for `location` (the file's base name).
std::string formatLocation(const std::source_location &location);

/// Throws `Error("<op>: <message> (<file>:<line>)")`.
[[noreturn]] void throwError(std::string_view op, std::string_view message,
                             const std::source_location &location);

} // namespace detail
} // namespace dlc

#endif // DLC_RUNTIME_ERROR_H
