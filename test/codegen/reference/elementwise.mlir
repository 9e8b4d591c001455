// The reference executor's elementwise kernels on hand-computed values.
// RUN: dlc-run %s --entry arithmetic --print | FileCheck %s --check-prefix=ARITH
// RUN: dlc-run %s --entry integers --print | FileCheck %s --check-prefix=INT
// RUN: dlc-run %s --entry math --print | FileCheck %s --check-prefix=MATH
// RUN: dlc-run %s --entry masks --print | FileCheck %s --check-prefix=MASK

// ARITH-LABEL: output #0: tensor<8xf32>
// ARITH-NEXT: {{^ +5.0000$}}
// ARITH-NEXT: {{^ +7.0000$}}
// ARITH-NEXT: {{^ +-1.0000$}}
// ARITH-NEXT: {{^ +-1.0000$}}
// ARITH-NEXT: {{^ +6.0000$}}
// ARITH-NEXT: {{^ +12.0000$}}
// ARITH-NEXT: {{^ +1.5000$}}
// ARITH-NEXT: {{^ +1.3333$}}
// NaN propagates through max and min.
// ARITH-LABEL: output #1: tensor<2xf32>
// ARITH-NEXT: nan
// ARITH-NEXT: {{^ +1$}}
func.func @arithmetic() -> (tensor<8xf32>, tensor<2xf32>) {
  %a = dlc.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %b = dlc.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %sum = dlc.add %a, %b : tensor<2xf32>
  %diff = dlc.sub %a, %b : tensor<2xf32>
  %prod = dlc.mul %a, %b : tensor<2xf32>
  %quot = dlc.div %b, %a : tensor<2xf32>
  %all = dlc.concat %sum, %diff, %prod, %quot dim = 0 : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<8xf32>
  %nan = dlc.constant dense<[0x7FC00000, 1.0]> : tensor<2xf32>
  %one = dlc.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %m = dlc.max %nan, %one : tensor<2xf32>
  return %all, %m : tensor<8xf32>, tensor<2xf32>
}

// Integer division truncates, division by zero gives 0, wrap-around on
// overflow, bitwise ops.
// (LibTorch prints integers above 10^9 in scientific notation.)
// INT-LABEL: output #0: tensor<4xi32>
// INT-NEXT: {{^ 3.0000e\+00$}}
// INT-NEXT: {{^-3.0000e\+00$}}
// INT-NEXT: {{^ 0.0000e\+00$}}
// INT-NEXT: {{^-2.1475e\+09$}}
// INT-LABEL: output #1: tensor<2xi64>
// INT-NEXT:  6
// INT-NEXT: -7
func.func @integers() -> (tensor<4xi32>, tensor<2xi64>) {
  %a = dlc.constant dense<[7, -7, 5, -2147483648]> : tensor<4xi32>
  %b = dlc.constant dense<[2, 2, 0, -1]> : tensor<4xi32>
  %q = dlc.div %a, %b : tensor<4xi32>
  %x = dlc.constant dense<[7, 6]> : tensor<2xi64>
  %y = dlc.constant dense<[6, 7]> : tensor<2xi64>
  %and = dlc.and %x, %y : tensor<2xi64>
  %not = dlc.not %and : tensor<2xi64>
  %sel = dlc.constant dense<[true, false]> : tensor<2xi1>
  %r = dlc.select %sel, %and, %not : tensor<2xi1>, tensor<2xi64>
  return %q, %r : tensor<4xi32>, tensor<2xi64>
}

// MATH-LABEL: output #0: tensor<6xf64>
// MATH-NEXT:  0.0000
// MATH-NEXT:  0.5000
// MATH-NEXT:  1.0000
// MATH-NEXT:  2.0000
// MATH-NEXT:  0.2689
// MATH-NEXT:  0.8427
func.func @math() -> tensor<6xf64> {
  %z = dlc.constant dense<[0.0]> : tensor<1xf64>
  %e = dlc.exp %z : tensor<1xf64>
  %l = dlc.log %e : tensor<1xf64>
  %four = dlc.constant dense<[4.0]> : tensor<1xf64>
  %half = dlc.rsqrt %four : tensor<1xf64>
  %one = dlc.sqrt %e : tensor<1xf64>
  %two = dlc.sqrt %four : tensor<1xf64>
  %m1 = dlc.constant dense<[-1.0]> : tensor<1xf64>
  %s = dlc.sigmoid %m1 : tensor<1xf64>
  %p1 = dlc.neg %m1 : tensor<1xf64>
  %erf = dlc.erf %p1 : tensor<1xf64>
  %all = dlc.concat %l, %half, %one, %two, %s, %erf dim = 0 : (tensor<1xf64>, tensor<1xf64>, tensor<1xf64>, tensor<1xf64>, tensor<1xf64>, tensor<1xf64>) -> tensor<6xf64>
  return %all : tensor<6xf64>
}

// MASK-LABEL: output #0: tensor<3xi1>
// MASK-NEXT: 1
// MASK-NEXT: 0
// MASK-NEXT: 1
// MASK-LABEL: output #1: tensor<3xi32>
// MASK-NEXT:  1
// MASK-NEXT:  0
// MASK-NEXT: -2
func.func @masks() -> (tensor<3xi1>, tensor<3xi32>) {
  %a = dlc.constant dense<[1.0, 0x7FC00000, -2.5]> : tensor<3xf32>
  %b = dlc.constant dense<[1.0, 0x7FC00000, 3.0]> : tensor<3xf32>
  %eq = dlc.compare eq, %a, %b : tensor<3xf32>
  %lt = dlc.compare lt, %a, %b : tensor<3xf32>
  %m = dlc.or %eq, %lt : tensor<3xi1>
  %i = dlc.cast %a : tensor<3xf32> to tensor<3xi32>
  return %m, %i : tensor<3xi1>, tensor<3xi32>
}
