//===- TrainTestUtil.h - Event files read back, temporary directories ----===//

#ifndef DLC_TEST_UNIT_FRONTEND_TRAIN_TRAINTESTUTIL_H
#define DLC_TEST_UNIT_FRONTEND_TRAIN_TRAINTESTUTIL_H

#include "frontend/train/Crc32c.h"
#include "frontend/train/event.pb.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace dlc::test {

/// Bit-at-a-time CRC-32C, the definition itself: independent of the tables
/// and of SSE4.2.
inline uint32_t referenceCrc32c(const std::string &bytes) {
  uint32_t crc = ~0u;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc >> 1) ^ ((crc & 1u) ? 0x82F63B78u : 0u);
  }
  return ~crc;
}

inline uint64_t readLittleEndian(const std::string &bytes, size_t at,
                                 int size) {
  uint64_t value = 0;
  for (int i = size - 1; i >= 0; --i)
    value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

/// Splits a TFRecord file into its records, checking the framing and both
/// CRCs of every record with the reference CRC.
inline std::vector<std::string> readRecords(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  std::vector<std::string> records;
  size_t at = 0;
  while (at < bytes.size()) {
    EXPECT_LE(at + 12, bytes.size()) << "truncated header at " << at;
    if (at + 12 > bytes.size())
      break;
    uint64_t length = readLittleEndian(bytes, at, 8);
    auto lengthCrc = static_cast<uint32_t>(readLittleEndian(bytes, at + 8, 4));
    EXPECT_EQ(lengthCrc,
              dlc::train::maskCrc32c(referenceCrc32c(bytes.substr(at, 8))))
        << "record " << records.size();
    at += 12;
    EXPECT_LE(at + length + 4, bytes.size()) << "truncated record";
    if (at + length + 4 > bytes.size())
      break;
    std::string data = bytes.substr(at, length);
    auto dataCrc =
        static_cast<uint32_t>(readLittleEndian(bytes, at + length, 4));
    EXPECT_EQ(dataCrc, dlc::train::maskCrc32c(referenceCrc32c(data)))
        << "record " << records.size();
    records.push_back(data);
    at += length + 4;
  }
  return records;
}

inline std::vector<dlc::tensorboard::Event>
readEvents(const std::string &path) {
  std::vector<dlc::tensorboard::Event> events;
  for (const std::string &record : readRecords(path)) {
    dlc::tensorboard::Event event;
    EXPECT_TRUE(event.ParseFromString(record));
    events.push_back(event);
  }
  return events;
}

/// A test with a fresh directory `root` under the test temp dir, removed
/// afterwards.
class TempDirTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "dlc-test-XXXXXX";
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    ASSERT_NE(mkdtemp(name.data()), nullptr);
    root = name.data();
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(root, ignored);
  }
  /// `name` in the directory.
  std::string path(const std::string &name) const {
    return (root / name).string();
  }
  /// The files in `dir`.
  static std::vector<std::filesystem::path>
  filesIn(const std::filesystem::path &dir) {
    std::vector<std::filesystem::path> files;
    for (const auto &entry : std::filesystem::directory_iterator(dir))
      files.push_back(entry.path());
    return files;
  }
  std::filesystem::path root;
};

} // namespace dlc::test

#endif // DLC_TEST_UNIT_FRONTEND_TRAIN_TRAINTESTUTIL_H
