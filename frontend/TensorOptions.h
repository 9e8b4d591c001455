//===- TensorOptions.h - dtype, device and requires_grad of a new tensor --===//

#ifndef DLC_FRONTEND_TENSOROPTIONS_H
#define DLC_FRONTEND_TENSOROPTIONS_H

#include "runtime/Device.h"
#include "runtime/ScalarType.h"

#include <optional>

namespace dlc {

/// The options of a new tensor, as `c10::TensorOptions`: unset fields take
/// the defaults (float32, CPU, no gradient) or, for `*_like` functions, the
/// template tensor's values.
class TensorOptions {
public:
  TensorOptions() = default;
  /* implicit */ TensorOptions(ScalarType type) { typeOpt = type; }
  /* implicit */ TensorOptions(Device device) { deviceOpt = device; }
  /* implicit */ TensorOptions(DeviceType type) { deviceOpt = Device(type); }

  TensorOptions dtype(ScalarType type) const {
    TensorOptions copy = *this;
    copy.typeOpt = type;
    return copy;
  }
  TensorOptions dtype(std::optional<ScalarType> type) const {
    TensorOptions copy = *this;
    copy.typeOpt = type;
    return copy;
  }
  TensorOptions device(Device device) const {
    TensorOptions copy = *this;
    copy.deviceOpt = device;
    return copy;
  }
  TensorOptions requires_grad(bool requiresGrad) const {
    TensorOptions copy = *this;
    copy.gradOpt = requiresGrad;
    return copy;
  }

  ScalarType dtype() const { return typeOpt.value_or(kFloat); }
  Device device() const { return deviceOpt.value_or(Device(kCPU)); }
  bool requires_grad() const { return gradOpt.value_or(false); }
  bool has_dtype() const { return typeOpt.has_value(); }
  bool has_device() const { return deviceOpt.has_value(); }
  bool has_requires_grad() const { return gradOpt.has_value(); }
  std::optional<ScalarType> dtype_opt() const { return typeOpt; }
  std::optional<Device> device_opt() const { return deviceOpt; }

private:
  std::optional<ScalarType> typeOpt;
  std::optional<Device> deviceOpt;
  std::optional<bool> gradOpt;
};

/// `dlc::dtype(kLong)`, `dlc::device(kCPU)`, `dlc::requires_grad()`: options
/// with one field set, as in LibTorch.
inline TensorOptions dtype(ScalarType type) {
  return TensorOptions().dtype(type);
}
inline TensorOptions device(Device device) {
  return TensorOptions().device(device);
}
inline TensorOptions requires_grad(bool requiresGrad = true) {
  return TensorOptions().requires_grad(requiresGrad);
}

} // namespace dlc

#endif // DLC_FRONTEND_TENSOROPTIONS_H
