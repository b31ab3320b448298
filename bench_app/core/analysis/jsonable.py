"""Conversion of analysis results to strict JSON (no NaN, no numpy scalars)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np


def clean(value):
    """Return ``value`` with numpy types made plain and NaN / infinity made ``None``.

    Strict JSON has no NaN; a figure that could not be computed is ``null`` in every output.
    """
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return [clean(v) for v in value.tolist()]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return value if math.isfinite(value) else None
    return value
