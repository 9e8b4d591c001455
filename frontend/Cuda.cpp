//===- Cuda.cpp - torch::cuda's questions about the GPUs ------------------===//

#include "frontend/Cuda.h"
#include "frontend/detail/Lazy.h"

#include "runtime/Cuda.h"

namespace dlc::cuda {

bool is_available() { return rt::cuda::isAvailable(); }

int64_t device_count() { return rt::cuda::deviceCount(); }

void synchronize(int64_t device_index) {
  detail::realizeAll();
  if (!rt::cuda::isAvailable())
    return;
  int count = rt::cuda::deviceCount();
  for (int d = 0; d < count; ++d)
    if (device_index < 0 || device_index == d)
      rt::cuda::synchronize(d);
}

std::string unavailable_reason() { return rt::cuda::unavailableReason(); }

} // namespace dlc::cuda
