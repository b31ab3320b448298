"""The alignment run's live pipeline parity matches the metric's definition (analysis.relerr)."""

from __future__ import annotations

import numpy as np

from bench_app.core.analysis.relerr import mean_relative_error, nanmean_along
from bench_app.core.frontend import FrontendConfig, compute_features
from bench_app.core.runs.engine.documents import Event
from bench_app.core.runs.procedures.alignment.live_parity import LiveParity


def _chirp(seconds: float = 2.0) -> np.ndarray:
    rng = np.random.default_rng(1)
    t = np.arange(int(16000 * seconds)) / 16000
    pcm = 8000 * np.sin(2 * np.pi * (300 + 2000 * t) * t) + rng.normal(0, 300, t.size)
    return pcm.astype(np.int16)


def _feed(live, pcm, board, start, step, chunk=8000):
    out = []
    for i in range(0, len(pcm), chunk):
        out += live.take(Event("pcm", {"first_sample": start + i}, {"pcm": pcm[i:i + chunk]}))
    index = start + step * np.arange(len(board))
    out += live.take(Event("frames", {"first_sample": start},
                           {"frames": board, "frame_sample_index": index}))
    return out


def test_live_parity_is_the_metric_definition():
    cfg = FrontendConfig()
    pcm = _chirp()
    host = compute_features(pcm, cfg)
    board = host.astype(np.float64)
    board[:, 5] *= 1.2  # one channel 20 % high
    start = 1234 * cfg.step_samples
    events = _feed(LiveParity(cfg), pcm, board, start, cfg.step_samples)
    references = [e for e in events if e.stream == "reference"]
    np.testing.assert_array_equal(np.concatenate([e.arrays["frames"] for e in references]), host)
    index = np.concatenate([e.arrays["frame_sample_index"] for e in references])
    np.testing.assert_array_equal(index, start + cfg.step_samples * np.arange(len(host)))
    (metrics,) = [e for e in events if e.stream == "metrics"]  # scored once the frames came
    stats = mean_relative_error(board, host)
    errors = np.where(host >= stats.floor, np.abs(board - host) / np.maximum(host, 1), np.nan)
    per_channel = np.array([np.nan if v is None else v for v in metrics.data["per_channel"]])
    np.testing.assert_allclose(per_channel, nanmean_along(errors, 0), rtol=1e-6)
    over_time = np.array([np.nan if v is None else v for v in metrics.data["over_time"]])
    np.testing.assert_allclose(over_time, nanmean_along(errors, 1), rtol=1e-6)
    assert metrics.data["over_time_sample"] == index.tolist()
    assert metrics.data["floor"] == stats.floor
    assert np.isclose(metrics.data["mean"], stats.mean, rtol=1e-12, atol=0)
    assert metrics.data["frames_scored"] == len(host)


def test_live_parity_restarts_the_front_end_after_lost_pcm():
    cfg = FrontendConfig()
    pcm = _chirp(1.0)
    step = cfg.step_samples
    live = LiveParity(cfg)
    first = list(live.take(Event("pcm", {"first_sample": 0}, {"pcm": pcm[:8000]})))
    gap = 100 * step  # a lost chunk: the host restarts there, as the board does
    second = list(live.take(Event("pcm", {"first_sample": 8000 + gap}, {"pcm": pcm[8000:]})))
    ref0, ref1 = first[0].arrays["frames"], second[0].arrays["frames"]
    np.testing.assert_array_equal(ref0, compute_features(pcm[:8000], cfg))
    np.testing.assert_array_equal(ref1, compute_features(pcm[8000:], cfg))
    assert second[0].data["first_sample"] == 8000 + gap


def test_frames_without_pcm_are_never_scored_and_kept_bounded():
    from bench_app.core.runs.procedures.alignment import live_parity

    cfg = FrontendConfig()
    live = LiveParity(cfg)
    n = live_parity.MAX_PENDING + 50
    frames = np.ones((n, 32), np.uint16)
    out = list(live.take(Event("frames", {}, {
        "frames": frames, "frame_sample_index": 160 * np.arange(n)})))
    assert out == [] and live.frames_scored == 0 and live.mean() is None
    assert len(live._board) == live_parity.MAX_PENDING
