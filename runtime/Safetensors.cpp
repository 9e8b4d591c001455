//===- Safetensors.cpp - Reading and writing safetensors checkpoints ------===//
//
// The layout and the checks follow the reference implementation
// (huggingface/safetensors, safetensors/src/tensor.rs): the writer sorts the
// tensors by dtype, widest first, then by name, lays their bytes end to end,
// writes "__metadata__" first and pads the compact JSON header with spaces to
// a multiple of 8 bytes; the reader caps the header at 100 MB and requires
// valid UTF-8, a JSON object, known dtypes, byte ranges that match the shapes
// and tile the data buffer exactly. It is stricter than the reference in
// three ways, each for a file the reference would read wrongly or not at
// all: duplicate JSON keys, Bool bytes other than 0 and 1, and dtypes that
// dlc has no type for are errors. The header is checked whole before any
// tensor memory is allocated, so a hostile header cannot make the reader
// allocate more than the file holds.
//
//===----------------------------------------------------------------------===//

#include "runtime/Safetensors.h"

#include "runtime/Error.h"
#include "runtime/File.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

// Tensor bytes are copied as they are: the file's little-endian order is the
// host's.
static_assert(std::endian::native == std::endian::little,
              "safetensors I/O assumes a little-endian host");

namespace dlc::rt {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

constexpr size_t kSizePrefix = 8;

//===----------------------------------------------------------------------===//
// Messages
//===----------------------------------------------------------------------===//

/// `text` as a JSON string literal (quoted and escaped); bytes that are not
/// UTF-8 become U+FFFD, so that any name can be shown.
std::string quote(std::string_view text) {
  return Json(std::string(text))
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += fmt::format("{}{}", i ? ", " : "", shape[i]);
  return out + "]";
}

/// A JSON value as it was written, shortened to 40 characters; arrays and
/// objects show as [...] and {...} (dump() recurses, and a header may nest
/// 50 million levels deep).
std::string preview(const Json &value) {
  if (value.is_array())
    return value.empty() ? "[]" : "[...]";
  if (value.is_object())
    return value.empty() ? "{}" : "{...}";
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 40)
    text = text.substr(0, 37) + "...";
  return text;
}

/// A JSON array as "[2, -1]", shortened as preview().
std::string previewArray(const Json &array) {
  std::string text = "[";
  for (size_t i = 0; i < array.size(); ++i)
    text += (i ? ", " : "") + preview(array[i]);
  text += "]";
  if (text.size() > 40)
    text = text.substr(0, 37) + "...";
  return text;
}

/// "an array", "a string", ... for a JSON value that has the wrong type.
std::string_view describe(const Json &value) {
  switch (value.type()) {
  case Json::value_t::null:
    return "null";
  case Json::value_t::object:
    return "an object";
  case Json::value_t::array:
    return "an array";
  case Json::value_t::string:
    return "a string";
  case Json::value_t::boolean:
    return "a boolean";
  case Json::value_t::number_integer:
  case Json::value_t::number_unsigned:
  case Json::value_t::number_float:
    return "a number";
  default:
    return "an unexpected value";
  }
}

/// Throws dlc::Error with messages "<op>: <file>: [tensor "<name>": ]<rule>".
class Reporter {
public:
  explicit Reporter(std::string prefix) : prefix(std::move(prefix)) {}

  [[noreturn]] void fail(std::string_view message) const {
    throw Error(prefix + std::string(message));
  }
  [[noreturn]] void fail(std::string_view tensor,
                         std::string_view message) const {
    throw Error(fmt::format("{}tensor {}: {}", prefix, quote(tensor), message));
  }

private:
  std::string prefix;
};

std::string errnoMessage(int error) {
  return std::error_code(error, std::generic_category()).message();
}

//===----------------------------------------------------------------------===//
// Dtypes
//===----------------------------------------------------------------------===//

