//===- Passes.td - The passes of dlc --------------------------------------===//
//
// Every dlc pass, grouped by stage, alphabetical within a group.
// `registerDlcPasses()` (from Passes.h.inc) registers them all with dlc-opt.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_PASSES_PASSES_TD
#define DLC_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Autodiff
//===----------------------------------------------------------------------===//

def DlcAutodiff : Pass<"dlc-autodiff"> {
  let summary = "Expand dlc.grad into the adjoint ops of reverse-mode autodiff";
  let description = [{
    Replaces every `dlc.grad %y wrt(%x...)` with ordinary dlc ops computing
    the vector-Jacobian product of `%y` (seeded with 1, or with `seed`):
    the ops on paths from the `wrt` values to `%y` are visited in reverse,
    and each contributes its operands' adjoints through its VJP rule (one
    rule per differentiable op, all in Autodiff.cpp). Adjoints of a value
    used twice are summed; a broadcast in the forward pass is a sum in the
    backward pass; integer and i1 values (indices, masks) get no gradient;
    `dlc.stop_gradient` blocks it; a `wrt` value `%y` does not depend on gets
    zeros. Grads are expanded in program order, so a grad of values computed
    by an earlier grad differentiates its expansion (second order). Every
    adjoint op carries its forward op's location wrapped as
    `loc("backward"(...))`. The adjoints of several slices of one value that
    take disjoint unit-stride ranges of one dimension (a sequence model's
    time steps) are joined into one `dlc.concat`, zeros filling the gaps,
    rather than summed as zero-padded copies of the whole value, so the
    backward pass of T steps costs O(T), not O(T^2). Finally the
    `dlc.stop_gradient` ops, which have done their work, are replaced by
    their operands.

    Before:

    ```mlir
    %y = dlc.mul %x, %x : tensor<f32>
    %g = dlc.grad %y wrt(%x) : tensor<f32> wrt(tensor<f32>)
    ```

    After (before canonicalization):

    ```mlir
    %y = dlc.mul %x, %x : tensor<f32>
    %one = dlc.constant dense<1.0> : tensor<f32>
    %a = dlc.mul %one, %x : tensor<f32>
    %b = dlc.mul %one, %x : tensor<f32>
    %g = dlc.add %a, %b : tensor<f32>
    ```
  }];
  let dependentDialects = ["::mlir::dlc::DlcDialect"];
}

//===----------------------------------------------------------------------===//
// Collectives
//===----------------------------------------------------------------------===//

def DlcScheduleCollectives : Pass<"dlc-schedule-collectives"> {
  let summary = "Bucket the all-reduces of a step and start each when its inputs are ready";
  let description = [{
    Data-parallel training all-reduces every gradient. One call per tensor
    pays a latency per tensor; one call for all of them waits for the last
    gradient before any byte moves. This pass does what PyTorch's DDP
    reducer does, at compile time: it orders the `dlc.all_reduce` ops of a
    block by where their inputs become ready (the gradients of the last
    layers first, as the backward pass computes them), merges neighbours
    with the same reduction and element type into buckets of at most
    `bucket-cap-mb` MiB, and moves each bucket's op to just after the op
    that computes its last input. The runtime starts it there and waits for
    it before the first op that reads a result, so the communication
    overlaps the rest of the backward pass. Ops are merged only when every
    user of every result comes after the bucket's inputs are all ready.

    Before:
    ```mlir
    %gw = dlc.mul %a, %b : tensor<64x16xf32>
    %x = dlc.exp %gw : tensor<64x16xf32>
    %gb = dlc.add %c, %d : tensor<16xf32>
    %rw = dlc.all_reduce mean (%gw) : tensor<64x16xf32>
    %rb = dlc.all_reduce mean (%gb) : tensor<16xf32>
    ```
    After:
    ```mlir
    %gw = dlc.mul %a, %b : tensor<64x16xf32>
    %x = dlc.exp %gw : tensor<64x16xf32>
    %gb = dlc.add %c, %d : tensor<16xf32>
    %rw, %rb = dlc.all_reduce mean (%gw, %gb) : tensor<64x16xf32>, tensor<16xf32>
    ```
    With `bucket-cap-mb=0` every all-reduce stays alone and moves up to just
    after `%gw` or `%gb`.
  }];
  let dependentDialects = ["::mlir::dlc::DlcDialect"];
  let options = [
    Option<"bucketCapMb", "bucket-cap-mb", "double", /*default=*/"25",
           "The most MiB of inputs one bucket carries (PyTorch DDP's "
           "bucket_cap_mb); 0 keeps every all-reduce alone">
  ];
}

