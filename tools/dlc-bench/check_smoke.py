#!/usr/bin/env python3
"""Checks the JSON of `dlc-bench [--suite models] --quick --json FILE`.

usage: check_smoke.py FILE [--torch]

Each workload must have its records at every thread count of the run, without
errors and with sane numbers (positive, min <= median <= max, GB/s or GFLOP/s
where they belong). With --torch (dlc-bench-torch was built) the LibTorch
records must be there too. Times are never compared: this is a smoke test.
"""

import json
import math
import sys

WORKLOADS = {
    # workload: (modes every run has, metric)
    "elementwise": (["dlc", "dlc-eager", "copy-loop"], "gbps"),
    "softmax": (["dlc", "dlc-eager", "copy-loop"], "gbps"),
    "layer_norm": (["dlc", "dlc-eager", "copy-loop"], "gbps"),
    "sum": (["dlc", "dlc-eager", "read-loop"], "gbps"),
    "matmul_1024": (["dlc", "dlc-eager"], "gflops"),
    "matmul_bias_relu": (["dlc", "dlc-eager"], "gflops"),
    "mlp_step": (["dlc", "dlc-eager"], None),
    "tiny_mlp_step": (["dlc", "dlc-eager"], None),
}
BLAS_MODES = ["onednn", "openblas"]
TORCH_MODES = ["torch", "torch-as-installed"]
COMPILE_MODES = ["per-kernel", "step-cold", "step-warm"]
MODELS = ["deepfm", "dcn", "fibinet", "din", "dien"]
# What every model record of the models suite carries.
MODEL_NUMBERS = ["samples_per_s", "first_step_ms", "peak_rss_mib"]
FIELDS = ["name", "mode", "threads", "median_ms", "min_ms", "max_ms"]


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    want_torch = "--torch" in argv[2:]
    with open(argv[1]) as f:
        data = json.load(f)

    problems = []
    records = data.get("records")
    if not isinstance(records, list) or not records:
        print("check_smoke: no records")
        return 1
    threads = data.get("threads") or []
    if not threads:
        problems.append("no thread counts")

    by_key = {}
    for r in records:
        missing = [k for k in FIELDS if k not in r]
        if missing:
            problems.append(f"record {r} lacks {missing}")
            continue
        key = (r["name"], r["mode"], r["threads"])
        if key in by_key:
            problems.append(f"two records for {key}")
        by_key[key] = r
        if "error" in r:
            problems.append(f"{key}: error: {r['error']}")
            continue
        lo, mid, hi = r["min_ms"], r["median_ms"], r["max_ms"]
        if not all(isinstance(v, (int, float)) and math.isfinite(v)
                   for v in (lo, mid, hi)):
            problems.append(f"{key}: times are not numbers: {lo} {mid} {hi}")
        elif not (0 <= lo <= mid <= hi):
            problems.append(f"{key}: not 0 <= min <= median <= max: "
                            f"{lo} {mid} {hi}")

    def need(name, mode, t, metric=None):
        r = by_key.get((name, mode, t))
        if r is None:
            problems.append(f"missing record {name} / {mode} / {t} threads")
            return
        if metric and "error" not in r:
            v = r.get(metric)
            if not isinstance(v, (int, float)) or not v > 0:
                problems.append(f"{name} / {mode} / {t}: no positive {metric}")

    models = data.get("suite") == "models"
    for name in MODELS if models else []:
        for t in threads:
            modes = ["dlc", "dlc-eager"] + (["torch"] if want_torch else [])
            for mode in modes:
                for number in MODEL_NUMBERS:
                    need(name, mode, t, number)
            need(name, "dlc", t, "compile_ms")
    for name, (modes, metric) in [] if models else WORKLOADS.items():
        for t in threads:
            for mode in modes:
                need(name, mode, t, metric)
            if metric == "gflops":
                blas = [m for m in BLAS_MODES if (name, m, t) in by_key]
                if not blas:
                    problems.append(f"{name} / {t}: no BLAS baseline")
                for mode in blas:
                    need(name, mode, t, metric)
            if want_torch:
                for mode in TORCH_MODES:
                    need(name, mode, t, metric)
    if threads and not models:
        for mode in COMPILE_MODES:
            need("compile", mode, threads[0])

    targets = data.get("targets")
    if not isinstance(targets, list) or not targets:
        problems.append("no targets")
    else:
        for t in targets:
            if t.get("status") not in ("holds", "misses", "n/a"):
                problems.append(f"target with a bad status: {t}")
    if want_torch and not data.get("torch_built"):
        problems.append("dlc-bench-torch was built but not run")

    for p in problems:
        print("check_smoke:", p)
    if problems:
        return 1
    print(f"check_smoke: {len(records)} records ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
