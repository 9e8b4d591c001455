//===- Types.cpp - dlc::tune's vocabulary ---------------------------------===//

#include "frontend/tune/Types.h"

#include "runtime/Error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>

namespace dlc::tune {

namespace {

std::string formatNumber(double value) {
  std::ostringstream os;
  os.precision(17);
  os << value;
  std::string text = os.str();
  // Short forms for the usual values: 0.0001 rather than
  // 0.00010000000000000001.
  for (int digits = 1; digits < 17; ++digits) {
    std::ostringstream shorter;
    shorter.precision(digits);
    shorter << value;
    if (std::stod(shorter.str()) == value)
      return shorter.str();
  }
  return text;
}

} // namespace

Distribution Distribution::Float(double low, double high, bool log) {
  if (!(low <= high) || !std::isfinite(low) || !std::isfinite(high))
    throw Error("suggest_float: expected low <= high (finite), got [" +
                formatNumber(low) + ", " + formatNumber(high) + "]");
  if (log && low <= 0)
    throw Error("suggest_float: a log range needs low > 0, got " +
                formatNumber(low));
  Distribution d;
  d.kind = Kind::Float;
  d.low = low;
  d.high = high;
  d.log = log;
  return d;
}

Distribution Distribution::Int(int64_t low, int64_t high, int64_t step,
                               bool log) {
  if (low > high)
    throw Error("suggest_int: expected low <= high, got [" +
                std::to_string(low) + ", " + std::to_string(high) + "]");
  if (step <= 0)
    throw Error("suggest_int: step must be positive, got " +
                std::to_string(step));
  if (log && (low <= 0 || step != 1))
    throw Error("suggest_int: a log range needs low > 0 and step 1");
  Distribution d;
  d.kind = Kind::Int;
  d.low = static_cast<double>(low);
  // The largest value the steps reach.
  d.high = static_cast<double>(low + (high - low) / step * step);
  d.step = static_cast<double>(step);
  d.log = log;
  return d;
}

Distribution Distribution::Categorical(std::vector<std::string> choices) {
  if (choices.empty())
    throw Error("suggest_categorical: expected at least one choice");
  Distribution d;
  d.kind = Kind::Categorical;
  d.low = 0;
  d.high = static_cast<double>(choices.size() - 1);
  d.choices = std::move(choices);
  return d;
}

bool Distribution::contains(double value) const {
  if (!(value >= low && value <= high))
    return false;
  if (kind == Kind::Float)
    return true;
  double steps = (value - low) / (kind == Kind::Int ? step : 1.0);
  return steps == std::round(steps);
}

std::string Distribution::str() const {
  switch (kind) {
  case Kind::Float:
    return "float [" + formatNumber(low) + ", " + formatNumber(high) + "]" +
           (log ? " log" : "");
  case Kind::Int:
    return "int [" + formatNumber(low) + ", " + formatNumber(high) + "]" +
           (step != 1 ? " step " + formatNumber(step) : "") +
           (log ? " log" : "");
  case Kind::Categorical: {
    std::string text = "categorical {";
    for (size_t i = 0; i < choices.size(); ++i)
      text += (i ? ", " : "") + choices[i];
    return text + "}";
  }
  }
  return "";
}

std::string Distribution::to_json() const {
  nlohmann::json json;
  json["kind"] = kind == Kind::Float ? "float"
                 : kind == Kind::Int ? "int"
                                     : "categorical";
  json["low"] = low;
  json["high"] = high;
  json["log"] = log;
  json["step"] = step;
  json["choices"] = choices;
  return json.dump();
}

Distribution Distribution::from_json(const std::string &text) {
  try {
    nlohmann::json json = nlohmann::json::parse(text);
    Distribution d;
    std::string kind = json.at("kind");
    if (kind == "float")
      d.kind = Kind::Float;
    else if (kind == "int")
      d.kind = Kind::Int;
    else if (kind == "categorical")
      d.kind = Kind::Categorical;
    else
      throw Error("unknown kind '" + kind + "'");
    d.low = json.at("low");
    d.high = json.at("high");
    d.log = json.at("log");
    d.step = json.at("step");
    d.choices = json.at("choices").get<std::vector<std::string>>();
    return d;
  } catch (const nlohmann::json::exception &error) {
    throw Error(std::string("tune: a stored distribution is malformed: ") +
                error.what());
  }
}

bool Distribution::operator==(const Distribution &other) const {
  return kind == other.kind && low == other.low && high == other.high &&
         log == other.log && step == other.step && choices == other.choices;
}

const char *to_string(TrialState state) {
  switch (state) {
  case TrialState::Waiting:
    return "WAITING";
  case TrialState::Running:
    return "RUNNING";
  case TrialState::Complete:
    return "COMPLETE";
  case TrialState::Pruned:
    return "PRUNED";
  case TrialState::Fail:
    return "FAIL";
  }
  return "";
}

TrialState trial_state_from_string(const std::string &text) {
  for (TrialState state :
       {TrialState::Waiting, TrialState::Running, TrialState::Complete,
        TrialState::Pruned, TrialState::Fail})
    if (text == to_string(state))
      return state;
  throw Error("tune: unknown trial state '" + text + "'");
}

std::string FrozenTrial::param_text(const std::string &name) const {
  auto value = params.find(name);
  auto distribution = distributions.find(name);
  if (value == params.end() || distribution == distributions.end())
    throw Error("tune: trial " + std::to_string(number) +
                " has no parameter '" + name + "'");
  const Distribution &d = distribution->second;
  if (d.kind == Distribution::Kind::Categorical)
    return d.choices.at(static_cast<size_t>(value->second));
  if (d.kind == Distribution::Kind::Int)
    return std::to_string(static_cast<int64_t>(std::llround(value->second)));
  return formatNumber(value->second);
}

} // namespace dlc::tune
