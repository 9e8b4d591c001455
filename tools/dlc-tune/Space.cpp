//===- Space.cpp - dlc-tune's search space --------------------------------===//

#include "Space.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

namespace dlc::tools {

namespace {

[[noreturn]] void fail(const std::string &item, const std::string &message) {
  throw Error("dlc-tune: --space: '" + item + "': " + message);
}

std::string joined(const std::vector<std::string> &names) {
  std::string text;
  for (const std::string &name : names)
    text += (text.empty() ? "" : ", ") + name;
  return text;
}

bool isInt(const std::string &name) {
  return name == "embed" || name == "batch";
}

bool isCategoricalOnly(const std::string &name) {
  return name == "dnn" || name == "optimizer";
}

double parseNumber(const std::string &item, const std::string &text) {
  double value = 0;
  const char *end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || ptr != end ||
      !std::isfinite(value))
    fail(item, "expected a number, not '" + text + "'");
  return value;
}

std::vector<std::string> split(const std::string &text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, separator))
    parts.push_back(part);
  if (!text.empty() && text.back() == separator)
    parts.push_back("");
  return parts;
}

/// Checks that a categorical choice is a value the name can take.
void checkChoice(const std::string &item, const std::string &name,
                 const std::string &choice) {
  if (choice.empty())
    fail(item, "an empty choice");
  if (name == "dnn") {
    for (const std::string &width : split(choice, '-')) {
      double value = parseNumber(item, width);
      if (value < 1 || value != std::floor(value))
        fail(item, "dnn choices are layer widths joined by '-', such as "
                   "256-128, not '" +
                       choice + "'");
    }
  } else if (name == "optimizer") {
    const std::vector<std::string> &known = optimizer_names();
    if (std::find(known.begin(), known.end(), choice) == known.end())
      fail(item,
           "unknown optimizer '" + choice + "' (known: " + joined(known) + ")");
  } else {
    double value = parseNumber(item, choice);
    if (isInt(name) && (value != std::floor(value) || value < 1))
      fail(item, name + " takes positive integers, not '" + choice + "'");
    if (!isInt(name) && value < 0)
      fail(item, name + " must not be negative, not '" + choice + "'");
  }
}

} // namespace

const std::vector<std::string> &space_names() {
  static const std::vector<std::string> names = {
      "lr", "embed", "dropout", "weight_decay", "batch", "dnn", "optimizer"};
  return names;
}

std::vector<SpaceParam> parse_space(const std::string &text) {
  if (text.empty())
    throw Error("dlc-tune: --space is empty; e.g. --space "
                "lr=1e-4:1e-2:log,embed=8|16|32");
  std::vector<SpaceParam> space;
  for (const std::string &item : split(text, ',')) {
    size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0)
      fail(item, "expected NAME=LOW:HIGH[:log] or NAME=A|B|C");
    std::string name = item.substr(0, equals), spec = item.substr(equals + 1);
    const std::vector<std::string> &known = space_names();
    if (std::find(known.begin(), known.end(), name) == known.end())
      fail(item,
           "unknown parameter '" + name + "' (known: " + joined(known) + ")");
    for (const SpaceParam &param : space)
      if (param.name == name)
        fail(item, "'" + name + "' is given twice");
    if (spec.empty())
      fail(item, "no values after '='");
    if (spec.find('|') != std::string::npos || isCategoricalOnly(name) ||
        spec.find(':') == std::string::npos) {
      std::vector<std::string> choices = split(spec, '|');
      for (const std::string &choice : choices)
        checkChoice(item, name, choice);
      space.push_back({name, tune::Distribution::Categorical(choices)});
      continue;
    }
    std::vector<std::string> parts = split(spec, ':');
    bool log = parts.size() == 3 && parts[2] == "log";
    if (parts.size() != 2 && !log)
      fail(item, "expected LOW:HIGH or LOW:HIGH:log");
    double low = parseNumber(item, parts[0]),
           high = parseNumber(item, parts[1]);
    if (low > high)
      fail(item, "low " + parts[0] + " is above high " + parts[1]);
    if (log && low <= 0)
      fail(item, "a log range needs a positive low, not " + parts[0]);
    if (isInt(name)) {
      if (low != std::floor(low) || high != std::floor(high) || low < 1)
        fail(item, name + " takes a range of positive integers");
      space.push_back(
          {name, tune::Distribution::Int(static_cast<int64_t>(low),
                                         static_cast<int64_t>(high), 1, log)});
    } else {
      if (low < 0)
        fail(item, name + " must not be negative");
      if (name == "dropout" && high >= 1)
        fail(item, "dropout must stay below 1");
      if (name == "lr" && low <= 0)
        fail(item, "lr must be positive");
      space.push_back({name, tune::Distribution::Float(low, high, log)});
    }
  }
  return space;
}

TrainArgs suggest_args(tune::Trial &trial, const std::vector<SpaceParam> &space,
                       const TrainArgs &base) {
  TrainArgs a = base;
  for (const SpaceParam &param : space) {
    const tune::Distribution &d = param.distribution;
    std::string text;
    double value = 0;
    using Kind = tune::Distribution::Kind;
    if (d.kind == Kind::Categorical) {
      text = trial.suggest_categorical(param.name, d.choices);
    } else if (d.kind == Kind::Int) {
      value = static_cast<double>(trial.suggest_int(
          param.name, static_cast<int64_t>(d.low), static_cast<int64_t>(d.high),
          static_cast<int64_t>(d.step), d.log));
    } else {
      value = trial.suggest_float(param.name, d.low, d.high, d.log);
    }
    auto number = [&] { return text.empty() ? value : std::stod(text); };
    if (param.name == "lr")
      a.lr = number();
    else if (param.name == "dropout")
      a.dropout = number();
    else if (param.name == "weight_decay")
      a.weightDecay = number();
    else if (param.name == "embed")
      a.embeddingDim = std::llround(number());
    else if (param.name == "batch")
      a.batchSize = std::llround(number());
    else if (param.name == "optimizer")
      a.optimizer = text;
    else if (param.name == "dnn") {
      a.dnn.clear();
      for (const std::string &width : split(text, '-'))
        a.dnn.push_back(std::stoll(width));
    }
  }
  return a;
}

} // namespace dlc::tools
