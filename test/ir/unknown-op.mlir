// A .mlir file with an op dlc does not have: a diagnostic at its line, exit
// status 1, no crash.
// RUN: not dlc-opt %s 2>&1 | FileCheck %s
// RUN: not dlc-opt %s --dlc-cpu-pipeline 2>&1 | FileCheck %s

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: unknown-op.mlir:[[# @LINE + 1]]:8: error: custom op 'dlc.frobnicate' is unknown
  %0 = dlc.frobnicate %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
