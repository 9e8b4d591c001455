// Every dlc op is parsed, printed and parsed again (--verify-roundtrip also
// checks the generic form and the bytecode round trip).
// RUN: dlc-opt %s --verify-roundtrip | FileCheck %s

// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[I:.*]]: tensor<4xi32>, %[[B:.*]]: tensor<4xi1>)
func.func @unary(%x: tensor<2x3xf32>, %i: tensor<4xi32>, %b: tensor<4xi1>) {
  // CHECK: dlc.abs %[[X]] : tensor<2x3xf32>
  %0 = dlc.abs %x : tensor<2x3xf32>
  // CHECK: dlc.abs %[[I]] : tensor<4xi32>
  %1 = dlc.abs %i : tensor<4xi32>
  // CHECK: dlc.erf %[[X]] : tensor<2x3xf32>
  %2 = dlc.erf %x : tensor<2x3xf32>
  // CHECK: dlc.exp %[[X]] : tensor<2x3xf32>
  %3 = dlc.exp %x : tensor<2x3xf32>
  // CHECK: dlc.log %[[X]] : tensor<2x3xf32>
  %4 = dlc.log %x : tensor<2x3xf32>
  // CHECK: dlc.log1p %[[X]] : tensor<2x3xf32>
  %5 = dlc.log1p %x : tensor<2x3xf32>
  // CHECK: dlc.neg %[[X]] : tensor<2x3xf32>
  %6 = dlc.neg %x : tensor<2x3xf32>
  // CHECK: dlc.not %[[B]] : tensor<4xi1>
  %7 = dlc.not %b : tensor<4xi1>
  // CHECK: dlc.not %[[I]] : tensor<4xi32>
  %8 = dlc.not %i : tensor<4xi32>
  // CHECK: dlc.relu %[[X]] : tensor<2x3xf32>
  %9 = dlc.relu %x : tensor<2x3xf32>
  // CHECK: dlc.rsqrt %[[X]] : tensor<2x3xf32>
  %10 = dlc.rsqrt %x : tensor<2x3xf32>
  // CHECK: dlc.sigmoid %[[X]] : tensor<2x3xf32>
  %11 = dlc.sigmoid %x : tensor<2x3xf32>
  // CHECK: dlc.sign %[[I]] : tensor<4xi32>
  %12 = dlc.sign %i : tensor<4xi32>
  // CHECK: dlc.sqrt %[[X]] : tensor<2x3xf32>
  %13 = dlc.sqrt %x : tensor<2x3xf32>
  // CHECK: dlc.tanh %[[X]] : tensor<2x3xf32>
  %14 = dlc.tanh %x : tensor<2x3xf32>
  return
}

// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf64>, %[[Y:.*]]: tensor<2x3xf64>, %[[I:.*]]: tensor<5xi64>, %[[B:.*]]: tensor<5xi1>)
func.func @binary(%x: tensor<2x3xf64>, %y: tensor<2x3xf64>, %i: tensor<5xi64>, %b: tensor<5xi1>) {
  // CHECK: dlc.add %[[X]], %[[Y]] : tensor<2x3xf64>
  %0 = dlc.add %x, %y : tensor<2x3xf64>
  // CHECK: dlc.sub %[[X]], %[[Y]] : tensor<2x3xf64>
  %1 = dlc.sub %x, %y : tensor<2x3xf64>
  // CHECK: dlc.mul %[[X]], %[[Y]] : tensor<2x3xf64>
  %2 = dlc.mul %x, %y : tensor<2x3xf64>
  // CHECK: dlc.div %[[X]], %[[Y]] : tensor<2x3xf64>
  %3 = dlc.div %x, %y : tensor<2x3xf64>
  // CHECK: dlc.div %[[I]], %[[I]] : tensor<5xi64>
  %4 = dlc.div %i, %i : tensor<5xi64>
  // CHECK: dlc.pow %[[X]], %[[Y]] : tensor<2x3xf64>
  %5 = dlc.pow %x, %y : tensor<2x3xf64>
  // CHECK: dlc.max %[[X]], %[[Y]] : tensor<2x3xf64>
  %6 = dlc.max %x, %y : tensor<2x3xf64>
  // CHECK: dlc.min %[[I]], %[[I]] : tensor<5xi64>
  %7 = dlc.min %i, %i : tensor<5xi64>
  // CHECK: dlc.and %[[B]], %[[B]] : tensor<5xi1>
  %8 = dlc.and %b, %b : tensor<5xi1>
  // CHECK: dlc.or %[[B]], %[[B]] : tensor<5xi1>
  %9 = dlc.or %b, %b : tensor<5xi1>
  // CHECK: dlc.xor %[[I]], %[[I]] : tensor<5xi64>
  %10 = dlc.xor %i, %i : tensor<5xi64>
  return
}

