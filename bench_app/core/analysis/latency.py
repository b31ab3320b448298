"""Latency statistics of a run of inferences: percentiles, jitter, histogram, real-time budget.

The board reports, for every inference, its own split in microseconds (front end, invoke, total);
the host measures sound onset to the arrival of the RESULT message in milliseconds. This module
turns those per-inference records into the figures a latency run shows and stores. Every figure
is defined in ``docs/metrics.md``; in short:

- percentiles use numpy's default ("linear", Hyndman & Fan type 7) interpolation;
- ``jitter`` is the p95 - p5 spread: the width of the band that holds the central 90 % of the
  inferences. It is in the unit of the latency itself, does not grow with one outlier (which
  ``max`` and ``p99`` already show), and reads directly against a deadline, unlike the standard
  deviation, which assumes a symmetric distribution that latency never has. The standard
  deviation is kept beside it for whoever wants it;
- the real-time budget is the window hop (a new window must be processed before the next one
  arrives); ``budget_used_p99`` = p99(total) / hop.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from bench_app.core.analysis.jsonable import clean
from bench_app.core.errors import ConfigError

#: Board-side fields of a RESULT's latency split, in microseconds, and their names in outputs.
BOARD_FIELDS_US: tuple[tuple[str, str], ...] = (
    ("frontend_us", "frontend_ms"),
    ("invoke_us", "invoke_ms"),
    ("total_us", "total_ms"),
)
#: Host-side field: sound onset to RESULT arrival, in milliseconds.
HOST_FIELD_MS = "onset_to_result_ms"

#: Number of histogram bins used when the caller does not choose.
DEFAULT_BINS = 30


@dataclass(frozen=True)
class LatencyStats:
    """Summary of one latency series (all values in milliseconds)."""

    n: int
    min: float
    median: float
    mean: float
    p5: float
    p95: float
    p99: float
    max: float
    jitter: float
    std: float
    hist_counts: tuple[int, ...] = ()
    hist_edges: tuple[float, ...] = ()

    def to_dict(self) -> dict:
        """Return a JSON-ready dict (keys suffixed ``_ms`` where they carry a time)."""
        return clean({
            "n": self.n,
            "min_ms": self.min,
            "median_ms": self.median,
            "mean_ms": self.mean,
            "p5_ms": self.p5,
            "p95_ms": self.p95,
            "p99_ms": self.p99,
            "max_ms": self.max,
            "jitter_ms": self.jitter,
            "std_ms": self.std,
            "histogram": {"counts": list(self.hist_counts), "edges_ms": list(self.hist_edges)},
        })


def latency_stats(values_ms: Iterable[float], bins: int | str = DEFAULT_BINS) -> LatencyStats:
    """Summarise one latency series.

    Parameters
    ----------
    values_ms
        Latencies in milliseconds; NaN entries (inferences whose value is missing) are dropped.
    bins
        Histogram bins: a count of equal-width bins between min and max, or any name numpy's
        ``histogram_bin_edges`` accepts (e.g. ``"fd"``).

    Returns
    -------
    LatencyStats
        With ``n == 0`` and NaN figures when no value is left.
    """
    x = np.asarray(list(values_ms), dtype=np.float64).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        nan = math.nan
        return LatencyStats(0, nan, nan, nan, nan, nan, nan, nan, nan, nan)
    p5, p50, p95, p99 = (float(v) for v in np.percentile(x, [5, 50, 95, 99]))
    counts, edges = np.histogram(x, bins=bins)
    return LatencyStats(
        n=int(x.size),
        min=float(x.min()),
        median=p50,
        mean=float(x.mean()),
        p5=p5,
        p95=p95,
        p99=p99,
        max=float(x.max()),
        jitter=p95 - p5,
        std=float(x.std(ddof=1)) if x.size > 1 else 0.0,
        hist_counts=tuple(int(c) for c in counts),
        hist_edges=tuple(float(e) for e in edges),
    )


@dataclass(frozen=True)
class LatencySummary:
    """Statistics of a latency run: the board's split, the host's view and the budget."""

    series: Mapping[str, LatencyStats]
    budget_ms: float
    budget_used_median: float
    budget_used_p99: float
    budget_used_max: float
    over_budget: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        """Return a JSON-ready dict; percentiles in milliseconds under each series name."""
        return clean({
            "series": {name: s.to_dict() for name, s in self.series.items()},
            "budget_ms": self.budget_ms,
            "budget_used_median": self.budget_used_median,
            "budget_used_p99": self.budget_used_p99,
            "budget_used_max": self.budget_used_max,
            "over_budget": self.over_budget,
            "notes": list(self.notes),
        })


def _field(record: Mapping | object, name: str) -> float:
    value = record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)
    if value is None:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def summarize_latency(
    records: Sequence[Mapping | object],
    budget_ms: float,
    bins: int | str = DEFAULT_BINS,
) -> LatencySummary:
    """Compute the latency run's summary from per-inference records.

    Parameters
    ----------
    records
        One record per inference: a mapping or an object with any of ``frontend_us``,
        ``invoke_us``, ``total_us`` (board split, microseconds) and ``onset_to_result_ms``
        (host view, milliseconds). Missing or non-numeric fields count as missing for that
        series only.
    budget_ms
        The real-time budget: the window hop (1000 ms for 5 s windows with a 1 s hop). The
        board's ``total`` must stay below it or the board falls behind the audio.
    bins
        Histogram bins, as for :func:`latency_stats`.

    Raises
    ------
    ConfigError
        When the budget is not a positive number.
    """
    if not (isinstance(budget_ms, int | float) and math.isfinite(budget_ms) and budget_ms > 0):
        raise ConfigError(
            f"The real-time budget must be a positive number of milliseconds, not {budget_ms!r}."
        )
    series: dict[str, LatencyStats] = {}
    for src, name in BOARD_FIELDS_US:
        series[name] = latency_stats((_field(r, src) / 1000.0 for r in records), bins)
    series[HOST_FIELD_MS] = latency_stats((_field(r, HOST_FIELD_MS) for r in records), bins)
    total = np.array([_field(r, "total_us") / 1000.0 for r in records], dtype=np.float64)
    total = total[np.isfinite(total)]
    notes: list[str] = []
    if total.size == 0:
        notes.append("No inference reported the board's total latency, so the budget is unknown.")
        used = (math.nan, math.nan, math.nan)
        over = 0
    else:
        tot = series["total_ms"]
        used = (tot.median / budget_ms, tot.p99 / budget_ms, tot.max / budget_ms)
        over = int(np.count_nonzero(total > budget_ms))
        if over:
            notes.append(
                f"{over} of {total.size} inferences took longer than the {budget_ms:g} ms hop, "
                "so the board cannot keep up with the audio in real time."
            )
    return LatencySummary(
        series=series,
        budget_ms=float(budget_ms),
        budget_used_median=used[0],
        budget_used_p99=used[1],
        budget_used_max=used[2],
        over_budget=over,
        notes=tuple(notes),
    )
