// RUN: dlc-opt %s --dlc-autodiff --canonicalize --cse --split-input-file | FileCheck %s

// A table read by two lookups (DIN's item ids and history): the second
// lookup's adjoint is scattered into the first's, so the table-sized
// gradient is made once and nothing table-sized is added.
// CHECK-LABEL: func.func @two_lookups
// CHECK:         %[[Z:.*]] = dlc.constant dense<0.000000e+00> : tensor<5x2xf32>
// CHECK:         %[[G1:.*]] = dlc.scatter_add %[[Z]][%arg2]
// CHECK:         %[[G2:.*]] = dlc.scatter_add %[[G1]][%arg1]
// CHECK-NOT:     dlc.add
// CHECK:         return %[[G2]]
func.func @two_lookups(%t: tensor<5x2xf32>, %a: tensor<3xi64>, %b: tensor<4xi64>) -> tensor<5x2xf32> {
  %ea = dlc.gather %t[%a] axis = 0 : tensor<5x2xf32>, tensor<3xi64> -> tensor<3x2xf32>
  %eb = dlc.gather %t[%b] axis = 0 : tensor<5x2xf32>, tensor<4xi64> -> tensor<4x2xf32>
  %sa = dlc.reduce_sum %ea dims = [0, 1] : tensor<3x2xf32> -> tensor<f32>
  %sb = dlc.reduce_sum %eb dims = [0, 1] : tensor<4x2xf32> -> tensor<f32>
  %s = dlc.add %sa, %sb : tensor<f32>
  %g = dlc.grad %s wrt(%t) : tensor<f32> wrt(tensor<5x2xf32>)
  return %g : tensor<5x2xf32>
}

// -----

// A lookup beside a dense use of the table: the lookup's rows are scattered
// into the dense adjoint.
// CHECK-LABEL: func.func @lookup_and_dense
// CHECK:         %[[D:.*]] = dlc.add %arg0, %arg0
// CHECK-NEXT:    %[[G:.*]] = dlc.scatter_add %[[D]][%arg1]
// CHECK-NEXT:    return %[[G]]
func.func @lookup_and_dense(%t: tensor<5x2xf32>, %a: tensor<3xi64>) -> tensor<5x2xf32> {
  %ea = dlc.gather %t[%a] axis = 0 : tensor<5x2xf32>, tensor<3xi64> -> tensor<3x2xf32>
  %sa = dlc.reduce_sum %ea dims = [0, 1] : tensor<3x2xf32> -> tensor<f32>
  %sq = dlc.mul %t, %t : tensor<5x2xf32>
  %st = dlc.reduce_sum %sq dims = [0, 1] : tensor<5x2xf32> -> tensor<f32>
  %s = dlc.add %sa, %st : tensor<f32>
  %g = dlc.grad %s wrt(%t) : tensor<f32> wrt(tensor<5x2xf32>)
  return %g : tensor<5x2xf32>
}
