//===- DataTestUtil.h - Helpers for the dlc::data tests -------------------===//

#ifndef DLC_TEST_UNIT_FRONTEND_DATA_DATATESTUTIL_H
#define DLC_TEST_UNIT_FRONTEND_DATA_DATATESTUTIL_H

#include "../TestUtil.h"
#include "frontend/data/Data.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

/// Where the data sets are: directories separated by ':', searched in order
/// (the build sets it: data/ in the repository, then the shared collection;
/// DLC_TEST_DATA_DIR in the environment is searched first).
#ifndef DLC_TEST_DATA_PATH
#define DLC_TEST_DATA_PATH "data"
#endif

namespace dlc::test {

/// The path of `relative` in the first data directory holding it; skips the
/// test, saying which file is missing, when none does.
#define DLC_DATA_FILE(variable, relative)                                      \
  std::string variable = ::dlc::test::dataFile(relative);                      \
  if (variable.empty())                                                        \
  GTEST_SKIP() << "data file not found: " << (relative) << " (searched "       \
               << ::dlc::test::dataSearchPath() << ")"

inline std::string dataSearchPath() {
  std::string path = DLC_TEST_DATA_PATH;
  const char *env = std::getenv("DLC_TEST_DATA_DIR");
  return env && *env ? std::string(env) + ":" + path : path;
}

inline std::string dataFile(const std::string &relative) {
  std::string path = dataSearchPath();
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos)
      end = path.size();
    std::string candidate = path.substr(start, end - start) + "/" + relative;
    if (end > start && std::filesystem::exists(candidate))
      return candidate;
    start = end + 1;
  }
  return "";
}

/// A file holding `contents` in a fresh temporary directory, removed with it.
class TempFile {
public:
  explicit TempFile(const std::string &contents,
                    const std::string &name = "data.csv") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "dlc-data-XXXXXX").string();
    directory = ::mkdtemp(pattern.data()) ? pattern : "";
    path = directory + "/" + name;
    std::ofstream(path, std::ios::binary) << contents;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove_all(directory, ignored);
  }

  std::string directory;
  std::string path;
};

/// The values of a tensor as int64 / double.
inline std::vector<int64_t> longs(const Tensor &t) {
  return t.to_vector<int64_t>();
}
inline std::vector<double> doubles(const Tensor &t) {
  return t.to_vector<double>();
}

} // namespace dlc::test

#endif // DLC_TEST_UNIT_FRONTEND_DATA_DATATESTUTIL_H
