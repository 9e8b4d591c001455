#!/usr/bin/env bash
# The main job of `make demo`: dlc-train trains DeepFM on the bundled Criteo
# sample and DIN on behaviour sequences built from the bundled MovieLens
# ratings, each with fit() (progress, per-epoch metrics, early stopping on
# validation AUC, the best checkpoint, a TensorBoard log), then prints the
# final test metrics of both against the baselines, and the dlc-board
# command that shows both runs and serves the DIN model's predictions.
# `make tour` shows the compiler's passes on one step instead.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
runs="$build/demo"
mkdir -p "$runs"

train() { # NAME FLAGS...
  local name=$1
  shift
  echo
  echo "== dlc-train $*"
  echo
  "$build/bin/dlc-train" "$@" --out "$runs/$name" \
    --metrics-json "$runs/$name.json"
}

train deepfm-criteo --model deepfm \
  --data "criteo:$top/data/criteo-kaggle-sample" --epochs 10 --batch-size 256
train din-movielens --model din \
  --data "movielens:$top/data/movielens-latest-small" --epochs 2

echo
echo "== the final metrics (test split; constant = the training click rate for every row)"
python3 - "$runs/deepfm-criteo.json" "$runs/din-movielens.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    m = json.load(open(path))
    t, b = m["test"], m["baselines"]
    line = (f"{m['model']:>7} on {m['data'].split(':')[0]:<9}: test auc {t['auc']:.4f}, "
            f"logloss {t['logloss']:.4f} (constant: logloss {b['constant']['logloss']:.4f}")
    if "item_popularity" in b:
        line += f"; item popularity: auc {b['item_popularity']['auc']:.4f}"
    if "best_column_click_rate" in b:
        c = b["best_column_click_rate"]
        line += f"; click rate of {c['column']}: auc {c['auc']:.4f}"
    line += (f"); best epoch {m['best_epoch']} of {m['epochs_run']}, "
             f"first step compiled in {m['timings']['first_step_compile_seconds']:.1f} s")
    print(line)
PY
echo
echo "checkpoints, TensorBoard logs and histories: $runs/"
echo
echo "== look at both runs' curves and score examples with the DIN checkpoint in a browser:"
echo
runsAbs=$(cd "$runs" && pwd)
echo "  $(cd "$build/bin" && pwd)/dlc-board --logdir $runsAbs \\"
echo "      --checkpoint $runsAbs/din-movielens/best.safetensors --port 8080"
echo
echo "  then open http://127.0.0.1:8080/"
