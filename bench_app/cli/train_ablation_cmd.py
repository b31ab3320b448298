"""`bench-app train ablation`: the paper's ablation table for a corpus, in a TensorFlow child.

This module imports no TensorFlow (nor `bench_app.training`): it starts
``python -m bench_app.training.ablation``, shows each variant's progress, then prints the table
(macro and micro F1 per variant) that the child also wrote to ``OUT/ablation.json`` and
``OUT/ablation.md``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from bench_app.core.errors import BenchError


class AblationError(BenchError):
    """The ablation run failed or was stopped."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``ablation`` under ``bench-app train``."""
    p = subparsers.add_parser("ablation", help="train the ablation's variants, print the table",
                              description="Train acoustic-only (without and with augmentation), "
                              "keyword-only, early and late fusion (without and with "
                              "augmentation) on the same split and print macro / micro F1.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--features", metavar="NPZ", help="features file (X, y, class_names)")
    src.add_argument("--corpus", metavar="KIND:DIR", help="corpus (synthetic:, iemocap:, csv:)")
    p.add_argument("--keywords", metavar="keywords:DIR", help="keyword corpus for the branch")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--kws-epochs", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dims", default="paper", help="paper, tiny or a JSON object of sizes")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="folder for ablation.json and ablation.md (a model folder's card "
                   "gets the table too)")
    p.add_argument("--json", action="store_true", help="print the run's JSON lines on stdout")
    p.set_defaults(func=run)


def table_text(table: dict) -> str:
    """The table as aligned text."""
    lines = [f"{'variant':<10} {'augmentation':<13} {'macro F1':>8} {'micro F1':>8}"]
    for r in table["rows"]:
        lines.append(f"{r['variant']:<10} {'on' if r['augmentation'] else 'off':<13} "
                     f"{r['macro_f1']:>8.3f} {r['micro_f1']:>8.3f}")  # fmt: skip
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    cmd = [sys.executable, "-m", "bench_app.training.ablation", "--epochs", str(args.epochs),
           "--kws-epochs", str(args.kws_epochs), "--seed", str(args.seed), "--dims", args.dims,
           "--out", args.out]  # fmt: skip
    cmd += ["--features", args.features] if args.features else ["--corpus", args.corpus]
    if args.keywords:
        cmd += ["--keywords", args.keywords]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    last: dict = {}
    rows: list[str] = []  # the table's rows in training order (the start event lists them)
    done_rows = 0
    try:
        for line in proc.stdout:
            doc = json.loads(line)
            last = doc
            if args.json:
                print(line, end="", flush=True)
            elif doc["event"] == "start":
                rows = list(doc.get("rows", []))
            elif doc["event"] == "epoch":
                label = ("keyword backbone" if doc["stage"] == "keyword" or done_rows >= len(rows)
                         else rows[done_rows])
                print(f"\r{label} epoch {doc['epoch']}/{doc['epochs']} "
                      f"val F1 {doc['val_macro_f1']:.3f}   ", end="", file=sys.stderr,
                      flush=True)  # fmt: skip
            elif doc["event"] == "row":
                done_rows += 1
                print(f"\r{doc['variant']} (augmentation {'on' if doc['augmentation'] else 'off'})"
                      f": macro F1 {doc['macro_f1']:.3f}, micro F1 {doc['micro_f1']:.3f}      ",
                      file=sys.stderr, flush=True)  # fmt: skip
            elif doc["event"] == "skipped":
                print(f"skipped: {doc['message']}", file=sys.stderr)
    finally:
        rc = proc.wait()
    if last.get("event") == "error":
        raise AblationError(last["message"])
    if rc < 0:
        raise AblationError(f"The ablation was killed (signal {-rc}); no table was written.")
    if rc != 0 or last.get("event") != "done":
        raise AblationError(f"The ablation stopped with status {rc}; no table was written.")
    if not args.json:
        print(table_text(last["table"]))
    return 0
