//===- SafetensorsTest.cpp - Safetensors checkpoint files -----------------===//
//
// The byte-exact files come from the format's specification and are the
// reference implementation's own test vectors (safetensors/src/tensor.rs:
// test_serialization, test_serialization_forced_alignement, test_empty).
// Malformed files are built here, one per rule the reader enforces.
//
//===----------------------------------------------------------------------===//

#include "runtime/Safetensors.h"

#include "runtime/Error.h"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

using namespace dlc::rt;
using dlc::ScalarType;
namespace fs = std::filesystem;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

void appendLe64(std::vector<uint8_t> &out, uint64_t value) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

/// A file: the header size (the header's length unless given), the header
/// text and the data bytes.
std::vector<uint8_t> makeFile(std::string_view header,
                              std::vector<uint8_t> data = {},
                              std::optional<uint64_t> size = std::nullopt) {
  std::vector<uint8_t> out;
  appendLe64(out, size.value_or(header.size()));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

template <typename T>
SafetensorsTensor makeTensor(std::string name, ScalarType type,
                             std::vector<int64_t> shape,
                             const std::vector<T> &values) {
  SafetensorsTensor tensor{std::move(name), type, std::move(shape),
                           Buffer::allocate(values.size() * sizeof(T))};
  if (!values.empty())
    std::memcpy(tensor.data->data(), values.data(), values.size() * sizeof(T));
  return tensor;
}

std::vector<uint8_t> dataOf(const SafetensorsTensor &tensor) {
  if (!tensor.data)
    return {};
  auto *bytes = static_cast<const uint8_t *>(tensor.data->data());
  return {bytes, bytes + tensor.data->size()};
}

/// The message parseSafetensors throws for `bytes`, or "" when it accepts
/// them.
std::string parseError(const std::vector<uint8_t> &bytes) {
  try {
    parseSafetensors(bytes.data(), bytes.size(), "bad.safetensors");
  } catch (const dlc::Error &error) {
    return error.what();
  }
  return "";
}

std::string
serializeError(const std::vector<SafetensorsTensor> &tensors,
               const std::map<std::string, std::string> &metadata = {}) {
  try {
    serializeSafetensors(tensors, metadata);
  } catch (const dlc::Error &error) {
    return error.what();
  }
  return "";
}

std::vector<uint8_t> readFile(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeFile(const fs::path &path, const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::string> listDirectory(const fs::path &directory) {
  std::vector<std::string> names;
  for (const auto &entry : fs::directory_iterator(directory))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

/// One F32 [1, 2, 3] tensor "attn.0" holding 0..5, the reference's example.
SafetensorsTensor attention() {
  return makeTensor<float>("attn.0", ScalarType::Float, {1, 2, 3},
                           {0, 1, 2, 3, 4, 5});
}

const std::vector<uint8_t> kZeroToFiveF32 = {0, 0, 0,   0,  0, 0, 128, 63,
                                             0, 0, 0,   64, 0, 0, 64,  64,
                                             0, 0, 128, 64, 0, 0, 160, 64};

class SafetensorsFile : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern =
        (fs::temp_directory_path() / "dlc-safetensors-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    directory = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(directory, ignored);
  }

  fs::path directory;
};

//===----------------------------------------------------------------------===//
// The bytes written
//===----------------------------------------------------------------------===//

TEST(Safetensors, WritesTheReferenceBytes) {
  // 8 + 64 bytes of header need no padding.
  std::vector<uint8_t> expected;
  appendLe64(expected, 64);
  std::string_view header =
      R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})";
  ASSERT_EQ(header.size(), 64u);
  expected.insert(expected.end(), header.begin(), header.end());
  expected.insert(expected.end(), kZeroToFiveF32.begin(), kZeroToFiveF32.end());
  EXPECT_EQ(serializeSafetensors({attention()}), expected);
  // The reference's test writes the same bytes as numbers.
  std::vector<uint8_t> reference = {
      64,  0,   0,   0,   0,   0,   0,   0,   123, 34,  97,  116, 116, 110,
      46,  48,  34,  58,  123, 34,  100, 116, 121, 112, 101, 34,  58,  34,
      70,  51,  50,  34,  44,  34,  115, 104, 97,  112, 101, 34,  58,  91,
      49,  44,  50,  44,  51,  93,  44,  34,  100, 97,  116, 97,  95,  111,
      102, 102, 115, 101, 116, 115, 34,  58,  91,  48,  44,  50,  52,  93,
      125, 125, 0,   0,   0,   0,   0,   0,   128, 63,  0,   0,   0,   64,
      0,   0,   64,  64,  0,   0,   128, 64,  0,   0,   160, 64};
  EXPECT_EQ(expected, reference);
}

TEST(Safetensors, PadsTheHeaderWithSpacesToAMultipleOf8) {
  SafetensorsTensor tensor = makeTensor<float>(
      "attn0", ScalarType::Float, {1, 1, 2, 3}, {0, 1, 2, 3, 4, 5});
  std::vector<uint8_t> expected;
  appendLe64(expected, 72);
  std::string_view header =
      R"({"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}})"
      "       ";
  ASSERT_EQ(header.size(), 72u);
  expected.insert(expected.end(), header.begin(), header.end());
  expected.insert(expected.end(), kZeroToFiveF32.begin(), kZeroToFiveF32.end());
  EXPECT_EQ(serializeSafetensors({tensor}), expected);
}

