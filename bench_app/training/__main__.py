"""``python -m bench_app.training``: one training run as a process printing JSON lines.

stdout carries only JSON lines (``skipped`` for each corpus item left out, ``start``,
``epoch`` with loss, val loss, val macro F1 and ETA, ``stage``, ``note``, then ``done`` with
the model card, or ``error`` with one sentence, or
``cancelled``); everything TensorFlow prints goes to stderr. Exit status: 0 done, 2 a
`BenchError` (bad data, bad option, target exists), 130 / 143 interrupted / terminated (no
model folder is left behind: `export.staging_folder`).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from bench_app.core.errors import BenchError, ConfigError

from .config import HRF_RATIOS, VARIANTS, Augmentation, ModelDims, TrainConfig


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench_app.training",
                                description="Train, quantize, check and export one model.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--features", metavar="NPZ", help="features file (see training.data)")
    src.add_argument("--corpus", metavar="KIND:DIR", help="corpus through bench_app.core.corpora")
    p.add_argument("--keywords", metavar="keywords:DIR",
                   help="keyword corpus for the keyword branch (default: a synthetic corpus's own)")
    p.add_argument("--variant", choices=VARIANTS, default="late")
    p.add_argument("--hrf", type=int, choices=HRF_RATIOS, help="train FFN linears expanded")
    p.add_argument("--hrf-qkv", action="store_true", help="with --hrf: Q, K, V linears too")
    p.add_argument("--ds-subsampling", action="store_true")
    p.add_argument("--pre-normalizer", action="store_true")
    p.add_argument("--no-augment", action="store_true")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--kws-epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dims", default="paper", help="paper, tiny, or a JSON object of ModelDims")
    p.add_argument("--out", required=True, help="model folder to create (models/NAME)")
    p.add_argument("--overwrite", action="store_true")
    return p


def parse_dims(text: str) -> ModelDims:
    """``paper``, ``tiny`` or a JSON object of `ModelDims` fields."""
    if text == "paper":
        return ModelDims()
    if text == "tiny":
        return ModelDims.tiny()
    try:
        return ModelDims.from_dict(json.loads(text))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"--dims must be paper, tiny or a JSON object ({exc}).") from None


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(
        variant=args.variant, hrf_ratio=args.hrf, hrf_qkv=args.hrf_qkv,
        ds_subsampling=args.ds_subsampling, pre_normalizer=args.pre_normalizer,
        epochs=args.epochs, kws_epochs=args.kws_epochs, batch_size=args.batch_size,
        seed=args.seed, dims=parse_dims(args.dims),
        augmentation=Augmentation(enabled=not args.no_augment),
    )  # fmt: skip


def _json_channel():
    """A private copy of stdout for JSON lines; fd 1 then points at stderr (TF's chatter)."""
    sys.stdout.flush()
    fd = os.dup(1)
    os.dup2(2, 1)
    return os.fdopen(fd, "w", buffering=1)


def _on_sigterm(signum, frame):
    raise SystemExit(143)


def run_entry(args: argparse.Namespace, make_config: Callable[[], TrainConfig],
              work: Callable[[Any, TrainConfig, Callable[[dict], None]], None],
              product: str) -> int:
    """What both training subprocesses (this one and ``training.ablation``) do around their
    ``work``: JSON lines on a private stdout, SIGTERM as exit 143, the data loaded (``args``'
    ``--features`` / ``--corpus`` / ``--keywords``) with each skipped item said, and every end
    one JSON line: ``error`` (exit 2), ``cancelled`` (130 / 143, naming the ``product`` that
    was not written) or whatever ``work`` emitted last (exit 0)."""
    out = _json_channel()

    def emit(doc: dict) -> None:
        out.write(json.dumps(doc) + "\n")
        out.flush()

    signal.signal(signal.SIGTERM, _on_sigterm)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # oneDNN's CPU kernels crash on a retraced batch size (see trainer.full_batches) and
    # reorder float sums between runs; the reference kernels are deterministic.
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    try:
        cfg = make_config()
        from . import data

        d = cfg.dims
        ds = (data.load_npz(args.features, d.frames, d.channels) if args.features
              else data.load_corpus(args.corpus, d.frames, d.channels, d.kws_frames,
                                    args.keywords))  # fmt: skip
        for problem in ds.problems:
            emit({"event": "skipped", "message": problem})
        work(ds, cfg, emit)
    except BenchError as exc:
        emit({"event": "error", "message": str(exc)})
        return 2
    except KeyboardInterrupt:
        emit({"event": "cancelled", "message": f"interrupted; no {product} was written"})
        return 130
    except SystemExit as exc:
        if exc.code == 143:
            emit({"event": "cancelled", "message": f"terminated; no {product} was written"})
        raise
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def work(ds, cfg: TrainConfig, emit) -> None:
        from .pipeline import run

        run(ds, cfg, args.out, emit, overwrite=args.overwrite)

    return run_entry(args, lambda: config_from_args(args), work, "model folder")


if __name__ == "__main__":
    raise SystemExit(main())
