//===- CsvScanner.h - Splitting CSV text into fields ------------*- C++ -*-===//
//
// The pieces of dlc's text readers (read_csv and the Criteo/MovieLens
// loaders) below the level of columns: a file's bytes (mapped, not copied),
// a scanner that splits them into records of fields (RFC 4180 quoting, LF or
// CRLF, blank lines and a UTF-8 byte-order mark skipped), and the parsing of
// one field's value. Internal to dlc::data.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_DATA_CSVSCANNER_H
#define DLC_FRONTEND_DATA_CSVSCANNER_H

#include "runtime/Error.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

namespace dlc::data::detail {

/// A file's bytes: mapped read-only (or read into memory when it cannot be
/// mapped: a pipe, /dev/stdin).
class FileBytes {
public:
  /// Errors are dlc::Error: `<op>: cannot open <path>: <reason> (<loc>)`.
  FileBytes(const std::string &path, const char *op,
            const std::source_location &loc);
  ~FileBytes();
  FileBytes(const FileBytes &) = delete;
  FileBytes &operator=(const FileBytes &) = delete;

  std::string_view text() const { return bytes; }

private:
  void *mapping = nullptr;
  size_t mappedSize = 0;
  std::string buffer;
  std::string_view bytes;
};

struct Field {
  const char *data;
  size_t size;
  /// Where the field starts: line and 1-based byte column.
  int64_t line;
  size_t column;
  /// For an unescaped quoted field: its offset in the scratch buffer.
  size_t scratchOffset;

  std::string_view text() const { return {data, size}; }
};

/// Splits the text into records of fields (RFC 4180 quoting, LF or CRLF,
/// blank lines skipped).
class Scanner {
public:
  Scanner(std::string_view text, char delimiter, char quote)
      : p(text.data()), end(text.data() + text.size()), lineStart(p),
        delimiter(delimiter), quote(quote) {
    // A UTF-8 byte-order mark is not data.
    if (text.size() >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
      p += 3;
      lineStart = p;
    }
  }

  /// The next record's fields, or false at the end of the text. Errors are
  /// reported as (line, column, message) through `error`, which throws.
  template <typename Error>
  bool next(std::vector<Field> &fields, Error &&error) {
    fields.clear();
    scratch.clear();
    while (p < end) {
      if (*p == '\n') {
        newLine(p + 1);
      } else if (*p == '\r' && (p + 1 == end || p[1] == '\n')) {
        newLine(p + 1 == end ? end : p + 2);
      } else {
        break;
      }
    }
    if (p >= end)
      return false;
    recordLine = line;
    bool escaped = false;
    while (true) {
      Field field{p, 0, line, static_cast<size_t>(p - lineStart) + 1, 0};
      if (quote != '\0' && p < end && *p == quote) {
        escaped = scanQuoted(field, error) || escaped;
        fields.push_back(field);
        if (p == end)
          break;
        if (*p == delimiter) {
          ++p;
          continue;
        }
        if (*p == '\n') {
          newLine(p + 1);
          break;
        }
        if (*p == '\r' && (p + 1 == end || p[1] == '\n')) {
          newLine(p + 1 == end ? end : p + 2);
          break;
        }
        error(line, static_cast<size_t>(p - lineStart) + 1,
              std::string("unexpected ") + describe(*p) +
                  " after the closing quote of a quoted field");
      }
      const char *start = p;
      p = findDelimiterOrNewline(p);
      if (p < end && *p == delimiter) {
        field.size = static_cast<size_t>(p - start);
        fields.push_back(field);
        ++p;
        continue;
      }
      const char *stop = p;
      if (stop > start && stop[-1] == '\r')
        --stop;
      field.size = static_cast<size_t>(stop - start);
      fields.push_back(field);
      if (p < end)
        newLine(p + 1);
      break;
    }
    if (escaped)
      for (Field &field : fields)
        if (field.data == nullptr)
          field.data = scratch.data() + field.scratchOffset;
    return true;
  }

  /// The first delimiter or LF at or after `from` (or the end), eight
  /// bytes at a time.
  const char *findDelimiterOrNewline(const char *from) const {
    constexpr uint64_t kOnes = 0x0101010101010101ull;
    constexpr uint64_t kHighs = 0x8080808080808080ull;
    const uint64_t delimiters = kOnes * static_cast<unsigned char>(delimiter);
    const uint64_t newlines = kOnes * static_cast<unsigned char>('\n');
    while (end - from >= 8) {
      uint64_t word;
      std::memcpy(&word, from, 8);
      uint64_t a = word ^ delimiters, b = word ^ newlines;
      // A zero byte in a or b is a match (the classic has-zero-byte test).
      uint64_t found =
          ((a - kOnes) & ~a & kHighs) | ((b - kOnes) & ~b & kHighs);
      if (found)
        break;
      from += 8;
    }
    while (from < end && *from != delimiter && *from != '\n')
      ++from;
    return from;
  }

  /// The line the last record started on.
  int64_t record_line() const { return recordLine; }

private:
  void newLine(const char *next) {
    p = next;
    lineStart = next;
    ++line;
  }

  static std::string describe(char c) {
    if (c >= 0x20 && c < 0x7f)
      return std::string("'") + c + "'";
    char code[8];
    std::snprintf(code, sizeof(code), "0x%02x", static_cast<unsigned char>(c));
    return std::string("byte ") + code;
  }

  /// Scans a quoted field at p; returns true when it had "" escapes (its
  /// text is then in the scratch buffer).
  template <typename Error>
  bool scanQuoted(Field &field, Error &error) {
    int64_t openLine = line;
    size_t openColumn = field.column;
    ++p;
    const char *start = p;
    bool escaped = false;
    size_t scratchStart = scratch.size();
    while (true) {
      const char *q = static_cast<const char *>(
          std::memchr(p, quote, static_cast<size_t>(end - p)));
      if (!q)
        error(openLine, openColumn,
              "unterminated quoted field (its opening quote is here)");
      for (const char *c = p; c < q; ++c)
        if (*c == '\n') {
          ++line;
          lineStart = c + 1;
        }
      if (q + 1 < end && q[1] == quote) {
        // "" stands for one quote.
        if (!escaped)
          scratch.append(start, static_cast<size_t>(q - start));
        else
          scratch.append(p, static_cast<size_t>(q - p));
        scratch += quote;
        escaped = true;
        p = q + 2;
        continue;
      }
      if (escaped) {
        scratch.append(p, static_cast<size_t>(q - p));
        field.data = nullptr;
        field.scratchOffset = scratchStart;
        field.size = scratch.size() - scratchStart;
      } else {
        field.data = start;
        field.size = static_cast<size_t>(q - start);
      }
      p = q + 1;
      return escaped;
    }
  }

  const char *p;
  const char *end;
  const char *lineStart;
  int64_t line = 1;
  int64_t recordLine = 1;
  char delimiter;
  char quote;
  std::string scratch;
};

/// `text` without leading and trailing spaces and tabs.
std::string_view trimmed(std::string_view text);

/// Parses a whole (trimmed, non-empty) field as a number.
bool parseNumber(std::string_view text, double &out);

/// `"text"`, shortened, for messages.
std::string quoted(std::string_view text);

} // namespace dlc::data::detail

#endif // DLC_FRONTEND_DATA_CSVSCANNER_H
