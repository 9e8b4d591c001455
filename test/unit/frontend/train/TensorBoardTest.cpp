//===- TensorBoardTest.cpp - CRC-32C and TensorBoard event files ----------===//

#include "frontend/train/TensorBoard.h"
#include "frontend/train/Crc32c.h"
#include "runtime/Error.h"

#include "TrainTestUtil.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <vector>

using namespace dlc::train;
using dlc::test::readEvents;
using dlc::test::readRecords;
using dlc::test::referenceCrc32c;
namespace fs = std::filesystem;

namespace {

double nowSeconds() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

using SummaryWriterTest = dlc::test::TempDirTest;

} // namespace

//===----------------------------------------------------------------------===//
// CRC-32C
//===----------------------------------------------------------------------===//

TEST(Crc32cTest, CheckValue) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32cExtendPortable(0, "123456789", 9), 0xE3069283u);
  EXPECT_EQ(referenceCrc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(""), 0u);
}

// RFC 3720 (iSCSI), appendix B.4.
TEST(Crc32cTest, Rfc3720Vectors) {
  std::string zeros(32, '\0');
  std::string ones(32, '\xff');
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  for (auto crc : {crc32c, +[](std::string_view s) {
                     return crc32cExtendPortable(0, s.data(), s.size());
                   }}) {
    EXPECT_EQ(crc(zeros), 0x8A9136AAu);
    EXPECT_EQ(crc(ones), 0x62A8AB43u);
    EXPECT_EQ(crc(ascending), 0x46DD794Eu);
    EXPECT_EQ(crc(descending), 0x113FDB5Cu);
  }
}

TEST(Crc32cTest, MatchesReferenceAtEveryLengthAndAlignment) {
  std::mt19937 random(7);
  std::string bytes(300, '\0');
  for (char &c : bytes)
    c = static_cast<char>(random());
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t length = 0; offset + length <= 200; ++length) {
      std::string piece = bytes.substr(offset, length);
      uint32_t expected = referenceCrc32c(piece);
      ASSERT_EQ(crc32c(bytes.data() + offset, length), expected)
          << "offset " << offset << " length " << length;
      ASSERT_EQ(crc32cExtendPortable(0, bytes.data() + offset, length),
                expected)
          << "offset " << offset << " length " << length;
    }
  }
}

TEST(Crc32cTest, ExtendContinues) {
  std::string text = "The quick brown fox jumps over the lazy dog";
  for (size_t split = 0; split <= text.size(); ++split) {
    uint32_t head = crc32c(text.data(), split);
    EXPECT_EQ(crc32cExtend(head, text.data() + split, text.size() - split),
              crc32c(text));
    EXPECT_EQ(
        crc32cExtendPortable(head, text.data() + split, text.size() - split),
        crc32c(text));
  }
}

TEST(Crc32cTest, Mask) {
  // ((0xE3069283 >> 15) | (0xE3069283 << 17)) + 0xa282ead8, mod 2^32.
  EXPECT_EQ(maskCrc32c(0xE3069283u), 0xC78AB0E5u);
  EXPECT_EQ(maskCrc32c(0), 0xA282EAD8u);
  for (uint32_t crc : {0u, 1u, 0xE3069283u, 0xFFFFFFFFu, 0x12345678u}) {
    EXPECT_EQ(unmaskCrc32c(maskCrc32c(crc)), crc);
    EXPECT_NE(maskCrc32c(crc), crc);
  }
}

//===----------------------------------------------------------------------===//
// SummaryWriter
//===----------------------------------------------------------------------===//

