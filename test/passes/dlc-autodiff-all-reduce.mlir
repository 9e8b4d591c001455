// dlc-autodiff through dlc.all_reduce: the gradient of a sum (mean) is the
// sum (mean) of the cotangent over the processes; max and min have none.
// RUN: dlc-opt %s --dlc-autodiff --split-input-file -verify-diagnostics \
// RUN:   | FileCheck %s
// RUN: dlc-opt %s --dlc-autodiff --canonicalize --cse --split-input-file \
// RUN:   -verify-diagnostics | FileCheck %s --check-prefix=CANON
// RUN: dlc-opt %s --dlc-autodiff --split-input-file -verify-diagnostics \
// RUN:   --mlir-print-debuginfo --mlir-print-local-scope \
// RUN:   | FileCheck %s --check-prefix=LOC

// CHECK-LABEL: func.func @sum
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[DY:.*]]: tensor<3xf32>)
// CHECK-NEXT: dlc.all_reduce sum(%[[X]]) : tensor<3xf32>
// CHECK-NEXT: %[[G:.*]] = dlc.all_reduce sum(%[[DY]]) : tensor<3xf32>
// CHECK-NEXT: return %[[G]]
// The adjoint op is marked as backward, at the forward op's location.
// LOC-LABEL: func.func @sum
// LOC: dlc.all_reduce sum(%{{.*}}) : tensor<3xf32> loc("forward")
// LOC-NEXT: dlc.all_reduce sum(%{{.*}}) : tensor<3xf32> loc("backward"("forward"))
func.func @sum(%x: tensor<3xf32>, %dy: tensor<3xf32>) -> tensor<3xf32> {
  %r = dlc.all_reduce sum (%x) : tensor<3xf32> loc("forward")
  %g = dlc.grad %r wrt(%x) seed(%dy) : tensor<3xf32> wrt(tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @mean
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf64>, %[[DY:.*]]: tensor<2x3xf64>)
// CHECK-NEXT: dlc.all_reduce mean(%[[X]]) : tensor<2x3xf64>
// CHECK-NEXT: %[[G:.*]] = dlc.all_reduce mean(%[[DY]]) : tensor<2x3xf64>
// CHECK-NEXT: return %[[G]]
func.func @mean(%x: tensor<2x3xf64>, %dy: tensor<2x3xf64>) -> tensor<2x3xf64> {
  %r = dlc.all_reduce mean (%x) : tensor<2x3xf64>
  %g = dlc.grad %r wrt(%x) seed(%dy) : tensor<2x3xf64> wrt(tensor<2x3xf64>)
  return %g : tensor<2x3xf64>
}

// -----

// Inside a computation: the cotangent reaching the all-reduce (2 r, from
// r * r) is all-reduced, and nothing follows it on the way to x.
// CHECK-LABEL: func.func @sum_inside
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-NEXT: %[[R:.*]] = dlc.all_reduce sum(%[[X]])
// CHECK-NEXT: dlc.mul %[[R]], %[[R]]
// CHECK-NEXT: dlc.reduce_sum
// CHECK: %[[D:.*]] = dlc.add
// CHECK-NEXT: %[[G:.*]] = dlc.all_reduce sum(%[[D]]) : tensor<3xf32>
// CHECK-NEXT: return %[[G]]
// CANON-LABEL: func.func @sum_inside
// CANON-SAME: (%[[X:.*]]: tensor<3xf32>)
// CANON-NEXT: %[[R:.*]] = dlc.all_reduce sum(%[[X]]) : tensor<3xf32>
// CANON-NEXT: %[[D:.*]] = dlc.add %[[R]], %[[R]] : tensor<3xf32>
// CANON-NEXT: %[[G:.*]] = dlc.all_reduce sum(%[[D]]) : tensor<3xf32>
// CANON-NEXT: return %[[G]]
func.func @sum_inside(%x: tensor<3xf32>) -> tensor<3xf32> {
  %r = dlc.all_reduce sum (%x) : tensor<3xf32>
  %y = dlc.mul %r, %r : tensor<3xf32>
  %s = dlc.reduce_sum %y dims = [0] : tensor<3xf32> -> tensor<f32>
  %g = dlc.grad %s wrt(%x) : tensor<f32> wrt(tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

// A mean of the loss over the processes, without a seed: the seed of ones
// is mean-reduced, then flows back through reduce_sum as a broadcast.
// CANON-LABEL: func.func @mean_loss
// CANON-SAME: (%[[X:.*]]: tensor<4xf32>)
// CANON-DAG: %[[ONE:.*]] = dlc.constant dense<1.000000e+00> : tensor<f32>
// CANON-DAG: %[[S:.*]] = dlc.reduce_sum %[[X]]
// CANON: dlc.all_reduce mean(%[[S]]) : tensor<f32>
// CANON: %[[M:.*]] = dlc.all_reduce mean(%[[ONE]]) : tensor<f32>
// CANON-NEXT: %[[G:.*]] = dlc.broadcast_in_dim %[[M]] dims = [] : tensor<f32> to tensor<4xf32>
// CANON-NEXT: return %[[G]]
func.func @mean_loss(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = dlc.reduce_sum %x dims = [0] : tensor<4xf32> -> tensor<f32>
  %l = dlc.all_reduce mean (%s) : tensor<f32>
  %g = dlc.grad %l wrt(%x) : tensor<f32> wrt(tensor<4xf32>)
  return %g : tensor<4xf32>
}

// -----

// Two in a row: the gradient passes them in reverse, mean first.
// CHECK-LABEL: func.func @sum_then_mean
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[DY:.*]]: tensor<3xf32>)
// CHECK-NEXT: %[[S:.*]] = dlc.all_reduce sum(%[[X]])
// CHECK-NEXT: dlc.all_reduce mean(%[[S]])
// CHECK-NEXT: %[[GM:.*]] = dlc.all_reduce mean(%[[DY]])
// CHECK-NEXT: %[[GS:.*]] = dlc.all_reduce sum(%[[GM]])
// CHECK-NEXT: return %[[GS]]
func.func @sum_then_mean(%x: tensor<3xf32>, %dy: tensor<3xf32>) -> tensor<3xf32> {
  %s = dlc.all_reduce sum (%x) : tensor<3xf32>
  %m = dlc.all_reduce mean (%s) : tensor<3xf32>
  %g = dlc.grad %m wrt(%x) seed(%dy) : tensor<3xf32> wrt(tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

// A max off the gradient's path (behind stop_gradient) needs no gradient.
// CANON-LABEL: func.func @max_not_differentiated
// CANON-SAME: (%[[X:.*]]: tensor<3xf32>)
// CANON-NEXT: %[[M:.*]] = dlc.all_reduce max(%[[X]])
// CANON-NOT: dlc.all_reduce
// CANON: return
func.func @max_not_differentiated(%x: tensor<3xf32>) -> tensor<3xf32> {
  %m = dlc.all_reduce max (%x) : tensor<3xf32>
  %c = dlc.stop_gradient %m : tensor<3xf32>
  %y = dlc.mul %c, %x : tensor<3xf32>
  %s = dlc.reduce_sum %y dims = [0] : tensor<3xf32> -> tensor<f32>
  %g = dlc.grad %s wrt(%x) : tensor<f32> wrt(tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

func.func @max(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'dlc.all_reduce' op has no gradient for the reduction 'max'; only sum and mean are differentiable}}
  %r = dlc.all_reduce max (%x) : tensor<3xf32>
  %s = dlc.reduce_sum %r dims = [0] : tensor<3xf32> -> tensor<f32>
  %g = dlc.grad %s wrt(%x) : tensor<f32> wrt(tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

func.func @min(%x: tensor<2x2xf64>, %dy: tensor<2x2xf64>) -> tensor<2x2xf64> {
  // expected-error @+1 {{'dlc.all_reduce' op has no gradient for the reduction 'min'; only sum and mean are differentiable}}
  %r = dlc.all_reduce min (%x) : tensor<2x2xf64>
  %g = dlc.grad %r wrt(%x) seed(%dy) : tensor<2x2xf64> wrt(tensor<2x2xf64>)
  return %g : tensor<2x2xf64>
}
