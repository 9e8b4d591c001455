//===- TensorBoard.cpp - TensorBoard event files in TFRecord framing ------===//

#include "frontend/train/TensorBoard.h"

#include "frontend/train/Crc32c.h"
#include "frontend/train/event.pb.h"
#include "runtime/Error.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <system_error>

#include <unistd.h>

namespace dlc::train {

namespace {

double steadySeconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double unixSeconds() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0')
    return "localhost";
  std::string host(name);
  // The name becomes part of a file name.
  for (char &c : host)
    if (c == '/')
      c = '_';
  return host;
}

void appendLittleEndian(std::string &out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xffu));
}

std::string osReason(int error) {
  return std::error_code(error, std::generic_category()).message();
}

/// Writers created by this process, for unique file names.
std::atomic<uint64_t> writerCount{0};

constexpr const char *kFileVersion = "brain.Event:2";

} // namespace

SummaryWriter::SummaryWriter(const std::string &log_dir, int max_queue,
                             double flush_secs,
                             const std::string &filename_suffix,
                             std::source_location loc)
    : logDir(log_dir), maxQueue(max_queue), flushSecs(flush_secs),
      lastFlush(steadySeconds()) {
  constexpr std::string_view op = "SummaryWriter";
  if (log_dir.empty())
    detail::throwError(op, "the log directory is empty", loc);
  if (max_queue < 1)
    detail::throwError(
        op, "max_queue must be at least 1, got " + std::to_string(max_queue),
        loc);
  if (filename_suffix.find('/') != std::string::npos)
    detail::throwError(
        op, "filename_suffix '" + filename_suffix + "' contains '/'", loc);

  std::error_code error;
  std::filesystem::create_directories(log_dir, error);
  if (error)
    detail::throwError(
        op, "cannot create log directory '" + log_dir + "': " + error.message(),
        loc);
  // create_directories succeeds quietly on an existing regular file on some
  // standard libraries; opening a file inside it would then fail with a
  // less helpful message.
  if (!std::filesystem::is_directory(log_dir, error))
    detail::throwError(op,
                       "cannot create log directory '" + log_dir + "': " +
                           (error ? error.message() : "not a directory"),
                       loc);

  auto seconds = static_cast<long long>(unixSeconds());
  char stamp[32];
  std::snprintf(stamp, sizeof(stamp), "%010lld", seconds);
  std::string name = std::string("events.out.tfevents.") + stamp + "." +
                     hostName() + "." + std::to_string(getpid()) + "." +
                     std::to_string(writerCount.fetch_add(1)) + filename_suffix;
  filePath = (std::filesystem::path(log_dir) / name).string();

  // "x": never truncate a file another writer may be writing.
  file = std::fopen(filePath.c_str(), "wbx");
  if (!file)
    detail::throwError(
        op, "cannot create event file '" + filePath + "': " + osReason(errno),
        loc);

  tensorboard::Event event;
  event.set_wall_time(unixSeconds());
  event.set_step(0);
  event.set_file_version(kFileVersion);
  appendRecord(event.SerializeAsString());
  // The file identifies itself at once, as TensorFlow's writer does.
  try {
    writeBuffer(op, loc);
  } catch (...) {
    std::fclose(file);
    file = nullptr;
    throw;
  }
}

SummaryWriter::~SummaryWriter() {
  try {
    close();
  } catch (const std::exception &error) {
    std::cerr << "warning: " << error.what() << '\n';
  }
}

void SummaryWriter::add_scalar(const std::string &tag, double scalar_value,
                               int64_t global_step,
                               std::optional<double> walltime,
                               std::source_location loc) {
  constexpr std::string_view op = "add_scalar";
  if (!file)
    detail::throwError(op, "the SummaryWriter of '" + logDir + "' is closed",
                       loc);
  if (tag.empty())
    detail::throwError(op, "the tag is empty", loc);

  tensorboard::Event event;
  event.set_wall_time(walltime.value_or(unixSeconds()));
  event.set_step(global_step);
  tensorboard::Summary::Value *value = event.mutable_summary()->add_value();
  value->set_tag(tag);
  value->set_simple_value(static_cast<float>(scalar_value));
  // TensorBoard needs the plugin only once per tag (it remembers it), as
  // TensorFlow's writers do; it would infer "scalars" from simple_value
  // anyway.
  if (taggedScalars.insert(tag).second) {
    tensorboard::SummaryMetadata *metadata = value->mutable_metadata();
    metadata->mutable_plugin_data()->set_plugin_name("scalars");
    metadata->set_data_class(tensorboard::DATA_CLASS_SCALAR);
  }
  appendRecord(event.SerializeAsString());

  if (bufferedEvents >= maxQueue || steadySeconds() - lastFlush >= flushSecs)
    writeBuffer(op, loc);
}

