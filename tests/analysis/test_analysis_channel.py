"""The tests' own helpers (bench_app.testing.signals) do what they say."""

from __future__ import annotations

import numpy as np

from bench_app.testing.signals import channel, tonal_bursts


def test_channel_helper_delays_scales_and_adds_noise_at_its_level():
    x = (np.random.default_rng(0).standard_normal(4000) * 3000).astype(np.int16)
    y = channel(x, delay_ms=10, gain_db=-6, tail_s=0)
    assert np.all(y[:160] == 0)
    assert np.abs(y[160:].astype(float) - x * 10 ** (-6 / 20)).max() <= 0.5
    n = channel(np.zeros(32000, np.int16), noise_dbfs=-40, tail_s=0)
    rms_dbfs = 20 * np.log10(np.sqrt(np.mean(n.astype(float) ** 2)) / 32767)
    assert abs(rms_dbfs + 40) < 0.1


def test_tonal_bursts_timeline_covers_the_signal():
    from bench_app.core.frontend import FrontendConfig

    x, timeline = tonal_bursts(FrontendConfig(), levels=(-12.0,))
    assert timeline[0]["start"] == 0 and timeline[-1]["end"] == len(x)
    tones = [e for e in timeline if e["kind"] == "tone"]
    assert [e["channel"] for e in tones] == list(range(32))
    peak = np.abs(x[tones[5]["start"] : tones[5]["end"]]).max()
    assert abs(20 * np.log10(peak / 32767) + 12) < 0.1
