// RUN: dlc-opt %s --dlc-fuse --split-input-file | FileCheck %s

// An elementwise chain with its broadcast: one kernel.
// CHECK-LABEL: func.func @chain
// CHECK: %[[F:.*]] = dlc.fusion elementwise(%arg0, %arg1, %arg2) : (tensor<8x4xf32>, tensor<8x4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT: dlc.mul
// CHECK-NEXT: dlc.broadcast_in_dim
// CHECK-NEXT: dlc.add
// CHECK-NEXT: dlc.relu
// CHECK-NEXT: dlc.yield
// CHECK: return %[[F]]
func.func @chain(%x: tensor<8x4xf32>, %w: tensor<8x4xf32>, %b: tensor<4xf32>) -> tensor<8x4xf32> {
  %m = dlc.mul %x, %w : tensor<8x4xf32>
  %bb = dlc.broadcast_in_dim %b dims = [1] : tensor<4xf32> to tensor<8x4xf32>
  %a = dlc.add %m, %bb : tensor<8x4xf32>
  %r = dlc.relu %a : tensor<8x4xf32>
  return %r : tensor<8x4xf32>
}

// -----

// Softmax after decomposition: the reductions over the last dimension and
// their broadcasts back make one rows kernel.
// CHECK-LABEL: func.func @softmax
// CHECK: dlc.fusion rows(%arg0)
// CHECK: dlc.reduce_max
// CHECK: dlc.reduce_sum
// CHECK: dlc.div
// CHECK-NEXT: dlc.yield
// CHECK-NOT: dlc.fusion
func.func @softmax(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %m = dlc.reduce_max %x dims = [1] keepdim : tensor<4x10xf32> -> tensor<4x1xf32>
  %mb = dlc.broadcast_in_dim %m dims = [0, 1] : tensor<4x1xf32> to tensor<4x10xf32>
  %s = dlc.sub %x, %mb : tensor<4x10xf32>
  %e = dlc.exp %s : tensor<4x10xf32>
  %z = dlc.reduce_sum %e dims = [1] keepdim : tensor<4x10xf32> -> tensor<4x1xf32>
  %zb = dlc.broadcast_in_dim %z dims = [0, 1] : tensor<4x1xf32> to tensor<4x10xf32>
  %p = dlc.div %e, %zb : tensor<4x10xf32>
  return %p : tensor<4x10xf32>
}

// -----

