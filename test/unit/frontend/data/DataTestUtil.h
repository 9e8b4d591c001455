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

/// Where the shared data sets are (the build may set it; DLC_TEST_DATA_DIR
/// in the environment overrides both).
#ifndef DLC_TEST_DATA_DIR
#define DLC_TEST_DATA_DIR "/work/shared/data"
#endif

namespace dlc::test {

/// The path of `relative` in the shared data directory; skips the test when
/// the file is not there.
#define DLC_DATA_FILE(variable, relative)                                      \
  std::string variable = ::dlc::test::dataDir() + "/" + (relative);            \
  if (!std::filesystem::exists(variable))                                      \
  GTEST_SKIP() << "data file not found: " << variable

inline std::string dataDir() {
  const char *env = std::getenv("DLC_TEST_DATA_DIR");
  return env && *env ? env : DLC_TEST_DATA_DIR;
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