std::string_view dtypeName(ScalarType type) {
  switch (type) {
  case ScalarType::Bool:
    return "BOOL";
  case ScalarType::Int:
    return "I32";
  case ScalarType::Long:
    return "I64";
  case ScalarType::Float:
    return "F32";
  case ScalarType::Double:
    return "F64";
  }
  return "?";
}

std::optional<ScalarType> dlcType(std::string_view dtype) {
  for (ScalarType type : {ScalarType::Bool, ScalarType::Int, ScalarType::Long,
                          ScalarType::Float, ScalarType::Double})
    if (dtype == dtypeName(type))
      return type;
  return std::nullopt;
}

/// The dtypes safetensors defines that dlc has no type for.
bool isOtherSafetensorsDtype(std::string_view dtype) {
  static constexpr std::string_view kOthers[] = {
      "U8",      "I8",      "I16",         "U16",         "F16",     "BF16",
      "U32",     "U64",     "F8_E5M2",     "F8_E4M3",     "F8_E8M0", "F4",
      "F6_E2M3", "F6_E3M2", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "C64"};
  return std::find(std::begin(kOthers), std::end(kOthers), dtype) !=
         std::end(kOthers);
}

/// The reference writer's order of dtypes (its `Dtype` enum: BOOL < ... <
/// I32 < U32 < F32 < C64 < F64 < I64 < U64); files list the highest first.
int writeRank(ScalarType type) {
  switch (type) {
  case ScalarType::Bool:
    return 0;
  case ScalarType::Int:
    return 1;
  case ScalarType::Float:
    return 2;
  case ScalarType::Double:
    return 3;
  case ScalarType::Long:
    return 4;
  }
  return -1;
}

//===----------------------------------------------------------------------===//
// Validation shared by the reader and the writer
//===----------------------------------------------------------------------===//

/// The offset of the first byte of `text` that is not part of well-formed
/// UTF-8 (no overlong forms, surrogates or code points past U+10FFFF), or
/// npos.
size_t findInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint32_t codePoint;
    uint32_t smallest;
    if ((lead & 0xE0) == 0xC0) {
      length = 2, codePoint = lead & 0x1F, smallest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, codePoint = lead & 0x0F, smallest = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, codePoint = lead & 0x07, smallest = 0x10000;
    } else {
      return i;
    }
    if (text.size() - i < length)
      return i;
    for (size_t k = 1; k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80)
        return i;
      codePoint = (codePoint << 6) | (next & 0x3F);
    }
    if (codePoint < smallest || codePoint > 0x10FFFF ||
        (codePoint >= 0xD800 && codePoint <= 0xDFFF))
      return i;
    i += length;
  }
  return std::string_view::npos;
}

/// numel * elementSize(type), or nullopt when it passes 2^63 - 1.
std::optional<uint64_t> byteCount(const std::vector<int64_t> &shape,
                                  ScalarType type) {
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  uint64_t count = elementSize(type);
  bool overflow = false;
  for (int64_t size : shape) {
    assert(size >= 0 && "checked by the caller");
    auto factor = static_cast<uint64_t>(size);
    if (factor == 0)
      return 0; // rank > 0 with a 0 entry: empty, whatever the other sizes.
    overflow = overflow || count > kMax / factor;
    if (!overflow)
      count *= factor;
  }
  if (overflow)
    return std::nullopt;
  return count;
}

