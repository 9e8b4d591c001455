#!/usr/bin/env bash
# The GPU checks, in one run on a machine with an NVIDIA GPU and driver but
# no LLVM: unpacks the bundle scripts/gpu-bundle.sh made (.gpu-bundle.tar.zst,
# statically linked test binaries and the libraries they need), then runs
#   - dlc-unit-tests' OpDB (CpuBackend.*: every op compiled fused and
#     unfused, on the GPU against the reference executor) and the CUDA
#     runtime tests (Cuda*),
#   - dlc-cuda-tests (tensors over and back, device errors, an MLP and a
#     DeepFM trained on CUDA against the same on the CPU),
#   - dlc-run --device cuda --check on the lit examples (when bundled),
#   - dlc-bench-cuda (bandwidth against the card's copy, GEMM against cuBLAS,
#     an MLP step against the CPU's).
# Logs go to $OUT (or ./gpu-check-out). Exit status: 0 when every test passed.
#
#   scripts/gpu-bundle.sh build .gpu-bundle dlc-unit-tests dlc-cuda-tests \
#     dlc-bench-cuda dlc-run                                  # here
#   ZSTD="env LD_LIBRARY_PATH=$PWD/.gpu-tools $PWD/.gpu-tools/zstd" \
#     scripts/gpu-check.sh .gpu-bundle.tar.zst                # there
set -uo pipefail
out=${OUT:-$PWD/gpu-check-out}
mkdir -p "$out"
bundle=${1:-.gpu-bundle.tar.zst}
# The GPU machine may have no zstd: $ZSTD names one carried along
# (gpu-bundle.sh puts one in .gpu-tools). --long=31: any window size.
${ZSTD:-zstd} -dc --long=31 "$bundle" | tar -xf - ||
  { echo "gpu-check: cannot unpack $bundle"; exit 1; }
dir=.gpu-bundle
export LD_LIBRARY_PATH=$PWD/$dir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export DLC_CACHE_DIR=$(mktemp -d)
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader |
  tee "$out/gpu.txt"
status=0
run() {
  local name=$1
  shift
  local start=$SECONDS
  "$@" >"$out/$name.log" 2>&1
  local rc=$?
  echo "== $name: exit $rc in $((SECONDS - start)) s"
  grep -E '^\[  (PASSED|FAILED|SKIPPED) |^\[  FAILED  \]|tests? ran' "$out/$name.log" | tail -15
  [ $rc -eq 0 ] || status=1
}
run unit "$dir/dlc-unit-tests" --gtest_filter='CpuBackend.*:Cuda*'
run cuda "$dir/dlc-cuda-tests"
if [ -x "$dir/dlc-run" ]; then
  run dlc-run bash -c "set -e
    for entry in mlp grad; do
      $dir/dlc-run test/codegen/cpu/run.mlir --entry \$entry --device cuda --check
      $dir/dlc-run test/codegen/cpu/run.mlir --entry \$entry --device cuda --check --fuse=false
    done
    $dir/dlc-run examples/mlp_step.mlir --input-random --device cuda --check"
  cat "$out/dlc-run.log"
fi
run bench "$dir/dlc-bench-cuda" --json "$out/bench.json"
cat "$out/bench.log"
exit $status
