#!/usr/bin/env bash
# `make fuzz`: builds the four libFuzzer targets with clang-19
# (-fsanitize=fuzzer,address,undefined; DLC_FUZZ) in their own build folder
# and runs each for SECONDS, all at once, from the seed corpora in
# test/fuzz/corpus/. What a run finds (crash-*, leak-*, timeout-* inputs) is
# left in BUILD/artifacts/NAME/: reproduce with `BUILD/bin/dlc-fuzz-NAME
# FILE`, fix, and copy the input to test/fuzz/regressions/NAME/, which
# `make test` replays.
#
#   scripts/fuzz.sh [BUILD (build-fuzz)] [SECONDS (60)] [TARGETS...]
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-60}
shift $(($# < 2 ? $# : 2))
targets=("$@")
((${#targets[@]})) || targets=(ir pipeline safetensors csv)
top=$(cd "$(dirname "$0")/.." && pwd)

if [[ ! -f $build/CMakeCache.txt ]]; then
  CC=clang-19 CXX=clang++-19 cmake -S "$top" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDLC_FUZZ=ON -DBUILD_TESTING=OFF \
    -DDLC_BUILD_BOARD=OFF
fi
cmake --build "$build" --target "${targets[@]/#/dlc-fuzz-}"

echo "fuzz: ${targets[*]} for ${seconds} s each, at once"
# Artifacts of earlier runs stay; this run's are the ones newer than this.
start="$build/fuzz.start"
touch "$start"
pids=()
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t" "$build/artifacts/$t"
  # The working corpus grows across runs; the seeds are read, not written.
  "$build/bin/dlc-fuzz-$t" -max_total_time="$seconds" -timeout=25 \
    -rss_limit_mb=4096 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$t/" \
    "$build/corpus/$t" "$top/test/fuzz/corpus/$t" \
    >"$build/fuzz-$t.log" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!targets[@]}"; do
  t=${targets[$i]}
  if wait "${pids[$i]}"; then result=ok; else result="FOUND A BUG"; status=1; fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz-$t.log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$build/fuzz-$t.log")
  cov=$(grep -o 'cov: [0-9]*' "$build/fuzz-$t.log" | tail -1)
  echo "fuzz: $t: $result, ${runs:-?} inputs (${rate:-?}/s), $cov," \
    "corpus $(ls "$build/corpus/$t" | wc -l) files, log $build/fuzz-$t.log"
  find "$build/artifacts/$t" -type f -newer "$start" | sed 's|^|  new: |'
done
exit $status