/// The index of the first Bool byte that is neither 0 nor 1, or npos.
size_t findInvalidBool(const uint8_t *bytes, size_t count) {
  for (size_t i = 0; i < count; ++i)
    if (bytes[i] > 1)
      return i;
  return std::string_view::npos;
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

/// A tensor of the header, validated.
struct HeaderEntry {
  std::string name;
  ScalarType type;
  std::vector<int64_t> shape;
  uint64_t begin;
  uint64_t end;
};

/// Checks the 8-byte header size against the file size and returns it.
/// `prefix` holds the first min(fileSize, 8) bytes of the file.
uint64_t readHeaderSize(const uint8_t *prefix, uint64_t fileSize,
                        const Reporter &reporter) {
  if (fileSize < kSizePrefix)
    reporter.fail(fmt::format("file is {} bytes, too short for the 8-byte "
                              "header size that starts a safetensors file",
                              fileSize));
  uint64_t size = 0;
  for (size_t i = 0; i < kSizePrefix; ++i)
    size |= static_cast<uint64_t>(prefix[i]) << (8 * i);
  if (size > kSafetensorsMaxHeaderSize)
    reporter.fail(fmt::format("header size {} exceeds the limit of {} bytes",
                              size, kSafetensorsMaxHeaderSize));
  if (size > fileSize - kSizePrefix)
    reporter.fail(fmt::format("header size {} runs past the end of the file "
                              "({} bytes)",
                              size, fileSize));
  return size;
}

/// Parses JSON, rejecting an object that has the same key twice: such a file
/// means different things to different readers (nlohmann and the reference
/// keep the last tensor of a name silently; the reference rejects a field
/// given twice).
Json parseJsonWithoutDuplicates(std::string_view text,
                                const Reporter &reporter) {
  struct OpenObject {
    std::set<std::string> keys;
    std::string owner; // The key this object is the value of.
  };
  std::vector<OpenObject> objects;
  std::string lastKey;
  auto callback = [&](int, nlohmann::json::parse_event_t event, Json &parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::object_start) {
      objects.push_back({{}, lastKey});
    } else if (event == Event::object_end) {
      objects.pop_back();
    } else if (event == Event::key) {
      lastKey = parsed.get_ref<const std::string &>();
      if (!objects.back().keys.insert(lastKey).second) {
        if (objects.size() == 1)
          reporter.fail(
              fmt::format("header has the key {} twice", quote(lastKey)));
        reporter.fail(fmt::format("header has the key {} twice in {}",
                                  quote(lastKey), quote(objects.back().owner)));
      }
    }
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), callback);
  } catch (const nlohmann::json::exception &error) {
    // Drop nlohmann's "[json.exception.parse_error.101] " tag.
    std::string_view what = error.what();
    if (size_t tag = what.find("] ");
        !what.empty() && what[0] == '[' && tag != std::string_view::npos)
      what.remove_prefix(tag + 2);
    reporter.fail(fmt::format("header is not valid JSON: {}", what));
  }
}

/// A non-negative JSON integer, or nullopt.
std::optional<uint64_t> asIndex(const Json &value) {
  if (!value.is_number_unsigned())
    return std::nullopt;
  return value.get<uint64_t>();
}