TEST(Safetensors, WritesEmptyFilesAndMetadataFirst) {
  std::vector<uint8_t> empty = {8,   0,   0,   0,   0,   0,   0,   0,
                                '{', '}', ' ', ' ', ' ', ' ', ' ', ' '};
  EXPECT_EQ(serializeSafetensors({}), empty);
  EXPECT_EQ(parseSafetensors(empty.data(), empty.size(), "empty").size(), 0u);

  std::vector<uint8_t> withMetadata =
      makeFile(R"({"__metadata__":{"framework":"pt"}})"
               "     ");
  ASSERT_EQ(withMetadata.size(), 48u);
  EXPECT_EQ(serializeSafetensors({}, {{"framework", "pt"}}), withMetadata);

  std::vector<uint8_t> both =
      serializeSafetensors({attention()}, {{"format", "pt"}, {"epoch", "3"}});
  std::string text(both.begin() + 8, both.end() - 24);
  EXPECT_EQ(text, R"({"__metadata__":{"epoch":"3","format":"pt"},)"
                  R"("attn.0":{"dtype":"F32","shape":[1,2,3],)"
                  R"("data_offsets":[0,24]}})"
                  "     ");
}

TEST(Safetensors, OrdersTensorsByDtypeWidestFirstThenByName) {
  // The reference sorts by its Dtype enum, descending (I64 > F64 > F32 >
  // I32 > BOOL), then by name; the tensors are given in another order.
  std::vector<SafetensorsTensor> tensors = {
      makeTensor<uint8_t>("b", ScalarType::Bool, {1}, {1}),
      makeTensor<float>("a2", ScalarType::Float, {1}, {2.0f}),
      makeTensor<int64_t>("c", ScalarType::Long, {1}, {3}),
      makeTensor<double>("d", ScalarType::Double, {1}, {4.0}),
      makeTensor<int32_t>("e", ScalarType::Int, {1}, {5}),
      makeTensor<float>("a", ScalarType::Float, {1}, {1.0f}),
  };
  std::vector<uint8_t> bytes = serializeSafetensors(tensors);
  std::string_view header =
      R"({"c":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},)"
      R"("d":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},)"
      R"("a":{"dtype":"F32","shape":[1],"data_offsets":[16,20]},)"
      R"("a2":{"dtype":"F32","shape":[1],"data_offsets":[20,24]},)"
      R"("e":{"dtype":"I32","shape":[1],"data_offsets":[24,28]},)"
      R"("b":{"dtype":"BOOL","shape":[1],"data_offsets":[28,29]}})"
      "      ";
  ASSERT_EQ(header.size(), 336u);
  ASSERT_EQ(bytes.size(), 8 + 336 + 29u);
  EXPECT_EQ(std::string(bytes.begin() + 8, bytes.begin() + 8 + 336), header);
  EXPECT_EQ(bytes[0], 336 % 256);
  EXPECT_EQ(bytes[1], 336 / 256);
  EXPECT_EQ(bytes.back(), 1) << "the Bool comes last";

  // Read back in the order of the bytes.
  std::vector<SafetensorsTensor> read =
      parseSafetensors(bytes.data(), bytes.size(), "order");
  std::vector<std::string> names;
  for (const SafetensorsTensor &tensor : read)
    names.push_back(tensor.name);
  EXPECT_EQ(names, (std::vector<std::string>{"c", "d", "a", "a2", "e", "b"}));
}

TEST(Safetensors, EscapesNamesAsJson) {
  // Quotes, backslashes and control characters are escaped (lower-case hex,
  // as serde_json); other UTF-8 is written as it is.
  SafetensorsTensor tensor = makeTensor<int32_t>("q\"b\\s\n\x01\x1f\xc3\xa9",
                                                 ScalarType::Int, {}, {7});
  std::vector<uint8_t> bytes = serializeSafetensors({tensor});
  std::string text(bytes.begin() + 8, bytes.end() - 4);
  EXPECT_EQ(text, "{\"q\\\"b\\\\s\\n\\u0001\\u001f\xc3\xa9\":{\"dtype\":"
                  "\"I32\",\"shape\":[],\"data_offsets\":[0,4]}}     ");
  std::vector<SafetensorsTensor> read =
      parseSafetensors(bytes.data(), bytes.size(), "escapes");
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].name, tensor.name);
}

