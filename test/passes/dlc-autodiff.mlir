// RUN: dlc-opt %s --dlc-autodiff --canonicalize --cse --split-input-file | FileCheck %s
// RUN: dlc-opt %s --dlc-autodiff --split-input-file --mlir-print-debuginfo \
// RUN:   | FileCheck %s --check-prefix=LOC

// A value used twice: both uses contribute, and the adjoints are summed.
// CHECK-LABEL: func.func @used_twice
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-NEXT: %[[G:.*]] = dlc.add %[[X]], %[[X]] : tensor<3xf32>
// CHECK-NEXT: return %[[G]]
func.func @used_twice(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = dlc.mul %x, %x : tensor<3xf32>
  %s = dlc.reduce_sum %y dims = [0] : tensor<3xf32> -> tensor<f32>
  %g = dlc.grad %s wrt(%x) : tensor<f32> wrt(tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

// Unary rules written with the forward results: tanh' = 1 - r^2, exp' = r.
// CHECK-LABEL: func.func @unary
// CHECK-DAG: %[[ONE:.*]] = dlc.constant dense<1.000000e+00> : tensor<3xf32>
// CHECK-DAG: %[[E:.*]] = dlc.exp %{{.*}} : tensor<3xf32>
// CHECK-DAG: %[[T:.*]] = dlc.tanh %[[E]] : tensor<3xf32>
// CHECK: %[[T2:.*]] = dlc.mul %[[T]], %[[T]]
// CHECK: %[[D:.*]] = dlc.sub %[[ONE]], %[[T2]]
// CHECK: %[[G:.*]] = dlc.mul %[[D]], %[[E]]
// CHECK: return %[[G]]
func.func @unary(%x: tensor<3xf32>) -> tensor<3xf32> {
  %e = dlc.exp %x : tensor<3xf32>
  %t = dlc.tanh %e : tensor<3xf32>
  %s = dlc.reduce_sum %t dims = [0] : tensor<3xf32> -> tensor<f32>
  %g = dlc.grad %s wrt(%x) : tensor<f32> wrt(tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

// Every other unary rule, each once: the pass must produce verified IR.
// CHECK-LABEL: func.func @all_unary
// CHECK-NOT: dlc.grad
// CHECK: return
func.func @all_unary(%x: tensor<3xf64>) -> tensor<3xf64> {
  %0 = dlc.abs %x : tensor<3xf64>
  %1 = dlc.erf %0 : tensor<3xf64>
  %2 = dlc.log %1 : tensor<3xf64>
  %3 = dlc.log1p %2 : tensor<3xf64>
  %4 = dlc.neg %3 : tensor<3xf64>
  %5 = dlc.relu %4 : tensor<3xf64>
  %6 = dlc.rsqrt %5 : tensor<3xf64>
  %7 = dlc.sigmoid %6 : tensor<3xf64>
  %8 = dlc.sign %7 : tensor<3xf64>
  %9 = dlc.sqrt %8 : tensor<3xf64>
  %10 = dlc.pow %9, %x : tensor<3xf64>
  %11 = dlc.min %10, %x : tensor<3xf64>
  %s = dlc.reduce_sum %11 dims = [0] : tensor<3xf64> -> tensor<f64>
  %g = dlc.grad %s wrt(%x) : tensor<f64> wrt(tensor<3xf64>)
  return %g : tensor<3xf64>
}

// -----

// div and sub: d(x/y - y)/dx = 1/y, d/dy = -(x/y)/y - 1.
// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[Y:.*]]: tensor<3xf32>)
// CHECK-DAG: %[[M1:.*]] = dlc.constant dense<-1.000000e+00>
// CHECK-DAG: %[[ONE:.*]] = dlc.constant dense<1.000000e+00>
// CHECK-DAG: %[[Q:.*]] = dlc.div %[[X]], %[[Y]]
// CHECK-DAG: %[[GX:.*]] = dlc.div %[[ONE]], %[[Y]]
// CHECK-DAG: %[[QY:.*]] = dlc.div %[[Q]], %[[Y]]
// CHECK: %[[N:.*]] = dlc.neg %[[QY]]
// CHECK: %[[GY:.*]] = dlc.add %[[N]], %[[M1]]
// CHECK: return %[[GX]], %[[GY]]
func.func @binary(%x: tensor<3xf32>, %y: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %q = dlc.div %x, %y : tensor<3xf32>
  %d = dlc.sub %q, %y : tensor<3xf32>
  %s = dlc.reduce_sum %d dims = [0] : tensor<3xf32> -> tensor<f32>
  %g:2 = dlc.grad %s wrt(%x, %y) : tensor<f32> wrt(tensor<3xf32>, tensor<3xf32>)
  return %g#0, %g#1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// max sends the adjoint to the chosen operand; a tie splits it.
// CHECK-LABEL: func.func @maximum
// CHECK-DAG: %[[ZERO:.*]] = dlc.constant dense<0.000000e+00>
// CHECK-DAG: %[[ONE:.*]] = dlc.constant dense<1.000000e+00>
// CHECK-DAG: %[[HALF:.*]] = dlc.constant dense<5.000000e-01>
// CHECK-DAG: %[[TIE:.*]] = dlc.compare eq, %arg0, %arg1
// CHECK-DAG: %[[SPLIT:.*]] = dlc.select %[[TIE]], %[[HALF]], %[[ZERO]]
// CHECK-DAG: %[[WIN:.*]] = dlc.compare gt, %arg0, %arg1
// CHECK: %[[G:.*]] = dlc.select %[[WIN]], %[[ONE]], %[[SPLIT]]
// CHECK: return %[[G]]
func.func @maximum(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {
  %m = dlc.max %x, %y : tensor<3xf32>
  %s = dlc.reduce_sum %m dims = [0] : tensor<3xf32> -> tensor<f32>
  %g = dlc.grad %s wrt(%x) : tensor<f32> wrt(tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

// select: the unchosen operand gets nothing; the i1 condition gets nothing.
// CHECK-LABEL: func.func @select
// CHECK-DAG: %[[ZERO:.*]] = dlc.constant dense<0.000000e+00>
// CHECK-DAG: %[[ONE:.*]] = dlc.constant dense<1.000000e+00>
// CHECK: %[[G:.*]] = dlc.select %arg0, %[[ZERO]], %[[ONE]]
// CHECK: return %[[G]]
func.func @select(%c: tensor<3xi1>, %x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {
  %m = dlc.select %c, %x, %y : tensor<3xi1>, tensor<3xf32>
  %s = dlc.reduce_sum %m dims = [0] : tensor<3xf32> -> tensor<f32>
  %g = dlc.grad %s wrt(%y) : tensor<f32> wrt(tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

// A broadcast in the forward pass is a sum in the backward pass.
// CHECK-LABEL: func.func @broadcast
// CHECK: %[[ONES:.*]] = dlc.constant dense<1.000000e+00> : tensor<2x4xf32>
// CHECK: %[[G:.*]] = dlc.reduce_sum %[[ONES]] dims = [0] : tensor<2x4xf32> -> tensor<4xf32>
// CHECK: return %[[G]]
func.func @broadcast(%b: tensor<4xf32>, %x: tensor<2x4xf32>) -> tensor<4xf32> {
  %bb = dlc.broadcast_in_dim %b dims = [1] : tensor<4xf32> to tensor<2x4xf32>
  %y = dlc.add %x, %bb : tensor<2x4xf32>
  %s = dlc.reduce_sum %y dims = [0, 1] : tensor<2x4xf32> -> tensor<f32>
  %g = dlc.grad %s wrt(%b) : tensor<f32> wrt(tensor<4xf32>)
  return %g : tensor<4xf32>
}

// -----

// Size-1 dimensions that were repeated are summed too, keeping their place.
// CHECK-LABEL: func.func @broadcast_keepdim
// CHECK: %[[S:.*]] = dlc.reduce_sum %arg1 dims = [1] : tensor<3x4xf32> -> tensor<3xf32>
// CHECK: %[[G:.*]] = dlc.reshape %[[S]] : tensor<3xf32> to tensor<3x1xf32>
// CHECK: return %[[G]]
func.func @broadcast_keepdim(%m: tensor<3x1xf32>, %dy: tensor<3x4xf32>) -> tensor<3x1xf32> {
  %b = dlc.broadcast_in_dim %m dims = [0, 1] : tensor<3x1xf32> to tensor<3x4xf32>
  %g = dlc.grad %b wrt(%m) seed(%dy) : tensor<3x4xf32> wrt(tensor<3x1xf32>)
  return %g : tensor<3x1xf32>
}

// -----

// d(x @ w)/dw with cotangent dy is x^T @ dy.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[W:.*]]: tensor<3x4xf32>, %[[DY:.*]]: tensor<2x4xf32>)
// CHECK: %[[XT:.*]] = dlc.transpose %[[X]] perm = [1, 0]
// CHECK: %[[G:.*]] = dlc.matmul %[[XT]], %[[DY]] : tensor<3x2xf32>, tensor<2x4xf32> -> tensor<3x4xf32>
// CHECK: return %[[G]]
func.func @matmul(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>, %dy: tensor<2x4xf32>) -> tensor<3x4xf32> {
  %y = dlc.matmul %x, %w : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %g = dlc.grad %y wrt(%w) seed(%dy) : tensor<2x4xf32> wrt(tensor<3x4xf32>)
  return %g : tensor<3x4xf32>
}

// -----

// Shapes: the adjoints of transpose and reshape undo them.
// CHECK-LABEL: func.func @transpose_reshape
// CHECK: %[[R:.*]] = dlc.reshape %arg1 : tensor<6xf32> to tensor<3x2xf32>
// CHECK: %[[G:.*]] = dlc.transpose %[[R]] perm = [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
// CHECK: return %[[G]]
func.func @transpose_reshape(%x: tensor<2x3xf32>, %dy: tensor<6xf32>) -> tensor<2x3xf32> {
  %t = dlc.transpose %x perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %r = dlc.reshape %t : tensor<3x2xf32> to tensor<6xf32>
  %g = dlc.grad %r wrt(%x) seed(%dy) : tensor<6xf32> wrt(tensor<2x3xf32>)
  return %g : tensor<2x3xf32>
}

// -----

// Slices pad the adjoint back with zeros (a strided one interleaves them);
// concat slices it apart.
// CHECK-LABEL: func.func @slice_concat
// CHECK-DAG: %[[ONES:.*]] = dlc.constant dense<1.000000e+00> : tensor<3x1xf32>
// CHECK-DAG: %[[GAPS:.*]] = dlc.constant dense<0.000000e+00> : tensor<3x1xf32>
// CHECK-DAG: %[[LEAD:.*]] = dlc.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK-DAG: %[[TAIL:.*]] = dlc.constant dense<1.000000e+00> : tensor<2xf32>
// CHECK-DAG: %[[B:.*]] = dlc.concat %[[LEAD]], %[[TAIL]] dim = 0
// CHECK-DAG: %[[SPREAD:.*]] = dlc.concat %[[ONES]], %[[GAPS]] dim = 1
// CHECK: %[[A:.*]] = dlc.reshape %[[SPREAD]] : tensor<3x2xf32> to tensor<6xf32>
// CHECK: %[[G:.*]] = dlc.add %[[B]], %[[A]]
// CHECK: return %[[G]]
func.func @slice_concat(%x: tensor<6xf32>) -> tensor<6xf32> {
  %a = dlc.slice %x [0:5:2] : tensor<6xf32> -> tensor<3xf32>
  %b = dlc.slice %x [4:6] : tensor<6xf32> -> tensor<2xf32>
  %c = dlc.concat %a, %b dim = 0 : (tensor<3xf32>, tensor<2xf32>) -> tensor<5xf32>
  %s = dlc.reduce_sum %c dims = [0] : tensor<5xf32> -> tensor<f32>
  %g = dlc.grad %s wrt(%x) : tensor<f32> wrt(tensor<6xf32>)
  return %g : tensor<6xf32>
}

// -----

// A max over dims shares the adjoint among the elements equal to it.
// CHECK-LABEL: func.func @reduce_max
// CHECK: %[[M:.*]] = dlc.reduce_max %arg0 dims = [1]
// CHECK: %[[MB:.*]] = dlc.broadcast_in_dim %[[M]] dims = [0]
// CHECK: %[[HIT:.*]] = dlc.compare eq, %arg0, %[[MB]]
// CHECK: %[[C:.*]] = dlc.cast %[[HIT]] : tensor<2x3xi1> to tensor<2x3xf32>
// CHECK: %[[N:.*]] = dlc.reduce_sum %[[C]] dims = [1] keepdim
// CHECK: %[[NB:.*]] = dlc.broadcast_in_dim %[[N]] dims = [0, 1]
// CHECK: %[[SHARE:.*]] = dlc.div %{{.*}}, %[[NB]]
// CHECK: %[[G:.*]] = dlc.select %[[HIT]], %[[SHARE]], %{{.*}}
// CHECK: return %[[G]]
func.func @reduce_max(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %m = dlc.reduce_max %x dims = [1] : tensor<2x3xf32> -> tensor<2xf32>
  %s = dlc.reduce_sum %m dims = [0] : tensor<2xf32> -> tensor<f32>
  %g = dlc.grad %s wrt(%x) : tensor<f32> wrt(tensor<2x3xf32>)
  return %g : tensor<2x3xf32>
}

// -----

// The adjoint of an embedding lookup adds rows back; indices get nothing.
// CHECK-LABEL: func.func @embedding
// CHECK-DAG: %[[Z:.*]] = dlc.constant dense<0.000000e+00> : tensor<5x2xf32>
// CHECK-DAG: %[[ONES:.*]] = dlc.constant dense<1.000000e+00> : tensor<3x2xf32>
// CHECK: %[[G:.*]] = dlc.scatter_add %[[Z]][%arg1], %[[ONES]] axis = 0
// CHECK: return %[[G]]
func.func @embedding(%t: tensor<5x2xf32>, %ids: tensor<3xi64>) -> tensor<5x2xf32> {
  %e = dlc.gather %t[%ids] axis = 0 : tensor<5x2xf32>, tensor<3xi64> -> tensor<3x2xf32>
  %s = dlc.reduce_sum %e dims = [0, 1] : tensor<3x2xf32> -> tensor<f32>
  %g = dlc.grad %s wrt(%t) : tensor<f32> wrt(tensor<5x2xf32>)
  return %g : tensor<5x2xf32>
}

// -----

// scatter_add: the input passes the adjoint on, the updates gather it.
// CHECK-LABEL: func.func @scatter_add
// CHECK: %[[G:.*]] = dlc.gather %arg3[%arg1] axis = 0 : tensor<5x2xf32>, tensor<3xi64> -> tensor<3x2xf32>
// CHECK: return %arg3, %[[G]]
func.func @scatter_add(%t: tensor<5x2xf32>, %ids: tensor<3xi64>, %u: tensor<3x2xf32>, %dy: tensor<5x2xf32>) -> (tensor<5x2xf32>, tensor<3x2xf32>) {
  %s = dlc.scatter_add %t[%ids], %u axis = 0 : tensor<5x2xf32>, tensor<3xi64>, tensor<3x2xf32>
  %g:2 = dlc.grad %s wrt(%t, %u) seed(%dy) : tensor<5x2xf32> wrt(tensor<5x2xf32>, tensor<3x2xf32>)
  return %g#0, %g#1 : tensor<5x2xf32>, tensor<3x2xf32>
}

// -----

// The composites have rules of their own: log_softmax' is g - exp(r) sum(g).
// CHECK-LABEL: func.func @log_softmax
// CHECK-DAG: %[[R:.*]] = dlc.log_softmax %arg0 dim = 1
// CHECK-DAG: %[[S:.*]] = dlc.reduce_sum %arg1 dims = [1] keepdim
// CHECK-DAG: %[[SB:.*]] = dlc.broadcast_in_dim %[[S]] dims = [0, 1]
// CHECK-DAG: %[[E:.*]] = dlc.exp %[[R]]
// CHECK: %[[P:.*]] = dlc.mul %[[E]], %[[SB]]
// CHECK: %[[G:.*]] = dlc.sub %arg1, %[[P]]
// CHECK: return %[[G]]
func.func @log_softmax(%x: tensor<2x3xf32>, %dy: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %l = dlc.log_softmax %x dim = 1 : tensor<2x3xf32>
  %g = dlc.grad %l wrt(%x) seed(%dy) : tensor<2x3xf32> wrt(tensor<2x3xf32>)
  return %g : tensor<2x3xf32>
}

// -----

// softmax' is r * (g - sum(g * r)).
// CHECK-LABEL: func.func @softmax
// CHECK: %[[R:.*]] = dlc.softmax %arg0 dim = 0
// CHECK: %[[GR:.*]] = dlc.mul %arg1, %[[R]]
// CHECK: %[[S:.*]] = dlc.reduce_sum %[[GR]] dims = [0] keepdim
// CHECK: %[[SB:.*]] = dlc.broadcast_in_dim %[[S]] dims = [0]
// CHECK: %[[D:.*]] = dlc.sub %arg1, %[[SB]]
// CHECK: %[[G:.*]] = dlc.mul %[[R]], %[[D]]
// CHECK: return %[[G]]
func.func @softmax(%x: tensor<3xf32>, %dy: tensor<3xf32>) -> tensor<3xf32> {
  %p = dlc.softmax %x dim = 0 : tensor<3xf32>
  %g = dlc.grad %p wrt(%x) seed(%dy) : tensor<3xf32> wrt(tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

// A cast between float types converts the adjoint back; a cast to an
// integer type carries none.
// CHECK-LABEL: func.func @cast
// CHECK: %[[G:.*]] = dlc.constant dense<1.000000e+00> : tensor<3xf32>
// CHECK: return %[[G]], %{{.*}} : tensor<3xf32>, tensor<3xf32>
func.func @cast(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %d = dlc.cast %x : tensor<3xf32> to tensor<3xf64>
  %s = dlc.reduce_sum %d dims = [0] : tensor<3xf64> -> tensor<f64>
  %g = dlc.grad %s wrt(%x) : tensor<f64> wrt(tensor<3xf32>)
  %i = dlc.cast %x : tensor<3xf32> to tensor<3xi32>
  %f = dlc.cast %i : tensor<3xi32> to tensor<3xf32>
  %t = dlc.reduce_sum %f dims = [0] : tensor<3xf32> -> tensor<f32>
  %z = dlc.grad %t wrt(%x) : tensor<f32> wrt(tensor<3xf32>)
  return %g, %z : tensor<3xf32>, tensor<3xf32>
}

// -----

// A wrt value y does not depend on gets zeros.
// CHECK-LABEL: func.func @unreachable
// CHECK-DAG: %[[ZERO:.*]] = dlc.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK-DAG: %[[ONE:.*]] = dlc.constant dense<1.000000e+00> : tensor<3xf32>
// CHECK: return %[[ONE]], %[[ZERO]]
func.func @unreachable(%x: tensor<3xf32>, %z: tensor<2xf32>) -> (tensor<3xf32>, tensor<2xf32>) {
  %s = dlc.reduce_sum %x dims = [0] : tensor<3xf32> -> tensor<f32>
  %g:2 = dlc.grad %s wrt(%x, %z) : tensor<f32> wrt(tensor<3xf32>, tensor<2xf32>)
  return %g#0, %g#1 : tensor<3xf32>, tensor<2xf32>
}

// -----

// stop_gradient blocks the gradient, and is removed after autodiff.
// CHECK-LABEL: func.func @stop
// CHECK-NOT: dlc.stop_gradient
// CHECK: return %arg0
func.func @stop(%x: tensor<3xf32>) -> tensor<3xf32> {
  %d = dlc.stop_gradient %x : tensor<3xf32>
  %y = dlc.mul %x, %d : tensor<3xf32>
  %s = dlc.reduce_sum %y dims = [0] : tensor<3xf32> -> tensor<f32>
  %g = dlc.grad %s wrt(%x) : tensor<f32> wrt(tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

// Second order: d2/dx2 x^3 = 6x, through the expansion of the first grad.
// CHECK-LABEL: func.func @second_order
// CHECK-SAME: (%[[X:.*]]: tensor<f32>)
// CHECK: %[[A:.*]] = dlc.add %[[X]], %[[X]]
// CHECK: %[[B:.*]] = dlc.add %[[A]], %[[A]]
// CHECK: %[[C:.*]] = dlc.add %[[B]], %[[X]]
// CHECK: %[[D:.*]] = dlc.add %[[C]], %[[X]]
// CHECK: return %[[D]]
// CHECK-NOT: dlc.grad
func.func @second_order(%x: tensor<f32>) -> tensor<f32> {
  %x2 = dlc.mul %x, %x : tensor<f32>
  %x3 = dlc.mul %x2, %x : tensor<f32>
  %g = dlc.grad %x3 wrt(%x) : tensor<f32> wrt(tensor<f32>)
  %gg = dlc.grad %g wrt(%x) : tensor<f32> wrt(tensor<f32>)
  return %gg : tensor<f32>
}

// -----

// Adjoint ops carry their forward op's location, marked as backward.
// LOC-LABEL: func.func @locations
// LOC: dlc.mul {{.*}} loc(#[[BWD:loc[0-9]+]])
// LOC-DAG: #[[FWD:loc[0-9]+]] = loc("model.cpp":12:3)
// LOC-DAG: #[[BWD]] = loc("backward"(#[[FWD]]))
func.func @locations(%x: tensor<f32>) -> tensor<f32> {
  %y = dlc.exp %x : tensor<f32> loc("model.cpp":12:3)
  %g = dlc.grad %y wrt(%x) : tensor<f32> wrt(tensor<f32>)
  return %g : tensor<f32>
}
