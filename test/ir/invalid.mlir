// Every dlc verifier and type-inference message, one chunk each.
// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @unary_needs_float(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = "dlc.exp"(%x) : (tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @binary_needs_one_type(%x: tensor<4xf32>, %y: tensor<4xf64>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "dlc.add"(%x, %y) : (tensor<4xf32>, tensor<4xf64>) -> tensor<4xf32>
  return
}

// -----

func.func @unsupported_element_type(%x: tensor<4xf16>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xf16>'}}
  %0 = dlc.neg %x : tensor<4xf16>
  return
}

// -----

func.func @select_shapes(%c: tensor<3xi1>, %x: tensor<4xf32>) {
  // expected-error @+1 {{condition 'tensor<3xi1>' and values 'tensor<4xf32>' differ in shape}}
  %0 = dlc.select %c, %x, %x : tensor<3xi1>, tensor<4xf32>
  return
}

// -----

func.func @cast_shapes(%x: tensor<4xf32>) {
  // expected-error @+1 {{cannot cast 'tensor<4xf32>' to 'tensor<3xi32>': the shapes differ}}
  %0 = dlc.cast %x : tensor<4xf32> to tensor<3xi32>
  return
}

// -----

func.func @broadcast_element_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{cannot broadcast 'tensor<4xf32>' to 'tensor<3x4xf64>': the element types differ}}
  %0 = dlc.broadcast_in_dim %x dims = [1] : tensor<4xf32> to tensor<3x4xf64>
  return
}

// -----

func.func @broadcast_dims_count(%x: tensor<4xf32>) {
  // expected-error @+1 {{dims [0, 1] has 2 entries but the operand 'tensor<4xf32>' has rank 1}}
  %0 = dlc.broadcast_in_dim %x dims = [0, 1] : tensor<4xf32> to tensor<3x4xf32>
  return
}

// -----

func.func @broadcast_dims_order(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{dims [1, 0] must be strictly increasing and below the rank 2 of 'tensor<4x3xf32>'}}
  %0 = dlc.broadcast_in_dim %x dims = [1, 0] : tensor<3x4xf32> to tensor<4x3xf32>
  return
}

// -----

func.func @broadcast_sizes(%x: tensor<4xf32>) {
  // expected-error @+1 {{cannot broadcast 'tensor<4xf32>' to 'tensor<3x5xf32>': operand dimension 0 has size 4 but result dimension 1 has size 5}}
  %0 = dlc.broadcast_in_dim %x dims = [1] : tensor<4xf32> to tensor<3x5xf32>
  return
}

// -----

func.func @concat_nothing() {
  // expected-error @+2 {{'dlc.concat' op needs at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "dlc.concat"() <{dim = 0 : i64}> : () -> tensor<2xf32>
  return
}

// -----

func.func @concat_dim(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'dlc.concat' op dim 2 is out of range for 'tensor<2x3xf32>' of rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.concat %x, %x dim = 2 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_ranks(%x: tensor<2x3xf32>, %y: tensor<3xf32>) {
  // expected-error @+2 {{'dlc.concat' op cannot join 'tensor<2x3xf32>' and 'tensor<3xf32>': inputs need one element type and one rank}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.concat %x, %y dim = 0 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @concat_sizes(%x: tensor<2x3xf32>, %y: tensor<2x4xf32>) {
  // expected-error @+2 {{'dlc.concat' op cannot join 'tensor<2x3xf32>' and 'tensor<2x4xf32>' along dim 0: dimension 1 differs}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.concat %x, %y dim = 0 : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @inferred_type_differs(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'dlc.concat' op inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<5x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.concat %x, %x dim = 0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  return
}

// -----

func.func @reshape_element_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{cannot reshape 'tensor<2x3xf32>' to 'tensor<6xi32>': the element types differ}}
  %0 = dlc.reshape %x : tensor<2x3xf32> to tensor<6xi32>
  return
}

// -----

func.func @reshape_elements(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{cannot reshape 'tensor<2x3xf32>' (6 elements) to 'tensor<4xf32>' (4 elements)}}
  %0 = dlc.reshape %x : tensor<2x3xf32> to tensor<4xf32>
  return
}

// -----

