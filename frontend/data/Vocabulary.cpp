//===- Vocabulary.cpp - Vocabulary and its text file ----------------------===//
//
// The file: a line `dlc-vocabularies 1`, then per vocabulary a line
// `vocabulary <values> <min_count> <oov count> <column>...` and one line
// `<value> <count>` per id from 1, fields separated by TABs; backslash,
// TAB, CR and LF in values and names are escaped as \\ \t \r \n.
//
//===----------------------------------------------------------------------===//

#include "frontend/data/Vocabulary.h"

#include "runtime/Error.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace dlc::data {

std::string_view Vocabulary::value(int64_t id) const {
  if (id == kOovId)
    return {};
  if (id < 0 || id >= size())
    throw Error("Vocabulary::value: id " + std::to_string(id) +
                " is out of range for a vocabulary of size " +
                std::to_string(size()));
  return values.at(static_cast<size_t>(id - 1));
}

int64_t Vocabulary::count(int64_t id) const {
  if (id == kOovId)
    return oovCount;
  if (id < 0 || id >= size())
    throw Error("Vocabulary::count: id " + std::to_string(id) +
                " is out of range for a vocabulary of size " +
                std::to_string(size()));
  return counts[static_cast<size_t>(id - 1)];
}

int64_t Vocabulary::add(std::string_view value, int64_t count) {
  bool added = false;
  uint32_t index = values.intern(value, added);
  if (added)
    counts.push_back(count);
  return static_cast<int64_t>(index) + 1;
}

//===----------------------------------------------------------------------===//
// The text file
//===----------------------------------------------------------------------===//

namespace {

void appendEscaped(std::string &out, std::string_view text) {
  for (char c : text) {
    switch (c) {
    case '\\':
      out += "\\\\";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    default:
      out += c;
    }
  }
}

[[noreturn]] void fail(const std::string &path, int64_t line,
                       const std::string &message) {
  throw Error("load_vocabularies: " + path + ":" + std::to_string(line) + ": " +
              message);
}

std::string unescape(std::string_view text, const std::string &path,
                     int64_t line) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size())
      fail(path, line, "a backslash ends the line");
    switch (text[i]) {
    case '\\':
      out += '\\';
      break;
    case 't':
      out += '\t';
      break;
    case 'n':
      out += '\n';
      break;
    case 'r':
      out += '\r';
      break;
    default:
      fail(path, line, std::string("unknown escape \\") + text[i]);
    }
  }
  return out;
}

std::vector<std::string_view> splitTabs(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab - start));
    if (tab == std::string_view::npos)
      return fields;
    start = tab + 1;
  }
}

int64_t parseCount(std::string_view text, const std::string &path,
                   int64_t line) {
  int64_t value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0)
    fail(path, line,
         "expected a non-negative integer, got \"" + std::string(text) + "\"");
  return value;
}

} // namespace

void save_vocabularies(const Vocabularies &vocabularies,
                       const std::string &path) {
  std::string out = "dlc-vocabularies 1\n";
  std::set<const Vocabulary *> written;
  for (const auto &[column, vocabulary] : vocabularies) {
    if (!vocabulary || !written.insert(vocabulary.get()).second)
      continue;
    // The columns that hold this vocabulary, whatever it says it was fitted
    // on: loading gives the same map back.
    std::vector<std::string> columns;
    for (const auto &[name, other] : vocabularies)
      if (other == vocabulary)
        columns.push_back(name);
    out += "vocabulary\t" + std::to_string(vocabulary->size() - 1) + "\t" +
           std::to_string(vocabulary->min_count()) + "\t" +
           std::to_string(vocabulary->count(Vocabulary::kOovId));
    for (const std::string &name : columns) {
      out += '\t';
      appendEscaped(out, name);
    }
    out += '\n';
    for (int64_t id = 1; id < vocabulary->size(); ++id) {
      appendEscaped(out, vocabulary->value(id));
      out += '\t' + std::to_string(vocabulary->count(id)) + '\n';
    }
  }
  std::ofstream file(path, std::ios::binary);
  if (!file)
    throw Error("save_vocabularies: cannot open " + path +
                " for writing: " + std::strerror(errno));
  file.write(out.data(), static_cast<std::streamsize>(out.size()));
  file.close();
  if (!file)
    throw Error("save_vocabularies: cannot write " + path + ": " +
                std::strerror(errno));
}

Vocabularies load_vocabularies(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw Error("load_vocabularies: cannot open " + path + ": " +
                std::strerror(errno));
  std::ostringstream contents;
  contents << file.rdbuf();
  std::string text = contents.str();
  std::string_view rest = text;
  int64_t lineNumber = 0;
  auto nextLine = [&](std::string_view &line) {
    if (rest.empty())
      return false;
    size_t newline = rest.find('\n');
    line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view()
                                             : rest.substr(newline + 1);
    ++lineNumber;
    return true;
  };
  std::string_view line;
  if (!nextLine(line) || line != "dlc-vocabularies 1")
    fail(path, 1,
         "not a dlc vocabulary file (expected \"dlc-vocabularies 1\")");
  Vocabularies result;
  while (nextLine(line)) {
    std::vector<std::string_view> fields = splitTabs(line);
    if (fields.size() < 5 || fields[0] != "vocabulary")
      fail(path, lineNumber,
           "expected \"vocabulary <values> <min_count> <oov count> "
           "<columns>...\"");
    int64_t values = parseCount(fields[1], path, lineNumber);
    auto vocabulary = std::make_shared<Vocabulary>();
    vocabulary->set_min_count(parseCount(fields[2], path, lineNumber));
    vocabulary->set_oov_count(parseCount(fields[3], path, lineNumber));
    std::vector<std::string> columns;
    for (size_t i = 4; i < fields.size(); ++i)
      columns.push_back(unescape(fields[i], path, lineNumber));
    vocabulary->set_columns(columns);
    for (int64_t id = 1; id <= values; ++id) {
      if (!nextLine(line))
        fail(path, lineNumber + 1,
             "the file ends inside a vocabulary of " + std::to_string(values) +
                 " values");
      size_t tab = line.rfind('\t');
      if (tab == std::string_view::npos)
        fail(path, lineNumber, "expected \"<value> <count>\"");
      std::string value = unescape(line.substr(0, tab), path, lineNumber);
      int64_t count = parseCount(line.substr(tab + 1), path, lineNumber);
      if (vocabulary->add(value, count) != id)
        fail(path, lineNumber, "the value \"" + value + "\" appears twice");
    }
    for (const std::string &column : columns)
      result[column] = vocabulary;
  }
  return result;
}

} // namespace dlc::data