HeaderEntry readEntry(const std::string &name, const Json &value,
                      const Reporter &reporter) {
  if (!value.is_object())
    reporter.fail(name, fmt::format("entry is {}, not an object with dtype, "
                                    "shape and data_offsets",
                                    describe(value)));
  for (const char *field : {"dtype", "shape", "data_offsets"})
    if (!value.contains(field))
      reporter.fail(name, fmt::format("entry has no \"{}\"", field));
  // Other fields are ignored, as the reference does.

  HeaderEntry entry;
  entry.name = name;
  const Json &dtype = value.at("dtype");
  if (!dtype.is_string())
    reporter.fail(
        name, fmt::format("\"dtype\" is {}, not a string", describe(dtype)));
  const auto &dtypeText = dtype.get_ref<const std::string &>();
  std::optional<ScalarType> type = dlcType(dtypeText);
  if (!type) {
    if (isOtherSafetensorsDtype(dtypeText))
      reporter.fail(name, fmt::format("dlc has no {} type (it holds BOOL, "
                                      "I32, I64, F32 and F64); convert the "
                                      "tensor before loading it",
                                      dtypeText));
    reporter.fail(name, fmt::format("unknown dtype {}", quote(dtypeText)));
  }
  entry.type = *type;

  const Json &shape = value.at("shape");
  if (!shape.is_array())
    reporter.fail(
        name, fmt::format("\"shape\" is {}, not an array", describe(shape)));
  for (const Json &size : shape) {
    if (size.is_number_integer() && !size.is_number_unsigned())
      reporter.fail(name, fmt::format("shape {} has a negative entry",
                                      previewArray(shape)));
    std::optional<uint64_t> index = asIndex(size);
    if (!index)
      reporter.fail(name, fmt::format("shape {} has an entry that is not a "
                                      "non-negative integer: {}",
                                      previewArray(shape), preview(size)));
    if (*index > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      reporter.fail(name, fmt::format("shape entry {} is larger than "
                                      "2^63 - 1",
                                      *index));
    entry.shape.push_back(static_cast<int64_t>(*index));
  }

  const Json &offsets = value.at("data_offsets");
  std::optional<uint64_t> begin, end;
  if (offsets.is_array() && offsets.size() == 2) {
    begin = asIndex(offsets[0]);
    end = asIndex(offsets[1]);
  }
  if (!begin || !end)
    reporter.fail(name, fmt::format("\"data_offsets\" must be [begin, end] "
                                    "with non-negative integers, got {}",
                                    offsets.is_array() ? previewArray(offsets)
                                                       : preview(offsets)));
  entry.begin = *begin;
  entry.end = *end;
  if (entry.end < entry.begin)
    reporter.fail(name, fmt::format("data_offsets [{}, {}] end before they "
                                    "begin",
                                    entry.begin, entry.end));

  std::optional<uint64_t> bytes = byteCount(entry.shape, entry.type);
  if (!bytes)
    reporter.fail(name, fmt::format("{} {} holds more than 2^63 - 1 bytes",
                                    dtypeText, formatShape(entry.shape)));
  if (entry.end - entry.begin != *bytes)
    reporter.fail(name,
                  fmt::format("data_offsets [{}, {}] hold {} bytes, but "
                              "{} {} needs {}",
                              entry.begin, entry.end, entry.end - entry.begin,
                              dtypeText, formatShape(entry.shape), *bytes));
  return entry;
}

std::map<std::string, std::string> readMetadata(const Json &value,
                                                const Reporter &reporter) {
  std::map<std::string, std::string> metadata;
  if (value.is_null()) // The reference reads null as no metadata.
    return metadata;
  if (!value.is_object())
    reporter.fail(fmt::format("\"__metadata__\" is {}, not an object of "
                              "strings",
                              describe(value)));
  for (const auto &[key, text] : value.items()) {
    if (!text.is_string())
      reporter.fail(fmt::format("\"__metadata__\" entry {} is {}, not a "
                                "string",
                                quote(key), describe(text)));
    metadata.emplace(key, text.get<std::string>());
  }
  return metadata;
}

/// Validates the header text (the N bytes after the size) against the
/// `dataSize` bytes that follow it; returns the tensors by offset.
std::vector<HeaderEntry>
readHeader(std::string_view text, uint64_t dataSize, const Reporter &reporter,
           std::map<std::string, std::string> &metadata) {
  if (size_t bad = findInvalidUtf8(text); bad != std::string_view::npos)
    reporter.fail(fmt::format("header is not valid UTF-8 (byte {} of the "
                              "header, 0x{:02x})",
                              bad, static_cast<unsigned char>(text[bad])));
  if (text.empty() || text.front() != '{')
    reporter.fail(text.empty()
                      ? std::string("header is empty, not a JSON object")
                      : fmt::format("header does not start with '{{' (it "
                                    "starts with {}); it must be a JSON "
                                    "object",
                                    quote(text.substr(0, 1))));
  Json header = parseJsonWithoutDuplicates(text, reporter);
  if (!header.is_object())
    reporter.fail(
        fmt::format("header is {}, not a JSON object", describe(header)));

  std::vector<HeaderEntry> entries;
  for (const auto &[name, value] : header.items()) {
    if (name == "__metadata__")
      metadata = readMetadata(value, reporter);
    else
      entries.push_back(readEntry(name, value, reporter));
  }

  // The reference's rule: by offset, the tensors tile the data buffer.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const HeaderEntry &a, const HeaderEntry &b) {
                     return std::pair(a.begin, a.end) <
                            std::pair(b.begin, b.end);
                   });
  uint64_t covered = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const HeaderEntry &entry = entries[i];
    if (entry.begin == covered) {
      covered = entry.end;
      continue;
    }
    std::string offsets =
        fmt::format("data_offsets [{}, {}]", entry.begin, entry.end);
    if (i == 0)
      reporter.fail(entry.name, fmt::format("{} start at {}, but the first "
                                            "tensor must start at byte 0 of "
                                            "the data buffer",
                                            offsets, entry.begin));
    const HeaderEntry &previous = entries[i - 1];
    if (entry.begin > covered)
      reporter.fail(entry.name,
                    fmt::format("{} leave a gap after tensor {}, which ends "
                                "at {}",
                                offsets, quote(previous.name), covered));
    reporter.fail(entry.name, fmt::format("{} overlap tensor {} at [{}, {}]",
                                          offsets, quote(previous.name),
                                          previous.begin, previous.end));
  }
  if (covered < dataSize)
    reporter.fail(fmt::format("data buffer has {} trailing bytes after the "
                              "last tensor, which ends at {}",
                              dataSize - covered, covered));
  if (covered > dataSize)
    reporter.fail(fmt::format("data buffer is truncated: the tensors need {} "
                              "bytes, the file holds {} after the header",
                              covered, dataSize));
  return entries;
}

