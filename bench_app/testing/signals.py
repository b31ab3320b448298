"""Known signals and a known acoustic channel, for tests of the analysis and the runs.

The channel (delay, gain, 4th-order Butterworth band-pass, seeded white noise) is written here on
purpose, independent of the virtual board's channel model, so the analysis is checked against a
channel whose parameters are known exactly (tests/analysis/test_analysis_channel.py checks these
helpers themselves).
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from bench_app.core.analysis.acoustic_measures import channel_centres_hz

FS = 16000


def frontend():
    """The host front end the tests run: the bench's own reference (the analysis default)."""
    from bench_app.core.frontend import compute_features

    return compute_features


def tonal_bursts(cfg, levels=(-12.0,), tone_s=0.12, gap_s=0.1, lead_s=0.3):
    """Bursts at every channel centre, separated by silence; returns (int16, timeline dicts)."""
    centres = channel_centres_hz(cfg)
    parts, timeline, pos = [], [], 0

    def add(x, **kw):
        nonlocal pos
        parts.append(x)
        timeline.append({"start": pos, "end": pos + len(x), **kw})
        pos += len(x)

    add(np.zeros(int(lead_s * FS)), kind="silence")
    n, r = int(tone_s * FS), int(0.005 * FS)
    ramp = np.ones(n)
    ramp[:r] = 0.5 - 0.5 * np.cos(np.pi * np.arange(r) / r)
    ramp[-r:] = ramp[:r][::-1]
    t = np.arange(n) / FS
    for level in levels:
        for c, f in enumerate(centres):
            tone = 32767 * 10 ** (level / 20) * np.sin(2 * np.pi * f * t) * ramp
            add(tone, kind="tone", channel=c, frequency_hz=float(f), level_dbfs=level)
            add(np.zeros(int(gap_s * FS)), kind="silence")
    x = np.concatenate(parts)
    return np.clip(np.rint(x), -32768, 32767).astype(np.int16), timeline


def channel(x, delay_ms=0.0, gain_db=0.0, noise_dbfs=None, bandpass=None, tail_s=0.3, seed=1):
    """The board's microphone PCM for stimulus ``x`` through a known channel (int16)."""
    d = int(round(delay_ms * FS / 1000))
    y = np.zeros(len(x) + d + int(tail_s * FS))
    y[d : d + len(x)] = np.asarray(x, dtype=np.float64) * 10 ** (gain_db / 20)
    if bandpass:
        sos = signal.butter(4, bandpass, btype="bandpass", fs=FS, output="sos")
        y = signal.sosfilt(sos, y)
    if noise_dbfs is not None:
        y = y + np.random.default_rng(seed).normal(0, 32767 * 10 ** (noise_dbfs / 20), len(y))
    return np.clip(np.rint(y), -32768, 32767).astype(np.int16)