//===----------------------------------------------------------------------===//
// Round trips
//===----------------------------------------------------------------------===//

void expectSameTensors(const std::vector<SafetensorsTensor> &expected,
                       const std::vector<SafetensorsTensor> &actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (const SafetensorsTensor &want : expected) {
    auto found = std::find_if(
        actual.begin(), actual.end(),
        [&](const SafetensorsTensor &got) { return got.name == want.name; });
    ASSERT_NE(found, actual.end()) << want.name;
    EXPECT_EQ(found->type, want.type) << want.name;
    EXPECT_EQ(found->shape, want.shape) << want.name;
    ASSERT_TRUE(found->data) << want.name;
    EXPECT_TRUE(found->data->device().is_cpu());
    EXPECT_EQ(dataOf(*found), dataOf(want)) << want.name;
  }
}

std::vector<SafetensorsTensor> everyDtype() {
  return {
      makeTensor<uint8_t>("mask", ScalarType::Bool, {2, 3}, {1, 0, 0, 1, 1, 0}),
      makeTensor<int32_t>("ints", ScalarType::Int, {3},
                          {-1, std::numeric_limits<int32_t>::max(),
                           std::numeric_limits<int32_t>::min()}),
      makeTensor<int64_t>("longs", ScalarType::Long, {2, 1},
                          {int64_t(1) << 62, -5}),
      makeTensor<float>("floats", ScalarType::Float, {2, 2},
                        {1.5f, -0.0f, std::numeric_limits<float>::infinity(),
                         std::numeric_limits<float>::quiet_NaN()}),
      makeTensor<double>("doubles", ScalarType::Double, {1, 1, 2},
                         {3.141592653589793, -1e300}),
      makeTensor<float>("scalar", ScalarType::Float, {}, {42.0f}),
      makeTensor<float>("empty", ScalarType::Float, {0}, std::vector<float>{}),
      makeTensor<int64_t>("empty3d", ScalarType::Long, {2, 0, 3},
                          std::vector<int64_t>{}),
      makeTensor<uint8_t>("emptyBool", ScalarType::Bool, {0, 4},
                          std::vector<uint8_t>{}),
  };
}

TEST(Safetensors, RoundTripsEveryDtypeScalarsAndEmptyTensors) {
  std::vector<SafetensorsTensor> tensors = everyDtype();
  std::vector<uint8_t> bytes = serializeSafetensors(tensors);
  std::map<std::string, std::string> metadata = {{"stale", "entry"}};
  std::vector<SafetensorsTensor> read =
      parseSafetensors(bytes.data(), bytes.size(), "all", &metadata);
  expectSameTensors(tensors, read);
  EXPECT_TRUE(metadata.empty()) << "no __metadata__: the map is cleared";
  // Writing what was read gives the same bytes.
  EXPECT_EQ(serializeSafetensors(read), bytes);
}

TEST(Safetensors, ZeroSizeTensorsMayHaveNoBuffer) {
  SafetensorsTensor empty{"e", ScalarType::Double, {3, 0}, nullptr};
  std::vector<uint8_t> bytes = serializeSafetensors(
      {empty, makeTensor<double>("x", ScalarType::Double, {1}, {2.0})});
  std::string text(bytes.begin() + 8, bytes.end() - 8);
  EXPECT_NE(
      text.find(R"("e":{"dtype":"F64","shape":[3,0],"data_offsets":[0,0]})"),
      std::string::npos)
      << text;
  std::vector<SafetensorsTensor> read =
      parseSafetensors(bytes.data(), bytes.size(), "empty");
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].name, "e");
  ASSERT_TRUE(read[0].data);
  EXPECT_EQ(read[0].data->size(), 0u);
}

TEST(Safetensors, RoundTripsMetadata) {
  std::map<std::string, std::string> metadata = {
      {"format", "pt"},
      {"epoch", "12"},
      {"note", "a \"quoted\"\nline, \xc3\xa9t\xc3\xa9"},
      {"", ""}};
  std::vector<uint8_t> bytes = serializeSafetensors({attention()}, metadata);
  std::map<std::string, std::string> read;
  parseSafetensors(bytes.data(), bytes.size(), "metadata", &read);
  EXPECT_EQ(read, metadata);
}

