// dlc.random follows its documented Philox mapping.
// RUN: dlc-run %s --print | FileCheck %s

// Counter 0, key 0 gives x0 = 0x6627e8d5: (x0 >> 8) / 2^24 = 0.39904...
// CHECK-LABEL: output #0: tensor<2xf32>
// CHECK-NEXT: {{^ 0.3990$}}
func.func @uniform() -> tensor<2xf32> {
  %seed = dlc.constant dense<0> : tensor<i64>
  %offset = dlc.constant dense<0> : tensor<i64>
  %u = dlc.random uniform %seed, %offset : tensor<2xf32>
  return %u : tensor<2xf32>
}
