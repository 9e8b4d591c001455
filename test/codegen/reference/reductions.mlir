// Reductions, matmul, gather/scatter_add, softmax (direct and decomposed).
// RUN: dlc-run %s --entry reduce --print | FileCheck %s --check-prefix=REDUCE
// RUN: dlc-run %s --entry linear --print | FileCheck %s --check-prefix=LINEAR
// RUN: dlc-run %s --entry index --print | FileCheck %s --check-prefix=INDEX
// RUN: dlc-run %s --entry first --print | FileCheck %s --check-prefix=FIRST
// RUN: dlc-run %s --entry first --print --backend reference | FileCheck %s --check-prefix=FIRST
// The composite kernels and their decomposition agree.
// RUN: dlc-run %s --entry softmax --print | FileCheck %s --check-prefix=SOFTMAX
// RUN: dlc-run %s --entry softmax --print --pipeline | FileCheck %s --check-prefix=SOFTMAX

// REDUCE-LABEL: output #0: tensor<3xf32>
// REDUCE-NEXT: {{^ 5$}}
// REDUCE-NEXT: {{^ 7$}}
// REDUCE-NEXT: {{^ 9$}}
// REDUCE-LABEL: output #1: tensor<2x1xf32>
// REDUCE-NEXT: {{^ 3$}}
// REDUCE-NEXT: {{^ 6$}}
// REDUCE-LABEL: output #2: tensor<f32>
// REDUCE-NEXT: {{^1$}}
// REDUCE-LABEL: output #3: tensor<0xf32>
// REDUCE-LABEL: output #4: tensor<2xf32>
// REDUCE-NEXT: {{^ 0$}}
// REDUCE-NEXT: {{^ 0$}}
func.func @reduce() -> (tensor<3xf32>, tensor<2x1xf32>, tensor<f32>, tensor<0xf32>, tensor<2xf32>) {
  %m = dlc.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %sum = dlc.reduce_sum %m dims = [0] : tensor<2x3xf32> -> tensor<3xf32>
  %max = dlc.reduce_max %m dims = [1] keepdim : tensor<2x3xf32> -> tensor<2x1xf32>
  %min = dlc.reduce_min %m dims = [0, 1] : tensor<2x3xf32> -> tensor<f32>
  %e = dlc.constant dense<> : tensor<2x0xf32>
  %none = dlc.reduce_sum %e dims = [0] : tensor<2x0xf32> -> tensor<0xf32>
  %zeros = dlc.reduce_sum %e dims = [1] : tensor<2x0xf32> -> tensor<2xf32>
  return %sum, %max, %min, %none, %zeros : tensor<3xf32>, tensor<2x1xf32>, tensor<f32>, tensor<0xf32>, tensor<2xf32>
}

// LINEAR-LABEL: output #0: tensor<2x2xf32>
// LINEAR-NEXT: {{^ 7  10$}}
// LINEAR-NEXT: {{^ 15  22$}}
// LINEAR-LABEL: output #1: tensor<2x1x1xi32>
// LINEAR-NEXT: (1,.,.) =
// LINEAR-NEXT: {{^ 5$}}
// LINEAR: (2,.,.) =
// LINEAR-NEXT: {{^ 25$}}
func.func @linear() -> (tensor<2x2xf32>, tensor<2x1x1xi32>) {
  %a = dlc.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %p = dlc.matmul %a, %a : tensor<2x2xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
  %x = dlc.constant dense<[[[1, 2]], [[3, 4]]]> : tensor<2x1x2xi32>
  %y = dlc.transpose %x perm = [0, 2, 1] : tensor<2x1x2xi32> -> tensor<2x2x1xi32>
  %b = dlc.matmul %x, %y : tensor<2x1x2xi32>, tensor<2x2x1xi32> -> tensor<2x1x1xi32>
  return %p, %b : tensor<2x2xf32>, tensor<2x1x1xi32>
}

// Out-of-range indices clamp on gather and drop on scatter_add.
// INDEX-LABEL: output #0: tensor<4x2xf32>
// INDEX-NEXT: {{^ 3  4$}}
// INDEX-NEXT: {{^ 1  2$}}
// INDEX-NEXT: {{^ 1  2$}}
// INDEX-NEXT: {{^ 5  6$}}
// INDEX-LABEL: output #1: tensor<3x2xf32>
// INDEX-NEXT: {{^ 1  1$}}
// INDEX-NEXT: {{^ 2  2$}}
// INDEX-NEXT: {{^ 0  0$}}
func.func @index() -> (tensor<4x2xf32>, tensor<3x2xf32>) {
  %t = dlc.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %ids = dlc.constant dense<[1, 0, -4, 9]> : tensor<4xi64>
  %g = dlc.gather %t[%ids] axis = 0 : tensor<3x2xf32>, tensor<4xi64> -> tensor<4x2xf32>
  %z = dlc.constant dense<0.0> : tensor<3x2xf32>
  %ones = dlc.constant dense<1.0> : tensor<4x2xf32>
  %ids2 = dlc.constant dense<[1, 0, 1, 7]> : tensor<4xi64>
  %s = dlc.scatter_add %z[%ids2], %ones axis = 0 : tensor<3x2xf32>, tensor<4xi64>, tensor<4x2xf32>
  return %g, %s : tensor<4x2xf32>, tensor<3x2xf32>
}

// Where each index first appears (coalescing a sparse gradient).
// FIRST-LABEL: output #0: tensor<7xi64>
// FIRST-NEXT: {{^ 0$}}
// FIRST-NEXT: {{^ 1$}}
// FIRST-NEXT: {{^ 0$}}
// FIRST-NEXT: {{^ 3$}}
// FIRST-NEXT: {{^ 1$}}
// FIRST-NEXT: {{^ 0$}}
// FIRST-NEXT: {{^ 6$}}
func.func @first() -> tensor<7xi64> {
  %ids = dlc.constant dense<[7, 3, 7, 100000000000, 3, 7, -2]> : tensor<7xi64>
  %f = dlc.first_occurrence %ids : tensor<7xi64> -> tensor<7xi64>
  return %f : tensor<7xi64>
}

// SOFTMAX-LABEL: output #0: tensor<2x3xf32>
// SOFTMAX-NEXT: {{^ 0.0900  0.2447  0.6652$}}
// SOFTMAX-NEXT: {{^ 0.3333  0.3333  0.3333$}}
// SOFTMAX-LABEL: output #1: tensor<2x3xf32>
// SOFTMAX-NEXT: {{^-2.4076 -1.4076 -0.4076$}}
// SOFTMAX-NEXT: {{^-1.0986 -1.0986 -1.0986$}}
func.func @softmax() -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %x = dlc.constant dense<[[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]]> : tensor<2x3xf32>
  %s = dlc.softmax %x dim = 1 : tensor<2x3xf32>
  %l = dlc.log_softmax %x dim = 1 : tensor<2x3xf32>
  return %s, %l : tensor<2x3xf32>, tensor<2x3xf32>
}
