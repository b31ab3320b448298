"""Training data as arrays: from a features NPZ or a corpus (through the corpora API), split.

An NPZ holds ``X`` (N, frames, channels) MicroFrontend features (uint16, or int8 already by
TFLM's formula), ``y`` (N,) class indices, ``class_names``; optionally ``clip_ids`` (windows of
one clip stay on one side of the split), ``frontend_config`` (a JSON string of fe.* keys) and a
keyword set ``kw_X``, ``kw_y``, ``kw_names`` for the keyword branch.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import numpy as np

from bench_app.core.errors import BenchError
from bench_app.core.frontend import FrontendConfig, to_int8

#: Frames of a keyword window: 1 s clips (Speech Commands) give 98 frames at 25 / 10 ms.
KEYWORD_FRAMES = 98


class TrainingDataError(BenchError):
    """Training data are missing, unreadable or inconsistent."""


@dataclasses.dataclass
class Dataset:
    """Windows as float32 int8 values, labels, names, and where they came from."""

    x: np.ndarray
    y: np.ndarray
    class_names: list[str]
    clip_ids: np.ndarray
    frontend: dict
    source: str
    kw_x: np.ndarray | None = None
    kw_y: np.ndarray | None = None
    kw_names: list[str] | None = None
    kw_source: str | None = None
    #: Corpus items left out (unreadable audio, unknown labels ...), one sentence each.
    problems: list[str] = dataclasses.field(default_factory=list)

    def sha256(self) -> str:
        """Hash of the windows, labels and class names (the card's data hash)."""
        h = hashlib.sha256()
        for a in (self.x, self.y) + ((self.kw_x, self.kw_y) if self.kw_x is not None else ()):
            h.update(np.ascontiguousarray(a).tobytes())
        h.update(json.dumps(self.class_names).encode())
        return h.hexdigest()


def as_int8_values(x: np.ndarray) -> np.ndarray:
    """Features as float32 int8 values: uint16 via TFLM's formula, int8 as they are."""
    x = np.asarray(x)
    if x.dtype == np.int8:
        return x.astype(np.float32)
    if x.dtype in (np.uint16, np.int32, np.int64, np.uint32):
        return to_int8(x).astype(np.float32)
    if np.issubdtype(x.dtype, np.floating) and x.min() >= -128 and x.max() <= 127:
        return x.astype(np.float32)
    raise TrainingDataError(f"Features must be uint16 or int8 values, not {x.dtype}.")


def _check(x: np.ndarray, y: np.ndarray, names: list[str], frames: int, channels: int, what: str):
    if x.ndim != 3 or x.shape[1:] != (frames, channels):
        raise TrainingDataError(f"{what} windows are shaped {tuple(x.shape)}, the model takes "
                                f"(N, {frames}, {channels}).")  # fmt: skip
    if len(y) != len(x):
        raise TrainingDataError(f"{what} has {len(x)} windows but {len(y)} labels.")
    if len(y) and (y.min() < 0 or y.max() >= len(names)):
        raise TrainingDataError(f"{what} labels must be 0..{len(names) - 1} (one per class name).")


def load_npz(path: str | Path, frames: int, channels: int) -> Dataset:
    """Read a features NPZ (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise TrainingDataError(f"The features file {path} does not exist.")
    try:
        with np.load(path, allow_pickle=False) as z:
            d = {k: z[k] for k in z.files}
    except (OSError, ValueError) as exc:
        raise TrainingDataError(f"Cannot read the features file {path}: {exc}.") from None
    missing = [k for k in ("X", "y", "class_names") if k not in d]
    if missing:
        raise TrainingDataError(f"The features file {path} has no '{missing[0]}' array.")
    names = [str(n) for n in d["class_names"]]
    x, y = as_int8_values(d["X"]), np.asarray(d["y"], np.int64)
    _check(x, y, names, frames, channels, str(path))
    fe = json.loads(str(d["frontend_config"])) if "frontend_config" in d else (
        FrontendConfig().to_dict())  # fmt: skip
    clip_ids = np.asarray(d.get("clip_ids", np.arange(len(x)))).astype(str)
    ds = Dataset(x, y, names, clip_ids, fe, f"features:{path.name}")
    if "kw_X" in d:
        ds.kw_names = [str(n) for n in d["kw_names"]]
        ds.kw_y = np.asarray(d["kw_y"], np.int64)
        ds.kw_x = as_int8_values(d["kw_X"])
        _check(ds.kw_x, ds.kw_y, ds.kw_names, ds.kw_x.shape[1], channels, f"{path} (keywords)")
    return ds


def load_corpus(spec: str, frames: int, channels: int, kws_frames: int | None = None,
                keywords: str | None = None, cache_dir=None) -> Dataset:
    """Features of a corpus ``KIND:DIR`` (and its keyword set) through `core.corpora`.

    Features come from the bench's reference front end with the paper's `FrontendConfig`,
    cached on disk by `core.corpora.features.load_features`. The keyword set is ``keywords``
    (a ``keywords:DIR`` spec) or, for a synthetic corpus, its own ``keywords/`` folder; its
    windows are the 1 s clips' `KEYWORD_FRAMES` frames (the backbone takes
    any length). Items that cannot be read are left out and listed in ``problems``.
    """
    from bench_app.core.corpora import open_corpus
    from bench_app.core.corpora.features import load_features
    from bench_app.core.corpora.spec import parse_spec

    cfg = FrontendConfig()
    corpus = open_corpus(spec)
    problems = [str(p) for p in corpus.problems]
    fs = load_features(corpus, cfg, window_frames=frames, cache_dir=cache_dir)
    problems += [str(p) for p in fs.problems]
    x, y, names = as_int8_values(fs.X), np.asarray(fs.y, np.int64), [str(n) for n in fs.class_names]
    _check(x, y, names, frames, channels, spec)
    ds = Dataset(x, y, names, np.asarray(fs.clip_ids).astype(str), cfg.to_dict(), spec,
                 problems=problems)
    kind, folder = parse_spec(spec)
    if keywords is None and kind == "synthetic" and (folder / "keywords").is_dir():
        keywords = f"keywords:{folder / 'keywords'}"
    if keywords and kws_frames:
        kc = open_corpus(keywords)
        kf = load_features(kc, cfg, window_frames=min(KEYWORD_FRAMES, kws_frames),
                           cache_dir=cache_dir)  # fmt: skip
        ds.problems += [str(p) for p in kc.problems] + [str(p) for p in kf.problems]
        ds.kw_x, ds.kw_y = as_int8_values(kf.X), np.asarray(kf.y, np.int64)
        ds.kw_names = [str(n) for n in kf.class_names]
        ds.kw_source = keywords
    return ds


def split(ds: Dataset, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and validation indices, by clip (no clip on both sides), seeded.

    Every class with at least two clips keeps one clip in each side.
    """
    rng = np.random.default_rng(seed)
    train, val = [], []
    for c in range(len(ds.class_names)):
        clips = np.unique(ds.clip_ids[ds.y == c])
        if not len(clips):
            continue
        clips = clips[rng.permutation(len(clips))]
        n_val = int(round(len(clips) * val_fraction))
        n_val = min(max(n_val, 1 if len(clips) > 1 else 0), len(clips) - 1)
        val_clips = set(clips[:n_val])
        idx = np.flatnonzero(ds.y == c)
        in_val = np.array([cid in val_clips for cid in ds.clip_ids[idx]], bool)
        val.extend(idx[in_val])
        train.extend(idx[~in_val])
    if not val or not train:
        raise TrainingDataError("Too few clips to keep a validation split: at least two clips "
                                "of one class are needed.")  # fmt: skip
    return np.sort(np.array(train)), np.sort(np.array(val))
