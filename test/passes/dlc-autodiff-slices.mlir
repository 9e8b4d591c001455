// RUN: dlc-opt %s --dlc-autodiff --canonicalize --cse --split-input-file | FileCheck %s

// Time steps taken out of a [B, T, H] tensor: the adjoints of the slices
// join into one concat, the gap filled with zeros, instead of a sum of T
// padded tensors.
// CHECK-LABEL: func.func @time_steps
// CHECK-DAG:     %[[ONES:.*]] = dlc.constant dense<1.000000e+00> : tensor<2x1x3xf32>
// CHECK-DAG:     %[[ZERO:.*]] = dlc.constant dense<0.000000e+00> : tensor<2x1x3xf32>
// CHECK:         %[[A:.*]] = dlc.slice %arg0 [0:2, 0:1, 0:3]
// CHECK:         %[[B:.*]] = dlc.slice %arg0 [0:2, 1:2, 0:3]
// CHECK:         %[[G:.*]] = dlc.concat %[[B]], %[[A]], %[[ZERO]], %[[ONES]] dim = 1
// CHECK-NOT:     dlc.add
// CHECK:         return %[[G]]
func.func @time_steps(%x: tensor<2x4x3xf32>) -> tensor<2x4x3xf32> {
  %a = dlc.slice %x [0:2, 0:1, 0:3] : tensor<2x4x3xf32> -> tensor<2x1x3xf32>
  %b = dlc.slice %x [0:2, 1:2, 0:3] : tensor<2x4x3xf32> -> tensor<2x1x3xf32>
  %c = dlc.slice %x [0:2, 3:4, 0:3] : tensor<2x4x3xf32> -> tensor<2x1x3xf32>
  %ab = dlc.mul %a, %b : tensor<2x1x3xf32>
  %abc = dlc.add %ab, %c : tensor<2x1x3xf32>
  %s = dlc.reduce_sum %abc dims = [0, 1, 2] : tensor<2x1x3xf32> -> tensor<f32>
  %g = dlc.grad %s wrt(%x) : tensor<f32> wrt(tensor<2x4x3xf32>)
  return %g : tensor<2x4x3xf32>
}

// -----

// Overlapping slices are summed the general way: padded, then added.
// CHECK-LABEL: func.func @overlapping
// CHECK:         dlc.concat
// CHECK:         dlc.concat
// CHECK:         dlc.add
func.func @overlapping(%x: tensor<6xf32>) -> tensor<6xf32> {
  %a = dlc.slice %x [0:4] : tensor<6xf32> -> tensor<4xf32>
  %b = dlc.slice %x [2:6] : tensor<6xf32> -> tensor<4xf32>
  %ab = dlc.mul %a, %b : tensor<4xf32>
  %s = dlc.reduce_sum %ab dims = [0] : tensor<4xf32> -> tensor<f32>
  %g = dlc.grad %s wrt(%x) : tensor<f32> wrt(tensor<6xf32>)
  return %g : tensor<6xf32>
}

// -----

// Slices restricting different dimensions: the general way too.
// CHECK-LABEL: func.func @two_dims
// CHECK:         dlc.add
func.func @two_dims(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %a = dlc.slice %x [0:2, 0:4] : tensor<4x4xf32> -> tensor<2x4xf32>
  %b = dlc.slice %x [0:4, 2:4] : tensor<4x4xf32> -> tensor<4x2xf32>
  %sa = dlc.reduce_sum %a dims = [0, 1] : tensor<2x4xf32> -> tensor<f32>
  %sb = dlc.reduce_sum %b dims = [0, 1] : tensor<4x2xf32> -> tensor<f32>
  %s = dlc.add %sa, %sb : tensor<f32>
  %g = dlc.grad %s wrt(%x) : tensor<f32> wrt(tensor<4x4xf32>)
  return %g : tensor<4x4xf32>
}

// -----

// A slice's adjoint joins the value's other adjoints with one add.
// CHECK-LABEL: func.func @slices_and_a_use
// CHECK:         %[[J:.*]] = dlc.concat
// CHECK:         dlc.add %{{.*}}, %[[J]]
func.func @slices_and_a_use(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = dlc.slice %x [0:2] : tensor<4xf32> -> tensor<2xf32>
  %b = dlc.slice %x [2:4] : tensor<4xf32> -> tensor<2xf32>
  %ab = dlc.mul %a, %b : tensor<2xf32>
  %x2 = dlc.mul %x, %x : tensor<4xf32>
  %s1 = dlc.reduce_sum %ab dims = [0] : tensor<2xf32> -> tensor<f32>
  %s2 = dlc.reduce_sum %x2 dims = [0] : tensor<4xf32> -> tensor<f32>
  %s = dlc.add %s1, %s2 : tensor<f32>
  %g = dlc.grad %s wrt(%x) : tensor<f32> wrt(tensor<4xf32>)
  return %g : tensor<4xf32>
}
