#!/usr/bin/env bash
# Trains every CTR model on its bundled data set with dlc-train and prints
# the README's table (test AUC and logloss, seconds per epoch, the compile
# time of the first step, the baselines). Each run starts with an empty
# kernel cache, so the compile times are what a first run sees.
#
#   scripts/ctr-table.sh [BUILD_DIR]        (after `make build`)
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
out="$build/ctr-table"
rm -rf "$out"
mkdir -p "$out"
criteo="criteo:$top/data/criteo-kaggle-sample"
movielens="movielens:$top/data/movielens-latest-small"

run() { # NAME MODEL DATA FLAGS...
  local name=$1 model=$2 data=$3
  shift 3
  echo "== dlc-train --model $model --data $data $*" >&2
  DLC_CACHE_DIR="$out/cache-$name" "$build/bin/dlc-train" --model "$model" \
    --data "$data" --out "$out/$name" --metrics-json "$out/$name.json" \
    --verbose 2 "$@" >&2
}

for model in fm deepfm fibinet dcn dcn-m; do
  run "$model-criteo" "$model" "$criteo" --epochs 10 --batch-size 256
  run "$model-movielens" "$model" "$movielens" --epochs 10
done
run din-movielens din "$movielens" --epochs 5 --patience 1
run dien-movielens dien "$movielens" --epochs 5 --patience 1
python3 "$top/tools/dlc-train/table.py" "$out"/*.json
