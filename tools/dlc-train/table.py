#!/usr/bin/env python3
"""Prints dlc-train --metrics-json files as the README's Markdown table.

s/epoch and samples/s are the means over the epochs after the first (the
first one compiles the step; its compile time is a column of its own):
s/epoch is a whole epoch with validation, samples/s the training steps."""
import json
import sys

ORDER = ["fm", "deepfm", "fibinet", "dcn", "dcn-m", "din", "dien"]


def main():
    runs = []
    for path in sys.argv[1:]:
        with open(path) as f:
            runs.append(json.load(f))
    runs.sort(key=lambda m: (m["data"].split(":")[0] != "criteo",
                             ORDER.index(m["model"])))
    print("| model | data | rows train/val/test | epochs (best) | test AUC | "
          "test logloss | s/epoch | train samples/s | first-step compile | "
          "constant logloss | item popularity AUC | best column's click rate AUC |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for m in runs:
        kind = m["data"].split(":")[0]
        if kind == "movielens":
            kind = ("MovieLens sequences" if m["model"] in ("din", "dien")
                    else "MovieLens CTR")
        else:
            kind = "Criteo sample"
        epochs = m["timings"]["epochs"]
        # Steady-state throughput: the epochs after the first (which compiles).
        steady = epochs[1:] or epochs
        rate = sum(e["samples_per_second"] for e in steady) / len(steady)
        seconds = sum(e["seconds"] for e in steady) / len(steady)
        pop = m["baselines"].get("item_popularity", {}).get("auc")
        column = m["baselines"].get("best_column_click_rate")
        rows = m["rows"]
        print(f"| {m['model']} | {kind} | {rows['train']:,}/{rows['valid']:,}/"
              f"{rows['test']:,} | {m['epochs_run']} ({m['best_epoch']}) | "
              f"{m['test']['auc']:.4f} | {m['test']['logloss']:.4f} | "
              f"{seconds:.2f} | {rate:,.0f} | "
              f"{m['timings']['first_step_compile_seconds']:.2f} s | "
              f"{m['baselines']['constant']['logloss']:.4f} | "
              + (f"{pop:.4f}" if pop is not None else "–") + " | "
              + (f"{column['auc']:.4f} ({column['column']})" if column
                 else "–") + " |")


if __name__ == "__main__":
    main()
