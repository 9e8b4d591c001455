// dlc-run --device cuda runs the CUDA backend (inputs copied over, outputs
// back; --check compares with the reference executor). Where there is no
// GPU (CI), it says why; a device it does not know is an error.
// RUN: not dlc-run %s --input-random --device cuda 2>&1 | FileCheck %s --check-prefix=NOGPU
// RUN: not dlc-run %s --input-random --device tpu 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not dlc-run %s --input-random --device cuda --backend=reference 2>&1 | FileCheck %s --check-prefix=BACKEND

// NOGPU: dlc-run: --device cuda: CUDA is not available: libcuda.so.1 could not be loaded
// BAD: dlc-run: {{.*}}tpu
// BACKEND: dlc-run: --device cuda runs the compiled program: it takes --backend=cpu
func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = dlc.exp %x : tensor<4x8xf32>
  return %e : tensor<4x8xf32>
}
