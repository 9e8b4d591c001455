#!/usr/bin/env python3
"""Determinism: the same seeded dlc-train run, twice, in two processes.

Each run gets an empty kernel cache and DLC_DUMP_IR, so every graph is
compiled in both. The two runs must agree byte for byte on:
  - the IR of every graph as recorded (<graph>.mlir) and its kernels as
    LLVM IR and assembly (<graph>.kernels.*), from DLC_DUMP_IR;
  - the compiled programs in the disk cache (plan and object code);
  - the training history (every loss and metric, per epoch) and the best
    checkpoint.

  run_twice.py WORK -- DLC-TRAIN ARGS...
"""
import filecmp
import os
import shutil
import subprocess
import sys


def files(root):
    out = {}
    for base, _, names in os.walk(root):
        for name in names:
            path = os.path.join(base, name)
            out[os.path.relpath(path, root)] = path
    return out


def main():
    work, command = sys.argv[1], sys.argv[3:]
    assert sys.argv[2] == "--"
    shutil.rmtree(work, ignore_errors=True)
    runs = []
    for name in ("a", "b"):
        run = os.path.join(work, name)
        env = dict(os.environ, DLC_CACHE_DIR=os.path.join(run, "cache"),
                   DLC_DUMP_IR=os.path.join(run, "ir"))
        subprocess.run(command + ["--out", os.path.join(run, "out"),
                                  "--verbose", "0"], env=env, check=True)
        runs.append(run)

    failures = []
    compared = {}
    for part in ("ir", "cache", "out"):
        a, b = files(os.path.join(runs[0], part)), files(os.path.join(runs[1], part))
        if part == "out":
            # TensorBoard files are named by time and host, and hold times.
            a = {k: v for k, v in a.items() if "tfevents" not in k}
            b = {k: v for k, v in b.items() if "tfevents" not in k}
        if sorted(a) != sorted(b):
            failures.append(f"{part}: the runs wrote different files: "
                            f"{sorted(set(a) ^ set(b))[:5]}")
            continue
        for rel in sorted(a):
            if not filecmp.cmp(a[rel], b[rel], shallow=False):
                failures.append(f"{part}/{rel} differs")
        compared[part] = len(a)
    if not compared.get("ir") or not compared.get("cache"):
        failures.append(f"nothing to compare: {compared}")
    for line in failures:
        print("NOT DETERMINISTIC:", line)
    if failures:
        return 1
    print("deterministic: " + ", ".join(f"{n} {p} files" for p, n in compared.items())
          + " identical in two runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
