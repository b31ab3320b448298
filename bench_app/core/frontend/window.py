"""Stage 1, window: frame the signal, apply TFLM's fixed-point Hann window, pick the FFT shift.

TFLM (window_util.c / window.c): coefficient ``i`` is ``round(4096 * (0.5 - 0.5 cos(2 pi (i + 0.5)
/ size)))``; a frame is ``(x * coef) >> 12`` as int16; the FFT input is then shifted left by
``15 - msb(max |frame|)`` so the FFT sees as many significant bits as possible. The "float"
variant evaluates the cosine in single precision (``cosf``: TFLM and MLTK), "double" in double
precision (TensorFlow's op).
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from bench_app.core.frontend import libm

WINDOW_BITS = 12


@functools.cache
def window_coefficients(size: int, variant: str) -> np.ndarray:
    """The int16 Hann coefficients TFLM builds for a ``size``-sample window (read-only array)."""
    coef = np.empty(size, dtype=np.int16)
    if variant == "float":
        arg = np.float32(np.float32(np.pi) * np.float32(2.0)) / np.float32(size)
        for i in range(size):
            x = np.float32(arg * (np.float32(i) + np.float32(0.5)))
            value = np.float32(0.5) - np.float32(np.float32(0.5) * libm.cosf(x))
            coef[i] = int(np.floor(np.float32(value * np.float32(1 << WINDOW_BITS) + 0.5)))
    else:
        arg = float(np.float32(np.pi * 2.0 / float(np.float32(size))))
        for i in range(size):
            value = float(np.float32(0.5 - 0.5 * libm.cos(arg * (i + 0.5))))
            coef[i] = int(np.floor(value * (1 << WINDOW_BITS) + 0.5))
    coef.setflags(write=False)
    return coef


def frame_signal(pcm: np.ndarray, size: int, step: int, n_frames: int) -> np.ndarray:
    """View ``pcm`` (..., samples) as (..., n_frames, size) overlapping frames (no copy)."""
    if n_frames == 0:
        return np.zeros((*pcm.shape[:-1], 0, size), dtype=pcm.dtype)
    view = sliding_window_view(pcm, size, axis=-1)[..., ::step, :]
    return view[..., :n_frames, :]


def apply_window(frames: np.ndarray, coefficients: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Window int16 frames (..., size); return (windowed int16, FFT input shift int per frame).

    The shift is ``15 - msb(max |windowed|)`` where, as in C, ``|-32768|`` wraps to -32768 and
    so never counts as the maximum.
    """
    windowed = ((frames.astype(np.int32) * coefficients) >> WINDOW_BITS).astype(np.int16)
    max_abs = np.maximum(np.abs(windowed).max(axis=-1, initial=0), 0).astype(np.int64)
    msb = np.frexp(max_abs.astype(np.float64))[1]
    return windowed, (15 - msb).astype(np.int64)
