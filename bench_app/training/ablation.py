"""``python -m bench_app.training.ablation``: paper 000's ablation table for one corpus.

The rows hold the paper's ablation (acoustic without augmentation -> with augmentation ->
augmentation + late fusion; early fusion) and complete it: every variant (acoustic, keyword,
early, late) with augmentation off and on, all on the same data, split, seed and model
dimensions, so each fusion is compared with each branch alone under the same training. Each row is a
float model trained from scratch and scored (macro and micro F1, scikit-learn) on the same
validation windows; the keyword backbone is trained once (seeded) and shared, frozen, by the
three variants that use it, as in the paper. No model is exported: the table is about the
variants, the exported model is `pipeline.run`'s.

stdout carries JSON lines as the training entry's (``start``, ``epoch``, ``row`` per variant,
``done`` with the table, or ``error`` / ``cancelled``). The table is written to
``OUT/ablation.json`` and ``OUT/ablation.md``; when ``OUT`` holds a model card
(``card.json``), the table is added to it under ``ablation``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time
from pathlib import Path

import numpy as np

from bench_app.core.errors import BenchError

from .__main__ import parse_dims, run_entry
from .config import Augmentation, TrainConfig

#: (variant, augmentation on) in the table's order.
ROWS = tuple((v, aug) for v in ("acoustic", "keyword", "early", "late") for aug in (False, True))
JSON_FILE = "ablation.json"
MD_FILE = "ablation.md"


def run_ablation(ds, cfg: TrainConfig, emit) -> dict:
    """Train every row of `ROWS` on ``ds``; return the table (rows with F1 scores)."""
    from .data import split
    from .evaluate import scores
    from .trainer import seed_everything, train_keyword_branch, train_model

    train, val = split(ds, cfg.val_fraction, cfg.seed)
    emit({"event": "start", "rows": [f"{v}{'' if a else ' (no aug)'}" for v, a in ROWS],
          "windows": len(ds.x), "train_windows": len(train), "val_windows": len(val),
          "classes": ds.class_names, "source": ds.source})  # fmt: skip
    seed_everything(cfg.seed)
    kws = train_keyword_branch(ds, train, cfg, np.random.default_rng(cfg.seed), emit)
    rows, t0 = [], time.monotonic()
    for variant, aug in ROWS:
        c = dataclasses.replace(cfg, variant=variant,
                                augmentation=dataclasses.replace(cfg.augmentation, enabled=aug))
        t = time.monotonic()
        model, _, _ = train_model(ds, train, val, c, emit, keyword_branch=kws)
        s = scores(ds.y[val], model.predict(ds.x[val], batch_size=64, verbose=0).argmax(axis=1),
                   ds.class_names)  # fmt: skip
        row = {"variant": variant, "augmentation": aug, "macro_f1": s["macro_f1"],
               "micro_f1": s["micro_f1"], "accuracy": s["accuracy"],
               "per_class_f1": s["per_class_f1"], "params": int(model.count_params()),
               "seconds": round(time.monotonic() - t, 1)}  # fmt: skip
        rows.append(row)
        emit({"event": "row", **row})
    return {"source": ds.source, "data_sha256": ds.sha256(), "classes": ds.class_names,
            "train_windows": int(len(train)), "val_windows": int(len(val)),
            "keyword_source": kws[1]["source"], "seed": cfg.seed, "epochs": cfg.epochs,
            "kws_epochs": cfg.kws_epochs, "dims": cfg.dims.to_dict(),
            "scored": "float models on the validation windows (split by clip, seeded)",
            "rows": rows, "seconds": round(time.monotonic() - t0, 1)}  # fmt: skip


def markdown(table: dict) -> str:
    """The table as Markdown (one line per variant), with what it was measured on."""
    lines = [f"Ablation on {table['source']} ({table['train_windows']} training / "
             f"{table['val_windows']} validation windows, seed {table['seed']}, "
             f"{table['epochs']} epochs; {table['scored']}).", "",
             "| variant | augmentation | macro F1 | micro F1 |", "|---|---|---|---|"]  # fmt: skip
    for r in table["rows"]:
        lines.append(f"| {r['variant']} | {'on' if r['augmentation'] else 'off'} | "
                     f"{r['macro_f1']:.3f} | {r['micro_f1']:.3f} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_table(out: Path, table: dict) -> None:
    """``ablation.json`` and ``ablation.md`` in ``out``; the table into its card if any."""
    from .export import CARD_FILE

    out.mkdir(parents=True, exist_ok=True)
    _write_atomic(out / JSON_FILE, json.dumps(table, indent=2) + "\n")
    _write_atomic(out / MD_FILE, markdown(table))
    card = out / CARD_FILE
    if card.is_file():
        doc = json.loads(card.read_text())
        doc["ablation"] = table
        _write_atomic(card, json.dumps(doc, indent=2) + "\n")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench_app.training.ablation",
                                description="Train the ablation's variants and print the table.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--features", metavar="NPZ")
    src.add_argument("--corpus", metavar="KIND:DIR")
    p.add_argument("--keywords", metavar="keywords:DIR")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--kws-epochs", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dims", default="paper")
    p.add_argument("--out", required=True, help="folder for ablation.json and ablation.md")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    target = Path(args.out)

    def make_config() -> TrainConfig:
        if not target.parent.is_dir():
            raise BenchError(f"Cannot write the ablation to {target}: the folder "
                             f"{target.parent} does not exist.")  # fmt: skip
        return TrainConfig(epochs=args.epochs, kws_epochs=args.kws_epochs, seed=args.seed,
                           dims=parse_dims(args.dims), augmentation=Augmentation())  # fmt: skip

    def work(ds, cfg: TrainConfig, emit) -> None:
        table = run_ablation(ds, cfg, emit)
        write_table(target, table)
        emit({"event": "done", "out": str(target), "table": table})

    return run_entry(args, make_config, work, "table")


if __name__ == "__main__":
    raise SystemExit(main())
