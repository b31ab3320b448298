"""Speed of model regeneration: the bench's training run vs a plain Keras fit of the same model.

Default (small): a synthetic corpus with ``--per-class 20``, the acoustic variant in the demo's
dimensions (``models/demo_dims.json``), 3 epochs. ``--full``: the demo model's own recipe
(``--per-class 100``, late fusion, 12 epochs, 20 keyword epochs, no augmentation), i.e. what
``scripts/make_demo_model.sh`` does before its ablation.

It runs ``bench-app corpus synth`` and ``python -m bench_app.training`` as child processes
(timed: wall time of each stage) and reads the training run's epoch events: windows/s is
training windows x epochs over the emotion stage's time. The reference is ``keras.Model.fit``
of the same model (`bench_app.training.models.build_model`) on the same windows for the same
epochs, without the bench's per-epoch augmentation, validation scoring and events; the ratio
says what the bench's pipeline costs.

Run: ``TF_ENABLE_ONEDNN_OPTS=0 .venv/bin/python benchmarks/train_speed.py [--full]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(cmd: list[str]) -> tuple[float, list[dict]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_ENABLE_ONEDNN_OPTS": "0"}
    t = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    took = time.monotonic() - t
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd[:4])} failed ({p.returncode}): {p.stdout[-400:]}")
    docs = [json.loads(x) for x in p.stdout.splitlines() if x.startswith("{")]
    return took, docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="the demo model's full recipe")
    args = ap.parse_args()
    per_class, variant, epochs, kws_epochs = (100, "late", 12, 20) if args.full else (
        20, "acoustic", 3, 1)  # fmt: skip
    dims = (ROOT / "models" / "demo_dims.json").read_text().replace("\n", "")
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="train-speed-") as tmp:
        corpus = Path(tmp) / "synth"
        t_synth, _ = _run([py, "-m", "bench_app", "corpus", "synth", "--out", str(corpus),
                           "--per-class", str(per_class)])  # fmt: skip
        t_train, docs = _run([py, "-m", "bench_app.training", "--corpus", f"synthetic:{corpus}",
                              "--variant", variant, "--epochs", str(epochs), "--kws-epochs",
                              str(kws_epochs), "--dims", dims, "--out", str(Path(tmp) / "m")]
                             + (["--no-augment"] if args.full else []))  # as the demo recipe
        start = next(d for d in docs if d["event"] == "start")
        emo = [d for d in docs if d["event"] == "epoch" and d["stage"] == "emotion"]
        bench_wps = start["train_windows"] * epochs / emo[-1]["elapsed_s"]
        card = docs[-1]["card"]
        ref_wps = _keras_reference(f"synthetic:{corpus}", variant, epochs, dims)
    print(f"corpus synth ({per_class} per class): {t_synth:.1f} s")
    print(f"training run ({variant}, {epochs} epochs, features + train + INT8 + checks + "
          f"export): {t_train:.1f} s wall")
    print(f"total regeneration: {t_synth + t_train:.1f} s")
    aug = "without" if args.full else "with"
    print(f"bench training: {bench_wps:.1f} windows/s ({start['train_windows']} windows x "
          f"{epochs} epochs, {aug} augmentation, with per-epoch validation)")
    print(f"plain Keras fit of the same model: {ref_wps:.1f} windows/s")
    print(f"ratio bench / plain Keras: {bench_wps / ref_wps:.2f}")
    print(f"model: {card['model']['verdict']}")


def _keras_reference(spec: str, variant: str, epochs: int, dims_json: str) -> float:
    """Windows/s of ``model.fit`` on the same windows (no keyword training: frozen random)."""
    import keras

    from bench_app.training.config import ModelDims, TrainConfig
    from bench_app.training.data import load_corpus
    from bench_app.training.models import build_model

    cfg = TrainConfig(variant=variant, dims=ModelDims.from_dict(json.loads(dims_json)))
    d = cfg.dims
    ds = load_corpus(spec, d.frames, d.channels)
    keras.utils.set_random_seed(0)
    model = build_model(cfg, len(ds.class_names))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    n = len(ds.x) // cfg.batch_size * cfg.batch_size
    model.fit(ds.x[:n], ds.y[:n], batch_size=cfg.batch_size, epochs=1, verbose=0)  # trace
    t = time.monotonic()
    model.fit(ds.x[:n], ds.y[:n], batch_size=cfg.batch_size, epochs=epochs, verbose=0)
    return n * epochs / (time.monotonic() - t)


if __name__ == "__main__":
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