TEST(Safetensors, ReadsWhatOtherWritersMayWrite) {
  // Tensors listed in any order, a header that is not padded, extra
  // fields in an entry and a null "__metadata__" are all accepted, as the
  // reference accepts them.
  std::vector<uint8_t> bytes = makeFile(
      R"({"__metadata__":null,)"
      R"("b":{"shape":[2],"dtype":"I32","data_offsets":[4,12],"extra":[1]},)"
      R"("a":{"dtype":"BOOL","shape":[4],"data_offsets":[0,4]}})",
      {1, 0, 1, 1, 7, 0, 0, 0, 8, 0, 0, 0});
  std::map<std::string, std::string> metadata = {{"stale", "entry"}};
  std::vector<SafetensorsTensor> read =
      parseSafetensors(bytes.data(), bytes.size(), "other", &metadata);
  EXPECT_TRUE(metadata.empty());
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].name, "a");
  EXPECT_EQ(read[0].type, ScalarType::Bool);
  EXPECT_EQ(dataOf(read[0]), (std::vector<uint8_t>{1, 0, 1, 1}));
  EXPECT_EQ(read[1].name, "b");
  EXPECT_EQ(read[1].shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(dataOf(read[1]), (std::vector<uint8_t>{7, 0, 0, 0, 8, 0, 0, 0}));
}

//===----------------------------------------------------------------------===//
// Malformed files: one message per rule
//===----------------------------------------------------------------------===//

struct Malformed {
  const char *rule;
  std::vector<uint8_t> bytes;
  /// The message after "load: bad.safetensors: ".
  std::string message;
  /// Whether `message` is the whole rest of the message or only its start.
  bool whole = true;
};

std::vector<uint8_t> zeros(size_t count) {
  return std::vector<uint8_t>(count, 0);
}

/// A header with one tensor "w".
std::string oneTensor(std::string_view entry) {
  return "{\"w\":" + std::string(entry) + "}";
}