// Layer norm: per-row arithmetic between the reductions stays in the kernel.
// CHECK-LABEL: func.func @layer_norm
// CHECK: dlc.fusion rows(%arg0)
// CHECK-COUNT-2: dlc.reduce_sum
// CHECK: dlc.rsqrt
// CHECK: dlc.yield
// CHECK-NOT: dlc.fusion
func.func @layer_norm(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %n = dlc.constant dense<8.0> : tensor<4xf32>
  %s = dlc.reduce_sum %x dims = [1] : tensor<4x8xf32> -> tensor<4xf32>
  %mean = dlc.div %s, %n : tensor<4xf32>
  %mb = dlc.broadcast_in_dim %mean dims = [0] : tensor<4xf32> to tensor<4x8xf32>
  %c = dlc.sub %x, %mb : tensor<4x8xf32>
  %c2 = dlc.mul %c, %c : tensor<4x8xf32>
  %v = dlc.reduce_sum %c2 dims = [1] : tensor<4x8xf32> -> tensor<4xf32>
  %var = dlc.div %v, %n : tensor<4xf32>
  %r = dlc.rsqrt %var : tensor<4xf32>
  %rb = dlc.broadcast_in_dim %r dims = [0] : tensor<4xf32> to tensor<4x8xf32>
  %y = dlc.mul %c, %rb : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// A reduction with its elementwise producer; over a leading dimension it is
// a memory-order reduce kernel.
// CHECK-LABEL: func.func @column_sum
// CHECK: dlc.fusion reduce(%arg0)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: dlc.mul
// CHECK-NEXT: dlc.reduce_sum {{.*}} dims = [0]
func.func @column_sum(%x: tensor<16x4xf32>) -> tensor<4xf32> {
  %sq = dlc.mul %x, %x : tensor<16x4xf32>
  %s = dlc.reduce_sum %sq dims = [0] : tensor<16x4xf32> -> tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// A value with users in two kernels is computed once, in a kernel of its
// own; splat constants are copied into each kernel instead.
// CHECK-LABEL: func.func @shared
// CHECK: %[[E:.*]] = dlc.fusion elementwise(%arg0)
// CHECK: dlc.exp
// CHECK: dlc.fusion elementwise(%[[E]])
// CHECK: dlc.constant dense<2.000000e+00>
// CHECK: dlc.mul
// CHECK: dlc.fusion elementwise(%[[E]])
// CHECK: dlc.constant dense<2.000000e+00>
// CHECK: dlc.add
// CHECK-NOT: dlc.constant
func.func @shared(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %two = dlc.constant dense<2.0> : tensor<4xf32>
  %e = dlc.exp %x : tensor<4xf32>
  %a = dlc.mul %e, %two : tensor<4xf32>
  %b = dlc.add %e, %two : tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

// A matmul heads the kernel of its elementwise epilogue (a matmul fusion:
// the product is written, then the epilogue runs on it in place); a
// transpose feeding only the matmul stays outside to become a BLAS flag.
// CHECK-LABEL: func.func @matmul_epilogue
// CHECK: %[[T:.*]] = dlc.transpose %arg1 perm = [1, 0]
// CHECK: dlc.fusion matmul(%arg0, %[[T]], %arg2)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: dlc.matmul
// CHECK: dlc.relu
func.func @matmul_epilogue(%x: tensor<8x16xf32>, %w: tensor<4x16xf32>, %b: tensor<4xf32>) -> tensor<8x4xf32> {
  %wt = dlc.transpose %w perm = [1, 0] : tensor<4x16xf32> -> tensor<16x4xf32>
  %y = dlc.matmul %x, %wt : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  %bb = dlc.broadcast_in_dim %b dims = [1] : tensor<4xf32> to tensor<8x4xf32>
  %s = dlc.add %y, %bb : tensor<8x4xf32>
  %r = dlc.relu %s : tensor<8x4xf32>
  return %r : tensor<8x4xf32>
}

// -----

// A splat operand of the matmul is an input of the fusion (the product reads
// its operands from buffers); a splat the epilogue uses is made inside.
// CHECK-LABEL: func.func @matmul_splat_operand
// CHECK: %[[ONES:.*]] = dlc.constant dense<1.000000e+00> : tensor<8x16xf32>
// CHECK: dlc.fusion matmul(%[[ONES]], %arg0)
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<16x4xf32>):
// CHECK-NEXT: %[[TWO:.*]] = dlc.constant dense<2.000000e+00>
// CHECK-NEXT: %[[P:.*]] = dlc.matmul %[[A]], %[[B]]
// CHECK-NEXT: dlc.mul %[[P]], %[[TWO]]
func.func @matmul_splat_operand(%w: tensor<16x4xf32>) -> tensor<8x4xf32> {
  %ones = dlc.constant dense<1.0> : tensor<8x16xf32>
  %y = dlc.matmul %ones, %w : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  %two = dlc.constant dense<2.0> : tensor<8x4xf32>
  %r = dlc.mul %y, %two : tensor<8x4xf32>
  return %r : tensor<8x4xf32>
}

// -----

// The product is also a result of the function, so it must exist on its
// own: no epilogue fusion; an epilogue that changes the element type (a
// mask) cannot run in place either; a matmul alone is no fusion.
// CHECK-LABEL: func.func @matmul_no_epilogue
// CHECK: %[[M:.*]] = dlc.matmul %arg0, %arg1
// CHECK: dlc.fusion elementwise(%[[M]])
// CHECK: %[[N:.*]] = dlc.matmul %arg0, %arg1
// CHECK: dlc.fusion elementwise(%[[N]])
// CHECK: dlc.compare
// CHECK: %[[P:.*]] = dlc.matmul %arg0, %arg1
// CHECK: return %[[M]], %{{.*}}, %{{.*}}, %[[P]]
func.func @matmul_no_epilogue(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>) -> (tensor<8x4xf32>, tensor<8x4xf32>, tensor<8x4xi1>, tensor<8x4xf32>) {
  %y = dlc.matmul %x, %w : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  %e = dlc.exp %y : tensor<8x4xf32>
  %z = dlc.matmul %x, %w : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  %m = dlc.compare gt, %z, %z : tensor<8x4xf32>
  %p = dlc.matmul %x, %w : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  return %y, %e, %m, %p : tensor<8x4xf32>, tensor<8x4xf32>, tensor<8x4xi1>, tensor<8x4xf32>
}

// -----

// A reduction whose result is used per element in another shape than its
// input's does not join that kernel (a lone reduction over the last
// dimension is a rows kernel: one accumulator per row).
// CHECK-LABEL: func.func @not_rows
// CHECK: %[[S:.*]] = dlc.fusion rows(%arg0)
// CHECK: dlc.fusion elementwise(%[[S]], %arg1)
func.func @not_rows(%x: tensor<4x8xf32>, %y: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %s = dlc.reduce_sum %x dims = [1] : tensor<4x8xf32> -> tensor<4xf32>
  %b = dlc.broadcast_in_dim %s dims = [1] : tensor<4xf32> to tensor<3x4xf32>
  %r = dlc.mul %b, %y : tensor<3x4xf32>
  return %r : tensor<3x4xf32>
}
