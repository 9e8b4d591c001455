#!/usr/bin/env python3
"""dlc-train on several processes: the checks of the distributed issue.

  dlc_train_distributed.py DLC_TRAIN MPIRUN DATA WORKDIR CHECK

CHECK is one of
  same-auc     mpirun -np 2 dlc-train --distributed reaches the validation and
               test AUC of one process (within 0.01; the step is the same
               global batch, summed in another order)
  resume       2 epochs, then --resume to 4: the history equals 4 epochs in
               one go, dropout included (one process, and again under
               mpirun -np 2)
  killed-rank  rank 1 killed with SIGKILL mid-training: mpirun ends the job
               with an error within 60 s (no hang)
  stopped-rank rank 1 stopped with SIGSTOP: rank 0's all-reduce gives up
               after DLC_DISTRIBUTED_TIMEOUT (5 s), says so and ends the job
  bad-input    a global batch that does not split over the processes, and a
               damaged OUT/last/state.json, end the job with their messages
"""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time

DLC_TRAIN, MPIRUN, DATA, WORK, CHECK = sys.argv[1:6]
MPI = [MPIRUN, "--allow-run-as-root", "--oversubscribe",
       "--mca", "btl", "self,vader", "-np", "2"]
ENV = dict(os.environ,
           OMPI_MCA_btl_vader_single_copy_mechanism="none",
           OMPI_MCA_mpi_yield_when_idle="1")


def train(out, *extra, mpi=False, epochs=4):
    command = ([*MPI] if mpi else []) + [
        DLC_TRAIN, "--model", "deepfm", "--data", DATA, "--epochs",
        str(epochs), "--patience", "-1", "--verbose", "2", "--threads", "1",
        "--workers", "1", "--out", out, "--metrics-json", out + ".json",
        *(["--distributed"] if mpi else []), *extra]
    result = subprocess.run(command, env=ENV, capture_output=True, text=True,
                            timeout=600)
    if result.returncode != 0:
        sys.exit(f"FAIL: {' '.join(command)} exited {result.returncode}\n"
                 f"{result.stdout}\n{result.stderr}")
    return result.stdout


def metrics(out):
    with open(out + ".json") as f:
        return json.load(f)


def history(out):
    with open(os.path.join(out, "history.csv")) as f:
        return list(csv.DictReader(f))


def fresh(name):
    path = os.path.join(WORK, name)
    shutil.rmtree(path, ignore_errors=True)
    if os.path.exists(path + ".json"):
        os.remove(path + ".json")
    return path


def check_same_auc():
    one, two = fresh("one"), fresh("two")
    train(one)
    output = train(two, mpi=True)
    assert "data parallel over 2 processes" in output, output
    a, b = metrics(one), metrics(two)
    assert b["processes"] == 2, b
    for split in ("valid", "test"):
        x, y = a[split]["auc"], b[split]["auc"]
        print(f"{split} auc: one process {x:.4f}, two processes {y:.4f}")
        assert abs(x - y) <= 0.01, (split, x, y)


def compare(straight, resumed, what):
    assert len(straight) == len(resumed) == 4, (straight, resumed)
    for s, r in zip(straight, resumed):
        for key in ("loss", "val_loss", "val_auc"):
            x, y = float(s[key]), float(r[key])
            assert abs(x - y) <= 1e-6 * max(1, abs(x)), (what, s, r, key)
    print(f"{what}: resumed history equals the uninterrupted one "
          f"(val_auc {float(resumed[-1]['val_auc']):.4f})")


def check_resume():
    for mpi in (False, True):
        tag = "-mpi" if mpi else ""
        straight, resumed = fresh("straight" + tag), fresh("resumed" + tag)
        # Dropout: the resumed run must draw what the uninterrupted one did.
        dropout = ("--dropout", "0.3")
        train(straight, *dropout, mpi=mpi)
        train(resumed, *dropout, mpi=mpi, epochs=2)
        output = train(resumed, *dropout, "--resume", mpi=mpi)
        assert "resuming after epoch 2" in output, output
        compare(history(straight), history(resumed),
                "two processes" if mpi else "one process")
    # Nothing saved yet: --resume starts from the first epoch.
    empty = fresh("empty")
    output = train(empty, "--resume", epochs=1)
    assert "nothing saved" in output, output


def ranks_of(mpirun):
    """The dlc-train processes mpirun started (its children)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline") as f:
                cmdline = f.read()
        except OSError:
            continue
        if int(fields[1]) == mpirun.pid and "dlc-train" in cmdline:
            found.append(int(pid))
    return sorted(found)


def check_signalled(sig, expect):
    out = fresh("signal")
    env = dict(ENV, DLC_DISTRIBUTED_TIMEOUT="5")
    command = [*MPI, DLC_TRAIN, "--distributed", "--model", "deepfm",
               "--data", DATA, "--epochs", "1000", "--patience", "-1",
               "--verbose", "2", "--threads", "1", "--workers", "1",
               "--out", out]
    job = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    # Wait for training to run: the first epoch's history file.
    deadline = time.time() + 120
    while not os.path.exists(os.path.join(out, "history.csv")):
        if time.time() > deadline or job.poll() is not None:
            job.kill()
            sys.exit("FAIL: the job did not start training\n" +
                     job.communicate()[0])
        time.sleep(0.2)
    ranks = ranks_of(job)
    assert len(ranks) == 2, ranks
    os.kill(ranks[1], sig)
    killed = time.time()
    try:
        output, _ = job.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        job.kill()
        for pid in ranks:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        sys.exit("FAIL: the job still ran 60 s after a rank was signalled")
    took = time.time() - killed
    print(f"job ended {took:.1f} s after the signal, exit {job.returncode}")
    assert job.returncode != 0, output
    assert expect in output, output
    print("message:", next(line for line in output.splitlines()
                           if expect in line))


def fails(command, expect):
    result = subprocess.run(command, env=ENV, capture_output=True, text=True,
                            timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert expect in output, output
    print("message:", next(line for line in output.splitlines()
                           if expect in line))


def check_bad_input():
    out = fresh("bad")
    base = [DLC_TRAIN, "--model", "deepfm", "--data", DATA, "--epochs", "1",
            "--verbose", "0", "--threads", "1", "--out", out]
    fails([*MPI, *base, "--distributed", "--batch-size", "1025"],
          "dlc-train: --batch-size 1025 does not split evenly over 2 "
          "processes")
    os.makedirs(os.path.join(out, "last"))
    with open(os.path.join(out, "last", "state.json"), "w") as f:
        f.write('{"epoch": 2')
    fails([*base, "--resume"],
          "dlc-train: --resume: " + out + "/last/state.json is not a state "
          "dlc-train wrote")


CHECKS = {
    "bad-input": check_bad_input,
    "same-auc": check_same_auc,
    "resume": check_resume,
    "killed-rank": lambda: check_signalled(signal.SIGKILL, "signal 9"),
    "stopped-rank": lambda: check_signalled(signal.SIGSTOP,
                                            "for the other processes"),
}

os.makedirs(WORK, exist_ok=True)
CHECKS[CHECK]()
print("PASS", CHECK)