TEST_F(SummaryWriterTest, WritesScalarsTensorBoardReads) {
  fs::path dir = root / "runs" / "exp1"; // parents are created too
  double before = nowSeconds();
  std::string path;
  {
    SummaryWriter writer(dir.string());
    EXPECT_EQ(writer.get_logdir(), dir.string());
    path = writer.file_path();
    writer.add_scalar("loss/train", 0.5, 1);
    writer.add_scalar("loss/train", 0.25, 2);
    writer.add_scalar("auc", 0.75, 2, 1234.5);
    writer.add_scalar("loss/train", std::nan(""), 3);
  }
  double after = nowSeconds();

  std::vector<fs::path> files = filesIn(dir);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].string(), path);
  std::string name = files[0].filename().string();
  EXPECT_EQ(name.rfind("events.out.tfevents.", 0), 0u) << name;
  // events.out.tfevents.<10-digit seconds>.<host>.<pid>.<n>
  std::string seconds = name.substr(20, 10);
  EXPECT_EQ(seconds.find_first_not_of("0123456789"), std::string::npos);
  EXPECT_NEAR(std::stod(seconds), before, 2.0);

  std::vector<dlc::tensorboard::Event> events = readEvents(path);
  ASSERT_EQ(events.size(), 5u);

  EXPECT_EQ(events[0].what_case(), dlc::tensorboard::Event::kFileVersion);
  EXPECT_EQ(events[0].file_version(), "brain.Event:2");
  EXPECT_EQ(events[0].step(), 0);
  EXPECT_GE(events[0].wall_time(), before - 1);
  EXPECT_LE(events[0].wall_time(), after + 1);

  struct Expected {
    std::string tag;
    float value;
    int64_t step;
    bool hasMetadata;
  };
  std::vector<Expected> expected = {{"loss/train", 0.5f, 1, true},
                                    {"loss/train", 0.25f, 2, false},
                                    {"auc", 0.75f, 2, true},
                                    {"loss/train", NAN, 3, false}};
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("event " + std::to_string(i + 1));
    const dlc::tensorboard::Event &event = events[i + 1];
    ASSERT_TRUE(event.has_summary());
    EXPECT_EQ(event.step(), expected[i].step);
    ASSERT_EQ(event.summary().value_size(), 1);
    const auto &value = event.summary().value(0);
    EXPECT_EQ(value.tag(), expected[i].tag);
    ASSERT_EQ(value.value_case(),
              dlc::tensorboard::Summary::Value::kSimpleValue);
    if (std::isnan(expected[i].value))
      EXPECT_TRUE(std::isnan(value.simple_value()));
    else
      EXPECT_EQ(value.simple_value(), expected[i].value);
    EXPECT_EQ(value.has_metadata(), expected[i].hasMetadata);
    if (value.has_metadata()) {
      EXPECT_EQ(value.metadata().plugin_data().plugin_name(), "scalars");
      EXPECT_EQ(value.metadata().data_class(),
                dlc::tensorboard::DATA_CLASS_SCALAR);
    }
  }
  EXPECT_EQ(events[3].wall_time(), 1234.5);
  EXPECT_GE(events[4].wall_time(), before - 1);
  EXPECT_LE(events[4].wall_time(), after + 1);
}

// The wire bytes of the first summary event, encoded by hand from
// TensorFlow's field numbers: a check on event.proto independent of protoc.
TEST_F(SummaryWriterTest, WireFormatUsesTensorFlowFieldNumbers) {
  std::string path;
  {
    SummaryWriter writer(root.string());
    path = writer.file_path();
    writer.add_scalar("a", 1.0, 7, 2.0);
  }
  std::vector<std::string> records = readRecords(path);
  ASSERT_EQ(records.size(), 2u);
  std::string expected;
  auto append = [&](std::initializer_list<int> bytes) {
    for (int b : bytes)
      expected.push_back(static_cast<char>(b));
  };
  // Event.wall_time = 1 (fixed64): 2.0
  append({0x09, 0, 0, 0, 0, 0, 0, 0, 0x40});
  // Event.step = 2 (varint): 7
  append({0x10, 7});
  // Event.summary = 5 (message, 25 bytes)
  append({0x2a, 25});
  //   Summary.value = 1 (message, 23 bytes)
  append({0x0a, 23});
  //     Value.tag = 1: "a"
  append({0x0a, 1, 'a'});
  //     Value.simple_value = 2 (fixed32): 1.0f
  append({0x15, 0, 0, 0x80, 0x3f});
  //     Value.metadata = 9 (message, 13 bytes)
  append({0x4a, 13});
  //       SummaryMetadata.plugin_data = 1 (message, 9 bytes)
  append({0x0a, 9});
  //         PluginData.plugin_name = 1: "scalars"
  append({0x0a, 7, 's', 'c', 'a', 'l', 'a', 'r', 's'});
  //       SummaryMetadata.data_class = 4 (varint): DATA_CLASS_SCALAR
  append({0x20, 1});
  EXPECT_EQ(records[1], expected);
}

