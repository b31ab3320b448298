"""How the analysis runs the host front end: `bench_app.core.frontend`, or a given callable.

Every analysis function takes an optional ``frontend`` argument, a callable
``(int16 pcm, FrontendConfig) -> uint16 (frames, channels)``; by default it is the bench's own
reference front end (bit-exact with MLTK / TFLM). Tests may pass another implementation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

FeatureFn = Callable[[np.ndarray, Any], np.ndarray]


def resolve(frontend: FeatureFn | None) -> FeatureFn:
    """Return ``frontend`` or the bench's reference ``compute_features``."""
    if frontend is not None:
        return frontend
    from bench_app.core.frontend import compute_features

    return compute_features


def to_int16(x: np.ndarray) -> np.ndarray:
    """Round and clip a float signal to int16 (what a board's ADC path would hold)."""
    return np.clip(np.rint(np.asarray(x, dtype=np.float64)), -32768, 32767).astype(np.int16)


def shifted(x: np.ndarray, delay: int, length: int) -> np.ndarray:
    """``y[k] = x[k - delay]`` for ``0 <= k < length`` (zeros where ``x`` has no sample), float64.

    A negative ``delay`` drops the first ``-delay`` samples of ``x``.
    """
    y = np.zeros(int(length), dtype=np.float64)
    src = np.asarray(x, dtype=np.float64)
    lo = max(0, delay)
    s0 = max(0, -delay)
    n = min(length - lo, len(src) - s0)
    if n > 0:
        y[lo : lo + n] = src[s0 : s0 + n]
    return y
