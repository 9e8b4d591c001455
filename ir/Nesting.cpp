//===- Nesting.cpp - How deep a .mlir file's brackets may nest ------------===//

#include "ir/Nesting.h"

namespace mlir::dlc {

std::optional<size_t> findExcessiveNesting(llvm::StringRef text,
                                           unsigned limit) {
  unsigned depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      // A string literal: up to the closing quote, escapes skipped.
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n')
        ++i;
    } else if (c == '(' || c == '[' || c == '{' || c == '<') {
      if (++depth > limit)
        return i;
    } else if ((c == ')' || c == ']' || c == '}' || c == '>') && depth > 0) {
      // '->' is an arrow, not a closing bracket.
      if (!(c == '>' && i > 0 && text[i - 1] == '-'))
        --depth;
    }
  }
  return std::nullopt;
}

} // namespace mlir::dlc