void SummaryWriter::flush(std::source_location loc) {
  if (file)
    writeBuffer("flush", loc);
}

void SummaryWriter::close(std::source_location loc) {
  if (!file)
    return;
  std::FILE *closing = file;
  // Closed even if the last write fails: a second close() must not retry.
  file = nullptr;
  std::string pending = std::move(buffer);
  buffer.clear();
  bufferedEvents = 0;
  bool written = std::fwrite(pending.data(), 1, pending.size(), closing) ==
                     pending.size() &&
                 std::fflush(closing) == 0;
  int writeError = errno;
  bool closed = std::fclose(closing) == 0;
  if (!written || !closed)
    detail::throwError("close",
                       "cannot write event file '" + filePath +
                           "': " + osReason(written ? errno : writeError),
                       loc);
}

void SummaryWriter::appendRecord(std::string_view event) {
  // TFRecord: uint64 length, masked CRC-32C of the length's 8 bytes, the
  // data, masked CRC-32C of the data; all little-endian.
  size_t start = buffer.size();
  appendLittleEndian(buffer, event.size(), 8);
  uint32_t lengthCrc = maskCrc32c(crc32c(buffer.data() + start, 8));
  appendLittleEndian(buffer, lengthCrc, 4);
  buffer.append(event);
  appendLittleEndian(buffer, maskCrc32c(crc32c(event)), 4);
  ++bufferedEvents;
}

void SummaryWriter::writeBuffer(std::string_view op,
                                const std::source_location &loc) {
  lastFlush = steadySeconds();
  if (buffer.empty())
    return;
  size_t written = std::fwrite(buffer.data(), 1, buffer.size(), file);
  bool flushed = written == buffer.size() && std::fflush(file) == 0;
  if (!flushed) {
    int error = errno;
    // Drop what was handed to the file: retrying would duplicate events.
    buffer.erase(0, written);
    detail::throwError(
        op, "cannot write event file '" + filePath + "': " + osReason(error),
        loc);
  }
  buffer.clear();
  bufferedEvents = 0;
}

namespace {

uint64_t readLittleEndian(const unsigned char *bytes, int count) {
  uint64_t value = 0;
  for (int i = count - 1; i >= 0; --i)
    value = (value << 8) | bytes[i];
  return value;
}

} // namespace

std::vector<ScalarEvent> read_scalars(const std::string &path,
                                      std::source_location loc) {
  constexpr std::string_view op = "read_scalars";
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file)
    detail::throwError(
        op, "cannot open event file '" + path + "': " + osReason(errno), loc);
  std::string bytes;
  char chunk[1 << 16];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof(chunk), file)) > 0)
    bytes.append(chunk, got);
  bool failed = std::ferror(file) != 0;
  int readError = errno;
  std::fclose(file);
  if (failed)
    detail::throwError(
        op, "cannot read event file '" + path + "': " + osReason(readError),
        loc);

  std::vector<ScalarEvent> scalars;
  size_t offset = 0;
  auto corrupt = [&](const std::string &what) {
    detail::throwError(op,
                       "event file '" + path +
                           "' is corrupt: the record at "
                           "byte " +
                           std::to_string(offset) + " " + what,
                       loc);
  };
  const auto *data = reinterpret_cast<const unsigned char *>(bytes.data());
  while (offset < bytes.size()) {
    // A header or record the writer has not finished: the end of the data.
    if (bytes.size() - offset < 12)
      break;
    uint64_t length = readLittleEndian(data + offset, 8);
    auto lengthCrc =
        static_cast<uint32_t>(readLittleEndian(data + offset + 8, 4));
    if (unmaskCrc32c(lengthCrc) != crc32c(data + offset, 8))
      corrupt("has a length whose CRC does not match");
    if (length > bytes.size() - offset - 12 ||
        bytes.size() - offset - 12 - length < 4)
      break;
    std::string_view record(bytes.data() + offset + 12, length);
    auto dataCrc =
        static_cast<uint32_t>(readLittleEndian(data + offset + 12 + length, 4));
    if (unmaskCrc32c(dataCrc) != crc32c(record))
      corrupt("has data whose CRC does not match");
    tensorboard::Event event;
    if (!event.ParseFromArray(record.data(), static_cast<int>(record.size())))
      corrupt("is not an Event message");
    if (event.has_summary())
      for (const tensorboard::Summary::Value &value : event.summary().value())
        if (value.value_case() == tensorboard::Summary::Value::kSimpleValue)
          scalars.push_back({value.tag(), event.step(), event.wall_time(),
                             static_cast<double>(value.simple_value())});
    offset += 12 + length + 4;
  }
  return scalars;
}

} // namespace dlc::train