// CHECK-LABEL: func.func @compare_select_cast
func.func @compare_select_cast(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi64>, tensor<4xi1>) {
  // CHECK: %[[M:.*]] = dlc.compare lt, %{{.*}}, %{{.*}} : tensor<4xf32>
  %m = dlc.compare lt, %x, %y : tensor<4xf32>
  // CHECK: dlc.compare eq,
  %eq = dlc.compare eq, %x, %y : tensor<4xf32>
  // CHECK: dlc.compare ne,
  %ne = dlc.compare ne, %x, %y : tensor<4xf32>
  // CHECK: dlc.compare le,
  %le = dlc.compare le, %x, %y : tensor<4xf32>
  // CHECK: dlc.compare gt,
  %gt = dlc.compare gt, %x, %y : tensor<4xf32>
  // CHECK: dlc.compare ge,
  %ge = dlc.compare ge, %x, %y : tensor<4xf32>
  // CHECK: dlc.select %[[M]], %{{.*}}, %{{.*}} : tensor<4xi1>, tensor<4xf32>
  %s = dlc.select %m, %x, %y : tensor<4xi1>, tensor<4xf32>
  // CHECK: dlc.cast %{{.*}} : tensor<4xf32> to tensor<4xi64>
  %c = dlc.cast %s : tensor<4xf32> to tensor<4xi64>
  return %s, %c, %ge : tensor<4xf32>, tensor<4xi64>, tensor<4xi1>
}

// CHECK-LABEL: func.func @constants
func.func @constants() -> (tensor<2xf32>, tensor<2x2xi64>, tensor<i1>, tensor<3xf64>) {
  // CHECK: dlc.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %0 = dlc.constant dense<[1.0, 2.0]> : tensor<2xf32>
  // CHECK: dlc.constant dense<0> : tensor<2x2xi64>
  %1 = dlc.constant dense<0> : tensor<2x2xi64>
  // CHECK: dlc.constant dense<true> : tensor<i1>
  %2 = dlc.constant dense<true> : tensor<i1>
  // CHECK: dlc.constant dense_resource<weights> : tensor<3xf64>
  %3 = dlc.constant dense_resource<weights> : tensor<3xf64>
  return %0, %1, %2, %3 : tensor<2xf32>, tensor<2x2xi64>, tensor<i1>, tensor<3xf64>
}

// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<2x3xf32>, %b: tensor<3xf32>, %k: tensor<2x1xf32>) {
  // CHECK: dlc.broadcast_in_dim %{{.*}} dims = [1] : tensor<3xf32> to tensor<2x3xf32>
  %0 = dlc.broadcast_in_dim %b dims = [1] : tensor<3xf32> to tensor<2x3xf32>
  // CHECK: dlc.broadcast_in_dim %{{.*}} dims = [0, 1] : tensor<2x1xf32> to tensor<2x3xf32>
  %1 = dlc.broadcast_in_dim %k dims = [0, 1] : tensor<2x1xf32> to tensor<2x3xf32>
  // CHECK: dlc.concat %{{.*}}, %{{.*}} dim = 0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %2 = dlc.concat %x, %0 dim = 0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  // CHECK: dlc.reshape %{{.*}} : tensor<2x3xf32> to tensor<3x2xf32>
  %3 = dlc.reshape %x : tensor<2x3xf32> to tensor<3x2xf32>
  // CHECK: dlc.slice %{{.*}} [0:2, 1:3] : tensor<2x3xf32> -> tensor<2x2xf32>
  %4 = dlc.slice %x [0:2, 1:3] : tensor<2x3xf32> -> tensor<2x2xf32>
  // CHECK: dlc.slice %{{.*}} [0:2:2, 0:3:2] : tensor<2x3xf32> -> tensor<1x2xf32>
  %5 = dlc.slice %x [0:2:2, 0:3:2] : tensor<2x3xf32> -> tensor<1x2xf32>
  // CHECK: dlc.transpose %{{.*}} perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %6 = dlc.transpose %x perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>, %m: tensor<5xi1>) {
  // CHECK: dlc.reduce_sum %{{.*}} dims = [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %0 = dlc.reduce_sum %x dims = [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // CHECK: dlc.reduce_max %{{.*}} dims = [0, 2] keepdim : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  %1 = dlc.reduce_max %x dims = [0, 2] keepdim : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  // CHECK: dlc.reduce_min %{{.*}} dims = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<f32>
  %2 = dlc.reduce_min %x dims = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<f32>
  // CHECK: dlc.reduce_max %{{.*}} dims = [0] : tensor<5xi1> -> tensor<i1>
  %3 = dlc.reduce_max %m dims = [0] : tensor<5xi1> -> tensor<i1>
  return
}

// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>, %q: tensor<2x5x16xf32>, %k: tensor<2x16x7xf32>) {
  // CHECK: dlc.matmul %{{.*}}, %{{.*}} : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  %0 = dlc.matmul %a, %b : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  // CHECK: dlc.matmul %{{.*}}, %{{.*}} : tensor<2x5x16xf32>, tensor<2x16x7xf32> -> tensor<2x5x7xf32>
  %1 = dlc.matmul %q, %k : tensor<2x5x16xf32>, tensor<2x16x7xf32> -> tensor<2x5x7xf32>
  return
}

// CHECK-LABEL: func.func @indexing
func.func @indexing(%table: tensor<100x16xf32>, %ids: tensor<2x3xi64>, %d: tensor<2x3x16xf32>, %rows: tensor<4xi32>) {
  // CHECK: dlc.gather %{{.*}}[%{{.*}}] axis = 0 : tensor<100x16xf32>, tensor<2x3xi64> -> tensor<2x3x16xf32>
  %0 = dlc.gather %table[%ids] axis = 0 : tensor<100x16xf32>, tensor<2x3xi64> -> tensor<2x3x16xf32>
  // CHECK: dlc.gather %{{.*}}[%{{.*}}] axis = 1 : tensor<100x16xf32>, tensor<4xi32> -> tensor<100x4xf32>
  %1 = dlc.gather %table[%rows] axis = 1 : tensor<100x16xf32>, tensor<4xi32> -> tensor<100x4xf32>
  // CHECK: dlc.scatter_add %{{.*}}[%{{.*}}], %{{.*}} axis = 0 : tensor<100x16xf32>, tensor<2x3xi64>, tensor<2x3x16xf32>
  %2 = dlc.scatter_add %table[%ids], %d axis = 0 : tensor<100x16xf32>, tensor<2x3xi64>, tensor<2x3x16xf32>
  // CHECK: dlc.first_occurrence %{{.*}} : tensor<4xi32> -> tensor<4xi64>
  %3 = dlc.first_occurrence %rows : tensor<4xi32> -> tensor<4xi64>
  return
}

// CHECK-LABEL: func.func @generators
func.func @generators(%seed: tensor<i64>, %offset: tensor<i64>) {
  // CHECK: dlc.iota dim = 1 : tensor<2x3xi64>
  %0 = dlc.iota dim = 1 : tensor<2x3xi64>
  // CHECK: dlc.iota dim = 0 : tensor<5xf32>
  %1 = dlc.iota dim = 0 : tensor<5xf32>
  // CHECK: dlc.random uniform %{{.*}}, %{{.*}} : tensor<64x16xf32>
  %2 = dlc.random uniform %seed, %offset : tensor<64x16xf32>
  // CHECK: dlc.random normal %{{.*}}, %{{.*}} : tensor<8xf64>
  %3 = dlc.random normal %seed, %offset : tensor<8xf64>
  return
}

// CHECK-LABEL: func.func @autodiff
// CHECK-SAME: (%[[W:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<4xf32>, %[[X:.*]]: tensor<2x3xf32>, %[[DY:.*]]: tensor<2x4xf32>)
func.func @autodiff(%w: tensor<3x4xf32>, %b: tensor<4xf32>, %x: tensor<2x3xf32>, %dy: tensor<2x4xf32>) {
  %y = dlc.matmul %x, %w : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %l = dlc.reduce_sum %y dims = [0, 1] : tensor<2x4xf32> -> tensor<f32>
  // CHECK: %{{.*}}:2 = dlc.grad %{{.*}} wrt(%[[W]], %[[B]]) : tensor<f32> wrt(tensor<3x4xf32>, tensor<4xf32>)
  %g:2 = dlc.grad %l wrt(%w, %b) : tensor<f32> wrt(tensor<3x4xf32>, tensor<4xf32>)
  // CHECK: dlc.grad %{{.*}} wrt(%[[X]]) seed(%[[DY]]) : tensor<2x4xf32> wrt(tensor<2x3xf32>)
  %gx = dlc.grad %y wrt(%x) seed(%dy) : tensor<2x4xf32> wrt(tensor<2x3xf32>)
  // CHECK: dlc.stop_gradient %[[X]] : tensor<2x3xf32>
  %d = dlc.stop_gradient %x : tensor<2x3xf32>
  return
}