std::vector<Malformed> malformedFiles() {
  const uint64_t kMax = std::numeric_limits<uint64_t>::max();
  std::vector<Malformed> cases = {
      // 1. Shorter than the header size.
      {"file of 5 bytes",
       {1, 2, 3, 4, 5},
       "file is 5 bytes, too short for the 8-byte header size that starts a "
       "safetensors file"},
      {"empty file",
       {},
       "file is 0 bytes, too short for the 8-byte header size that starts a "
       "safetensors file"},
      // 2. Header size over the cap or past the end.
      {"header over the cap", makeFile("{}", {}, 100'000'001),
       "header size 100000001 exceeds the limit of 100000000 bytes"},
      {"header size 2^64 - 1", makeFile("{}", {}, kMax),
       "header size 18446744073709551615 exceeds the limit of 100000000 bytes"},
      {"header past the end", makeFile("{}", zeros(18), 100),
       "header size 100 runs past the end of the file (28 bytes)"},
      // 3. Not UTF-8, not JSON.
      {"invalid UTF-8", makeFile("{\"a\xff\":1}"),
       "header is not valid UTF-8 (byte 3 of the header, 0xff)"},
      {"overlong UTF-8", makeFile("{\"\xc0\xaf\":1}"),
       "header is not valid UTF-8 (byte 2 of the header, 0xc0)"},
      {"UTF-8 surrogate", makeFile("{\"\xed\xa0\x80\":1}"),
       "header is not valid UTF-8 (byte 2 of the header, 0xed)"},
      {"unterminated JSON", makeFile(R"({"a":)"),
       "header is not valid JSON: parse error at line 1, column 6", false},
      {"text after the JSON", makeFile("{} x"),
       "header is not valid JSON: parse error at line 1, column 4", false},
      {"lone surrogate escape", makeFile(R"({"\ud800":1})"),
       "header is not valid JSON: parse error", false},
      // 4. Not an object.
      {"array header", makeFile("[1,2]"),
       "header does not start with '{' (it starts with \"[\"); it must be a "
       "JSON object"},
      {"leading space", makeFile(" {}"),
       "header does not start with '{' (it starts with \" \"); it must be a "
       "JSON object"},
      {"empty header", makeFile(""), "header is empty, not a JSON object"},
      // 5. Entries that are not {dtype, shape, data_offsets}.
      {"entry not an object", makeFile(oneTensor("[1]")),
       "tensor \"w\": entry is an array, not an object with dtype, shape and "
       "data_offsets"},
      {"no dtype",
       makeFile(oneTensor(R"({"shape":[1],"data_offsets":[0,4]})"), zeros(4)),
       "tensor \"w\": entry has no \"dtype\""},
      {"no shape",
       makeFile(oneTensor(R"({"dtype":"F32","data_offsets":[0,4]})"), zeros(4)),
       "tensor \"w\": entry has no \"shape\""},
      {"no data_offsets",
       makeFile(oneTensor(R"({"dtype":"F32","shape":[1]})"), zeros(4)),
       "tensor \"w\": entry has no \"data_offsets\""},
      {"dtype not a string",
       makeFile(oneTensor(R"({"dtype":32,"shape":[1],"data_offsets":[0,4]})"),
                zeros(4)),
       "tensor \"w\": \"dtype\" is a number, not a string"},
      {"shape not an array",
       makeFile(
           oneTensor(R"({"dtype":"F32","shape":"2","data_offsets":[0,8]})"),
           zeros(8)),
       "tensor \"w\": \"shape\" is a string, not an array"},
      {"fractional shape",
       makeFile(
           oneTensor(R"({"dtype":"F32","shape":[2.5],"data_offsets":[0,8]})"),
           zeros(8)),
       "tensor \"w\": shape [2.5] has an entry that is not a non-negative "
       "integer: 2.5"},
      {"nested shape",
       makeFile(
           oneTensor(R"({"dtype":"F32","shape":[[2]],"data_offsets":[0,8]})"),
           zeros(8)),
       "tensor \"w\": shape [[...]] has an entry that is not a non-negative "
       "integer: [...]"},
      {"shape entry past 2^64",
       makeFile(
           oneTensor(
               R"({"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,8]})"),
           zeros(8)),
       "tensor \"w\": shape [1.8446744073709552e+19] has an entry that is not "
       "a non-negative integer: 1.8446744073709552e+19"},
      {"one offset",
       makeFile(oneTensor(R"({"dtype":"F32","shape":[1],"data_offsets":[0]})"),
                zeros(4)),
       "tensor \"w\": \"data_offsets\" must be [begin, end] with non-negative "
       "integers, got [0]"},
      {"offsets as a string",
       makeFile(
           oneTensor(R"({"dtype":"F32","shape":[1],"data_offsets":"0,4"})"),
           zeros(4)),
       "tensor \"w\": \"data_offsets\" must be [begin, end] with non-negative "
       "integers, got \"0,4\""},
      {"negative offset",
       makeFile(
           oneTensor(R"({"dtype":"F32","shape":[1],"data_offsets":[-4,4]})"),
           zeros(4)),
       "tensor \"w\": \"data_offsets\" must be [begin, end] with non-negative "
       "integers, got [-4, 4]"},
      // 6. Unknown dtype.
      {"unknown dtype",
       makeFile(
           oneTensor(R"({"dtype":"F33","shape":[1],"data_offsets":[0,4]})"),
           zeros(4)),
       "tensor \"w\": unknown dtype \"F33\""},
      {"lower-case dtype",
       makeFile(
           oneTensor(R"({"dtype":"f32","shape":[1],"data_offsets":[0,4]})"),
           zeros(4)),
       "tensor \"w\": unknown dtype \"f32\""},
      // 8. Negative and absurd shapes.
      {"negative shape",
       makeFile(
           oneTensor(R"({"dtype":"F32","shape":[2,-1],"data_offsets":[0,8]})"),
           zeros(8)),
       "tensor \"w\": shape [2, -1] has a negative entry"},
      {"shape entry past 2^63",
       makeFile(
           oneTensor(
               R"({"dtype":"F32","shape":[18446744073709551615],"data_offsets":[0,8]})"),
           zeros(8)),
       "tensor \"w\": shape entry 18446744073709551615 is larger than 2^63 - "
       "1"},
      {"numel overflow",
       makeFile(
           oneTensor(
               R"({"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]})"),
           zeros(8)),
       "tensor \"w\": F32 [4294967296, 4294967296] holds more than 2^63 - 1 "
       "bytes"},
      {"byte count that wraps to 0",
       makeFile(oneTensor(
           R"({"dtype":"I32","shape":[4611686018427387904,4],"data_offsets":[0,0]})")),
       "tensor \"w\": I32 [4611686018427387904, 4] holds more than 2^63 - 1 "
       "bytes"},
      // 9. End before begin.
      {"end before begin",
       makeFile(
           oneTensor(R"({"dtype":"F32","shape":[1],"data_offsets":[8,4]})"),
           zeros(8)),
       "tensor \"w\": data_offsets [8, 4] end before they begin"},
      // 10. Byte count against the shape.
      {"byte count",
       makeFile(
           R"({"fc.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})",
           zeros(20)),
       "tensor \"fc.weight\": data_offsets [0, 20] hold 20 bytes, but F32 "
       "[2, 3] needs 24"},
      {"bool byte count",
       makeFile(
           oneTensor(R"({"dtype":"BOOL","shape":[3],"data_offsets":[0,4]})"),
           zeros(4)),
       "tensor \"w\": data_offsets [0, 4] hold 4 bytes, but BOOL [3] needs 3"},
      // 11. Offsets that do not tile the data buffer.
      {"not starting at 0",
       makeFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                zeros(8)),
       "tensor \"a\": data_offsets [4, 8] start at 4, but the first tensor "
       "must start at byte 0 of the data buffer"},
      {"gap",
       makeFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                zeros(12)),
       "tensor \"b\": data_offsets [8, 12] leave a gap after tensor \"a\", "
       "which ends at 4"},
      {"overlap",
       makeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                zeros(8)),
       "tensor \"b\": data_offsets [4, 8] overlap tensor \"a\" at [0, 8]"},
      {"same bytes twice",
       makeFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                R"("b":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}})",
                zeros(4)),
       "tensor \"b\": data_offsets [0, 4] overlap tensor \"a\" at [0, 4]"},
      // 12. Data buffer longer or shorter than the tensors.
      {"trailing bytes",
       makeFile(
           oneTensor(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})"),
           zeros(12)),
       "data buffer has 4 trailing bytes after the last tensor, which ends at "
       "8"},
      {"missing bytes",
       makeFile(
           oneTensor(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})"),
           zeros(4)),
       "data buffer is truncated: the tensors need 8 bytes, the file holds 4 "
       "after the header"},
      {"data without tensors", makeFile("{}", zeros(8)),
       "data buffer has 8 trailing bytes after the last tensor, which ends at "
       "0"},
      // 13. Duplicate keys.
      {"duplicate tensor",
       makeFile(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                R"("w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                zeros(4)),
       "header has the key \"w\" twice"},
      {"duplicate field",
       makeFile(
           oneTensor(
               R"({"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]})"),
           zeros(4)),
       "header has the key \"dtype\" twice in \"w\""},
      {"duplicate metadata key",
       makeFile(R"({"__metadata__":{"k":"a","k":"b"}})"),
       "header has the key \"k\" twice in \"__metadata__\""},
      // 14. Metadata that is not an object of strings.
      {"metadata array", makeFile(R"({"__metadata__":["a"]})"),
       "\"__metadata__\" is an array, not an object of strings"},
      {"metadata number", makeFile(R"({"__metadata__":{"epoch":3}})"),
       "\"__metadata__\" entry \"epoch\" is a number, not a string"},
      {"metadata object", makeFile(R"({"__metadata__":{"nested":{}}})"),
       "\"__metadata__\" entry \"nested\" is an object, not a string"},
      // Bool bytes must be 0 or 1.
      {"bool byte 2",
       makeFile(R"({"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}})",
                {1, 2, 0}),
       "tensor \"m\": BOOL element 1 is 2, not 0 or 1"},
  };
  // 7. Dtypes of safetensors that dlc has no type for.
  for (const char *dtype : {"F16", "BF16", "U8", "I8", "I16", "U16", "U32",
                            "U64", "F8_E4M3", "F8_E5M2"}) {
    std::string header = oneTensor(std::string(R"({"dtype":")") + dtype +
                                   R"(","shape":[1],"data_offsets":[0,1]})");
    cases.push_back(
        {dtype, makeFile(header, zeros(1)),
         std::string("tensor \"w\": dlc has no ") + dtype +
             " type (it holds BOOL, I32, I64, F32 and F64); convert the "
             "tensor before loading it"});
  }
  return cases;
}