TEST_F(SummaryWriterTest, BuffersUntilFlush) {
  SummaryWriter writer(root.string());
  // The file_version event is on disk at once.
  EXPECT_EQ(readRecords(writer.file_path()).size(), 1u);
  writer.add_scalar("x", 1, 1);
  writer.add_scalar("x", 2, 2);
  EXPECT_EQ(readRecords(writer.file_path()).size(), 1u);
  writer.flush();
  EXPECT_EQ(readRecords(writer.file_path()).size(), 3u);
  writer.close();
  EXPECT_TRUE(writer.is_closed());
  EXPECT_EQ(readRecords(writer.file_path()).size(), 3u);
  writer.close(); // a second close does nothing
}

TEST_F(SummaryWriterTest, WritesEveryMaxQueueEvents) {
  SummaryWriter writer(root.string(), /*max_queue=*/3);
  for (int step = 1; step <= 7; ++step)
    writer.add_scalar("x", step, step);
  // 1 + 7 events, written after the 3rd and the 6th scalar.
  EXPECT_EQ(readRecords(writer.file_path()).size(), 7u);
}

TEST_F(SummaryWriterTest, WritesAfterFlushSecs) {
  SummaryWriter writer(root.string(), /*max_queue=*/1000, /*flush_secs=*/0);
  writer.add_scalar("x", 1, 1);
  EXPECT_EQ(readRecords(writer.file_path()).size(), 2u);
}

TEST_F(SummaryWriterTest, TwoWritersGetTwoFiles) {
  SummaryWriter first(root.string());
  SummaryWriter second(root.string(), 10, 120, ".v2");
  EXPECT_NE(first.file_path(), second.file_path());
  EXPECT_EQ(filesIn(root).size(), 2u);
  EXPECT_TRUE(second.file_path().ends_with(".v2"));
}

TEST_F(SummaryWriterTest, ManyScalars) {
  std::string path;
  {
    SummaryWriter writer(root.string());
    path = writer.file_path();
    for (int step = 0; step < 5000; ++step)
      writer.add_scalar(step % 2 ? "odd" : "even", step * 0.5, step);
  }
  std::vector<dlc::tensorboard::Event> events = readEvents(path);
  ASSERT_EQ(events.size(), 5001u);
  for (int step = 0; step < 5000; ++step) {
    const auto &event = events[static_cast<size_t>(step) + 1];
    ASSERT_EQ(event.step(), step);
    ASSERT_EQ(event.summary().value(0).simple_value(),
              static_cast<float>(step * 0.5));
  }
}

TEST_F(SummaryWriterTest, LogDirUnderAFileFails) {
  fs::path file = root / "plain-file";
  std::ofstream(file) << "not a directory";
  std::string dir = (file / "run").string();
  try {
    SummaryWriter writer(dir);
    FAIL() << "expected dlc::Error";
  } catch (const dlc::Error &error) {
    std::string message = error.what();
    EXPECT_EQ(message.rfind("SummaryWriter: cannot create log directory '" +
                                dir + "': ",
                            0),
              0u)
        << message;
    EXPECT_NE(message.find("ot a directory"), std::string::npos) << message;
    EXPECT_NE(message.find("(TensorBoardTest.cpp:"), std::string::npos)
        << message;
  }
}

TEST_F(SummaryWriterTest, LogDirThatIsAFileFails) {
  fs::path file = root / "plain-file";
  std::ofstream(file) << "not a directory";
  EXPECT_THROW(SummaryWriter writer(file.string()), dlc::Error);
}

