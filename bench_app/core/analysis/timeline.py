"""The stimulus timeline as the analysis needs it, and its mapping onto frames.

The stimulus renderer gives a timeline of entries (``start``/``end`` sample, ``kind``,
``frequency_hz``, ``level_dbfs``, ``channel``, ``label``); a stored run gives the same as dicts.
`segments_from` accepts either, so the analysis does not depend on who made the timeline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

#: Timeline kinds whose samples are a steady tone on one filterbank channel.
BURST_KINDS = frozenset({"tone", "burst"})
#: Timeline kinds that carry no signal.
SILENT_KINDS = frozenset({"silence", "gap"})


@dataclass(frozen=True)
class Span:
    """One timeline segment: samples ``start`` to ``end`` (exclusive) of the stimulus."""

    start: int
    end: int
    kind: str
    index: int = 0
    channel: int | None = None
    frequency_hz: float | None = None
    level_dbfs: float | None = None
    label: str = ""

    def describe(self) -> dict:
        """The span as plain JSON types."""
        return {
            "index": self.index,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "channel": self.channel,
            "frequency_hz": self.frequency_hz,
            "level_dbfs": self.level_dbfs,
            "label": self.label,
        }


def _get(entry, name, default=None):
    if isinstance(entry, Mapping):
        return entry.get(name, default)
    return getattr(entry, name, default)


def segments_from(timeline: Iterable | None) -> tuple[Span, ...]:
    """Normalise timeline entries (objects or dicts) to `Span`s; skip entries without bounds."""
    spans: list[Span] = []
    for i, entry in enumerate(timeline or ()):
        start, end = _get(entry, "start"), _get(entry, "end")
        if start is None or end is None or int(end) <= int(start):
            continue
        channel = _get(entry, "channel")
        spans.append(
            Span(
                start=int(start),
                end=int(end),
                kind=str(_get(entry, "kind", "")),
                index=int(_get(entry, "index", i)),
                channel=None if channel is None else int(channel),
                frequency_hz=_get(entry, "frequency_hz"),
                level_dbfs=_get(entry, "level_dbfs"),
                label=str(_get(entry, "label", "") or ""),
            )
        )
    return tuple(spans)


def bursts(spans: Iterable[Span]) -> list[Span]:
    """The tonal bursts of a timeline."""
    return [s for s in spans if s.kind in BURST_KINDS]


def silences(spans: Iterable[Span]) -> list[Span]:
    """The silent segments of a timeline."""
    return [s for s in spans if s.kind in SILENT_KINDS]


def frames_inside(
    start: int, end: int, n_frames: int, step: int, window: int, margin: int = 0
) -> np.ndarray:
    """Indices of the frames whose whole window lies in samples ``[start + margin, end - margin)``.

    Frame ``i`` covers samples ``[i * step, i * step + window)``. When no frame fits (a segment
    shorter than a window), the frames whose window centre lies in ``[start, end)`` are used.
    """
    lo, hi = start + margin, end - margin
    first = max(0, -(-lo // step))
    last = (hi - window) // step
    idx = np.arange(first, min(last, n_frames - 1) + 1)
    if idx.size:
        return idx
    centres = np.arange(n_frames) * step + window // 2
    return np.flatnonzero((centres >= start) & (centres < end))


def sample_slice(start: int, end: int, n: int, margin: int = 0) -> slice:
    """``[start + margin, end - margin)`` clipped to ``[0, n)`` (possibly empty)."""
    lo = min(max(start + margin, 0), n)
    hi = min(max(end - margin, lo), n)
    return slice(lo, hi)
