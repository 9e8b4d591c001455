#!/usr/bin/env python3
"""End-to-end checks of dlc-tune (ctest), on a fresh --out directory.

  check_tune.py run OUT TRIALS -- DLC_TUNE ARGS...
      runs dlc-tune once: exactly TRIALS trials that did not fail, numbered
      0..TRIALS-1 once each, and the result files.
  check_tune.py resume OUT TRIALS -- DLC_TUNE ARGS...
      kills dlc-tune (SIGKILL) while its second trial runs, runs it again:
      the lost trial is failed and re-run, and the study still ends with
      exactly TRIALS trials that did not fail."""
import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time


def trials(out):
    with open(os.path.join(out, "trials.csv")) as f:
        return list(csv.DictReader(f))


def check(out, count):
    rows = trials(out)
    kept = [r for r in rows if r["state"] != "FAIL"]
    numbers = [int(r["number"]) for r in rows]
    if len(set(numbers)) != len(numbers):
        sys.exit(f"duplicate trial numbers: {numbers}")
    if len(kept) != count:
        sys.exit(f"expected {count} trials that did not fail, got {len(kept)}: {rows}")
    if any(r["state"] == "RUNNING" for r in rows):
        sys.exit("a trial is still RUNNING")
    best = json.load(open(os.path.join(out, "best_params.json")))
    history = json.load(open(os.path.join(out, "history.json")))
    if not 0.5 < best["val_auc"] <= 1 or len(history["trials"]) != len(rows):
        sys.exit(f"bad best_params.json or history.json: {best}")
    print(f"{len(rows)} trials ({len(kept)} kept), best val auc {best['val_auc']:.4f}")
    return rows


def running(db):
    """(trials running that recorded their process, trials finished)."""
    try:
        con = sqlite3.connect(db, timeout=30)
        n = con.execute(
            "select count(*) from trials t join trial_user_attrs a"
            " on a.trial_id = t.trial_id"
            " where t.state = 'RUNNING' and a.key = 'pid'").fetchone()[0]
        done = con.execute(
            "select count(*) from trials where state in"
            " ('COMPLETE', 'PRUNED', 'FAIL')").fetchone()[0]
        con.close()
        return n, done
    except sqlite3.Error:
        return 0, 0


def main():
    args = sys.argv[1:]
    split = args.index("--")
    mode, out, count = args[0], args[1], int(args[2])
    command = args[split + 1:]
    shutil.rmtree(out, ignore_errors=True)
    if mode == "run":
        status = subprocess.run(command).returncode
        if status != 0:
            sys.exit(f"dlc-tune exited with {status}")
        check(out, count)
        return
    # resume: kill during the second trial.
    process = subprocess.Popen(command)
    db = os.path.join(out, "study.db")
    deadline = time.time() + 300
    while time.time() < deadline:
        n, done = running(db) if os.path.exists(db) else (0, 0)
        if n == 1 and done >= 1:
            break
        if process.poll() is not None:
            sys.exit("dlc-tune ended before it could be killed")
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    status = subprocess.run(command).returncode
    if status != 0:
        sys.exit(f"the resumed dlc-tune exited with {status}")
    rows = check(out, count)
    failed = [r for r in rows if r["state"] == "FAIL"]
    if len(failed) != 1:
        sys.exit(f"expected the killed trial as the one FAIL, got {failed}")


if __name__ == "__main__":
    main()
