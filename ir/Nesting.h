//===- Nesting.h - How deep a .mlir file's brackets may nest --------------===//
//
// MLIR's parser recurses once per nested bracket and sets no limit of its
// own: a file of a few thousand '[' overflows the stack (the pipeline fuzz
// target found it, test/fuzz/regressions/pipeline/). dlc's tools check the
// text first and answer such a file with a diagnostic.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_IR_NESTING_H
#define DLC_IR_NESTING_H

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <optional>

namespace mlir::dlc {

/// Far deeper than any program nests ( [ { <, far shallower than what
/// overflows the parser's stack, sanitizers included.
inline constexpr unsigned kMaxBracketNesting = 256;

/// The offset in `text` of the first bracket ( [ { < that opens nesting
/// level `limit + 1`, outside string literals and `//` comments; nullopt
/// when there is none.
std::optional<size_t> findExcessiveNesting(llvm::StringRef text,
                                           unsigned limit = kMaxBracketNesting);

} // namespace mlir::dlc

#endif // DLC_IR_NESTING_H
