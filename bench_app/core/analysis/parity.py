"""Pipeline parity: the host front end on the board's own microphone PCM vs the board's frames.

This is the paper's check ("training pipeline = device pipeline"): both sides see the very same
samples, so the acoustic path cancels out and any difference is drift between the board's
front end and the bench's reference (code or config). Matching code and config give exactly 0.

Placement. Board frame ``i`` is compared with host frame ``i + frame_offset``, the host frames
being computed on ``pcm[pcm_trim:]``. With the board's FRAME index and the PCM timestamps,
`placement_from_indices` gives both; when ``frame_offset`` is None the offset in
``[-max_offset, max_offset]`` with the smallest mean relative error is used (ties: the smallest
``|offset|``), over overlaps of at least half the shorter stream.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from bench_app.core.analysis.frontend_fn import FeatureFn, resolve
from bench_app.core.analysis.jsonable import clean
from bench_app.core.analysis.relerr import (
    DEFAULT_FLOOR_ABS,
    DEFAULT_FLOOR_FRACTION,
    ErrorStats,
    nanmean_along,
    noise_floor_value,
    relative_error_map,
)
from bench_app.core.analysis.timeline import Span, frames_inside

DEFAULT_THRESHOLD = 0.05
DEFAULT_MAX_OFFSET = 50


def placement_from_indices(
    first_frame_index: int, pcm_start_sample: int, step_samples: int
) -> tuple[int, int]:
    """Return ``(pcm_trim, frame_offset)`` from where the two streams start on the board.

    Parameters
    ----------
    first_frame_index
        The board's FRAME index of the first frame received (frame ``k`` covers board samples
        ``[k * step, k * step + window)`` of the microphone stream).
    pcm_start_sample
        The board sample number of the first PCM sample received (its timestamp times the
        sample rate).
    step_samples
        The front end's hop in samples.

    Returns
    -------
    tuple of int
        Samples to drop from the PCM's start so that its frame grid is the board's, and the
        offset such that board frame ``i`` matches host frame ``i + offset``.
    """
    trim = (-pcm_start_sample) % step_samples
    offset = first_frame_index - (pcm_start_sample + trim) // step_samples
    return int(trim), int(offset)


@dataclass(frozen=True)
class ParityResult:
    """Pipeline-parity figures (see ``docs/metrics.md``); ``available`` False says why not."""

    available: bool
    reason: str = ""
    stats: ErrorStats | None = None
    threshold: float = DEFAULT_THRESHOLD
    floor_fraction: float = DEFAULT_FLOOR_FRACTION
    exact: bool = False
    max_abs_diff: int | None = None
    frame_offset: int | None = None
    offset_source: str = ""
    pcm_trim: int = 0
    board_frames: int = 0
    host_frames: int = 0
    frames_compared: int = 0
    per_channel: tuple[float, ...] = ()
    per_frame: tuple[float, ...] = ()
    worst_segment: dict | None = None
    arrays: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def mean_relative_error(self) -> float:
        """The headline figure; NaN when parity could not be computed."""
        return self.stats.mean if self.stats else math.nan

    @property
    def passed(self) -> bool:
        """True when the frames are bit-exact or the mean relative error is below the threshold.

        Bit-exact frames pass even when no cell is above the floor (a silent stimulus), where
        the mean relative error is undefined (NaN): identical frames are parity by definition.
        """
        return self.available and (self.exact or self.mean_relative_error < self.threshold)

    def to_dict(self) -> dict:
        """JSON-ready figures (arrays are in ``arrays``, for the store's .npy artifacts)."""
        s = self.stats
        return clean(
            {
                "available": self.available,
                "reason": self.reason,
                "mean_relative_error": self.mean_relative_error,
                "median_relative_error": s.median if s else None,
                "p95_relative_error": s.p95 if s else None,
                "max_relative_error": s.max if s else None,
                "cells": s.n_cells if s else 0,
                "cell_floor": s.floor if s else None,
                "floor_fraction": self.floor_fraction,
                "threshold": self.threshold,
                "pass": self.passed,
                "exact": self.exact,
                "max_abs_diff": self.max_abs_diff,
                "frame_offset": self.frame_offset,
                "offset_source": self.offset_source,
                "pcm_trim": self.pcm_trim,
                "board_frames": self.board_frames,
                "host_frames": self.host_frames,
                "frames_compared": self.frames_compared,
                "per_channel": list(self.per_channel),
                "per_frame": list(self.per_frame),
                "worst_segment": self.worst_segment,
            }
        )


def overlap(n_board: int, n_host: int, offset: int) -> tuple[int, int]:
    """Board frame range ``[lo, hi)`` whose host frame ``i + offset`` exists."""
    lo = max(0, -offset)
    hi = min(n_board, n_host - offset)
    return lo, max(lo, hi)


def search_offset(
    board: np.ndarray, host: np.ndarray, floor: float, max_offset: int
) -> int | None:
    """The frame offset in ``[-max_offset, max_offset]`` with the smallest mean relative error."""
    min_overlap = max(1, (min(len(board), len(host)) + 1) // 2)
    best: tuple[float, int, int] | None = None
    for off in sorted(range(-max_offset, max_offset + 1), key=abs):
        lo, hi = overlap(len(board), len(host), off)
        if hi - lo < min_overlap:
            continue
        err = relative_error_map(board[lo:hi], host[lo + off : hi + off], floor)
        if not np.isfinite(err).any():
            continue
        score = (float(np.nanmean(err)), abs(off), off)
        if best is None or score < best:
            best = score
    return None if best is None else best[2]


def _worst_segment(
    errors: np.ndarray,
    lo: int,
    offset: int,
    spans: Iterable[Span],
    shift: int,
    step: int,
    window: int,
    n_host: int,
) -> dict | None:
    """The timeline segment with the largest mean relative error (PCM sample = stimulus + shift)."""
    worst: dict | None = None
    for span in spans:
        host_idx = frames_inside(span.start + shift, span.end + shift, n_host, step, window)
        rows = host_idx - offset - lo
        rows = rows[(rows >= 0) & (rows < len(errors))]
        cells = errors[rows]
        n = int(np.isfinite(cells).sum())
        if n == 0:
            continue
        mre = float(np.nanmean(cells))
        if worst is None or mre > worst["mean_relative_error"]:
            worst = {**span.describe(), "mean_relative_error": mre, "cells": n}
    return worst


def pipeline_parity(
    board_frames: np.ndarray,
    board_pcm: np.ndarray | None,
    config,
    *,
    frame_offset: int | None = None,
    pcm_trim: int = 0,
    max_offset: int = DEFAULT_MAX_OFFSET,
    threshold: float = DEFAULT_THRESHOLD,
    floor_fraction: float = DEFAULT_FLOOR_FRACTION,
    floor_abs: float = DEFAULT_FLOOR_ABS,
    spans: Iterable[Span] = (),
    timeline_shift: int = 0,
    frontend: FeatureFn | None = None,
) -> ParityResult:
    """Compare the board's frames with the host front end run on the board's own PCM.

    Parameters
    ----------
    board_frames
        The board's features, (frames, channels).
    board_pcm
        The board's microphone PCM (int16) from the same capture; None if the board sent none.
    config
        The host's `FrontendConfig`.
    frame_offset, pcm_trim, max_offset
        Placement of the two streams (module docstring).
    threshold
        Pass when the mean relative error is below it (0.05: the paper's 5 %).
    floor_fraction, floor_abs
        Cell floor, as in `relerr.noise_floor_value` of the host features.
    spans, timeline_shift
        The stimulus timeline and the PCM sample where stimulus sample 0 lies (the measured
        acoustic delay), to name the worst segment.
    frontend
        Feature callable (default: the bench's reference front end).
    """
    kw = {"threshold": threshold, "floor_fraction": floor_fraction}
    board = np.asarray(board_frames)
    if board_pcm is None or np.size(board_pcm) == 0:
        return ParityResult(False, "The board sent no microphone PCM to run the host on.", **kw)
    if board.ndim != 2 or board.shape[0] == 0:
        return ParityResult(False, "The board sent no front-end frames.", **kw)
    pcm = np.asarray(board_pcm, dtype=np.int16)[pcm_trim:]
    if len(pcm) < config.window_samples:
        return ParityResult(False, "The board's PCM is shorter than one front-end window.", **kw)
    host = np.asarray(resolve(frontend)(pcm, config))
    if host.ndim != 2 or host.shape[0] == 0:
        return ParityResult(False, "The board's PCM is shorter than one front-end window.", **kw)
    if host.shape[1] != board.shape[1]:
        return ParityResult(
            False,
            f"The board's frames have {board.shape[1]} channels and the host's "
            f"{host.shape[1]}, so no cell can be compared.",
            **kw,
        )
    floor = noise_floor_value(host, floor_fraction, floor_abs)
    source = "given"
    if frame_offset is None:
        source = "searched"
        frame_offset = search_offset(board, host, floor, max_offset)
        if frame_offset is None:
            return ParityResult(
                False, "No frame offset within the search range lines the streams up.", **kw
            )
    lo, hi = overlap(len(board), len(host), frame_offset)
    if hi <= lo:
        return ParityResult(False, "The board's frames and the PCM do not overlap in time.", **kw)
    b = board[lo:hi].astype(np.int64)
    h = host[lo + frame_offset : hi + frame_offset].astype(np.int64)
    errors = relative_error_map(b, h, floor)
    per_frame = np.full(len(board), np.nan)
    per_frame[lo:hi] = nanmean_along(errors, axis=1)
    step, window = config.step_samples, config.window_samples
    worst = _worst_segment(
        errors, lo, frame_offset, spans, timeline_shift - pcm_trim, step, window, len(host)
    )
    return ParityResult(
        available=True,
        stats=ErrorStats.of(errors, floor),
        exact=bool(np.array_equal(b, h)),
        max_abs_diff=int(np.abs(b - h).max()),
        frame_offset=int(frame_offset),
        offset_source=source,
        pcm_trim=int(pcm_trim),
        board_frames=len(board),
        host_frames=len(host),
        frames_compared=hi - lo,
        per_channel=tuple(float(v) for v in nanmean_along(errors, axis=0)),
        per_frame=tuple(float(v) for v in per_frame),
        worst_segment=worst,
        arrays={"host": h.astype(np.uint16), "board": b.astype(np.uint16), "rel_error": errors},
        **kw,
    )