SafetensorsTensor makeTensor(HeaderEntry &&entry) {
  SafetensorsTensor tensor;
  tensor.name = std::move(entry.name);
  tensor.type = entry.type;
  tensor.shape = std::move(entry.shape);
  tensor.data = Buffer::allocate(entry.end - entry.begin);
  return tensor;
}

void checkBools(const SafetensorsTensor &tensor, const Reporter &reporter) {
  if (tensor.type != ScalarType::Bool)
    return;
  auto *bytes = static_cast<const uint8_t *>(tensor.data->data());
  if (size_t bad = findInvalidBool(bytes, tensor.data->size());
      bad != std::string_view::npos)
    reporter.fail(tensor.name, fmt::format("BOOL element {} is {}, not 0 or 1",
                                           bad, bytes[bad]));
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

/// The header and the order of the tensors' bytes, after validation.
struct Layout {
  /// The 8-byte size and the padded JSON header.
  std::vector<uint8_t> head;
  std::vector<const SafetensorsTensor *> order;
  uint64_t dataSize = 0;
};

Layout layOut(const std::vector<SafetensorsTensor> &tensors,
              const std::map<std::string, std::string> &metadata,
              const Reporter &reporter) {
  Layout layout;
  std::set<std::string_view> names;
  for (const SafetensorsTensor &tensor : tensors) {
    const std::string &name = tensor.name;
    if (findInvalidUtf8(name) != std::string_view::npos)
      reporter.fail(name, "the name is not valid UTF-8");
    if (name == "__metadata__")
      reporter.fail(name, "the name is reserved for the file's metadata");
    if (!names.insert(name).second)
      reporter.fail(name, "two tensors have this name");
    if (writeRank(tensor.type) < 0)
      reporter.fail(name, "invalid ScalarType");
    if (std::any_of(tensor.shape.begin(), tensor.shape.end(),
                    [](int64_t size) { return size < 0; }))
      reporter.fail(name, fmt::format("shape {} has a negative entry",
                                      formatShape(tensor.shape)));
    std::optional<uint64_t> bytes = byteCount(tensor.shape, tensor.type);
    if (!bytes)
      reporter.fail(name, fmt::format("{} {} holds more than 2^63 - 1 bytes",
                                      dtypeName(tensor.type),
                                      formatShape(tensor.shape)));
    if (!tensor.data) {
      if (*bytes != 0)
        reporter.fail(name, fmt::format("no data buffer, but {} {} needs {} "
                                        "bytes",
                                        dtypeName(tensor.type),
                                        formatShape(tensor.shape), *bytes));
      continue;
    }
    if (!tensor.data->device().is_cpu())
      reporter.fail(name, fmt::format("the data is on {}; copy it to the CPU "
                                      "first",
                                      tensor.data->device().str()));
    if (tensor.data->size() != *bytes)
      reporter.fail(name,
                    fmt::format("the buffer holds {} bytes, but {} {} "
                                "needs {}",
                                tensor.data->size(), dtypeName(tensor.type),
                                formatShape(tensor.shape), *bytes));
    if (tensor.type == ScalarType::Bool) {
      auto *values = static_cast<const uint8_t *>(tensor.data->data());
      if (size_t bad = findInvalidBool(values, *bytes);
          bad != std::string_view::npos)
        reporter.fail(name, fmt::format("Bool element {} is {}, not 0 or 1",
                                        bad, values[bad]));
    }
  }
  for (const auto &[key, value] : metadata)
    if (findInvalidUtf8(key) != std::string_view::npos ||
        findInvalidUtf8(value) != std::string_view::npos)
      reporter.fail(
          fmt::format("metadata entry {} is not valid UTF-8", quote(key)));

  for (const SafetensorsTensor &tensor : tensors)
    layout.order.push_back(&tensor);
  std::sort(layout.order.begin(), layout.order.end(),
            [](const SafetensorsTensor *a, const SafetensorsTensor *b) {
              int rankA = writeRank(a->type), rankB = writeRank(b->type);
              if (rankA != rankB)
                return rankA > rankB;
              return a->name < b->name; // Byte order, as Rust's String.
            });

  // ordered_json keeps the reference's key order: "__metadata__" first,
  // then the tensors by offset, each as dtype, shape, data_offsets.
  OrderedJson header = OrderedJson::object();
  if (!metadata.empty()) {
    OrderedJson entries = OrderedJson::object();
    for (const auto &[key, value] : metadata)
      entries[key] = value;
    header["__metadata__"] = std::move(entries);
  }
  for (const SafetensorsTensor *tensor : layout.order) {
    uint64_t bytes = *byteCount(tensor->shape, tensor->type);
    OrderedJson entry = OrderedJson::object();
    entry["dtype"] = std::string(dtypeName(tensor->type));
    entry["shape"] = tensor->shape;
    entry["data_offsets"] = {layout.dataSize, layout.dataSize + bytes};
    header[tensor->name] = std::move(entry);
    layout.dataSize += bytes;
  }
  std::string text = header.dump();
  // Spaces up to a multiple of 8, so that the data starts 8-byte aligned.
  text.append((8 - text.size() % 8) % 8, ' ');

  uint64_t size = text.size();
  for (size_t i = 0; i < kSizePrefix; ++i)
    layout.head.push_back(static_cast<uint8_t>(size >> (8 * i)));
  layout.head.insert(layout.head.end(), text.begin(), text.end());
  return layout;
}

/// Reads exactly `size` bytes; returns how many were read before the end of
/// the file, or throws for an I/O error.
size_t readAll(int fd, void *data, size_t size, const Reporter &reporter) {
  auto *bytes = static_cast<uint8_t *>(data);
  size_t done = 0;
  while (done < size) {
    ssize_t got =
        ::read(fd, bytes + done, std::min<size_t>(size - done, 1u << 30));
    if (got < 0) {
      if (errno == EINTR)
        continue;
      reporter.fail(
          fmt::format("cannot read the file: {}", errnoMessage(errno)));
    }
    if (got == 0)
      break;
    done += static_cast<size_t>(got);
  }
  return done;
}

} // namespace

