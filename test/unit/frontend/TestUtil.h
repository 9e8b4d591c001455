//===- TestUtil.h - Helpers for the frontend tests ------------------------===//

#ifndef DLC_TEST_UNIT_FRONTEND_TESTUTIL_H
#define DLC_TEST_UNIT_FRONTEND_TESTUTIL_H

#include <dlc/dlc.h>

#include <gtest/gtest.h>

#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace dlc::test {

/// Checks shape, dtype and values (NaN matches NaN; floats within `tolerance`
/// relative to max(1, |expected|)).
inline void expectTensor(const Tensor &t, std::vector<int64_t> shape,
                         ScalarType type, const std::vector<double> &values,
                         double tolerance = 1e-6) {
  ASSERT_TRUE(t.defined());
  EXPECT_EQ(t.sizes().vec(), shape);
  EXPECT_EQ(t.scalar_type(), type);
  std::vector<double> actual = t.to_vector<double>();
  ASSERT_EQ(actual.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) {
      EXPECT_TRUE(std::isnan(actual[i]))
          << "element " << i << " is " << actual[i];
    } else if (std::isinf(values[i])) {
      EXPECT_EQ(actual[i], values[i]) << "element " << i;
    } else {
      EXPECT_NEAR(actual[i], values[i],
                  tolerance * std::max(1.0, std::fabs(values[i])))
          << "element " << i;
    }
  }
}

/// The message of the dlc::Error `f` throws ("" if it throws none).
template <typename F>
std::string errorOf(F &&f) {
  try {
    f();
  } catch (const Error &error) {
    return error.what();
  }
  return "";
}

/// A fresh directory under the system's temporary one, removed with
/// everything in it.
class TempDir {
public:
  explicit TempDir(const std::string &prefix = "dlc-test") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX"))
            .string();
    if (!mkdtemp(pattern.data()))
      throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  /// `name` in the directory.
  std::string file(const std::string &name) const {
    return (path / name).string();
  }
  std::filesystem::path operator/(const std::string &name) const {
    return path / name;
  }

  std::filesystem::path path;
};

/// `(file:line)`, as dlc ends its messages.
inline std::string here(const char *file, int line) {
  return std::string("(") + file + ":" + std::to_string(line) + ")";
}

/// `t` printed as LibTorch prints it.
inline std::string printed(const Tensor &t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

} // namespace dlc::test

/// Expects `statement` to throw a dlc::Error whose message contains
/// `substring`.
#define EXPECT_ERROR(statement, substring)                                     \
  do {                                                                         \
    std::string message_ = ::dlc::test::errorOf([&] { statement; });           \
    EXPECT_NE(message_.find(substring), std::string::npos)                     \
        << "message: \"" << message_ << "\"";                                  \
  } while (false)

/// Expects `statement` (on one line) to throw a dlc::Error whose message
/// contains `substring` and names this file and line.
#define EXPECT_DLC_ERROR(statement, substring)                                 \
  do {                                                                         \
    std::string message_ = ::dlc::test::errorOf([&] { statement; });           \
    EXPECT_NE(message_.find(substring), std::string::npos)                     \
        << "message: \"" << message_ << "\"";                                  \
    EXPECT_NE(message_.find(::dlc::test::here(__FILE_NAME__, __LINE__)),       \
              std::string::npos)                                               \
        << "message: \"" << message_ << "\"";                                  \
  } while (false)

#endif // DLC_TEST_UNIT_FRONTEND_TESTUTIL_H
