// Every dlc folder, through the canonicalizer.
// RUN: dlc-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @add_zero
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[I:.*]]: tensor<4xi32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[I]]
func.func @add_zero(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi32>) {
  %z = dlc.constant dense<0.0> : tensor<4xf32>
  %zi = dlc.constant dense<0> : tensor<4xi32>
  %0 = dlc.add %x, %z : tensor<4xf32>
  // The constant is moved to the right first (the op is commutative).
  %1 = dlc.add %z, %x : tensor<4xf32>
  %2 = dlc.add %i, %zi : tensor<4xi32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @sub_mul_div_pow_identities
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]]
func.func @sub_mul_div_pow_identities(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %z = dlc.constant dense<0.0> : tensor<4xf32>
  %one = dlc.constant dense<1.0> : tensor<4xf32>
  %0 = dlc.sub %x, %z : tensor<4xf32>
  %1 = dlc.mul %one, %x : tensor<4xf32>
  %2 = dlc.div %x, %one : tensor<4xf32>
  %3 = dlc.pow %x, %one : tensor<4xf32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Zero is not the identity of mul, and 0 - x is not x.
// CHECK-LABEL: func.func @no_false_identities
// CHECK: dlc.mul
// CHECK: dlc.sub
func.func @no_false_identities(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %z = dlc.constant dense<0.0> : tensor<4xf32>
  %0 = dlc.mul %x, %z : tensor<4xf32>
  %1 = dlc.sub %z, %x : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @fold_float_constants
// CHECK-DAG: %[[A:.*]] = dlc.constant dense<[4.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[S:.*]] = dlc.constant dense<[-2.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[M:.*]] = dlc.constant dense<[3.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[D:.*]] = dlc.constant dense<[3.000000e+00, -5.000000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[MX:.*]] = dlc.constant dense<[3.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[MN:.*]] = dlc.constant dense<[1.000000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK: return %[[A]], %[[S]], %[[M]], %[[D]], %[[MX]], %[[MN]]
func.func @fold_float_constants() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %a = dlc.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = dlc.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %0 = dlc.add %a, %b : tensor<2xf32>
  %1 = dlc.sub %a, %b : tensor<2xf32>
  %2 = dlc.mul %a, %b : tensor<2xf32>
  %3 = dlc.div %b, %a : tensor<2xf32>
  %4 = dlc.max %a, %b : tensor<2xf32>
  %5 = dlc.min %a, %b : tensor<2xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// max and min propagate NaN, as torch.maximum and torch.minimum do.
// CHECK-LABEL: func.func @fold_max_nan
// CHECK: %[[N:.*]] = dlc.constant dense<0x7FC00000> : tensor<2xf32>
// CHECK: return %[[N]], %[[N]]
func.func @fold_max_nan() -> (tensor<2xf32>, tensor<2xf32>) {
  %nan = dlc.constant dense<0x7FC00000> : tensor<2xf32>
  %one = dlc.constant dense<1.0> : tensor<2xf32>
  %0 = dlc.max %one, %nan : tensor<2xf32>
  %1 = dlc.min %nan, %one : tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @fold_int_constants
// CHECK-DAG: %[[A:.*]] = dlc.constant dense<[5, -6]> : tensor<2xi64>
// CHECK-DAG: %[[D:.*]] = dlc.constant dense<[3, -1]> : tensor<2xi64>
// CHECK-DAG: %[[MX:.*]] = dlc.constant dense<[7, -1]> : tensor<2xi64>
// CHECK-DAG: %[[N:.*]] = dlc.constant dense<[-7, 5]> : tensor<2xi64>
// CHECK-DAG: %[[ABS:.*]] = dlc.constant dense<[7, 5]> : tensor<2xi64>
// CHECK: return %[[A]], %[[D]], %[[MX]], %[[N]], %[[ABS]]
func.func @fold_int_constants() -> (tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) {
  %a = dlc.constant dense<[7, -5]> : tensor<2xi64>
  %b = dlc.constant dense<[-2, -1]> : tensor<2xi64>
  %c = dlc.constant dense<[2, 5]> : tensor<2xi64>
  %0 = dlc.add %a, %b : tensor<2xi64>
  // Integer division truncates toward zero: 7 / 2 = 3, -5 / 5 = -1.
  %1 = dlc.div %a, %c : tensor<2xi64>
  %2 = dlc.max %a, %b : tensor<2xi64>
  %3 = dlc.neg %a : tensor<2xi64>
  %4 = dlc.abs %a : tensor<2xi64>
  return %0, %1, %2, %3, %4 : tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>
}

// -----

// Integer division by zero is left for run time.
// CHECK-LABEL: func.func @no_fold_int_div_by_zero
// CHECK: dlc.div
func.func @no_fold_int_div_by_zero() -> tensor<2xi32> {
  %a = dlc.constant dense<[7, 5]> : tensor<2xi32>
  %z = dlc.constant dense<[1, 0]> : tensor<2xi32>
  %0 = dlc.div %a, %z : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// Constants that are not dense literals (weights in a resource blob) are not
// copied by folding.
// CHECK-LABEL: func.func @no_fold_resources
// CHECK: dlc.add
func.func @no_fold_resources() -> tensor<2xf32> {
  %a = dlc.constant dense_resource<blob> : tensor<2xf32>
  %0 = dlc.add %a, %a : tensor<2xf32>
  return %0 : tensor<2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000000803F00000040"
    }
  }
#-}

// -----

// CHECK-LABEL: func.func @unary_float_constants
// CHECK-DAG: %[[N:.*]] = dlc.constant dense<[-1.500000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[A:.*]] = dlc.constant dense<[1.500000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: return %[[N]], %[[A]]
func.func @unary_float_constants() -> (tensor<2xf32>, tensor<2xf32>) {
  %a = dlc.constant dense<[1.5, -2.0]> : tensor<2xf32>
  %0 = dlc.neg %a : tensor<2xf32>
  %1 = dlc.abs %a : tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @involutions_and_idempotents
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xi1>)
// CHECK-DAG: %[[ABS:.*]] = dlc.abs %[[X]]
// CHECK-DAG: %[[RELU:.*]] = dlc.relu %[[X]]
// CHECK-DAG: %[[SIGN:.*]] = dlc.sign %[[X]]
// CHECK: return %[[X]], %[[B]], %[[ABS]], %[[RELU]], %[[SIGN]]
func.func @involutions_and_idempotents(%x: tensor<4xf32>, %b: tensor<4xi1>) -> (tensor<4xf32>, tensor<4xi1>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %n = dlc.neg %x : tensor<4xf32>
  %nn = dlc.neg %n : tensor<4xf32>
  %t = dlc.not %b : tensor<4xi1>
  %tt = dlc.not %t : tensor<4xi1>
  %a = dlc.abs %x : tensor<4xf32>
  %aa = dlc.abs %a : tensor<4xf32>
  %r = dlc.relu %x : tensor<4xf32>
  %rr = dlc.relu %r : tensor<4xf32>
  %s = dlc.sign %x : tensor<4xf32>
  %ss = dlc.sign %s : tensor<4xf32>
  return %nn, %tt, %aa, %rr, %ss : tensor<4xf32>, tensor<4xi1>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @max_min_self
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @max_min_self(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = dlc.max %x, %x : tensor<4xf32>
  %1 = dlc.min %x, %x : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @select
// CHECK-SAME: (%[[C:.*]]: tensor<4xi1>, %[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[Y]]
func.func @select(%c: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %t = dlc.constant dense<true> : tensor<4xi1>
  %f = dlc.constant dense<false> : tensor<4xi1>
  %0 = dlc.select %c, %x, %x : tensor<4xi1>, tensor<4xf32>
  %1 = dlc.select %t, %x, %y : tensor<4xi1>, tensor<4xf32>
  %2 = dlc.select %f, %x, %y : tensor<4xi1>, tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @cast
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-DAG: %[[I:.*]] = dlc.constant dense<[1, -2, 0]> : tensor<3xi64>
// CHECK-DAG: %[[B:.*]] = dlc.constant dense<[true, true, false]> : tensor<3xi1>
// CHECK-DAG: %[[F:.*]] = dlc.constant dense<[1.000000e+00, 0.000000e+00, 1.000000e+00]> : tensor<3xf64>
// CHECK-DAG: %[[S:.*]] = dlc.constant dense<-2.500000e+00> : tensor<3xf64>
// CHECK: return %[[X]], %[[I]], %[[B]], %[[F]], %[[S]]
func.func @cast(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xi64>, tensor<3xi1>, tensor<3xf64>, tensor<3xf64>) {
  %0 = dlc.cast %x : tensor<3xf32> to tensor<3xf32>
  // Float to integer truncates toward zero.
  %c = dlc.constant dense<[1.9, -2.7, 0.0]> : tensor<3xf32>
  %1 = dlc.cast %c : tensor<3xf32> to tensor<3xi64>
  // Anything to i1 is x != 0.
  %2 = dlc.cast %c : tensor<3xf32> to tensor<3xi1>
  // i1 to a number is 0 or 1.
  %m = dlc.constant dense<[true, false, true]> : tensor<3xi1>
  %3 = dlc.cast %m : tensor<3xi1> to tensor<3xf64>
  %s = dlc.constant dense<-2.5> : tensor<3xf32>
  %4 = dlc.cast %s : tensor<3xf32> to tensor<3xf64>
  return %0, %1, %2, %3, %4 : tensor<3xf32>, tensor<3xi64>, tensor<3xi1>, tensor<3xf64>, tensor<3xf64>
}

// -----

// A NaN has no integer value: the cast is left for run time.
// CHECK-LABEL: func.func @no_fold_nan_to_int
// CHECK: dlc.cast
func.func @no_fold_nan_to_int() -> tensor<2xi32> {
  %c = dlc.constant dense<0x7FC00000> : tensor<2xf32>
  %0 = dlc.cast %c : tensor<2xf32> to tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// CHECK-LABEL: func.func @broadcast
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[S:.*]] = dlc.constant dense<2.000000e+00> : tensor<3x4xf32>
// CHECK-DAG: %[[B:.*]] = dlc.broadcast_in_dim %[[X]] dims = [2] : tensor<4xf32> to tensor<2x3x4xf32>
// CHECK: return %[[X]], %[[S]], %[[B]]
func.func @broadcast(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<3x4xf32>, tensor<2x3x4xf32>) {
  %0 = dlc.broadcast_in_dim %x dims = [0] : tensor<4xf32> to tensor<4xf32>
  %c = dlc.constant dense<2.0> : tensor<4xf32>
  %1 = dlc.broadcast_in_dim %c dims = [1] : tensor<4xf32> to tensor<3x4xf32>
  %b = dlc.broadcast_in_dim %x dims = [1] : tensor<4xf32> to tensor<3x4xf32>
  %2 = dlc.broadcast_in_dim %b dims = [1, 2] : tensor<3x4xf32> to tensor<2x3x4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<3x4xf32>, tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @concat_one
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @concat_one(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dlc.concat %x dim = 0 : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x6xf32>)
// CHECK-DAG: %[[R:.*]] = dlc.reshape %[[X]] : tensor<2x6xf32> to tensor<12xf32>
// CHECK-DAG: %[[C:.*]] = dlc.constant dense<{{\[}}[1, 2], [3, 4]]> : tensor<2x2xi32>
// CHECK: return %[[X]], %[[R]], %[[C]]
func.func @reshape(%x: tensor<2x6xf32>) -> (tensor<2x6xf32>, tensor<12xf32>, tensor<2x2xi32>) {
  %0 = dlc.reshape %x : tensor<2x6xf32> to tensor<2x6xf32>
  %r = dlc.reshape %x : tensor<2x6xf32> to tensor<3x4xf32>
  %1 = dlc.reshape %r : tensor<3x4xf32> to tensor<12xf32>
  %c = dlc.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
  %2 = dlc.reshape %c : tensor<4xi32> to tensor<2x2xi32>
  return %0, %1, %2 : tensor<2x6xf32>, tensor<12xf32>, tensor<2x2xi32>
}

// -----

// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-DAG: %[[S:.*]] = dlc.constant dense<7> : tensor<1x2xi32>
// CHECK-DAG: %[[P:.*]] = dlc.slice %[[X]] [0:2, 1:3]
// CHECK: return %[[X]], %[[S]], %[[P]]
func.func @slice(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<1x2xi32>, tensor<2x2xf32>) {
  %0 = dlc.slice %x [0:2, 0:3] : tensor<2x3xf32> -> tensor<2x3xf32>
  %c = dlc.constant dense<7> : tensor<4x4xi32>
  %1 = dlc.slice %c [1:2, 0:4:2] : tensor<4x4xi32> -> tensor<1x2xi32>
  %2 = dlc.slice %x [0:2, 1:3] : tensor<2x3xf32> -> tensor<2x2xf32>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<1x2xi32>, tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-DAG: %[[T:.*]] = dlc.transpose %[[X]] perm = [2, 1, 0] : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
// CHECK-DAG: %[[S:.*]] = dlc.constant dense<1.000000e+00> : tensor<3x2xf32>
// CHECK: return %[[X]], %[[X]], %[[T]], %[[S]]
func.func @transpose(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<4x3x2xf32>, tensor<3x2xf32>) {
  %0 = dlc.transpose %x perm = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %a = dlc.transpose %x perm = [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = dlc.transpose %a perm = [2, 0, 1] : tensor<3x4x2xf32> -> tensor<2x3x4xf32>
  %b = dlc.transpose %x perm = [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %2 = dlc.transpose %b perm = [2, 0, 1] : tensor<3x2x4xf32> -> tensor<4x3x2xf32>
  %c = dlc.constant dense<1.0> : tensor<2x3xf32>
  %3 = dlc.transpose %c perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0, %1, %2, %3 : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<4x3x2xf32>, tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @reductions
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-DAG: %[[MAX:.*]] = dlc.constant dense<5.000000e+00> : tensor<2xf32>
// CHECK-DAG: %[[MIN:.*]] = dlc.constant dense<5.000000e+00> : tensor<1x3xf32>
// CHECK: return %[[X]], %[[X]], %[[X]], %[[MAX]], %[[MIN]]
func.func @reductions(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xf32>, tensor<1x3xf32>) {
  %0 = dlc.reduce_sum %x dims = [] : tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = dlc.reduce_max %x dims = [] keepdim : tensor<2x3xf32> -> tensor<2x3xf32>
  %2 = dlc.reduce_min %x dims = [] : tensor<2x3xf32> -> tensor<2x3xf32>
  %c = dlc.constant dense<5.0> : tensor<2x3xf32>
  %3 = dlc.reduce_max %c dims = [1] : tensor<2x3xf32> -> tensor<2xf32>
  %4 = dlc.reduce_min %c dims = [0] keepdim : tensor<2x3xf32> -> tensor<1x3xf32>
  return %0, %1, %2, %3, %4 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xf32>, tensor<1x3xf32>
}

// -----

// A sum of equal values is not folded: n * v would round differently from
// the sequence of additions the kernel makes.
// CHECK-LABEL: func.func @no_fold_sum_of_splat
// CHECK: dlc.reduce_sum
func.func @no_fold_sum_of_splat() -> tensor<f32> {
  %c = dlc.constant dense<0.1> : tensor<3xf32>
  %0 = dlc.reduce_sum %c dims = [0] : tensor<3xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