//===----------------------------------------------------------------------===//
// The API
//===----------------------------------------------------------------------===//

std::vector<uint8_t>
serializeSafetensors(const std::vector<SafetensorsTensor> &tensors,
                     const std::map<std::string, std::string> &metadata) {
  Layout layout = layOut(tensors, metadata, Reporter("save: "));
  std::vector<uint8_t> bytes = std::move(layout.head);
  bytes.reserve(bytes.size() + layout.dataSize);
  for (const SafetensorsTensor *tensor : layout.order) {
    if (!tensor->data)
      continue;
    auto *data = static_cast<const uint8_t *>(tensor->data->data());
    bytes.insert(bytes.end(), data, data + tensor->data->size());
  }
  return bytes;
}

void saveSafetensors(const std::string &path,
                     const std::vector<SafetensorsTensor> &tensors,
                     const std::map<std::string, std::string> &metadata) {
  std::string prefix = "save: " + path + ": ";
  Layout layout = layOut(tensors, metadata, Reporter(prefix));
  std::vector<ByteRange> pieces{{layout.head.data(), layout.head.size()}};
  for (const SafetensorsTensor *tensor : layout.order)
    if (tensor->data)
      pieces.push_back({tensor->data->data(), tensor->data->size()});
  writeFileAtomically(path, pieces, prefix);
}