TEST_F(SummaryWriterTest, BadArgumentsThrow) {
  EXPECT_THROW(SummaryWriter writer(""), dlc::Error);
  EXPECT_THROW(SummaryWriter writer(root.string(), 0), dlc::Error);
  EXPECT_THROW(SummaryWriter writer(root.string(), 10, 120, "a/b"), dlc::Error);

  SummaryWriter writer(root.string());
  try {
    writer.add_scalar("", 1.0, 0);
    FAIL() << "expected dlc::Error";
  } catch (const dlc::Error &error) {
    EXPECT_EQ(
        std::string(error.what()).rfind("add_scalar: the tag is empty", 0), 0u)
        << error.what();
  }
  writer.close();
  try {
    writer.add_scalar("x", 1.0, 0);
    FAIL() << "expected dlc::Error";
  } catch (const dlc::Error &error) {
    EXPECT_NE(std::string(error.what()).find("is closed"), std::string::npos)
        << error.what();
  }
}

//===----------------------------------------------------------------------===//
// read_scalars
//===----------------------------------------------------------------------===//

namespace {

std::string errorOf(const std::function<void()> &action) {
  try {
    action();
  } catch (const dlc::Error &error) {
    return error.what();
  }
  return "";
}

std::string readBytes(const fs::path &path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), {}};
}

void writeBytes(const fs::path &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

} // namespace

TEST_F(SummaryWriterTest, ReadScalarsReturnsWhatWasWritten) {
  std::string path;
  {
    SummaryWriter writer(root.string());
    writer.add_scalar("loss", 0.5, 0, 100.0);
    writer.add_scalar("auc", 0.75, 0, 100.5);
    writer.add_scalar("loss", 0.25, 7, 101.0);
    path = writer.file_path();
  }
  std::vector<ScalarEvent> scalars = read_scalars(path);
  ASSERT_EQ(scalars.size(), 3u); // the file_version event holds no scalar
  EXPECT_EQ(scalars[0].tag, "loss");
  EXPECT_EQ(scalars[0].step, 0);
  EXPECT_DOUBLE_EQ(scalars[0].wall_time, 100.0);
  EXPECT_DOUBLE_EQ(scalars[0].value, 0.5);
  EXPECT_EQ(scalars[1].tag, "auc");
  EXPECT_DOUBLE_EQ(scalars[1].value, 0.75);
  EXPECT_EQ(scalars[2].step, 7);
  EXPECT_DOUBLE_EQ(scalars[2].value, 0.25);
}

TEST_F(SummaryWriterTest, ReadScalarsIgnoresARecordCutOff) {
  std::string path;
  {
    SummaryWriter writer(root.string());
    writer.add_scalar("loss", 0.5, 0);
    writer.add_scalar("loss", 0.25, 1);
    path = writer.file_path();
  }
  std::string bytes = readBytes(path);
  // A writer that stopped in the last record's data, or in its header.
  for (size_t cut : {size_t{5}, size_t{14}}) {
    writeBytes(path, bytes.substr(0, bytes.size() - cut));
    std::vector<ScalarEvent> scalars = read_scalars(path);
    ASSERT_EQ(scalars.size(), 1u) << cut;
    EXPECT_DOUBLE_EQ(scalars[0].value, 0.5);
  }
}

TEST_F(SummaryWriterTest, ReadScalarsRejectsCorruptRecords) {
  std::string path;
  size_t firstRecord;
  {
    SummaryWriter writer(root.string());
    firstRecord = fs::file_size(writer.file_path());
    writer.add_scalar("loss", 0.5, 0);
    path = writer.file_path();
  }
  std::string bytes = readBytes(path);
  std::string flipped = bytes;
  flipped[firstRecord + 14] ^= 0x20; // in the second record's data
  writeBytes(path, flipped);
  EXPECT_EQ(errorOf([&] { read_scalars(path); })
                .rfind("read_scalars: event file '" + path +
                           "' is corrupt: the record at byte " +
                           std::to_string(firstRecord) +
                           " has data whose CRC does not match",
                       0),
            0u);

  flipped = bytes;
  flipped[firstRecord] ^= 0x01; // its length
  writeBytes(path, flipped);
  EXPECT_NE(errorOf([&] {
              read_scalars(path);
            }).find("has a length whose CRC does not match"),
            std::string::npos);

  EXPECT_EQ(errorOf([&] {
              read_scalars((root / "missing").string());
            }).rfind("read_scalars: cannot open event file '", 0),
            0u);
}
