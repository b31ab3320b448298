"""Stage 1, window: frame the signal, apply TFLM's fixed-point Hann window, pick the FFT shift.

TFLM (window_util.c / window.c): coefficient ``i`` is ``round(4096 * (0.5 - 0.5 cos(2 pi (i + 0.5)
/ size)))``; a frame is ``(x * coef) >> 12`` as int16; the FFT input is then shifted left by
``15 - msb(max |frame|)`` so the FFT sees as many significant bits as possible. The "float"
variant evaluates the cosine in single precision (``cosf``: TFLM and MLTK), "double" in double
precision (TensorFlow's op). The coefficients are built here; framing, windowing and the shift
run in `_frame_kernel` together with the FFT and filterbank.
"""

from __future__ import annotations

import functools

import numpy as np

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

