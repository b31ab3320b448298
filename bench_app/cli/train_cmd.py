"""`bench-app train`: train, quantize, check and export a model in a TensorFlow subprocess.

This module imports no TensorFlow: it starts ``python -m bench_app.training`` and reads its
JSON lines, drawing one progress line (or passing the lines through with ``--json``). The
training is stored as a ``train`` run in the run store (``--store``) and its model linked to
it (`bench_app.cli.train_run`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench_app.cli import train_ablation_cmd
from bench_app.cli.runs_cmd import add_store_option
from bench_app.cli.train_run import run_recorded
from bench_app.core.errors import BenchError
from bench_app.training.config import HRF_RATIOS, VARIANTS


class TrainError(BenchError):
    """The training run failed or was stopped."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``train`` command."""
    p = subparsers.add_parser("train", help="train, quantize (INT8), check and export a model")
    src = p.add_mutually_exclusive_group()  # one of them is required (checked in run)
    src.add_argument("--features", metavar="NPZ", help="features file (X, y, class_names)")
    src.add_argument("--corpus", metavar="KIND:DIR", help="corpus (synthetic:, iemocap:, csv:)")
    p.add_argument("--keywords", metavar="keywords:DIR", help="keyword corpus for the branch")
    p.add_argument("--variant", choices=VARIANTS, default="late")
    p.add_argument("--hrf", type=int, choices=HRF_RATIOS)
    p.add_argument("--ds-subsampling", action="store_true")
    p.add_argument("--pre-normalizer", action="store_true")
    p.add_argument("--no-augment", action="store_true", help="train without augmentation")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--kws-epochs", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dims", default="paper", help="paper, tiny or a JSON object of sizes")
    p.add_argument("--out", metavar="models/NAME", help="model folder to create (required)")
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("--json", action="store_true", help="print the run's JSON lines on stdout")
    add_store_option(p)  # the training is stored as a 'train' run; its model linked to it
    p.set_defaults(func=run)
    train_ablation_cmd.register(p.add_subparsers(dest="train_action", metavar="{ablation}"))


def run(args: argparse.Namespace) -> int:
    if not (args.features or args.corpus):
        raise TrainError("Name the training data: --corpus KIND:DIR or --features NPZ.")
    if not args.out:
        raise TrainError("Name the model folder to create: --out models/NAME.")
    if args.features and not Path(args.features).is_file():
        raise TrainError(f"The features file {args.features} does not exist.")
    cmd = [sys.executable, "-m", "bench_app.training", "--variant", args.variant,
           "--epochs", str(args.epochs), "--kws-epochs", str(args.kws_epochs),
           "--seed", str(args.seed), "--dims", args.dims, "--out", args.out]  # fmt: skip
    cmd += ["--features", args.features] if args.features else ["--corpus", args.corpus]
    for flag, on in (("--ds-subsampling", args.ds_subsampling),
                     ("--pre-normalizer", args.pre_normalizer), ("--overwrite", args.overwrite),
                     ("--no-augment", args.no_augment)):
        if on:
            cmd.append(flag)
    if args.keywords:
        cmd += ["--keywords", args.keywords]
    if args.hrf:
        cmd += ["--hrf", str(args.hrf)]
    last, status = run_recorded(args, cmd[3:], on_line=lambda doc: _show(doc, args.json))
    if status:
        return status
    if not args.json:
        print(f"\n{last['card']['model']['verdict']}", file=sys.stderr)
        print(last["out"])
    return 0


def _show(doc: dict, as_json: bool) -> None:
    """One JSON line of the training process: passed through, or drawn as a progress line."""
    if as_json:
        import json

        print(json.dumps(doc), flush=True)
    elif doc.get("event") == "epoch":
        print(f"\r{doc['stage']} epoch {doc['epoch']}/{doc['epochs']} loss "
              f"{doc['loss']:.3f} val loss {doc['val_loss']:.3f} val F1 "
              f"{doc['val_macro_f1']:.3f} ETA {doc['eta_s']:.0f} s   ", end="",
              file=sys.stderr, flush=True)  # fmt: skip
