//===- Vocabulary.cpp - ScalarType, Device and Error ----------------------===//

#include "runtime/Device.h"
#include "runtime/Error.h"
#include "runtime/ScalarType.h"

#include <fmt/format.h>

#include <ostream>

namespace dlc {

std::string_view toString(ScalarType type) {
  switch (type) {
  case ScalarType::Bool:
    return "Bool";
  case ScalarType::Int:
    return "Int";
  case ScalarType::Long:
    return "Long";
  case ScalarType::Float:
    return "Float";
  case ScalarType::Double:
    return "Double";
  }
  return "Unknown";
}

std::ostream &operator<<(std::ostream &os, ScalarType type) {
  return os << toString(type);
}

Device::Device(DeviceType type, int8_t index)
    : deviceType(type), deviceIndex(index) {
  if (index < -1 || (type == DeviceType::CPU && index > 0))
    throw Error(fmt::format("Device: invalid index {} for {}", index,
                            type == DeviceType::CPU ? "cpu" : "cuda"));
}

Device::Device(const std::string &spec)
    : deviceType(DeviceType::CPU), deviceIndex(-1) {
  std::string_view text = spec;
  std::string_view kind = text.substr(0, text.find(':'));
  if (kind == "cpu") {
    deviceType = DeviceType::CPU;
  } else if (kind == "cuda") {
    deviceType = DeviceType::CUDA;
  } else {
    throw Error(fmt::format("Device: expected a device string like \"cpu\", "
                            "\"cuda\" or \"cuda:1\", got \"{}\"",
                            spec));
  }
  if (kind.size() == text.size())
    return;
  std::string_view number = text.substr(kind.size() + 1);
  int index = 0;
  bool valid = !number.empty() && number.size() <= 3;
  for (char c : number) {
    valid = valid && c >= '0' && c <= '9';
    index = index * 10 + (c - '0');
  }
  if (!valid || index > 127 || (deviceType == DeviceType::CPU && index != 0))
    throw Error(fmt::format("Device: invalid device index in \"{}\"", spec));
  deviceIndex = static_cast<int8_t>(index);
}

std::string Device::str() const {
  const char *name = deviceType == DeviceType::CPU ? "cpu" : "cuda";
  return has_index() ? fmt::format("{}:{}", name, deviceIndex)
                     : std::string(name);
}

std::ostream &operator<<(std::ostream &os, DeviceType type) {
  return os << (type == DeviceType::CPU ? "cpu" : "cuda");
}

std::ostream &operator<<(std::ostream &os, const Device &device) {
  return os << device.str();
}

namespace detail {

std::string formatLocation(const std::source_location &location) {
  std::string_view file = location.file_name();
  size_t slash = file.find_last_of('/');
  if (slash != std::string_view::npos)
    file = file.substr(slash + 1);
  return fmt::format("{}:{}", file, location.line());
}

void throwError(std::string_view op, std::string_view message,
                const std::source_location &location) {
  throw Error(
      fmt::format("{}: {} ({})", op, message, formatLocation(location)));
}

} // namespace detail
} // namespace dlc
