// Shape kernels: broadcast, transpose, slice, concat, reshape, iota.
// RUN: dlc-run %s --print | FileCheck %s

// CHECK-LABEL: output #0: tensor<2x3xi64>
// CHECK-NEXT: {{^ 10  20  30$}}
// CHECK-NEXT: {{^ 10  20  30$}}
// CHECK-LABEL: output #1: tensor<3x2xi64>
// CHECK-NEXT: {{^ 0  3$}}
// CHECK-NEXT: {{^ 1  4$}}
// CHECK-NEXT: {{^ 2  5$}}
// CHECK-LABEL: output #2: tensor<2x2xi64>
// CHECK-NEXT: {{^ 1  2$}}
// CHECK-NEXT: {{^ 4  5$}}
// CHECK-LABEL: output #3: tensor<1x2xi64>
// CHECK-NEXT: {{^ 0  2$}}
// CHECK-LABEL: output #4: tensor<2x4xi64>
// CHECK-NEXT: {{^ 10  20  30   0$}}
// CHECK-NEXT: {{^ 10  20  30   3$}}
func.func @shapes() -> (tensor<2x3xi64>, tensor<3x2xi64>, tensor<2x2xi64>, tensor<1x2xi64>, tensor<2x4xi64>) {
  %v = dlc.constant dense<[10, 20, 30]> : tensor<3xi64>
  %b = dlc.broadcast_in_dim %v dims = [1] : tensor<3xi64> to tensor<2x3xi64>
  %i = dlc.iota dim = 0 : tensor<6xi64>
  %m = dlc.reshape %i : tensor<6xi64> to tensor<2x3xi64>
  %t = dlc.transpose %m perm = [1, 0] : tensor<2x3xi64> -> tensor<3x2xi64>
  %s = dlc.slice %m [0:2, 1:3] : tensor<2x3xi64> -> tensor<2x2xi64>
  %st = dlc.slice %m [0:1, 0:3:2] : tensor<2x3xi64> -> tensor<1x2xi64>
  %col = dlc.slice %t [0:1, 0:2] : tensor<3x2xi64> -> tensor<1x2xi64>
  %c = dlc.transpose %col perm = [1, 0] : tensor<1x2xi64> -> tensor<2x1xi64>
  %cat = dlc.concat %b, %c dim = 1 : (tensor<2x3xi64>, tensor<2x1xi64>) -> tensor<2x4xi64>
  return %b, %t, %s, %st, %cat : tensor<2x3xi64>, tensor<3x2xi64>, tensor<2x2xi64>, tensor<1x2xi64>, tensor<2x4xi64>
}
