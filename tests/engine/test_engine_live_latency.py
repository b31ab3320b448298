"""The latency run's live metrics: percentiles of every result so far, checked with numpy."""

from __future__ import annotations

import numpy as np
import pytest

from bench_app.core.runs.procedures.latency.live_stats import LiveLatency, latency_metrics


def _records(n, seed=3):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        fe, inv = int(rng.integers(1000, 9000)), int(rng.integers(50_000, 90_000))
        rec = {"frontend_us": fe, "invoke_us": inv, "total_us": fe + inv}
        if i % 4:  # the host could not place every onset
            rec["onset_to_result_ms"] = float(rng.uniform(80, 200))
        out.append(rec)
    return out


def test_latency_metrics_are_the_percentiles_of_every_result():
    records = _records(37)
    data = latency_metrics(records)
    assert data["metric"] == "latency" and data["n"] == 37
    for name, key, scale in (("total", "total_us", 1e-3), ("invoke", "invoke_us", 1e-3),
                             ("onset_to_result", "onset_to_result_ms", 1.0)):
        values = np.array([r[key] * scale for r in records if key in r])
        stats = data["series"][name]
        assert stats["n"] == len(values)
        p5, p50, p95, p99 = np.percentile(values, [5, 50, 95, 99])
        assert (stats["p5_ms"], stats["median_ms"], stats["p95_ms"], stats["p99_ms"]) == \
            pytest.approx((p5, p50, p95, p99), rel=1e-12)
        assert stats["max_ms"] == pytest.approx(values.max(), rel=1e-12)
    assert data["series"]["onset_to_result"]["n"] == 27


def test_live_latency_is_throttled_but_always_sends_the_last():
    records = _records(5)
    live = LiveLatency(min_interval_s=3600)
    first = live.event(records[:1])
    assert first is not None and first.stream == "metrics" and first.data["n"] == 1
    assert live.event(records[:3]) is None  # too soon
    last = live.event(records, final=True)
    assert last is not None and last.data == latency_metrics(records)
    assert live.event(records, final=True) is None  # nothing new
