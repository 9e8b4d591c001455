// dlc.all_reduce: every reduction with one and several inputs is parsed,
// printed and parsed again (--verify-roundtrip also checks the generic form
// and the bytecode round trip); the later chunks hit every verifier message.
// RUN: dlc-opt %s --split-input-file -verify-diagnostics --verify-roundtrip \
// RUN:   | FileCheck %s
// The printed form parses again and prints the same.
// RUN: dlc-opt %s --split-input-file -verify-diagnostics \
// RUN:   | dlc-opt --split-input-file | FileCheck %s
// Not pure: canonicalize and cse neither drop an unused all-reduce nor merge
// two all-reduces of the same value.
// RUN: dlc-opt %s --split-input-file -verify-diagnostics --canonicalize --cse \
// RUN:   | FileCheck %s --check-prefix=KEEP

// CHECK-LABEL: func.func @reductions
// CHECK-SAME: (%[[X:.*]]: tensor<16x4xf32>)
func.func @reductions(%x: tensor<16x4xf32>) -> (tensor<16x4xf32>, tensor<16x4xf32>, tensor<16x4xf32>, tensor<16x4xf32>) {
  // CHECK-NEXT: %[[S:.*]] = dlc.all_reduce sum(%[[X]]) : tensor<16x4xf32>
  %s = dlc.all_reduce sum (%x) : tensor<16x4xf32>
  // CHECK-NEXT: %[[M:.*]] = dlc.all_reduce mean(%[[X]]) : tensor<16x4xf32>
  %m = dlc.all_reduce mean (%x) : tensor<16x4xf32>
  // CHECK-NEXT: %[[MAX:.*]] = dlc.all_reduce max(%[[X]]) : tensor<16x4xf32>
  %hi = dlc.all_reduce max (%x) : tensor<16x4xf32>
  // CHECK-NEXT: %[[MIN:.*]] = dlc.all_reduce min(%[[X]]) : tensor<16x4xf32>
  %lo = dlc.all_reduce min (%x) : tensor<16x4xf32>
  // CHECK-NEXT: return %[[S]], %[[M]], %[[MAX]], %[[MIN]]
  return %s, %m, %hi, %lo : tensor<16x4xf32>, tensor<16x4xf32>, tensor<16x4xf32>, tensor<16x4xf32>
}

// -----

