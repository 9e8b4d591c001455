#!/usr/bin/env bash
# `make tour`: run an example graph through dlc-opt's passes and print the
# IR after each one.
#
# The passes are dlc's CPU pipeline: dlc-autodiff expands the gradient
# request into the backward pass, then canonicalize, dlc-decompose and cse,
# dlc-fuse groups ops into kernels and dlc-cpu-kernels writes each as a loop
# nest. dlc-run then compiles the step through LLVM, runs it and checks it
# against the reference executor. Then a LibTorch-style C++ loop shows the
# frontend: lazy recording, one compile, 99 cache hits. Last, an embedding
# MLP trained with fit() on the bundled Criteo sample.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
example="$top/examples/mlp_step.mlir"

echo "== dlc tour: $example"
echo "== the recorded graph, parsed and verified"
echo
"$build/bin/dlc-opt" "$example"
echo
echo "== dlc-autodiff, canonicalize, cse, dlc-decompose, cse, dlc-fuse: the IR after each pass"
echo
"$build/bin/dlc-opt" "$example" \
  --mlir-print-ir-after-all \
  --pass-pipeline='builtin.module(func.func(dlc-autodiff,canonicalize,cse,dlc-decompose,cse,dlc-fuse))' \
  -o /dev/null 2>&1
echo
kernels=$(mktemp)
trap 'rm -f "$kernels"' EXIT
"$build/bin/dlc-opt" "$example" -o "$kernels" \
  --pass-pipeline='builtin.module(func.func(dlc-autodiff,canonicalize,cse,dlc-decompose,cse,dlc-fuse),dlc-cpu-kernels)'
echo "== dlc-cpu-kernels: the first of the step's $(grep -c 'func.func private' "$kernels") kernels, a loop nest"
echo
awk '/func.func private/ { on = 1 } on { print } on && /^  }/ { exit }' "$kernels"
echo
echo "== dlc-run: compiled for this CPU, run on random inputs, checked against the reference executor"
echo
"$build/bin/dlc-run" "$example" --check
echo
echo "== passes dlc-opt knows (dlc-opt --help):"
"$build/bin/dlc-opt" --help | grep -E -- '--(dlc-[a-z-]+|canonicalize|cse) ' || true
echo
echo "== examples/lazy_loop.cpp: a LibTorch-style loop through the frontend"
echo
"$build/bin/dlc-example-lazy-loop"
echo
echo "== examples/fit_criteo.cpp: an embedding MLP trained with fit() on the bundled Criteo sample"
echo "   (early stopping on val_auc, the best checkpoint reloaded, a TensorBoard log)"
echo
"$build/bin/dlc-example-fit-criteo" "$top/data/criteo-kaggle-sample" "$build/demo/criteo-run"
