//===- Device.h - Where a tensor lives ------------------------------------===//

#ifndef DLC_RUNTIME_DEVICE_H
#define DLC_RUNTIME_DEVICE_H

#include <cstdint>
#include <iosfwd>
#include <string>

namespace dlc {

enum class DeviceType : int8_t { CPU, CUDA };

constexpr DeviceType kCPU = DeviceType::CPU;
constexpr DeviceType kCUDA = DeviceType::CUDA;

/// A device type and an optional index, as `c10::Device`: `Device(kCPU)`,
/// `Device(kCUDA, 1)`, `Device("cuda:0")`.
class Device {
public:
  /* implicit */ Device(DeviceType type, int8_t index = -1);
  /// Parses "cpu", "cuda" or "cuda:N"; throws dlc::Error otherwise.
  /* implicit */ Device(const std::string &spec);
  /* implicit */ Device(const char *spec) : Device(std::string(spec)) {}

  DeviceType type() const { return deviceType; }
  int8_t index() const { return deviceIndex; }
  bool has_index() const { return deviceIndex >= 0; }
  bool is_cpu() const { return deviceType == DeviceType::CPU; }
  bool is_cuda() const { return deviceType == DeviceType::CUDA; }
  /// "cpu", "cuda", "cuda:1".
  std::string str() const;

  bool operator==(const Device &other) const = default;

private:
  DeviceType deviceType;
  int8_t deviceIndex;
};

std::ostream &operator<<(std::ostream &os, DeviceType type);
std::ostream &operator<<(std::ostream &os, const Device &device);

} // namespace dlc

#endif // DLC_RUNTIME_DEVICE_H