//===----------------------------------------------------------------------===//
// Decomposition
//===----------------------------------------------------------------------===//

def DlcDecompose : Pass<"dlc-decompose"> {
  let summary = "Rewrite composite dlc ops into primitives";
  let description = [{
    Replaces every composite op (`dlc.softmax`, `dlc.log_softmax`) with the
    primitive ops that compute it, so that fusion and code generation only
    ever see primitives. Softmax subtracts the maximum along `dim` before
    exponentiating, which keeps `exp` from overflowing.

    Before:

    ```mlir
    %p = dlc.softmax %x dim = 1 : tensor<2x3xf32>
    ```

    After:

    ```mlir
    %m = dlc.reduce_max %x dims = [1] keepdim : tensor<2x3xf32> -> tensor<2x1xf32>
    %mb = dlc.broadcast_in_dim %m dims = [0, 1] : tensor<2x1xf32> to tensor<2x3xf32>
    %s = dlc.sub %x, %mb : tensor<2x3xf32>
    %e = dlc.exp %s : tensor<2x3xf32>
    %z = dlc.reduce_sum %e dims = [1] keepdim : tensor<2x3xf32> -> tensor<2x1xf32>
    %zb = dlc.broadcast_in_dim %z dims = [0, 1] : tensor<2x1xf32> to tensor<2x3xf32>
    %p = dlc.div %e, %zb : tensor<2x3xf32>
    ```

    `dlc.log_softmax` ends in `%s - log(%zb)` instead of the division.
  }];
  let dependentDialects = ["::mlir::dlc::DlcDialect"];
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def DlcFuse : Pass<"dlc-fuse"> {
  let summary = "Group dlc ops into dlc.fusion regions, one kernel each";
  let description = [{
    Walks each function's ops from the last to the first and puts an op into
    the group of its users when all of them are in one group and the grown
    group still has one of the kernel shapes of `dlc.fusion`: elementwise
    chains with their broadcasts, transposes and slices; a reduction with its
    elementwise producers; reductions over the trailing dimensions whose
    results are broadcast back (softmax, layer norm and their gradients) as
    one `rows` kernel; a matmul with the elementwise ops that consume its
    result (bias, activation, a gradient's mask, an optimizer update) as one
    `matmul` kernel, the epilogue running on the product in place. Other
    matmuls, gather, scatter_add, concat and reshape stay outside (library
    calls and views); a transpose that only feeds matmuls stays outside too
    (it becomes a BLAS flag). Splat constants are copied into every fusion
    that uses them.

    Before:

    ```mlir
    %m = dlc.reduce_max %x dims = [1] keepdim : tensor<2x3xf32> -> tensor<2x1xf32>
    %b = dlc.broadcast_in_dim %m dims = [0, 1] : tensor<2x1xf32> to tensor<2x3xf32>
    %s = dlc.sub %x, %b : tensor<2x3xf32>
    ```

    After:

    ```mlir
    %s = dlc.fusion rows (%x) : (tensor<2x3xf32>) -> tensor<2x3xf32> {
    ^bb0(%a: tensor<2x3xf32>):
      %m = dlc.reduce_max %a dims = [1] keepdim : tensor<2x3xf32> -> tensor<2x1xf32>
      %b = dlc.broadcast_in_dim %m dims = [0, 1] : tensor<2x1xf32> to tensor<2x3xf32>
      %s = dlc.sub %a, %b : tensor<2x3xf32>
      dlc.yield %s : tensor<2x3xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::dlc::DlcDialect"];
  let options = [
    Option<"singleOps", "single-ops", "bool", /*default=*/"false",
           "Put every fusible op in a dlc.fusion of its own (no fusion): the "
           "baseline that fused kernels are checked against">
  ];
}

#endif // DLC_PASSES_PASSES_TD
