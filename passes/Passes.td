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

#endif // DLC_PASSES_PASSES_TD
