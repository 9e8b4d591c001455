// dlc-cpu-kernels: each dlc.fusion becomes a kernel function (scf loops over
// llvm pointers) and the fusion records how the runtime calls it.
// RUN: dlc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(dlc-fuse),dlc-cpu-kernels)' | FileCheck %s
// The whole CPU pipeline is registered too:
// RUN: dlc-opt %s --split-input-file --dlc-cpu-pipeline | FileCheck %s --check-prefix=PIPELINE
// PIPELINE-LABEL: func.func @chain(
// PIPELINE: dlc.fusion elementwise{{.*}}dlc.kernel = @chain_k0

// A chain over a row-major tensor: every access is contiguous, so the three
// dimensions merge into one loop over [begin, end), split across threads in
// grains of 32K elements.
// CHECK-LABEL: func.func @chain(
// It reads %x only at the element it writes: its result may take %x's
// buffer when the caller gives it up (dlc.in_place).
// CHECK: dlc.fusion elementwise{{.*}}dlc.grain = 32768 : i64, dlc.in_place = array<i64: 0>, dlc.iterations = 210 : i64, dlc.kernel = @chain_k0
// CHECK-LABEL: func.func private @chain_k0_impl
// CHECK-SAME: !llvm.ptr {llvm.noalias}
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// CHECK-NOT: scf.for
// CHECK: llvm.getelementptr inbounds %{{.*}}[%[[I]]]
// CHECK: math.exp
// CHECK: arith.cmpf ugt
// CHECK: llvm.store
// CHECK-LABEL: func.func @chain_k0(
// CHECK-SAME: %[[ARGS:.*]]: !llvm.ptr, %[[BEGIN:.*]]: i64, %[[END:.*]]: i64
// CHECK: call @chain_k0_impl
func.func @chain(%x: tensor<5x6x7xf32>) -> tensor<5x6x7xf32> {
  %e = dlc.exp %x : tensor<5x6x7xf32>
  %r = dlc.relu %e : tensor<5x6x7xf32>
  return %r : tensor<5x6x7xf32>
}

// -----

