//===- Cuda.h - torch::cuda's questions about the GPUs --------------------===//
//
// As LibTorch's `torch::cuda`: whether CUDA can be used, how many devices
// there are, and waiting for the work queued on them.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_CUDA_H
#define DLC_FRONTEND_CUDA_H

#include <cstdint>
#include <string>

namespace dlc::cuda {

/// True when an NVIDIA driver and at least one GPU are present.
bool is_available();
/// The number of GPUs (0 without a driver).
int64_t device_count();
/// Realizes pending values and waits for the work queued on every GPU
/// (`torch::cuda::synchronize`).
void synchronize(int64_t device_index = -1);
/// Why is_available() is false, in a sentence; empty when it is true.
std::string unavailable_reason();

} // namespace dlc::cuda

#endif // DLC_FRONTEND_CUDA_H
