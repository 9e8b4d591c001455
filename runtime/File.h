//===- File.h - Writing files so that a crash never leaves half of one ----===//
//
// Everything dlc writes that a user keeps (checkpoints, histories) goes
// through writeFileAtomically: the bytes land in a temporary file beside the
// target, are flushed to disk, and the file is renamed over the target.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_FILE_H
#define DLC_RUNTIME_FILE_H

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace dlc::rt {

/// A POSIX file descriptor, closed on destruction.
class FileDescriptor {
public:
  explicit FileDescriptor(int fd = -1) : fd(fd) {}
  ~FileDescriptor();
  FileDescriptor(const FileDescriptor &) = delete;
  FileDescriptor &operator=(const FileDescriptor &) = delete;

  int get() const { return fd; }
  /// Closes the descriptor and returns close's errno, or 0.
  int close();

private:
  int fd;
};

/// A piece of the bytes to write.
struct ByteRange {
  const void *data = nullptr;
  size_t size = 0;
};

/// Writes the concatenation of `pieces` to `path`: under a temporary name in
/// the same directory, flushed to disk, then renamed over `path`, so a crash
/// or a full disk never leaves half a file where a good one was. A replaced
/// file keeps its permissions; a symbolic link at `path` is replaced, not
/// followed. Throws dlc::Error("<errorPrefix><reason>") when `path` names a
/// directory or an I/O call fails (the reason names the file and the OS's
/// message); the temporary file is removed then.
void writeFileAtomically(const std::string &path,
                         std::span<const ByteRange> pieces,
                         const std::string &errorPrefix);

/// As above, for one piece of text.
void writeFileAtomically(const std::string &path, std::string_view text,
                         const std::string &errorPrefix);

} // namespace dlc::rt

#endif // DLC_RUNTIME_FILE_H