void expectMessage(const std::string &actual, const std::string &prefix,
                   const Malformed &malformed) {
  std::string expected = prefix + malformed.message;
  if (malformed.whole)
    EXPECT_EQ(actual, expected);
  else
    EXPECT_EQ(actual.substr(0, expected.size()), expected) << actual;
}

TEST(Safetensors, RejectsEachMalformedFileWithItsOwnMessage) {
  std::vector<Malformed> cases = malformedFiles();
  std::set<std::string> messages;
  for (const Malformed &malformed : cases) {
    SCOPED_TRACE(malformed.rule);
    std::string message = parseError(malformed.bytes);
    expectMessage(message, "load: bad.safetensors: ", malformed);
    messages.insert(message);
  }
  EXPECT_EQ(messages.size(), cases.size()) << "every rule has its own message";
}

TEST_F(SafetensorsFile, LoadingAFileAppliesTheSameRules) {
  for (const Malformed &malformed : malformedFiles()) {
    SCOPED_TRACE(malformed.rule);
    fs::path path = directory / "bad.safetensors";
    writeFile(path, malformed.bytes);
    std::string message;
    try {
      loadSafetensors(path.string());
    } catch (const dlc::Error &error) {
      message = error.what();
    }
    expectMessage(message, "load: " + path.string() + ": ", malformed);
  }
}