func.func @slice_ranges(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'dlc.slice' op needs one range per dimension of 'tensor<2x3xf32>', got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.slice %x [0:2] : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

func.func @slice_bounds(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'dlc.slice' op range 1:4:1 of dimension 1 is invalid for 'tensor<2x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.slice %x [0:2, 1:4] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'dlc.transpose' op perm [1, 1] is not a permutation of the 2 dimensions of 'tensor<2x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.transpose %x perm = [1, 1] : tensor<2x3xf32> -> tensor<3x3xf32>
  return
}

// -----

func.func @reduce_dims(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'dlc.reduce_sum' op dims [1, 0] must be strictly increasing and below the rank 2 of 'tensor<2x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.reduce_sum %x dims = [1, 0] : tensor<2x3xf32> -> tensor<f32>
  return
}

// -----

func.func @reduce_dims_range(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'dlc.reduce_max' op dims [2] must be strictly increasing and below the rank 2 of 'tensor<2x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.reduce_max %x dims = [2] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @matmul_element_types(%a: tensor<2x3xf32>, %b: tensor<3x4xf64>) {
  // expected-error @+2 {{'dlc.matmul' op cannot multiply 'tensor<2x3xf32>' by 'tensor<3x4xf64>': the element types differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.matmul %a, %b : tensor<2x3xf32>, tensor<3x4xf64> -> tensor<2x4xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<3xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+2 {{'dlc.matmul' op cannot multiply 'tensor<3xf32>' by 'tensor<3x4xf32>': operands need one rank of at least 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.matmul %a, %b : tensor<3xf32>, tensor<3x4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x5x3xf32>, %b: tensor<4x3x6xf32>) {
  // expected-error @+2 {{'dlc.matmul' op cannot multiply 'tensor<2x5x3xf32>' by 'tensor<4x3x6xf32>': batch dimension 0 differs}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.matmul %a, %b : tensor<2x5x3xf32>, tensor<4x3x6xf32> -> tensor<2x5x6xf32>
  return
}

// -----

func.func @matmul_inner(%a: tensor<3x2xf32>, %b: tensor<3x2xf32>) {
  // expected-error @+2 {{'dlc.matmul' op cannot multiply 'tensor<3x2xf32>' by 'tensor<3x2xf32>': inner dimensions 2 and 3 differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.matmul %a, %b : tensor<3x2xf32>, tensor<3x2xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @gather_axis(%t: tensor<10x4xf32>, %i: tensor<3xi64>) {
  // expected-error @+2 {{'dlc.gather' op axis 2 is out of range for 'tensor<10x4xf32>' of rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dlc.gather %t[%i] axis = 2 : tensor<10x4xf32>, tensor<3xi64> -> tensor<3x4xf32>
  return
}

// -----

func.func @gather_index_type(%t: tensor<10x4xf32>, %i: tensor<3xf32>) {
  // expected-error @+1 {{operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = dlc.gather %t[%i] axis = 0 : tensor<10x4xf32>, tensor<3xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @scatter_axis(%t: tensor<10x4xf32>, %i: tensor<3xi64>, %u: tensor<3x4xf32>) {
  // expected-error @+1 {{'dlc.scatter_add' op axis -1 is out of range for 'tensor<10x4xf32>' of rank 2}}
  %0 = dlc.scatter_add %t[%i], %u axis = -1 : tensor<10x4xf32>, tensor<3xi64>, tensor<3x4xf32>
  return
}

// -----

func.func @scatter_updates(%t: tensor<10x4xf32>, %i: tensor<3xi64>, %u: tensor<4x4xf32>) {
  // expected-error @+1 {{updates 'tensor<4x4xf32>' do not fit 'tensor<10x4xf32>' indexed by 'tensor<3xi64>' along axis 0: expected shape [3, 4] and element type 'f32'}}
  %0 = dlc.scatter_add %t[%i], %u axis = 0 : tensor<10x4xf32>, tensor<3xi64>, tensor<4x4xf32>
  return
}

// -----

func.func @first_occurrence_rank(%i: tensor<2x3xi64>) {
  // expected-error @+1 {{'dlc.first_occurrence' op takes a 1-d tensor of indices, not 'tensor<2x3xi64>'}}
  %0 = dlc.first_occurrence %i : tensor<2x3xi64> -> tensor<2x3xi64>
  return
}

// -----

func.func @iota_dim() {
  // expected-error @+1 {{'dlc.iota' op dim 2 is out of range for 'tensor<2x3xi64>' of rank 2}}
  %0 = dlc.iota dim = 2 : tensor<2x3xi64>
  return
}

// -----

func.func @random_seed_type(%seed: tensor<2xi64>, %offset: tensor<i64>) {
  // expected-error @+1 {{operand #0 must be 0-d tensor of 64-bit integer, but got 'tensor<2xi64>'}}
  %0 = "dlc.random"(%seed, %offset) <{distribution = 0 : i32}> : (tensor<2xi64>, tensor<i64>) -> tensor<4xf32>
  return
}

// -----

func.func @random_needs_float(%seed: tensor<i64>, %offset: tensor<i64>) {
  // expected-error @+1 {{result #0 must be ranked tensor of 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dlc.random uniform %seed, %offset : tensor<4xi32>
  return
}

// -----

func.func @grad_nothing(%y: tensor<f32>) {
  // expected-error @+1 {{'dlc.grad' op needs at least one value to differentiate with respect to}}
  "dlc.grad"(%y) <{operandSegmentSizes = array<i32: 1, 0, 0>}> : (tensor<f32>) -> ()
  return
}

// -----

func.func @grad_integer(%y: tensor<f32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{cannot differentiate with respect to wrt #0 of type 'tensor<3xi64>': only floating-point values have gradients}}
  %0 = dlc.grad %y wrt(%i) : tensor<f32> wrt(tensor<3xi64>)
  return
}

// -----

func.func @grad_seed_type(%y: tensor<4xf32>, %s: tensor<4xf64>, %x: tensor<4xf32>) {
  // expected-error @+1 {{seed type 'tensor<4xf64>' differs from the type of y 'tensor<4xf32>'}}
  %0 = "dlc.grad"(%y, %x, %s) <{operandSegmentSizes = array<i32: 1, 1, 1>}> : (tensor<4xf32>, tensor<4xf32>, tensor<4xf64>) -> tensor<4xf32>
  return
}

// -----

func.func @grad_needs_seed(%y: tensor<4xf32>) {
  // expected-error @+1 {{needs a seed when y is not a single element, got 'tensor<4xf32>'}}
  %0 = dlc.grad %y wrt(%y) : tensor<4xf32> wrt(tensor<4xf32>)
  return
}

// -----

func.func @grad_wrt_types(%y: tensor<f32>) {
  // expected-error @+1 {{1 operands present, but expected 2}}
  %0:2 = dlc.grad %y wrt(%y) : tensor<f32> wrt(tensor<f32>, tensor<f32>)
  return
}

// -----

func.func @softmax_dim(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'dlc.softmax' op dim 2 is out of range for 'tensor<2x3xf32>' of rank 2}}
  %0 = dlc.softmax %x dim = 2 : tensor<2x3xf32>
  return
}

