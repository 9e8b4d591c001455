// What dlc-autodiff cannot differentiate is a diagnostic, not a crash.
// RUN: dlc-opt %s --dlc-autodiff --split-input-file -verify-diagnostics

func.func @no_rule(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'arith.addf' op has no gradient rule, but a dlc.grad needs the gradient of its result}}
  %y = arith.addf %x, %x : tensor<3xf32>
  %s = dlc.reduce_sum %y dims = [0] : tensor<3xf32> -> tensor<f32>
  %g = dlc.grad %s wrt(%x) : tensor<f32> wrt(tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

func.func @dynamic_zeros(%x: tensor<?xf32>, %s: tensor<f32>) -> tensor<?xf32> {
  // expected-error @+1 {{dlc-autodiff needs a static shape to build a constant of type 'tensor<?xf32>'}}
  %g = dlc.grad %s wrt(%x) : tensor<f32> wrt(tensor<?xf32>)
  return %g : tensor<?xf32>
}
