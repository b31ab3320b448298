"""The latency run's live figures: running percentiles of each series, as ``metrics`` events.

After each batch of RESULTs (at most every `MIN_INTERVAL_S`, and after the last one) the run
emits ``{"metric": "latency", "n", "series": {name: LatencyStats.to_dict()}}`` computed with
`bench_app.core.analysis.latency.latency_stats` over every result so far, so the store keeps
the figures the window's table showed and the window computes none.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from bench_app.core.documents import STREAM_METRICS
from bench_app.core.runs.engine.documents import Event

METRIC_NAME = "latency"
#: Series name -> (record key, factor to milliseconds), in the order the window shows them.
SERIES: dict[str, tuple[str, float]] = {
    "total": ("total_us", 1e-3),
    "frontend": ("frontend_us", 1e-3),
    "invoke": ("invoke_us", 1e-3),
    "onset_to_result": ("onset_to_result_ms", 1.0),
}
MIN_INTERVAL_S = 0.25


def latency_metrics(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The ``metrics`` data of these result records: per-series `latency_stats` in ms."""
    from bench_app.core.analysis.latency import latency_stats

    records = list(records)
    series = {}
    for name, (key, scale) in SERIES.items():
        values = [float(r[key]) * scale for r in records if isinstance(r.get(key), int | float)]
        series[name] = latency_stats(values).to_dict()
    return {"metric": METRIC_NAME, "n": len(records), "series": series}


class LiveLatency:
    """Decides when the next ``metrics`` event is due and builds it."""

    def __init__(self, min_interval_s: float = MIN_INTERVAL_S) -> None:
        self.min_interval_s = min_interval_s
        self._last = -float("inf")
        self._sent_n = 0

    def event(self, records: list[Mapping[str, Any]], final: bool = False) -> Event | None:
        """A ``metrics`` event if new records came and it is time (always when ``final``)."""
        now = time.perf_counter()
        if len(records) == self._sent_n or not (final or now - self._last >= self.min_interval_s):
            return None
        self._last, self._sent_n = now, len(records)
        return Event(STREAM_METRICS, latency_metrics(records))
