// What the reference executor cannot run is reported, not crashed on.
// RUN: not dlc-run %s --backend=reference --entry grad 2>&1 | FileCheck %s --check-prefix=GRAD
// RUN: not dlc-run %s --backend=reference --entry dynamic 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// RUN: not dlc-run %s --entry dynamic_exp 2>&1 | FileCheck %s --check-prefix=CPU-DYNAMIC
// RUN: not dlc-run %s --backend=gpu 2>&1 | FileCheck %s --check-prefix=BACKEND
// RUN: not dlc-run %s --entry missing 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not dlc-run %s --device cuda 2>&1 | FileCheck %s --check-prefix=DEVICE
// RUN: not dlc-run %s --input-random=false 2>&1 | FileCheck %s --check-prefix=INPUTS
// RUN: echo "" | not dlc-run - 2>&1 | FileCheck %s --check-prefix=EMPTY

// GRAD: error: 'dlc.grad' op must be expanded by dlc-autodiff before the function can run
func.func @grad(%x: tensor<f32>) -> tensor<f32> {
  %g = dlc.grad %x wrt(%x) : tensor<f32> wrt(tensor<f32>)
  return %g : tensor<f32>
}

// DYNAMIC: error: the reference executor needs static shapes, got 'tensor<?xf32>'
func.func @dynamic(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// CPU-DYNAMIC: error: the CPU backend needs static shapes, got 'tensor<?xf32>'
func.func @dynamic_exp(%x: tensor<?xf32>) -> tensor<?xf32> {
  %y = dlc.exp %x : tensor<?xf32>
  return %y : tensor<?xf32>
}

// BACKEND: dlc-run: backend 'gpu' is not one of cpu, reference
// MISSING: dlc-run: no function named 'missing'
// DEVICE: dlc-run: --device cuda: CUDA is not available: 
// INPUTS: dlc-run: --input-random is the only way to give inputs today
// EMPTY: dlc-run: the file has no function
