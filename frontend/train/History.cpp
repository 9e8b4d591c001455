//===- History.cpp - The metrics of each epoch of a fit() -----------------===//

#include "frontend/train/History.h"

#include "runtime/Error.h"
#include "runtime/File.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace dlc::train {

std::optional<double> find_log(const Logs &logs, std::string_view key) {
  for (const auto &[name, value] : logs)
    if (name == key)
      return value;
  return std::nullopt;
}

std::string format_number(double value) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value > 0 ? "inf" : "-inf";
  return fmt::format("{}", value);
}

void History::append(int64_t epoch, Logs logs, std::source_location loc) {
  if (!epochNumbers.empty() && epoch <= epochNumbers.back())
    detail::throwError("History::append",
                       fmt::format("epoch {} does not follow epoch {}", epoch,
                                   epochNumbers.back()),
                       loc);
  epochNumbers.push_back(epoch);
  epochLogs.push_back(std::move(logs));
}

std::vector<std::string> History::keys() const {
  std::vector<std::string> names;
  for (const Logs &logs : epochLogs)
    for (const auto &entry : logs)
      if (std::find(names.begin(), names.end(), entry.first) == names.end())
        names.push_back(entry.first);
  return names;
}

bool History::contains(std::string_view key) const {
  return std::any_of(epochLogs.begin(), epochLogs.end(),
                     [&](const Logs &logs) { return find_log(logs, key); });
}

std::vector<double> History::at(const std::string &key,
                                std::source_location loc) const {
  if (!contains(key))
    detail::throwError(
        "History",
        fmt::format("no metric '{}'; there are: {}", key,
                    keys().empty()
                        ? "none"
                        : fmt::format("{}", fmt::join(keys(), ", "))),
        loc);
  std::vector<double> values;
  values.reserve(epochLogs.size());
  for (const Logs &logs : epochLogs)
    values.push_back(
        find_log(logs, key).value_or(std::numeric_limits<double>::quiet_NaN()));
  return values;
}

namespace {

/// A CSV field, quoted (RFC 4180) when it holds the separator, a quote or a
/// line break.
std::string csvField(const std::string &text, char separator) {
  if (text.find_first_of(std::string{separator, '"', '\n', '\r'}) ==
      std::string::npos)
    return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"')
      quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

} // namespace

std::string History::to_csv(char separator) const {
  std::vector<std::string> names = keys();
  std::string text = "epoch";
  for (const std::string &name : names)
    text += separator + csvField(name, separator);
  text += '\n';
  for (size_t row = 0; row < epochLogs.size(); ++row) {
    text += std::to_string(epochNumbers[row]);
    for (const std::string &name : names) {
      text += separator;
      if (std::optional<double> value = find_log(epochLogs[row], name))
        text += format_number(*value);
    }
    text += '\n';
  }
  return text;
}

std::string History::to_json() const {
  // nlohmann::ordered_json keeps the keys in the order of keys().
  nlohmann::ordered_json json;
  json["epoch"] = epochNumbers;
  for (const std::string &name : keys()) {
    nlohmann::ordered_json values = nlohmann::ordered_json::array();
    for (const Logs &logs : epochLogs) {
      std::optional<double> value = find_log(logs, name);
      if (value && std::isfinite(*value))
        values.push_back(*value);
      else
        values.push_back(nullptr);
    }
    json[name] = std::move(values);
  }
  return json.dump(2) + "\n";
}

void History::save_csv(const std::string &path, char separator,
                       std::source_location loc) const {
  try {
    rt::writeFileAtomically(path, to_csv(separator), "");
  } catch (const Error &error) {
    detail::throwError("History::save_csv", path + ": " + error.what(), loc);
  }
}

void History::save_json(const std::string &path,
                        std::source_location loc) const {
  try {
    rt::writeFileAtomically(path, to_json(), "");
  } catch (const Error &error) {
    detail::throwError("History::save_json", path + ": " + error.what(), loc);
  }
}

} // namespace dlc::train
