#!/usr/bin/env bash
# The main job of `make demo`: run an example graph through dlc-opt's passes
# and print the IR after each one.
#
# The passes are dlc's default pipeline: dlc-autodiff expands the gradient
# request into the backward pass, then canonicalize, dlc-decompose and cse;
# fusion and code generation join as they land. Then a LibTorch-style C++
# loop shows the frontend: lazy recording, one compile, 99 cache hits.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
example="$top/examples/mlp_step.mlir"

echo "== dlc demo: $example"
echo "== the recorded graph, parsed and verified"
echo
"$build/bin/dlc-opt" "$example"
echo
echo "== dlc-autodiff, canonicalize, cse, dlc-decompose, cse: the IR after each pass"
echo
"$build/bin/dlc-opt" "$example" \
  --mlir-print-ir-after-all \
  --pass-pipeline='builtin.module(func.func(dlc-autodiff,canonicalize,cse,dlc-decompose,cse))' \
  -o /dev/null 2>&1
echo
echo "== passes dlc-opt knows (dlc-opt --help):"
"$build/bin/dlc-opt" --help | grep -E -- '--(dlc-[a-z-]+|canonicalize|cse) ' || true
echo
echo "== examples/lazy_loop.cpp: a LibTorch-style loop through the frontend"
echo
"$build/bin/dlc-example-lazy-loop"