// -----

func.func @log_softmax_dim(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'dlc.log_softmax' op dim -1 is out of range for 'tensor<2x3xf32>' of rank 2}}
  %0 = dlc.log_softmax %x dim = -1 : tensor<2x3xf32>
  return
}

// -----

func.func @fusion_inputs(%x: tensor<4xf32>) {
  // expected-error @+1 {{has 1 inputs but its body takes 2 arguments}}
  %0 = dlc.fusion elementwise(%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
    dlc.yield %a : tensor<4xf32>
  }
  return
}

// -----

func.func @fusion_argument_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{input #0 of type 'tensor<4xf32>' does not match its body argument of type 'tensor<4xf64>'}}
  %0 = dlc.fusion elementwise(%x) : (tensor<4xf32>) -> tensor<4xf64> {
  ^bb0(%a: tensor<4xf64>):
    dlc.yield %a : tensor<4xf64>
  }
  return
}

// -----

func.func @fusion_results(%x: tensor<4xf32>) {
  // expected-error @+1 {{yields values of types ('tensor<4xf32>') but returns ('tensor<4xf64>')}}
  %0 = dlc.fusion elementwise(%x) : (tensor<4xf32>) -> tensor<4xf64> {
  ^bb0(%a: tensor<4xf32>):
    dlc.yield %a : tensor<4xf32>
  }
  return
}

// -----

func.func @fusion_foreign_op(%x: tensor<4xf32>) {
  %0 = dlc.fusion elementwise(%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    // expected-error @+1 {{cannot be inside a dlc.fusion: a fusion holds dlc primitives only}}
    %b = arith.addf %a, %a : tensor<4xf32>
    dlc.yield %b : tensor<4xf32>
  }
  return
}
