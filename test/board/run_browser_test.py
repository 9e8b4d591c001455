#!/usr/bin/env python3
"""dlc-board end to end in headless Chromium.

Trains a small DeepFM with dlc-train and runs a small dlc-tune study, starts
dlc-board over both on a free port, asks its API for the prediction of one
example, then runs browser.test.mjs: the page must list the run, draw its
curves and the study's charts, and show that same prediction for the example
entered in its form. The screenshot is kept as the test's artifact. Finally
the server must exit cleanly on SIGTERM.

  run_browser_test.py --bin DIR --data DIR --modules DIR --work DIR
                      --screenshot PNG
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request


def run(command):
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True)


def main():
    parser = argparse.ArgumentParser()
    for flag in ("--bin", "--data", "--modules", "--work", "--screenshot",
                 "--test-script"):
        parser.add_argument(flag, required=True)
    a = parser.parse_args()

    if shutil.which(os.environ.get("CHROMIUM", "/usr/bin/chromium")) is None:
        print("dlc-board browser test: no Chromium at /usr/bin/chromium "
              "(scripts/bootstrap.sh installs it)")
        return 1

    shutil.rmtree(a.work, ignore_errors=True)
    runs, study = os.path.join(a.work, "runs"), os.path.join(a.work, "study")
    data = "criteo:" + a.data
    run([os.path.join(a.bin, "dlc-train"), "--model", "deepfm", "--data", data,
         "--epochs", "3", "--max-steps", "5", "--patience", "-1",
         "--out", os.path.join(runs, "deepfm"),
         "--metrics-json", os.path.join(runs, "deepfm.json"), "--verbose", "0"])
    run([os.path.join(a.bin, "dlc-tune"), "--model", "deepfm", "--data", data,
         "--epochs", "2", "--max-steps", "3", "--trials", "4",
         "--space", "lr=1e-3:1e-2:log,embed=4|8", "--out", study])

    board = subprocess.Popen(
        [os.path.join(a.bin, "dlc-board"), "--logdir", runs,
         "--storage", os.path.join(study, "study.db"),
         "--checkpoint", os.path.join(runs, "deepfm", "best.safetensors"),
         "--port", "0"],
        stdout=subprocess.PIPE, text=True)
    try:
        line = board.stdout.readline()
        print(line, end="", flush=True)
        prefix = "dlc-board: serving "
        if not line.startswith(prefix):
            print("dlc-board did not start")
            return 1
        url = line[len(prefix):].split()[0]
        # Loopback only: no proxy from the environment.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

        def api(path, body=None):
            request = urllib.request.Request(
                url + path, data=None if body is None else json.dumps(body).encode(),
                headers={"Content-Type": "application/json"})
            with opener.open(request, timeout=30) as response:
                return json.load(response)

        # What the page must show for the browser test's example: the first
        # categorical field set to its first suggested value.
        model = api("api/model")
        field = next(f for f in model["fields"] if f["kind"] == "categorical")
        expected = api("api/predict", {field["name"]: field["examples"][0]})
        print(f"API: {field['name']}={field['examples'][0]} -> "
              f"probability {expected['probability']:.6f}", flush=True)

        os.makedirs(os.path.dirname(os.path.abspath(a.screenshot)), exist_ok=True)
        run(["node", a.test_script, "--url", url, "--modules", a.modules,
             "--screenshot", a.screenshot,
             "--expect-probability", repr(expected["probability"])])
        print(f"screenshot: {a.screenshot}")
    finally:
        board.send_signal(signal.SIGTERM)
        try:
            code = board.wait(timeout=10)
        except subprocess.TimeoutExpired:
            board.kill()
            print("dlc-board did not exit within 10 s of SIGTERM")
            return 1
    if code != 0:
        print(f"dlc-board exited with {code} on SIGTERM")
        return 1
    print("dlc-board browser test: passed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as error:
        print(f"failed: {error}")
        sys.exit(1)
