"""The golden PCM the conformance suite injects, and the reference frames it expects.

The stimuli are the firmware's front-end golden vectors (``fixtures/frontend/pcm/*.i16``: tones,
chirp, noise, bursts, DC, a full-scale square and a speech clip, made by
scripts/make_frontend_vectors.py), so a board that passes the GoogleTest vectors and a board
under test here are held to the same audio. The expected frames are the bench's reference front
end run with the settings the board states in INFO, which for the configs in
``firmware/core/configs/`` equal the stored golden frames (tests/firmware checks that).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench_app.core.errors import ConfigError
from bench_app.core.frontend import FrontendConfig, compute_features

ROOT = Path(__file__).resolve().parents[3]
GOLDEN_PCM = ROOT / "fixtures" / "frontend" / "pcm"
#: The order the clips are injected in (speech last: the longest).
NAMES = ("silence", "tone_1k", "chirp", "noise", "bursts", "dc", "full_scale_square", "speech")


def golden_clips(folder: Path = GOLDEN_PCM) -> dict[str, np.ndarray]:
    """Every golden clip as int16 at 16 kHz, by name; `ConfigError` if they are missing."""
    missing = [n for n in NAMES if not (folder / f"{n}.i16").is_file()]
    if missing:
        raise ConfigError(f"The conformance suite needs the golden PCM in {folder} (missing "
                          f"{missing[0]}.i16; use a checkout of the bench).")  # fmt: skip
    return {n: np.fromfile(folder / f"{n}.i16", dtype="<i2").astype(np.int16) for n in NAMES}


def reference_frames(pcm: np.ndarray, config: FrontendConfig) -> np.ndarray:
    """The bench's reference front end on one clip from a fresh state (uint16 frames)."""
    return np.asarray(compute_features(pcm, config), np.uint16)


def first_difference(board: np.ndarray, ref: np.ndarray) -> tuple[int, int] | None:
    """``(frame, channel)`` of the first cell where two equal-shaped arrays differ, or None."""
    diff = np.argwhere(board != ref)
    return None if not len(diff) else (int(diff[0][0]), int(diff[0][1]))