// A bucket: several inputs of one element type and any shapes, one result
// per input with its type.
// CHECK-LABEL: func.func @bucket
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<2x3xf32>, %[[C:.*]]: tensor<f32>)
func.func @bucket(%a: tensor<4xf32>, %b: tensor<2x3xf32>, %c: tensor<f32>) -> (tensor<4xf32>, tensor<2x3xf32>, tensor<f32>, tensor<4xf32>, tensor<4xf32>) {
  // CHECK-NEXT: %[[R:.*]]:3 = dlc.all_reduce mean(%[[A]], %[[B]], %[[C]]) : tensor<4xf32>, tensor<2x3xf32>, tensor<f32>
  %ra, %rb, %rc = dlc.all_reduce mean (%a, %b, %c) : tensor<4xf32>, tensor<2x3xf32>, tensor<f32>
  // The same value twice is two inputs.
  // CHECK-NEXT: %[[T:.*]]:2 = dlc.all_reduce sum(%[[A]], %[[A]]) : tensor<4xf32>, tensor<4xf32>
  %t:2 = dlc.all_reduce sum (%a, %a) : tensor<4xf32>, tensor<4xf32>
  // CHECK-NEXT: return %[[R]]#0, %[[R]]#1, %[[R]]#2, %[[T]]#0, %[[T]]#1
  return %ra, %rb, %rc, %t#0, %t#1 : tensor<4xf32>, tensor<2x3xf32>, tensor<f32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Integers and booleans: every reduction but mean, f64, and an extra
// attribute, which attr-dict keeps.
// CHECK-LABEL: func.func @element_types
// CHECK-SAME: (%[[I:.*]]: tensor<8xi32>, %[[L:.*]]: tensor<2x2xi64>, %[[B:.*]]: tensor<3xi1>, %[[D:.*]]: tensor<5xf64>)
func.func @element_types(%i: tensor<8xi32>, %l: tensor<2x2xi64>, %b: tensor<3xi1>, %d: tensor<5xf64>) {
  // CHECK-NEXT: dlc.all_reduce sum(%[[I]]) : tensor<8xi32>
  %0 = dlc.all_reduce sum (%i) : tensor<8xi32>
  // CHECK-NEXT: dlc.all_reduce max(%[[L]], %[[L]]) : tensor<2x2xi64>, tensor<2x2xi64>
  %1:2 = dlc.all_reduce max (%l, %l) : tensor<2x2xi64>, tensor<2x2xi64>
  // CHECK-NEXT: dlc.all_reduce min(%[[B]]) : tensor<3xi1>
  %2 = dlc.all_reduce min (%b) : tensor<3xi1>
  // CHECK-NEXT: dlc.all_reduce mean(%[[D]]) {tag = "grad"} : tensor<5xf64>
  %3 = dlc.all_reduce mean (%d) {tag = "grad"} : tensor<5xf64>
  // CHECK-NEXT: return
  return
}

// -----

// KEEP-LABEL: func.func @not_pure
// KEEP-SAME: (%[[X:.*]]: tensor<4xf32>)
// KEEP-NEXT: dlc.all_reduce sum(%[[X]])
// KEEP-NEXT: %[[A:.*]] = dlc.all_reduce max(%[[X]])
// KEEP-NEXT: %[[B:.*]] = dlc.all_reduce max(%[[X]])
// KEEP-NEXT: %[[S:.*]] = dlc.add %[[A]], %[[B]]
// KEEP-NEXT: return %[[S]]
func.func @not_pure(%x: tensor<4xf32>) -> tensor<4xf32> {
  %unused = dlc.all_reduce sum (%x) : tensor<4xf32>
  %a = dlc.all_reduce max (%x) : tensor<4xf32>
  %b = dlc.all_reduce max (%x) : tensor<4xf32>
  %s = dlc.add %a, %b : tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// The custom form cannot spell an empty input list; the generic one can.
func.func @no_inputs() {
  // expected-error @+1 {{'dlc.all_reduce' op needs at least one input}}
  "dlc.all_reduce"() <{reduction = 0 : i32}> : () -> ()
  return
}

// -----

func.func @mixed_element_types(%x: tensor<4xf32>, %y: tensor<4xf64>) {
  // expected-error @+1 {{'dlc.all_reduce' op input #1 of type 'tensor<4xf64>' differs in element type from input #0 of type 'tensor<4xf32>': one call carries one element type}}
  %0:2 = dlc.all_reduce sum (%x, %y) : tensor<4xf32>, tensor<4xf64>
  return
}

// -----

func.func @mixed_int_widths(%x: tensor<4xi32>, %y: tensor<2xi32>, %z: tensor<4xi64>) {
  // expected-error @+1 {{'dlc.all_reduce' op input #2 of type 'tensor<4xi64>' differs in element type from input #0 of type 'tensor<4xi32>': one call carries one element type}}
  %0:3 = dlc.all_reduce max (%x, %y, %z) : tensor<4xi32>, tensor<2xi32>, tensor<4xi64>
  return
}

// -----

func.func @dynamic_shape(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'dlc.all_reduce' op input #0 of type 'tensor<?x4xf32>' is not static: every process must send the same number of elements}}
  %0 = dlc.all_reduce sum (%x) : tensor<?x4xf32>
  return
}

// -----

func.func @dynamic_second_input(%x: tensor<4xf32>, %y: tensor<?xf32>) {
  // expected-error @+1 {{'dlc.all_reduce' op input #1 of type 'tensor<?xf32>' is not static: every process must send the same number of elements}}
  %0:2 = dlc.all_reduce max (%x, %y) : tensor<4xf32>, tensor<?xf32>
  return
}

// -----

func.func @mean_of_integers(%x: tensor<4xi32>) {
  // expected-error @+1 {{'dlc.all_reduce' op mean needs floating-point inputs, got 'tensor<4xi32>'}}
  %0 = dlc.all_reduce mean (%x) : tensor<4xi32>
  return
}

// -----

func.func @mean_of_booleans(%x: tensor<4xi1>, %y: tensor<2xi1>) {
  // expected-error @+1 {{'dlc.all_reduce' op mean needs floating-point inputs, got 'tensor<4xi1>'}}
  %0:2 = dlc.all_reduce mean (%x, %y) : tensor<4xi1>, tensor<2xi1>
  return
}

// -----

func.func @unknown_reduction(%x: tensor<4xf32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'reduction' [sum, mean, max, min]}}
  %0 = dlc.all_reduce prod (%x) : tensor<4xf32>
  return
}

// -----

func.func @unsupported_element_type(%x: tensor<4xf16>) {
  // expected-error @+1 {{operand #0 must be variadic of ranked tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer or 1-bit signless integer values, but got 'tensor<4xf16>'}}
  %0 = dlc.all_reduce sum (%x) : tensor<4xf16>
  return
}

// -----

func.func @result_type(%x: tensor<4xf32>) {
  // expected-error @+2 {{'dlc.all_reduce' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<8xf32>'}}
  // expected-error @+1 {{'dlc.all_reduce' op failed to infer returned types}}
  %0 = "dlc.all_reduce"(%x) <{reduction = 0 : i32}> : (tensor<4xf32>) -> tensor<8xf32>
  return
}
