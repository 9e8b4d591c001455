//===- File.cpp - Writing files so that a crash never leaves half of one --===//

#include "runtime/File.h"

#include "runtime/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dlc::rt {
namespace {

std::string errnoMessage(int error) {
  return std::error_code(error, std::generic_category()).message();
}

/// Writes all `size` bytes; returns errno, or 0.
int writeAll(int fd, const void *data, size_t size) {
  auto *bytes = static_cast<const uint8_t *>(data);
  while (size > 0) {
    // Linux writes at most ~2 GiB per call.
    ssize_t written = ::write(fd, bytes, std::min<size_t>(size, 1u << 30));
    if (written < 0) {
      if (errno == EINTR)
        continue;
      return errno;
    }
    bytes += written;
    size -= static_cast<size_t>(written);
  }
  return 0;
}

} // namespace

FileDescriptor::~FileDescriptor() {
  if (fd >= 0)
    ::close(fd);
}

int FileDescriptor::close() {
  int result = ::close(std::exchange(fd, -1));
  return result == 0 ? 0 : errno;
}

void writeFileAtomically(const std::string &path,
                         std::span<const ByteRange> pieces,
                         const std::string &errorPrefix) {
  namespace fs = std::filesystem;
  auto fail = [&](const std::string &message) {
    throw Error(errorPrefix + message);
  };

  fs::path target(path);
  if (!target.has_filename())
    fail("the path names a directory, not a file");
  std::error_code ignored;
  if (fs::is_directory(target, ignored))
    fail("is a directory");
  fs::path directory = target.parent_path();
  if (directory.empty())
    directory = ".";

  // A temporary file beside the target (rename is atomic only within a file
  // system), with a name no other writer uses: the process id, a counter,
  // and O_EXCL for names a crashed process left behind.
  static std::atomic<uint64_t> counter{0};
  fs::path temporary;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    temporary =
        directory / fmt::format(".{}.tmp-{}-{}", target.filename().string(),
                                ::getpid(), counter.fetch_add(1));
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                0666);
    if (fd < 0 && (errno != EEXIST || attempt == 100))
      fail(fmt::format("cannot create a temporary file in {}: {}",
                       directory.string(), errnoMessage(errno)));
  }
  FileDescriptor file(fd);
  // Removes the temporary file unless it was renamed into place.
  struct Cleanup {
    const fs::path &path;
    bool armed = true;
    ~Cleanup() {
      if (armed)
        ::unlink(path.c_str());
    }
  } cleanup{temporary};

  // A replaced file keeps its permissions.
  struct stat existing;
  if (::stat(path.c_str(), &existing) == 0)
    (void)::fchmod(file.get(), existing.st_mode & 07777);

  int error = 0;
  for (const ByteRange &piece : pieces)
    if (!error && piece.size > 0)
      error = writeAll(file.get(), piece.data, piece.size);
  if (error)
    fail(fmt::format("cannot write {}: {}", temporary.string(),
                     errnoMessage(error)));
  // The data must be on disk before the rename makes it the file at `path`.
  if (::fsync(file.get()) != 0)
    fail(fmt::format("cannot flush {}: {}", temporary.string(),
                     errnoMessage(errno)));
  if (int closeError = file.close())
    fail(fmt::format("cannot write {}: {}", temporary.string(),
                     errnoMessage(closeError)));
  if (::rename(temporary.c_str(), path.c_str()) != 0)
    fail(fmt::format("cannot rename {} to it: {}", temporary.string(),
                     errnoMessage(errno)));
  cleanup.armed = false;
  // Make the rename itself durable; a failure here loses nothing written.
  FileDescriptor parent(
      ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (parent.get() >= 0)
    (void)::fsync(parent.get());
}

void writeFileAtomically(const std::string &path, std::string_view text,
                         const std::string &errorPrefix) {
  ByteRange piece{text.data(), text.size()};
  writeFileAtomically(path, std::span<const ByteRange>(&piece, 1), errorPrefix);
}

} // namespace dlc::rt
