//===- Passes.h - The passes of dlc ---------------------------------------===//

#ifndef DLC_PASSES_PASSES_H
#define DLC_PASSES_PASSES_H

#include "ir/DlcDialect.h"

#include "mlir/IR/Operation.h"

#include "mlir/Pass/Pass.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace mlir::dlc {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// Adds the patterns that rewrite composite ops into primitives.
void populateDecomposePatterns(RewritePatternSet &patterns);

/// The names of the ops dlc-autodiff has a gradient rule for ("dlc.mul",
/// ...), from the rule table itself.
std::vector<std::string> getDifferentiableOpNames();

/// Whether `op` is a dlc.transpose of the last two dimensions only: a
/// matmul operand that GEMM libraries take as a flag, not as a copy.
bool isMatrixTranspose(Operation *op);

/// Whether dlc-fuse may put `op` into a dlc.fusion.
bool isFusible(Operation *op);

/// The kernel shape that computes `ops` (in block order, all fusible) with
/// `root` as the result, or nullopt when no kernel shape fits.
std::optional<FusionKind> classifyFusion(ArrayRef<Operation *> ops,
                                         Operation *root);

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace mlir::dlc

#endif // DLC_PASSES_PASSES_H
