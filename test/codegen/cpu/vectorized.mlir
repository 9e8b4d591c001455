// Kernels are compiled for the host CPU (its name and features on every
// function) and their loops are vectorized: the elementwise chain computes
// on float vectors, the row sum accumulates in double vectors (the widths
// depend on the CPU: 16 floats with AVX-512).
// RUN: rm -rf %t && env DLC_DUMP_IR=%t dlc-run %s --check | FileCheck %s --check-prefix=RESULT
// RUN: FileCheck %s < %t/f.kernels.ll

// RESULT: output #0: matches the reference
// RESULT: output #1: matches the reference
// CHECK-DAG: "target-cpu"=
// CHECK-DAG: "target-features"=
// CHECK-DAG: fmul <{{[0-9]+}} x float>
// CHECK-DAG: fadd reassoc <{{[0-9]+}} x double>
func.func @f(%x: tensor<4096xf32>, %y: tensor<64x256xf32>) -> (tensor<4096xf32>, tensor<64xf32>) {
  %e = dlc.exp %x : tensor<4096xf32>
  %r = dlc.relu %e : tensor<4096xf32>
  %s = dlc.reduce_sum %y dims = [1] : tensor<64x256xf32> -> tensor<64xf32>
  return %r, %s : tensor<4096xf32>, tensor<64xf32>
}
