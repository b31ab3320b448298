"""Latency statistics against numpy's own percentiles and histogram, and budget arithmetic."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench_app.core.analysis.latency import latency_stats, summarize_latency
from bench_app.core.errors import BenchError


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.0, 1e4, allow_nan=False), min_size=1, max_size=300))
def test_percentiles_match_numpy(values):
    s = latency_stats(values)
    x = np.asarray(values)
    assert s.n == x.size
    assert s.min == x.min() and s.max == x.max()
    for q, got in ((5, s.p5), (50, s.median), (95, s.p95), (99, s.p99)):
        assert got == pytest.approx(np.percentile(x, q, method="linear"), rel=1e-12, abs=1e-12)
    assert s.jitter == pytest.approx(np.percentile(x, 95) - np.percentile(x, 5), abs=1e-9)
    assert sum(s.hist_counts) == x.size
    counts, edges = np.histogram(x, bins=30)
    assert list(s.hist_counts) == counts.tolist()
    assert np.allclose(s.hist_edges, edges)


def test_jitter_ignores_one_outlier_that_std_does_not():
    rng = np.random.default_rng(1)
    base = 21.0 + rng.uniform(-0.5, 0.5, 1000)
    spiked = base.copy()
    spiked[10] = 500.0
    a, b = latency_stats(base), latency_stats(spiked)
    assert abs(a.jitter - b.jitter) < 0.01
    assert b.std > 10 * a.std
    assert b.max == 500.0


def test_summary_converts_board_microseconds_and_uses_the_budget():
    rng = np.random.default_rng(2)
    total_us = rng.normal(22_000, 500, 200)
    total_us[:3] = 1_200_000  # three inferences miss a 1 s hop
    records = [
        {"frontend_us": 1000 + i, "invoke_us": t - 1000 - i, "total_us": t,
         "onset_to_result_ms": 5000 + t / 1000}
        for i, t in enumerate(total_us)
    ]
    records.append({"total_us": None, "onset_to_result_ms": "garbage"})  # missing fields
    s = summarize_latency(records, budget_ms=1000.0)
    tot = s.series["total_ms"]
    assert tot.n == 200
    assert tot.median == pytest.approx(np.median(total_us / 1000))
    assert tot.p99 == pytest.approx(np.percentile(total_us / 1000, 99))
    assert s.budget_used_p99 == pytest.approx(tot.p99 / 1000.0)
    assert s.budget_used_median == pytest.approx(np.median(total_us) / 1e6)
    assert s.over_budget == 3
    assert s.series["frontend_ms"].min == pytest.approx(1.0)
    assert s.series["onset_to_result_ms"].n == 200
    assert any("3 of 200" in n for n in s.notes)
    text = json.dumps(s.to_dict(), allow_nan=False)
    assert "p99_ms" in text


def test_empty_and_bad_budget():
    s = summarize_latency([], budget_ms=1000)
    assert s.series["total_ms"].n == 0 and math.isnan(s.budget_used_p99)
    json.dumps(s.to_dict(), allow_nan=False)  # NaN became null
    with pytest.raises(BenchError, match="budget"):
        summarize_latency([], budget_ms=0)
