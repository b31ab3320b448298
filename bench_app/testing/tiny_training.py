"""A features file small enough to train ``--dims tiny`` in seconds (window and CLI tests).

Five classes, each a louder band of channels, ``per_class`` windows of ``ModelDims.tiny()``'s
shape (64 frames x 8 channels) in two clips per class, as ``python -m bench_app.training
--features`` reads them (X, y, clip_ids, class_names).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CLASS_NAMES = ("neutral", "happy", "sad", "angry", "none")


def write_tiny_features(path: Path, per_class: int = 6, frames: int = 64, channels: int = 8,
                        seed: int = 0) -> Path:  # fmt: skip
    """Write the features NPZ to ``path`` and return it."""
    rng = np.random.default_rng(seed)
    x, y, clips = [], [], []
    for c in range(len(CLASS_NAMES)):
        for i in range(per_class):
            w = rng.normal(-60, 10, (frames, channels))
            w[:, c : c + 2] += 60
            x.append(np.clip(w, -128, 127).astype(np.int8))
            y.append(c)
            clips.append(f"c{c}_{i * 2 // per_class}")
    np.savez(path, X=np.array(x), y=np.array(y), clip_ids=np.array(clips),
             class_names=np.array(CLASS_NAMES))  # fmt: skip
    return Path(path)
