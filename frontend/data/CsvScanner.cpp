//===- CsvScanner.cpp - Splitting CSV text into fields --------------------===//

#include "frontend/data/CsvScanner.h"

#include <cerrno>
#include <charconv>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dlc::data::detail {

FileBytes::FileBytes(const std::string &path, const char *op,
                     const std::source_location &loc) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    dlc::detail::throwError(
        op, "cannot open " + path + ": " + std::strerror(errno), loc);
  struct stat info;
  if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    ::close(fd);
    dlc::detail::throwError(op, path + " is a directory", loc);
  }
  if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) {
    size_t size = static_cast<size_t>(info.st_size);
    if (size == 0) {
      ::close(fd);
      return;
    }
    void *address = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (address != MAP_FAILED) {
      ::close(fd);
      ::madvise(address, size, MADV_SEQUENTIAL);
      mapping = address;
      mappedSize = size;
      bytes = std::string_view(static_cast<const char *>(address), size);
      return;
    }
  }
  char block[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, block, sizeof(block));
    if (n == 0)
      break;
    if (n < 0) {
      if (errno == EINTR)
        continue;
      int error = errno;
      ::close(fd);
      dlc::detail::throwError(
          op, "cannot read " + path + ": " + std::strerror(error), loc);
    }
    buffer.append(block, static_cast<size_t>(n));
  }
  ::close(fd);
  bytes = buffer;
}

FileBytes::~FileBytes() {
  if (mapping)
    ::munmap(mapping, mappedSize);
}

//===----------------------------------------------------------------------===//

std::string_view trimmed(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && (text[begin] == ' ' || text[begin] == '\t'))
    ++begin;
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t'))
    --end;
  return text.substr(begin, end - begin);
}

bool parseNumber(std::string_view text, double &out) {
  const char *p = text.data();
  const char *end = p + text.size();
  bool negative = false;
  if (*p == '-' || *p == '+') {
    negative = *p == '-';
    ++p;
  }
  // Integers (the common case) without from_chars.
  const char *digits = p;
  uint64_t value = 0;
  while (p < end && static_cast<unsigned>(*p - '0') < 10 && p - digits < 18) {
    value = value * 10 + static_cast<unsigned>(*p - '0');
    ++p;
  }
  if (p == end && p != digits) {
    out = negative ? -static_cast<double>(value) : static_cast<double>(value);
    return true;
  }
  const char *start = text.data();
  if (*start == '+')
    ++start;
  if (start == end || *start == '+')
    return false;
  auto [stop, error] = std::from_chars(start, end, out);
  return error == std::errc() && stop == end;
}

std::string quoted(std::string_view text) {
  constexpr size_t kLimit = 40;
  std::string out = "\"";
  out.append(text.substr(0, kLimit));
  if (text.size() > kLimit)
    out += "...";
  return out + "\"";
}

} // namespace dlc::data::detail
