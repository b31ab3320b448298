"""One training run end to end: train, merge HRF, quantize, check, export with a card.

Nothing is written under the target folder until the INT8 model exists; the checks (TFLM load
and smallest arena, TFLM vs LiteRT, float vs INT8 scores) run on the file in the staging
folder, which becomes ``models/NAME`` only when the card is written (`export`).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from . import card as cards
from .config import TrainConfig
from .data import Dataset, split
from .evaluate import float_vs_int8, litert_invoke, quantize_input, runtime_agreement
from .export import (
    CARD_FILE,
    HEADER_FILE,
    MODEL_FILE,
    check_target,
    remove_stale_staging,
    staging_folder,
    write_header_and_card,
)  # fmt: skip
from .merge import deployable_model
from .quantize import (
    convert_int8,
    float_tensors,
    io_quantization,
    op_names,
    representative_windows,
)  # fmt: skip
from .tflm_adapter import TflmModel
from .trainer import Emit, train_model


def run(ds: Dataset, cfg: TrainConfig, out: Path, emit: Emit, overwrite: bool = False) -> dict:
    """Train ``cfg`` on ``ds`` and export to ``out``; return the model card."""
    out = check_target(Path(out), overwrite)
    for name in remove_stale_staging(out.parent):
        emit({"event": "note", "message": f"removed {name}, left by a killed run"})
    t0 = time.monotonic()
    train, val = split(ds, cfg.val_fraction, cfg.seed)
    emit({"event": "start", "variant": cfg.variant, "windows": len(ds.x),
          "train_windows": len(train), "val_windows": len(val), "epochs": cfg.epochs,
          "classes": ds.class_names, "source": ds.source})  # fmt: skip
    model, history, kws = train_model(ds, train, val, cfg, emit)
    n = len(ds.class_names)

    emit({"event": "stage", "stage": "merge and quantize"})
    deploy = deployable_model(model, cfg, n)
    x_val, y_val = ds.x[val], ds.y[val]
    float_out = model.predict(x_val, batch_size=64, verbose=0)
    merged_out = np.concatenate([deploy(x_val[i : i + 1], training=False).numpy()
                                 for i in range(len(x_val))])  # fmt: skip
    merge_diff = float(np.abs(float_out - merged_out).max())
    tflite = convert_int8(deploy, representative_windows(ds.x[train], cfg.calibration_windows,
                                                         cfg.seed))  # fmt: skip
    io = io_quantization(tflite)

    with staging_folder(out, overwrite) as stage:
        (stage / MODEL_FILE).write_bytes(tflite)
        emit({"event": "stage", "stage": "check"})
        tflm = TflmModel(stage / MODEL_FILE)
        x_q = quantize_input(x_val, io["input"]["scale"], io["input"]["zero_point"])
        tflm_out = tflm.invoke(x_q)
        lite_out = litert_invoke(tflite, x_q)
        card = _card(out.name, ds, cfg, train, val, tflite, tflm.arena_size, io, model, deploy,
                     history, kws, merge_diff, time.monotonic() - t0)  # fmt: skip
        card["metrics"]["float_vs_int8"] = float_vs_int8(
            y_val, float_out.argmax(axis=1), tflm_out.argmax(axis=1), ds.class_names)
        card["metrics"]["tflm_vs_litert"] = runtime_agreement(tflm_out, lite_out)
        card["check"] = _board_check(stage / MODEL_FILE, x_q, emit)
        write_header_and_card(stage, tflite, out.name, card)
    emit({"event": "done", "out": str(out), "card": card})
    return card


def _board_check(path: Path, x_q: np.ndarray, emit: Emit) -> dict:
    """`bench-app model check` on the exported file (no TF): findings, Edge TPU report.

    Each finding is also emitted as a note, so the CLI and the window show it.
    """
    from bench_app.core.model.check import check_model

    check = check_model(path, inputs=x_q[:8] if len(x_q) else None)
    for finding in check.findings:
        emit({"event": "note", "message": finding})
    doc = check.to_json()
    return {k: doc[k] for k in ("ok", "findings", "notes", "edgetpu", "tflm_vs_litert")}


def _card(name, ds, cfg, train, val, tflite, arena, io, model, deploy, history, kws, merge_diff,
          seconds) -> dict:  # fmt: skip
    import hashlib

    return {
        "format": cards.CARD_FORMAT,
        "name": name,
        "untrained": False,
        # top-level keys the core's card reader takes (bench_app.core.model.card)
        "file": MODEL_FILE,
        "sha256": hashlib.sha256(tflite).hexdigest(),
        "size_bytes": len(tflite),
        "arena_bytes": arena,
        "description": (f"{cfg.variant} model trained by bench-app on {_what(ds.source)} "
                        f"({len(train)} training windows, {len(val)} validation windows)."),
        "files": {"tflite": MODEL_FILE, "header": HEADER_FILE, "card": CARD_FILE},
        "model": {
            "sha256": hashlib.sha256(tflite).hexdigest(),
            "size_bytes": len(tflite),
            **cards.size_verdict(len(tflite), arena),
            "ops": op_names(tflite),
            "float_tensors": len(float_tensors(tflite)),
            "io": io,
            "params_deployed": int(deploy.count_params()),
            "params_trained": int(model.count_params()),
            "hrf_merge_max_abs_diff": merge_diff,
        },
        "frontend_config": ds.frontend,
        "class_names": ds.class_names,
        "data": {"source": ds.source, "sha256": ds.sha256(), "windows": int(len(ds.x)),
                 "train_windows": int(len(train)), "val_windows": int(len(val)),
                 "split": "by clip, seeded, per class"},  # fmt: skip
        "config_sha256": cards.config_sha256(cfg),
        "training": cfg.to_dict(),
        "seed": cfg.seed,
        "keyword_branch": kws,
        "metrics": {"history": history},
        "train_seconds": round(seconds, 1),
        "versions": cards.versions(),
    }


def _what(source: str) -> str:
    """The training data in words; synthetic speech is said plainly to be synthetic."""
    if source.startswith("synthetic:"):
        return ("synthetic espeak-ng speech from `bench-app corpus synth` (prosody styled per "
                "class, lines opening and closing with a keyword the class leans to; not "
                "IEMOCAP, not a benchmark of emotion recognition)")
    return source
