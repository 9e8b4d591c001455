// --dlc-emit-cuda prints the kernels dlc-cpu-kernels emitted as CUDA C: one
// __device__ function per loop nest, one extern "C" __global__ entry per
// kernel in which each thread of a grid-stride loop computes one iteration
// (one chunk: one partial, for a reduction over every dimension).
// RUN: dlc-opt %s --split-input-file --dlc-cuda-pipeline --dlc-emit-cuda -o /dev/null | FileCheck %s

// An elementwise chain: one flat loop; relu's compare keeps LLVM's
// unordered meaning for NaN (ugt: not <=).
// CHECK-LABEL: static __device__ __forceinline__ void chain_k0_impl(char *__restrict__ a0, char *__restrict__ a1, char *__restrict__ a2, long long a3, long long a4) {
// CHECK: for (long long [[I:i[0-9]+]] = a3; [[I]] < a4;
// CHECK: = a0 + (long long)[[I]] * (long long)sizeof(float);
// CHECK: = expf(
// CHECK: = !([[E:v[0-9]+]] <= [[Z:v[0-9]+]]);
// CHECK: *(float *)
// CHECK-LABEL: extern "C" __global__ void __launch_bounds__(256) chain_k0(char *__restrict__ p0, char *__restrict__ p1, long long n, long long grain) {
// One thread per element:
// CHECK: for (long long w = (long long)blockIdx.x * blockDim.x + threadIdx.x; w < (n + grain - 1) / grain; w += stride) {
// CHECK: chain_k0_impl(p0, p1, nullptr, begin, end);
func.func @chain(%x: tensor<5x6x7xf32>) -> tensor<5x6x7xf32> {
  %e = dlc.exp %x : tensor<5x6x7xf32>
  %r = dlc.relu %e : tensor<5x6x7xf32>
  return %r : tensor<5x6x7xf32>
}

// -----

// Softmax runs in block mode: one block per row, each loop over the row
// shared by the block's threads, the accumulators (local arrays) folded
// across the block after their loop; max is LLVM's NaN-propagating maximum
// and -inf is spelled by its bits.
// CHECK-LABEL: void softmax_k0_impl(
// CHECK: = __int_as_float(0xff800000);
// CHECK: float [[MAX:v[0-9]+]]_data[1];
// CHECK: for (long long [[J:i[0-9]+]] = v{{[0-9]+}} + (long long)threadIdx.x; [[J]] < v{{[0-9]+}}; [[J]] += (long long)blockDim.x * v{{[0-9]+}}) {
// CHECK: = dlc_maximumf(
// CHECK: __syncthreads();
// CHECK-NEXT: = dlc_block_reduce(*(float *){{v[0-9]+}}, dlc_max_op());
// CHECK: = expf(
// CHECK: = dlc_block_reduce(*(float *){{v[0-9]+}}, dlc_sum_op());
// CHECK-LABEL: __global__ void __launch_bounds__(256) softmax_k0(
// CHECK-NEXT: for (long long w = blockIdx.x; w < (n + grain - 1) / grain; w += gridDim.x) {
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

// A full reduction: partials in f64 over chunks of 16384 elements (the
// CUDA pipeline's partial-elements), a block per chunk, the chunk's index
// from `begin`; the entry passes the partials as its third pointer.
// CHECK-LABEL: void total_k0_impl(
// CHECK: double [[ACC:v[0-9]+]]_data[1];
// CHECK: for (long long [[I:i[0-9]+]] = a3 + (long long)threadIdx.x; [[I]] < a4;
// CHECK: = (double)
// CHECK: = dlc_block_reduce(*(double *){{v[0-9]+}}, dlc_sum_op());
// CHECK: = (long long)((unsigned long long)a3 / (unsigned long long)
// CHECK: *(double *)
// CHECK-LABEL: __global__ void __launch_bounds__(256) total_k0(char *__restrict__ p0, char *__restrict__ p1, char *__restrict__ p2, long long n, long long grain)
// CHECK: total_k0_impl(p0, p1, p2, begin, end);
func.func @total(%x: tensor<100000xf32>) -> tensor<f32> {
  %s = dlc.reduce_sum %x dims = [0] : tensor<100000xf32> -> tensor<f32>
  return %s : tensor<f32>
}

// -----

// A sum over the leading dimension stays one thread per output column
// (neighbouring threads, neighbouring addresses): no block mode.
// CHECK-LABEL: void columns_k0_impl(
// CHECK-NOT: threadIdx
// CHECK-LABEL: __global__ void __launch_bounds__(256) columns_k0(
// CHECK: const long long stride = (long long)gridDim.x * blockDim.x;
func.func @columns(%x: tensor<64x33xf32>) -> tensor<33xf32> {
  %s = dlc.reduce_sum %x dims = [0] : tensor<64x33xf32> -> tensor<33xf32>
  return %s : tensor<33xf32>
}
