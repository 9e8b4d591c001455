// dlc-cpu-lower: f32 math becomes polynomials (vectorizable), f64 math
// without an LLVM intrinsic a libm call, loops branches, all LLVM dialect.
// RUN: dlc-opt %s --split-input-file --dlc-cpu-lower --verify-diagnostics | FileCheck %s

// CHECK: llvm.func @erf(f64) -> f64
// CHECK-LABEL: llvm.func @k_impl
// CHECK-NOT: math.
// CHECK-NOT: scf.
// CHECK: llvm.br
// CHECK: llvm.fmul
// CHECK: llvm.call @erf
func.func private @k_impl(%x: !llvm.ptr {llvm.noalias}, %y: !llvm.ptr {llvm.noalias}, %begin: i64, %end: i64) attributes {dlc.kernel_function} {
  %c1 = arith.constant 1 : i64
  scf.for %i = %begin to %end step %c1 : i64 {
    %p = llvm.getelementptr inbounds %x[%i] : (!llvm.ptr, i64) -> !llvm.ptr, f32
    %v = llvm.load %p : !llvm.ptr -> f32
    %t = math.tanh %v : f32
    llvm.store %t, %p : f32, !llvm.ptr
    %q = llvm.getelementptr inbounds %y[%i] : (!llvm.ptr, i64) -> !llvm.ptr, f64
    %w = llvm.load %q : !llvm.ptr -> f64
    %e = math.erf %w : f64
    llvm.store %e, %q : f64, !llvm.ptr
  }
  return
}

// -----

// Only kernels: a dlc function is not lowered here.
// expected-error @+1 {{dlc-cpu-lower expects a module of kernels only}}
func.func @f(%x: tensor<64xf32>) -> tensor<64xf32> {
  %a = dlc.tanh %x : tensor<64xf32>
  return %a : tensor<64xf32>
}
