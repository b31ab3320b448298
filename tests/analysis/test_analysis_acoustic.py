"""Acoustic-path measurements against a numpy channel whose delay, gain, noise and band are known.

The figures asserted are the issue's acceptance numbers (delay 137 ms -> 2192 samples, 13.7
frames; -6 dB; -60 dBFS; 100-7000 Hz band-pass) and FACTS.md's PCAN effect, as orderings and
ranges rather than exact values.
"""

from __future__ import annotations

import numpy as np
import pytest

from bench_app.core.analysis import acoustic_measures as am
from bench_app.core.analysis.acoustic import acoustic_path
from bench_app.core.analysis.timeline import segments_from
from bench_app.core.frontend import FrontendConfig
from bench_app.testing.signals import channel, frontend, tonal_bursts

FE = frontend()
CFG = FrontendConfig()
OFF = CFG.replace(pcan_enable=False)


@pytest.fixture(scope="module")
def bursts():
    stim, timeline = tonal_bursts(CFG, levels=(-12.0, -24.0), tone_s=0.1, gap_s=0.08)
    return stim, segments_from(timeline)


def run(stim, spans, cfg, with_pcm=True, **chan):
    pcm = channel(stim, **chan)
    frames = FE(pcm, cfg)
    return acoustic_path(stim, frames, cfg, board_pcm=pcm if with_pcm else None, spans=spans,
                         frontend=FE)


def test_acceptance_channel_delay_lag_level_noise(bursts):
    stim, spans = bursts
    a = run(stim, spans, CFG, delay_ms=137, gain_db=-6, noise_dbfs=-60)
    assert abs(a.delay_samples - 2192) <= 2
    assert abs(a.lag_frames - 13.7) <= 1.0
    assert abs(a.gain_db + 6) <= 0.5
    assert abs(a.noise_floor_dbfs + 60) <= 3
    assert a.delay_correlation > 0.99
    d = a.to_dict()
    assert d["delay_ms"] == pytest.approx(137.0, abs=0.2)
    assert d["lag_ms"] == pytest.approx(137.0, abs=10)


@pytest.mark.parametrize("delay_ms", [0.0, 41.3, 250.0])
def test_lag_from_frames_alone_is_sub_frame(bursts, delay_ms):
    stim, spans = bursts
    a = run(stim, spans, OFF, with_pcm=False, delay_ms=delay_ms, gain_db=-3, noise_dbfs=-70)
    assert a.delay_samples is None and a.gain_db is None and a.noise_floor_dbfs is None
    assert abs(a.lag_frames - delay_ms / 10) <= 0.5
    assert a.stimulus is not None and a.matched is None
    assert any("no PCM" in n for n in a.notes)


def test_bandpass_names_the_channels_above_7_khz(bursts):
    stim, spans = bursts
    a = run(stim, spans, CFG, delay_ms=137, gain_db=-6, noise_dbfs=-60, bandpass=(100, 7000))
    centres = am.channel_centres_hz(CFG)
    above = {int(c) for c in np.flatnonzero(centres > 7000)}
    named = [m["channel"] for m in a.most_attenuated]
    assert above and above <= set(named)
    assert named[0] in above
    assert all(centres[c] > 6000 or centres[c] < 150 for c in named)
    mid = np.asarray(a.response_db)[5:25]
    assert np.all(np.abs(mid + 6) < 1.0)  # in-band channels read the -6 dB gain


def test_pure_delay_needs_the_sample_accurate_reference(bursts):
    stim, spans = bursts
    a = run(stim, spans, CFG, delay_ms=137)
    assert a.stimulus_mre < 0.005  # FACTS.md: 0.01 % with the reference shifted in samples
    pcm = channel(stim, delay_ms=137)
    frames = FE(pcm, CFG)
    nearest = am.reference_frames(stim, CFG, FE, 14 * CFG.step_samples, len(frames))
    from bench_app.core.analysis.relerr import mean_relative_error

    assert mean_relative_error(frames, nearest).mean > 10 * max(a.stimulus_mre, 1e-3)


def test_pcan_effect_and_the_matched_reference(bursts):
    stim, spans = bursts
    on0 = run(stim, spans, CFG, gain_db=0, noise_dbfs=-60)
    off0 = run(stim, spans, OFF, gain_db=0, noise_dbfs=-60)
    on6 = run(stim, spans, CFG, gain_db=-6, noise_dbfs=-60, delay_ms=137)
    off6 = run(stim, spans, OFF, gain_db=-6, noise_dbfs=-60, delay_ms=137)
    # PCAN on: a -60 dBFS floor alone puts the clean-stimulus error far above the 5 % bar
    # (FACTS.md: 57 %), and a noise-matched reference helps but stays above it (12-28 %).
    assert on0.stimulus_mre > 0.3
    assert 0.05 < on0.matched_mre < on0.stimulus_mre / 2
    # PCAN off: about 1 % at 0 dB, a few % at -6 dB.
    assert off0.stimulus_mre < 0.03
    assert off0.stimulus_mre < off6.stimulus_mre < 0.15
    # The channel-matched reference lowers the error with PCAN on and off.
    for r in (on0, on6, off6):
        assert r.matched_mre < r.stimulus_mre
    assert on6.stimulus_mre > 5 * off6.stimulus_mre


def test_noise_floor_and_gain_primitives_are_robust():
    rng = np.random.default_rng(3)
    fs = 16000
    t = np.arange(fs) / fs
    stim = np.concatenate([np.zeros(fs), 8000 * np.sin(2 * np.pi * 1000 * t), np.zeros(fs)])
    spans = segments_from([
        {"start": 0, "end": fs, "kind": "silence"},
        {"start": fs, "end": 2 * fs, "kind": "tone", "channel": 10},
        {"start": 2 * fs, "end": 3 * fs, "kind": "silence"},
    ])
    for noise_dbfs in (-70.0, -40.0, -25.0):
        sigma = 32767 * 10 ** (noise_dbfs / 20)
        y = np.concatenate([np.zeros(500), 0.25 * stim]) + rng.normal(0, sigma, len(stim) + 500)
        y = y + 300.0  # a DC offset is not noise
        quiet = [s for s in spans if s.kind == "silence"]
        dbfs, power, n = am.noise_floor(y, 500, quiet, 320)
        assert abs(dbfs - noise_dbfs) < 0.2 and n > fs
        gains = am.burst_gains_db(y, stim, 500, [spans[1]], 320, power)
        assert gains[0] == pytest.approx(20 * np.log10(0.25), abs=0.3)


def test_noise_floor_ignores_reverb_tails_in_the_gaps():
    rng = np.random.default_rng(4)
    fs, gap = 16000, 4000
    sigma = 32767 * 10 ** (-60 / 20)
    spans, y = [], []
    for k in range(12):  # 250 ms gaps opening with a -30 dBFS tail decaying with RT60 0.25 s
        t = np.arange(gap) / fs
        tail = 1000 * np.exp(-6.91 * t / 0.25) * rng.standard_normal(gap)
        y.append(tail + rng.normal(0, sigma, gap))
        spans.append(segments_from([{"start": k * gap, "end": (k + 1) * gap,
                                     "kind": "silence"}])[0])
    y = np.concatenate(y)
    naive = 10 * np.log10(np.mean(y**2) / 32767**2)
    dbfs, _, _ = am.noise_floor(y, 0, spans, 320)
    assert naive > -50  # the tails dominate a plain mean
    assert abs(dbfs + 60) < 1.0