// CHECK-LABEL: func.func @composites
func.func @composites(%x: tensor<8x10xf32>) {
  // CHECK: dlc.softmax %{{.*}} dim = 1 : tensor<8x10xf32>
  %0 = dlc.softmax %x dim = 1 : tensor<8x10xf32>
  // CHECK: dlc.log_softmax %{{.*}} dim = 0 : tensor<8x10xf32>
  %1 = dlc.log_softmax %x dim = 0 : tensor<8x10xf32>
  return
}

// Dynamic sizes are accepted everywhere a static size is.
// CHECK-LABEL: func.func @dynamic
func.func @dynamic(%x: tensor<?x16xf32>, %w: tensor<16x4xf32>, %ids: tensor<?xi64>, %t: tensor<100x4xf32>) {
  // CHECK: dlc.matmul %{{.*}}, %{{.*}} : tensor<?x16xf32>, tensor<16x4xf32> -> tensor<?x4xf32>
  %0 = dlc.matmul %x, %w : tensor<?x16xf32>, tensor<16x4xf32> -> tensor<?x4xf32>
  // CHECK: dlc.reduce_sum %{{.*}} dims = [1] keepdim : tensor<?x4xf32> -> tensor<?x1xf32>
  %1 = dlc.reduce_sum %0 dims = [1] keepdim : tensor<?x4xf32> -> tensor<?x1xf32>
  // CHECK: dlc.broadcast_in_dim %{{.*}} dims = [0, 1] : tensor<?x1xf32> to tensor<?x4xf32>
  %2 = dlc.broadcast_in_dim %1 dims = [0, 1] : tensor<?x1xf32> to tensor<?x4xf32>
  // CHECK: dlc.gather %{{.*}}[%{{.*}}] axis = 0 : tensor<100x4xf32>, tensor<?xi64> -> tensor<?x4xf32>
  %3 = dlc.gather %t[%ids] axis = 0 : tensor<100x4xf32>, tensor<?xi64> -> tensor<?x4xf32>
  // CHECK: dlc.concat %{{.*}}, %{{.*}} dim = 0 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %4 = dlc.concat %2, %3 dim = 0 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: dlc.reshape %{{.*}} : tensor<?x4xf32> to tensor<?xf32>
  %5 = dlc.reshape %4 : tensor<?x4xf32> to tensor<?xf32>
  return
}

{-#
  dialect_resources: {
    builtin: {
      weights: "0x08000000000000000000F03F00000000000000400000000000000840"
    }
  }
#-}

// CHECK-LABEL: func.func @fusion
// CHECK: %[[F:.*]]:2 = dlc.fusion rows(%{{.*}}, %{{.*}}) : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
// CHECK: ^bb0(%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>):
// CHECK: dlc.yield %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2x3xf32>
func.func @fusion(%x: tensor<2x3xf32>, %b: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %r:2 = dlc.fusion rows(%x, %b) : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  ^bb0(%a: tensor<2x3xf32>, %c: tensor<3xf32>):
    %bb = dlc.broadcast_in_dim %c dims = [1] : tensor<3xf32> to tensor<2x3xf32>
    %s = dlc.add %a, %bb : tensor<2x3xf32>
    %m = dlc.reduce_max %s dims = [1] keepdim : tensor<2x3xf32> -> tensor<2x1xf32>
    %mb = dlc.broadcast_in_dim %m dims = [0, 1] : tensor<2x1xf32> to tensor<2x3xf32>
    %d = dlc.sub %s, %mb : tensor<2x3xf32>
    dlc.yield %d, %s : tensor<2x3xf32>, tensor<2x3xf32>
  }
  %e = dlc.fusion elementwise() : () -> tensor<4xf32> {
    %z = dlc.constant dense<0.0> : tensor<4xf32>
    dlc.yield %z : tensor<4xf32>
  }
  return %r#0, %r#1 : tensor<2x3xf32>, tensor<2x3xf32>
}
