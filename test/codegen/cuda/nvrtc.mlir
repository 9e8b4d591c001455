// With ptx, --dlc-emit-cuda compiles the CUDA C with NVRTC for
// compute_<arch> (no GPU needed) and prints the PTX.
// REQUIRES: nvrtc
// RUN: dlc-opt %s --dlc-cuda-pipeline '--dlc-emit-cuda=ptx=true' -o /dev/null | FileCheck %s
// RUN: dlc-opt %s --dlc-cuda-pipeline '--dlc-emit-cuda=ptx=true arch=80' -o /dev/null | FileCheck %s --check-prefix=SM80
// Deterministic, as the CPU's code (dlc-train/deterministic): two processes
// print the same CUDA C and NVRTC makes the same PTX of it.
// RUN: dlc-opt %s --dlc-cuda-pipeline --dlc-emit-cuda -o /dev/null > %t.a.cu
// RUN: dlc-opt %s --dlc-cuda-pipeline --dlc-emit-cuda -o /dev/null > %t.b.cu
// RUN: diff %t.a.cu %t.b.cu
// RUN: dlc-opt %s --dlc-cuda-pipeline '--dlc-emit-cuda=ptx=true' -o /dev/null > %t.a.ptx
// RUN: dlc-opt %s --dlc-cuda-pipeline '--dlc-emit-cuda=ptx=true' -o /dev/null > %t.b.ptx
// RUN: diff %t.a.ptx %t.b.ptx

// CHECK: .target sm_90
// CHECK-DAG: .visible .entry step_k{{[0-9]+}}(
// CHECK-DAG: .visible .entry step_k{{[0-9]+}}(
// SM80: .target sm_80
func.func @step(%x: tensor<64x33xf32>, %b: tensor<33xf32>) -> (tensor<64x33xf32>, tensor<f32>) {
  %bb = dlc.broadcast_in_dim %b dims = [1] : tensor<33xf32> to tensor<64x33xf32>
  %y = dlc.add %x, %bb : tensor<64x33xf32>
  %t = dlc.tanh %y : tensor<64x33xf32>
  %s = dlc.reduce_sum %t dims = [0, 1] : tensor<64x33xf32> -> tensor<f32>
  return %t, %s : tensor<64x33xf32>, tensor<f32>
}
