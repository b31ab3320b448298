"""Test-side helpers for the analysis tests: a numpy acoustic channel, tonal bursts, a front end.

The channel (delay, gain, 4th-order Butterworth band-pass, seeded white noise) is written here on
purpose, independent of the virtual board's channel model, so the analysis is checked against a
channel whose parameters are known exactly. The tests at the bottom check the helpers themselves.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from bench_app.core.analysis.acoustic_measures import channel_centres_hz

FS = 16000


def tf_frontend(pcm, cfg):
    """TensorFlow's audio_microfrontend op with a `FrontendConfig`: an independent "board"."""
    from oracles import tf_features

    nr = cfg.noise_reduction_enable
    return tf_features(
        pcm,
        sample_rate=cfg.sample_rate_hz,
        window_size=cfg.window_size_ms,
        window_step=cfg.window_step_ms,
        num_channels=cfg.filterbank_n_channels,
        lower_band_limit=float(cfg.filterbank_lower_band_limit),
        upper_band_limit=float(cfg.filterbank_upper_band_limit),
        smoothing_bits=cfg.noise_reduction_smoothing_bits,
        even_smoothing=cfg.noise_reduction_even_smoothing,
        odd_smoothing=cfg.noise_reduction_odd_smoothing,
        min_signal_remaining=cfg.noise_reduction_min_signal_remaining if nr else 1.0,
        enable_pcan=cfg.pcan_enable,
        pcan_strength=cfg.pcan_strength,
        pcan_offset=cfg.pcan_offset,
        gain_bits=cfg.pcan_gain_bits,
        enable_log=cfg.log_scale_enable,
        scale_shift=cfg.log_scale_shift,
    )


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
