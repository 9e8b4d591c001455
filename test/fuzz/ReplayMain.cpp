//===- ReplayMain.cpp - Run a fuzz target over saved inputs ---------------===//
//
// The fuzz targets built as plain programs (no libFuzzer, any compiler):
// each argument is a file or a directory of files, each file one input.
// `make test` replays the seed corpora and every input that once crashed
// (test/fuzz/regressions/) through them.
//
//===----------------------------------------------------------------------===//

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    fs::path path(argv[i]);
    if (fs::is_directory(path)) {
      // Hidden files (.keep, which holds an empty folder in git) are not
      // inputs.
      for (const fs::directory_entry &entry : fs::directory_iterator(path))
        if (entry.is_regular_file() &&
            !entry.path().filename().string().starts_with("."))
          files.push_back(entry.path());
    } else if (fs::is_regular_file(path)) {
      files.push_back(path);
    } else {
      std::fprintf(stderr, "replay: %s is neither a file nor a directory\n",
                   argv[i]);
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path &file : files) {
    std::ifstream in(file, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  std::printf("replay: %zu inputs ran\n", files.size());
  return files.empty() ? 1 : 0;
}
