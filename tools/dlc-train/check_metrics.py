#!/usr/bin/env python3
"""Checks a dlc-train --metrics-json file: every section is there, the test
AUC reaches a floor and the test logloss beats the constant predictor's.

  check_metrics.py METRICS.json AUC_FLOOR
  check_metrics.py METRICS.json AUC_FLOOR -- DLC_TRAIN ARGS...

The second form runs dlc-train first (the ctest end-to-end tests), which
must write METRICS.json."""
import json
import math
import subprocess
import sys


def check(path, floor):
    with open(path) as f:
        m = json.load(f)
    for key in ("model", "data", "rows", "train", "valid", "test", "baselines",
                "timings", "compiler"):
        if key not in m:
            sys.exit(f"{path}: no '{key}'")
    auc, logloss = m["test"]["auc"], m["test"]["logloss"]
    constant = m["baselines"]["constant"]["logloss"]
    compile_s = m["timings"]["first_step_compile_seconds"]
    print(f"{m['model']} on {m['data']}: test auc {auc:.4f} (floor {floor}), "
          f"logloss {logloss:.4f} (constant predictor {constant:.4f}), "
          f"first step compiled in {compile_s:.2f} s")
    if not math.isfinite(auc) or auc < floor:
        sys.exit(f"test auc {auc} is below the floor {floor}")
    if not logloss < constant:
        sys.exit(f"test logloss {logloss} does not beat the constant "
                 f"predictor's {constant}")
    if not m["timings"]["epochs"] or m["compiler"]["cache_misses"] <= 0:
        sys.exit("no epochs or no compiled programs recorded")


def main():
    args = sys.argv[1:]
    command = []
    if "--" in args:
        command = args[args.index("--") + 1:]
        args = args[:args.index("--")]
    if len(args) != 2:
        sys.exit(__doc__)
    if command:
        status = subprocess.run(command).returncode
        if status != 0:
            sys.exit(f"{' '.join(command)}: exit status {status}")
    check(args[0], float(args[1]))


if __name__ == "__main__":
    main()
