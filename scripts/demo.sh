#!/usr/bin/env bash
# The main job of `make demo`: run an example graph through dlc-opt's passes
# and print the IR after each one.
#
# Today the passes are canonicalize, dlc-decompose and cse; autodiff, fusion
# and code generation join this pipeline as they land. Then a LibTorch-style
# C++ loop shows the frontend: lazy recording, one compile, 99 cache hits.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
example="$top/examples/mlp_step.mlir"

echo "== dlc demo: $example"
echo "== the recorded graph, parsed and verified"
echo
"$build/bin/dlc-opt" "$example"
echo
echo "== canonicalize, dlc-decompose, cse: the IR after each pass"
echo
"$build/bin/dlc-opt" "$example" \
  --mlir-print-ir-after-all \
  --pass-pipeline='builtin.module(func.func(canonicalize,dlc-decompose,cse))' \
  -o /dev/null 2>&1
echo
echo "== passes dlc-opt knows (dlc-opt --help):"
"$build/bin/dlc-opt" --help | grep -E -- '--(dlc-[a-z-]+|canonicalize|cse) ' || true
echo
echo "== examples/lazy_loop.cpp: a LibTorch-style loop through the frontend"
echo
"$build/bin/dlc-example-lazy-loop"