TEST(Safetensors, NeverCrashesOnDamagedBytes) {
  std::map<std::string, std::string> metadata = {{"format", "pt"}};
  std::vector<uint8_t> good = serializeSafetensors(everyDtype(), metadata);
  // Every truncation is rejected.
  for (size_t size = 0; size < good.size(); ++size) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + size);
    EXPECT_NE(parseError(cut), "") << "cut to " << size << " bytes";
  }
  // Every byte replaced by characters that matter to the format: each file
  // is read or rejected with a dlc::Error, nothing else.
  int accepted = 0, rejected = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t value : {0x00, 0x01, 0x02, 0x20, 0x22, 0x2c, 0x2d, 0x30, 0x39,
                          0x3a, 0x5b, 0x5d, 0x7b, 0x7d, 0x80, 0xc3, 0xff}) {
      std::vector<uint8_t> damaged = good;
      damaged[i] = value;
      try {
        parseSafetensors(damaged.data(), damaged.size(), "damaged");
        ++accepted;
      } catch (const dlc::Error &) {
        ++rejected;
      } catch (const std::exception &error) {
        ADD_FAILURE() << "byte " << i << " = " << int(value)
                      << " threw a non-dlc exception: " << error.what();
      }
    }
  }
  EXPECT_GT(accepted, 0) << "changed data bytes are still a valid file";
  EXPECT_GT(rejected, 0);
}

TEST(Safetensors, DeeplyNestedHeadersAreRejectedNotOverflowed) {
  const size_t depth = 100'000;
  std::string nested = std::string(depth, '[') + std::string(depth, ']');
  EXPECT_EQ(parseError(makeFile("{\"__metadata__\":" + nested + "}")),
            "load: bad.safetensors: \"__metadata__\" is an array, not an "
            "object of strings");
  EXPECT_EQ(
      parseError(makeFile(oneTensor(R"({"dtype":"F32","shape":[)" + nested +
                                    R"(],"data_offsets":[0,4]})"),
                          zeros(4))),
      "load: bad.safetensors: tensor \"w\": shape [[...]] has an entry "
      "that is not a non-negative integer: [...]");
  std::string objects;
  for (size_t i = 0; i < depth; ++i)
    objects += "{\"k\":";
  EXPECT_EQ(parseError(makeFile("{\"__metadata__\":" + objects)).substr(0, 49),
            "load: bad.safetensors: header is not valid JSON: ");
}

//===----------------------------------------------------------------------===//
// Tensors that cannot be written
//===----------------------------------------------------------------------===//

