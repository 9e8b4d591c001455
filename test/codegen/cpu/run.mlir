// dlc-run compiles through the full CPU pipeline; --check compares every
// output with the reference executor, fused and unfused.
// RUN: dlc-run %s --entry mlp --check | FileCheck %s --check-prefix=MLP
// RUN: dlc-run %s --entry mlp --check --fuse=false | FileCheck %s --check-prefix=MLP
// RUN: dlc-run %s --entry grad --check | FileCheck %s --check-prefix=GRAD
// RUN: dlc-run %s --entry mlp --print | FileCheck %s --check-prefix=PRINT

// MLP: output #0: matches the reference
// PRINT: output #0: tensor<4x3xf32>
// PRINT: [ CPUFloatType{4,3} ]
func.func @mlp(%x: tensor<4x5xf32>, %w: tensor<5x3xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  %y = dlc.matmul %x, %w : tensor<4x5xf32>, tensor<5x3xf32> -> tensor<4x3xf32>
  %bb = dlc.broadcast_in_dim %b dims = [1] : tensor<3xf32> to tensor<4x3xf32>
  %s = dlc.add %y, %bb : tensor<4x3xf32>
  %r = dlc.relu %s : tensor<4x3xf32>
  %l = dlc.log_softmax %r dim = 1 : tensor<4x3xf32>
  return %l : tensor<4x3xf32>
}

// GRAD: output #0: matches the reference
// GRAD: output #1: matches the reference
func.func @grad(%x: tensor<6x4xf64>, %w: tensor<4xf64>) -> (tensor<6x4xf64>, tensor<4xf64>) {
  %wb = dlc.broadcast_in_dim %w dims = [1] : tensor<4xf64> to tensor<6x4xf64>
  %p = dlc.mul %x, %wb : tensor<6x4xf64>
  %t = dlc.tanh %p : tensor<6x4xf64>
  %l = dlc.reduce_sum %t dims = [0, 1] : tensor<6x4xf64> -> tensor<f64>
  %gx, %gw = dlc.grad %l wrt(%x, %w) : tensor<f64> wrt(tensor<6x4xf64>, tensor<4xf64>)
  return %gx, %gw : tensor<6x4xf64>, tensor<4xf64>
}
