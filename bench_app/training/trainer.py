"""The training loops: the keyword branch alone (then frozen), then the emotion model.

Each epoch redraws the augmentation and the order from one seeded generator and runs one
Keras ``fit`` epoch, so the loop can report after every epoch (``emit``) and stays
deterministic: `seed_everything` seeds Python, numpy and TensorFlow and turns on TensorFlow's
op determinism. The loss is cross-entropy weighted per class (scikit-learn's "balanced"
weights: n / (classes * count)), as the paper's weighted cross-entropy.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf
from sklearn.utils.class_weight import compute_class_weight

from .augment import augment_batch
from .config import TrainConfig
from .data import Dataset
from .evaluate import scores
from .models import build_model, keyword_backbone, keyword_classifier

Emit = Callable[[dict], None]


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and TF, and make TF's kernels deterministic."""
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def class_weights(y: np.ndarray, n_classes: int) -> dict[int, float]:
    """Balanced class weights over the classes present (absent classes weigh 1)."""
    present = np.unique(y)
    w = compute_class_weight("balanced", classes=present, y=y)
    out = {c: 1.0 for c in range(n_classes)}
    out.update({int(c): float(v) for c, v in zip(present, w, strict=True)})
    return out


def full_batches(order: np.ndarray, batch_size: int) -> np.ndarray:
    """``order`` wrapped round to a whole number of batches (at least one).

    A last, smaller batch retraces the step with another batch size, and TF 2.21's oneDNN
    kernels then crash (SIGSEGV / SIGABRT, seen with 29 windows in batches of 16); whole
    batches avoid the retrace. The entry also turns oneDNN off (TF_ENABLE_ONEDNN_OPTS=0).
    """
    n = max(1, -(-len(order) // batch_size)) * batch_size
    return np.resize(order, n)


def optimizer(cfg: TrainConfig, n_windows: int, epochs: int) -> keras.optimizers.Optimizer:
    """Adam with a linear warm-up (one epoch, at most a tenth of the run), cosine decay to
    zero and gradient clipping.

    A post-LN transformer trained from scratch at a constant 1e-3 collapsed to one class on
    the demo corpus (measured: val macro F1 0.04 after 20 epochs; 3e-4 constant learned but
    swung between 0.37 and 0.77 from one epoch to the next); warm-up avoids the early
    collapse and the decay lets the last epoch settle, so the exported weights are not an
    arbitrary point of a noisy walk.
    """
    steps_per_epoch = max(1, -(-n_windows // cfg.batch_size))
    total = steps_per_epoch * epochs
    warmup = min(steps_per_epoch, max(1, total // 10))
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, decay_steps=max(1, total - warmup), warmup_target=cfg.learning_rate,
        warmup_steps=warmup)  # fmt: skip
    return keras.optimizers.Adam(schedule, clipnorm=1.0)


def _fit_epochs(model, x, y, x_val, y_val, names, epochs, cfg, rng, emit, stage) -> list[dict]:
    """Run ``epochs`` epochs, emitting one event per epoch; return the history."""
    cw = class_weights(y, len(names))
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    history, t0 = [], time.monotonic()
    for epoch in range(1, epochs + 1):
        xa = augment_batch(x, cfg.augmentation, rng)
        order = full_batches(rng.permutation(len(xa)), cfg.batch_size)
        h = model.fit(xa[order], y[order], batch_size=cfg.batch_size, epochs=1, shuffle=False,
                      class_weight=cw, verbose=0)  # fmt: skip
        p = model.predict(x_val, batch_size=64, verbose=0)
        val = scores(y_val, p.argmax(axis=1), names)
        elapsed = time.monotonic() - t0
        rec = {
            "event": "epoch", "stage": stage, "epoch": epoch, "epochs": epochs,
            "loss": float(h.history["loss"][-1]),
            "val_loss": float(loss_fn(y_val, p)),
            "val_accuracy": val["accuracy"], "val_macro_f1": val["macro_f1"],
            "elapsed_s": round(elapsed, 2),
            "eta_s": round(elapsed / epoch * (epochs - epoch), 1),
        }  # fmt: skip
        history.append(rec)
        emit(rec)
    return history


def _keyword_data(ds: Dataset, train: np.ndarray, kws_frames: int):
    """The keyword set as it is (at most ``kws_frames`` frames), or the emotion windows.

    Keyword windows are not padded to ``kws_frames``: padded with silence, a 1 s keyword is a
    fifth of the window and the branch learned nothing (measured: val macro F1 0.08 on 8
    keywords, chance); the backbone takes any length, so it learns on the keyword's own frames.
    """
    if ds.kw_x is not None:
        x, y, names, source = ds.kw_x, ds.kw_y, ds.kw_names, "keyword set"
    else:
        x, y, names = ds.x[train], ds.y[train], ds.class_names
        source = "emotion training windows (no keyword set given)"
    return x[:, :kws_frames], y, names, source


def train_keyword_branch(ds: Dataset, train: np.ndarray, cfg: TrainConfig, rng, emit):
    """Train the DSResNet-SE backbone as a keyword classifier; return it frozen, and a summary."""
    x, y, names, source = _keyword_data(ds, train, cfg.dims.kws_frames)
    backbone = keyword_backbone(cfg)
    clf = keyword_classifier(backbone, len(names))
    kcfg = dataclasses.replace(cfg, learning_rate=cfg.kws_learning_rate)
    clf.compile(optimizer=optimizer(kcfg, len(x) - max(1, len(x) // 5), cfg.kws_epochs),
                loss="sparse_categorical_crossentropy")  # fmt: skip
    idx = rng.permutation(len(x))
    n_val = max(1, len(x) // 5)
    va, tr = idx[:n_val], idx[n_val:]
    hist = _fit_epochs(clf, x[tr], y[tr], x[va], y[va], names, cfg.kws_epochs, cfg, rng, emit,
                       "keyword")  # fmt: skip
    backbone.trainable = False
    return backbone, {"source": source, "keywords": names, "windows": int(len(x)),
                      "history": hist}  # fmt: skip


def train_model(ds: Dataset, train: np.ndarray, val: np.ndarray, cfg: TrainConfig, emit: Emit,
                keyword_branch: tuple | None = None):  # fmt: skip
    """Train the variant of ``cfg``; return (model, history, keyword summary or None).

    ``keyword_branch`` is a (frozen backbone, summary) pair from `train_keyword_branch` to
    reuse (the ablation trains it once for its three variants that use it).
    """
    seed_everything(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    backbone, kws = None, None
    if cfg.uses_keyword:
        backbone, kws = keyword_branch or train_keyword_branch(ds, train, cfg, rng, emit)
    model = build_model(cfg, len(ds.class_names), backbone=backbone)
    model.compile(optimizer=optimizer(cfg, len(train), cfg.epochs),
                  loss="sparse_categorical_crossentropy")  # fmt: skip
    hist = _fit_epochs(model, ds.x[train], ds.y[train], ds.x[val], ds.y[val], ds.class_names,
                       cfg.epochs, cfg, rng, emit, "emotion")  # fmt: skip
    return model, hist, kws