TEST(Safetensors, RejectsTensorsItCannotWrite) {
  auto f32 = [](std::string name, std::vector<int64_t> shape, size_t count) {
    return makeTensor<float>(std::move(name), ScalarType::Float,
                             std::move(shape), std::vector<float>(count));
  };
  EXPECT_EQ(serializeError({f32("w", {2, 3}, 5)}),
            "save: tensor \"w\": the buffer holds 20 bytes, but F32 [2, 3] "
            "needs 24");
  EXPECT_EQ(serializeError({f32("w", {2, -3}, 0)}),
            "save: tensor \"w\": shape [2, -3] has a negative entry");
  EXPECT_EQ(
      serializeError({f32("w", {std::numeric_limits<int64_t>::max(), 2}, 0)}),
      "save: tensor \"w\": F32 [9223372036854775807, 2] holds more than "
      "2^63 - 1 bytes");
  EXPECT_EQ(
      serializeError({f32("w", {1}, 1), f32("v", {1}, 1),
                      makeTensor<int32_t>("w", ScalarType::Int, {1}, {1})}),
      "save: tensor \"w\": two tensors have this name");
  EXPECT_EQ(serializeError({f32("__metadata__", {1}, 1)}),
            "save: tensor \"__metadata__\": the name is reserved for the "
            "file's metadata");
  EXPECT_EQ(
      serializeError({SafetensorsTensor{"w", ScalarType::Float, {2}, nullptr}}),
      "save: tensor \"w\": no data buffer, but F32 [2] needs 8 bytes");
  EXPECT_EQ(serializeError(
                {makeTensor<uint8_t>("m", ScalarType::Bool, {3}, {0, 1, 2})}),
            "save: tensor \"m\": Bool element 2 is 2, not 0 or 1");
  EXPECT_EQ(serializeError({f32("bad\xff", {1}, 1)}),
            "save: tensor \"bad\xef\xbf\xbd\": the name is not valid UTF-8");
  EXPECT_EQ(serializeError({}, {{"k", "\xc3"}}),
            "save: metadata entry \"k\" is not valid UTF-8");
  float onDevice[2] = {};
  SafetensorsTensor cuda{"w",
                         ScalarType::Float,
                         {2},
                         Buffer::borrow(onDevice, sizeof(onDevice), {},
                                        dlc::Device(dlc::kCUDA, 0))};
  EXPECT_EQ(serializeError({cuda}),
            "save: tensor \"w\": the data is on cuda:0; copy it to the CPU "
            "first");
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

TEST_F(SafetensorsFile, SavesAndLoads) {
  fs::path path = directory / "model.safetensors";
  std::vector<SafetensorsTensor> tensors = everyDtype();
  std::map<std::string, std::string> metadata = {{"format", "pt"}};
  saveSafetensors(path.string(), tensors, metadata);
  EXPECT_EQ(listDirectory(directory),
            std::vector<std::string>{"model.safetensors"})
      << "no temporary file is left behind";
  EXPECT_EQ(readFile(path), serializeSafetensors(tensors, metadata));
  std::map<std::string, std::string> read;
  expectSameTensors(tensors, loadSafetensors(path.string(), &read));
  EXPECT_EQ(read, metadata);
}

TEST_F(SafetensorsFile, SavesInTheWorkingDirectory) {
  fs::path previous = fs::current_path();
  fs::current_path(directory);
  saveSafetensors("plain.safetensors", {attention()});
  fs::current_path(previous);
  EXPECT_EQ(listDirectory(directory),
            std::vector<std::string>{"plain.safetensors"});
}

TEST_F(SafetensorsFile, ReplacesAnExistingFileAtomically) {
  fs::path path = directory / "model.safetensors";
  saveSafetensors(path.string(), {attention()});
  std::vector<uint8_t> old = readFile(path);
  ::chmod(path.c_str(), 0640);
  // A reader that opened the old file keeps reading it whole: the new file
  // is a new inode renamed over the name, never the old one rewritten.
  std::ifstream reader(path, std::ios::binary);

  std::vector<SafetensorsTensor> tensors = everyDtype();
  saveSafetensors(path.string(), tensors);
  EXPECT_EQ(listDirectory(directory),
            std::vector<std::string>{"model.safetensors"});
  expectSameTensors(tensors, loadSafetensors(path.string()));
  struct stat status;
  ASSERT_EQ(::stat(path.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0640u) << "permissions are kept";
  std::vector<uint8_t> seen{std::istreambuf_iterator<char>(reader),
                            std::istreambuf_iterator<char>()};
  EXPECT_EQ(seen, old);

  // A save that fails leaves the good file as it was.
  std::vector<uint8_t> current = readFile(path);
  SafetensorsTensor bad = attention();
  bad.shape = {5};
  EXPECT_THROW(saveSafetensors(path.string(), {bad}), dlc::Error);
  EXPECT_EQ(readFile(path), current);
  EXPECT_EQ(listDirectory(directory),
            std::vector<std::string>{"model.safetensors"});
}

TEST_F(SafetensorsFile, AFailedWriteLeavesTheOldFileAndNoTemporary) {
  // Run in a child process: a file size limit of 4 KiB makes the write of
  // 1 MiB fail half way (EFBIG), as a full disk would.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  fs::path path = directory / "model.safetensors";
  saveSafetensors(path.string(), {attention()});
  std::vector<uint8_t> old = readFile(path);
  SafetensorsTensor big = makeTensor<float>("big", ScalarType::Float, {1 << 18},
                                            std::vector<float>(1 << 18, 1.0f));
  auto child = [&] {
    std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = {4096, 4096};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0)
      std::_Exit(2);
    std::string message;
    try {
      saveSafetensors(path.string(), {big});
    } catch (const dlc::Error &error) {
      message = error.what();
    }
    bool ok = message.find("save: " + path.string() + ": cannot write ") == 0 &&
              message.find("File too large") != std::string::npos &&
              readFile(path) == old &&
              listDirectory(directory) ==
                  std::vector<std::string>{"model.safetensors"};
    if (!ok)
      std::fprintf(stderr, "message: %s\n", message.c_str());
    std::_Exit(ok ? 0 : 1);
  };
  EXPECT_EXIT(child(), ::testing::ExitedWithCode(0), "");
}

TEST_F(SafetensorsFile, NamesThePathOfAFileItCannotOpen) {
  fs::path missing = directory / "missing.safetensors";
  try {
    loadSafetensors(missing.string());
    FAIL() << "a missing file loaded";
  } catch (const dlc::Error &error) {
    EXPECT_EQ(std::string(error.what()),
              "load: " + missing.string() +
                  ": cannot open the file: No such file or directory");
  }
  try {
    loadSafetensors(directory.string());
    FAIL() << "a directory loaded";
  } catch (const dlc::Error &error) {
    EXPECT_EQ(std::string(error.what()),
              "load: " + directory.string() +
                  ": is a directory, not a safetensors file");
  }
  fs::path nowhere = directory / "no" / "such" / "model.safetensors";
  try {
    saveSafetensors(nowhere.string(), {attention()});
    FAIL() << "saved into a missing directory";
  } catch (const dlc::Error &error) {
    EXPECT_EQ(
        std::string(error.what()),
        "save: " + nowhere.string() + ": cannot create a temporary file in " +
            nowhere.parent_path().string() + ": No such file or directory");
  }
  try {
    saveSafetensors(directory.string(), {attention()});
    FAIL() << "saved over a directory";
  } catch (const dlc::Error &error) {
    EXPECT_EQ(std::string(error.what()),
              "save: " + directory.string() + ": is a directory");
  }
}

} // namespace