std::vector<SafetensorsTensor>
parseSafetensors(const uint8_t *bytes, size_t size, const std::string &what,
                 std::map<std::string, std::string> *metadata) {
  Reporter reporter("load: " + what + ": ");
  uint64_t headerSize = readHeaderSize(bytes, size, reporter);
  std::map<std::string, std::string> fileMetadata;
  std::vector<HeaderEntry> entries = readHeader(
      std::string_view(reinterpret_cast<const char *>(bytes) + kSizePrefix,
                       headerSize),
      size - kSizePrefix - headerSize, reporter, fileMetadata);

  const uint8_t *data = bytes + kSizePrefix + headerSize;
  std::vector<SafetensorsTensor> tensors;
  tensors.reserve(entries.size());
  for (HeaderEntry &entry : entries) {
    uint64_t begin = entry.begin;
    SafetensorsTensor tensor = makeTensor(std::move(entry));
    if (tensor.data->size() != 0)
      std::memcpy(tensor.data->data(), data + begin, tensor.data->size());
    checkBools(tensor, reporter);
    tensors.push_back(std::move(tensor));
  }
  if (metadata)
    *metadata = std::move(fileMetadata);
  return tensors;
}

std::vector<SafetensorsTensor>
loadSafetensors(const std::string &path,
                std::map<std::string, std::string> *metadata) {
  Reporter reporter("load: " + path + ": ");
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0)
    reporter.fail(fmt::format("cannot open the file: {}", errnoMessage(errno)));
  struct stat status;
  if (::fstat(file.get(), &status) != 0)
    reporter.fail(fmt::format("cannot read the file: {}", errnoMessage(errno)));
  if (S_ISDIR(status.st_mode))
    reporter.fail("is a directory, not a safetensors file");
  if (!S_ISREG(status.st_mode))
    reporter.fail("is not a regular file");
  auto fileSize = static_cast<uint64_t>(status.st_size);

  // Read the header, check it, then read each tensor's bytes straight into
  // its buffer: the file is never held in memory twice.
  auto readExactly = [&](void *into, size_t size) {
    if (readAll(file.get(), into, size, reporter) != size)
      reporter.fail(fmt::format("the file ended early; it is shorter than "
                                "the {} bytes it had when opened (was it "
                                "changed while being read?)",
                                fileSize));
  };
  uint8_t prefix[kSizePrefix] = {};
  readExactly(prefix, std::min<uint64_t>(fileSize, kSizePrefix));
  uint64_t headerSize = readHeaderSize(prefix, fileSize, reporter);
  std::string header(headerSize, '\0');
  readExactly(header.data(), header.size());
  std::map<std::string, std::string> fileMetadata;
  std::vector<HeaderEntry> entries = readHeader(
      header, fileSize - kSizePrefix - headerSize, reporter, fileMetadata);

  // The entries tile the data buffer in this order: read them in sequence.
  std::vector<SafetensorsTensor> tensors;
  tensors.reserve(entries.size());
  for (HeaderEntry &entry : entries) {
    SafetensorsTensor tensor = makeTensor(std::move(entry));
    readExactly(tensor.data->data(), tensor.data->size());
    checkBools(tensor, reporter);
    tensors.push_back(std::move(tensor));
  }
  if (metadata)
    *metadata = std::move(fileMetadata);
  return tensors;
}

} // namespace dlc::rt
