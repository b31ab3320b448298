"""Mean relative error between two spectrograms over the cells above a noise floor.

``docs/metrics.md`` defines it: for a reference array ``R`` (the host's features) and a compared
array ``B`` (the board's), of the same shape, the floor is ``max(floor_abs, floor_fraction *
max(R))`` and the error of a cell with ``R >= floor`` is ``|B - R| / R``. Cells below the floor
are left out: their relative error is dominated by quantisation and noise (and is unbounded
near zero). The floor follows the reference's maximum so it does not depend on the level of the
stimulus nor on ``log_scale_shift``; 0.5 is the fraction used for the figures in FACTS.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DEFAULT_FLOOR_FRACTION = 0.5
DEFAULT_FLOOR_ABS = 1.0


def noise_floor_value(
    reference: np.ndarray,
    floor_fraction: float = DEFAULT_FLOOR_FRACTION,
    floor_abs: float = DEFAULT_FLOOR_ABS,
) -> float:
    """The cell floor of a reference array: ``max(floor_abs, floor_fraction * max(reference))``."""
    peak = float(np.max(reference)) if np.size(reference) else 0.0
    return max(float(floor_abs), float(floor_fraction) * peak)


def relative_error_map(board: np.ndarray, reference: np.ndarray, floor: float) -> np.ndarray:
    """``|board - reference| / reference`` where ``reference >= floor``, NaN elsewhere (float64)."""
    b = np.asarray(board, dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    out = np.full(r.shape, np.nan)
    mask = r >= floor
    out[mask] = np.abs(b[mask] - r[mask]) / r[mask]
    return out


@dataclass(frozen=True)
class ErrorStats:
    """Mean, median, p95 and max of the relative errors of the cells above the floor."""

    mean: float
    median: float
    p95: float
    max: float
    n_cells: int
    floor: float

    @classmethod
    def of(cls, errors: np.ndarray, floor: float) -> ErrorStats:
        """Summarise a relative-error map (NaN cells are those below the floor)."""
        e = np.asarray(errors, dtype=np.float64)
        e = e[np.isfinite(e)]
        if e.size == 0:
            return cls(math.nan, math.nan, math.nan, math.nan, 0, floor)
        med, p95 = np.percentile(e, [50, 95])
        return cls(float(e.mean()), float(med), float(p95), float(e.max()), int(e.size), floor)


def nanmean_along(errors: np.ndarray, axis: int) -> np.ndarray:
    """Mean of the non-NaN cells along ``axis``; NaN where a row/column has none."""
    e = np.asarray(errors, dtype=np.float64)
    valid = np.isfinite(e)
    count = valid.sum(axis=axis)
    total = np.where(valid, e, 0.0).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def mean_relative_error(
    board: np.ndarray,
    reference: np.ndarray,
    floor_fraction: float = DEFAULT_FLOOR_FRACTION,
    floor_abs: float = DEFAULT_FLOOR_ABS,
) -> ErrorStats:
    """Relative-error statistics of ``board`` against ``reference`` (same shape)."""
    floor = noise_floor_value(reference, floor_fraction, floor_abs)
    return ErrorStats.of(relative_error_map(board, reference, floor), floor)