// A broadcast bias: rows of 16 (the bias is read per column), split over
// the 8 rows.
// CHECK-LABEL: func.func @bias(
// CHECK: dlc.fusion elementwise{{.*}}dlc.grain = 2048 : i64, dlc.in_place = array<i64: 1>, dlc.iterations = 8 : i64
// CHECK-LABEL: func.func private @bias_k0_impl
// CHECK: scf.for %[[ROW:.*]] = %{{.*}} to %{{.*}} step
// CHECK: scf.for %[[COL:.*]] = %{{.*}} to %{{.*}} step
func.func @bias(%x: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<8x16xf32> {
  %bb = dlc.broadcast_in_dim %b dims = [1] : tensor<16xf32> to tensor<8x16xf32>
  %s = dlc.add %x, %bb : tensor<8x16xf32>
  return %s : tensor<8x16xf32>
}

// -----

// Softmax as a rows kernel: per row, a max loop, a sum loop (reassociable so
// that it vectorizes; f32 for rows this short) keeping exp(x - max) in the
// output row, and the loop dividing it in place.
// CHECK-LABEL: func.func @softmax(
// CHECK: dlc.fusion rows{{.*}}dlc.iterations = 4 : i64
// CHECK-LABEL: func.func private @softmax_k0_impl
// CHECK: llvm.alloca %{{.*}} x f32
// CHECK: llvm.alloca %{{.*}} x f32
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.maximumf
// CHECK: scf.for
// CHECK: math.exp
// CHECK: llvm.store
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
// CHECK: scf.for
// CHECK-NOT: math.exp
// CHECK: arith.divf
// CHECK: llvm.store
func.func @softmax(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %m = dlc.reduce_max %x dims = [1] keepdim : tensor<4x10xf32> -> tensor<4x1xf32>
  %mb = dlc.broadcast_in_dim %m dims = [0, 1] : tensor<4x1xf32> to tensor<4x10xf32>
  %d = dlc.sub %x, %mb : tensor<4x10xf32>
  %e = dlc.exp %d : tensor<4x10xf32>
  %s = dlc.reduce_sum %e dims = [1] keepdim : tensor<4x10xf32> -> tensor<4x1xf32>
  %sb = dlc.broadcast_in_dim %s dims = [0, 1] : tensor<4x1xf32> to tensor<4x10xf32>
  %y = dlc.div %e, %sb : tensor<4x10xf32>
  return %y : tensor<4x10xf32>
}

// -----

// A sum over everything: one partial per fixed chunk of 64K elements
// (independent of the thread count), folded in order by the runtime.
// CHECK-LABEL: func.func @total(
// CHECK: dlc.fusion reduce{{.*}}dlc.combine = 0 : i64, dlc.grain = 65536 : i64, dlc.iterations = 100000 : i64, dlc.kernel = @total_k0, dlc.partial = f64
// CHECK-LABEL: func.func private @total_k0_impl
// CHECK: arith.divui %{{.*}}, %{{.*}} : i64
// CHECK: llvm.getelementptr inbounds %{{.*}} : (!llvm.ptr, i64) -> !llvm.ptr, f64
func.func @total(%x: tensor<100000xf32>) -> tensor<f32> {
  %s = dlc.reduce_sum %x dims = [0] : tensor<100000xf32> -> tensor<f32>
  return %s : tensor<f32>
}

// -----

// A column sum: split over the kept columns, accumulated in memory order.
// CHECK-LABEL: func.func @columns(
// CHECK: dlc.fusion reduce{{.*}}dlc.iterations = 33 : i64
// CHECK-NOT: dlc.partial
// CHECK-LABEL: func.func private @columns_k0_impl
func.func @columns(%x: tensor<64x33xf32>) -> tensor<33xf32> {
  %s = dlc.reduce_sum %x dims = [0] : tensor<64x33xf32> -> tensor<33xf32>
  return %s : tensor<33xf32>
}

// -----

// A bias row and a relu after a matmul: oneDNN applies both as post-ops,
// so the fusion gets no kernel of its own.
// CHECK-LABEL: func.func @dense(
// CHECK: dlc.fusion matmul{{.*}}dlc.library_activation = 1 : i64, dlc.library_bias = 2 : i64
// CHECK-NOT: func.func private @dense_k0_impl
func.func @dense(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>, %b: tensor<4xf32>) -> tensor<8x4xf32> {
  %y = dlc.matmul %x, %w : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  %bb = dlc.broadcast_in_dim %b dims = [1] : tensor<4xf32> to tensor<8x4xf32>
  %s = dlc.add %y, %bb : tensor<8x4xf32>
  %r = dlc.relu %s : tensor<8x4xf32>
  return %r : tensor<8x4xf32>
}

// -----

// Any other epilogue is a kernel that reads the product from the output
// buffer, where the GEMM wrote it, and writes the result over it.
// CHECK-LABEL: func.func @masked(
// CHECK: dlc.fusion matmul{{.*}}dlc.kernel = @masked_k0
// CHECK-LABEL: func.func private @masked_k0_impl
// The arguments: x, w, m, then the output.
// CHECK-SAME: (%arg0: !llvm.ptr {llvm.noalias}, %arg1: !llvm.ptr {llvm.noalias}, %arg2: !llvm.ptr {llvm.noalias}, %arg3: !llvm.ptr {llvm.noalias}
// CHECK: %[[P:.*]] = llvm.getelementptr inbounds %arg3
// CHECK: llvm.load %[[P]]
// CHECK: arith.select
// CHECK: llvm.store %{{.*}}, %{{.*}} : f32, !llvm.ptr
func.func @masked(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>, %m: tensor<8x4xi1>) -> tensor<8x4xf32> {
  %y = dlc.matmul %x, %w : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  %z = dlc.constant dense<0.0> : tensor<8x4xf32>
  %r = dlc.select %m, %y, %z : tensor<8x4xi1>, tensor<8x4xf32>
  return %r : tensor<8x4xf32>
}
