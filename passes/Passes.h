//===- Passes.h - The passes of dlc ---------------------------------------===//

#ifndef DLC_PASSES_PASSES_H
#define DLC_PASSES_PASSES_H

#include "ir/DlcDialect.h"

#include "mlir/Pass/Pass.h"

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

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace mlir::dlc

#endif // DLC_PASSES_PASSES_H
