"""Streaming, batch and per-stage outputs of the reference front end.

Streaming in chunks of any size (0 and 1 sample included) must equal the whole-signal output
exactly (which tests/test_frontend_oracles.py ties to MLTK and TensorFlow); the batch API must
equal clip-by-clip runs; the stage outputs are checked against independent float computations.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench_app.core.errors import BenchError
from bench_app.core.frontend import (
    STAGE_NAMES,
    FrontendConfig,
    MicroFrontend,
    compute_features,
    compute_features_batch,
)
from bench_app.testing.oracles import mltk_features

CONFIGS = [
    FrontendConfig(),
    FrontendConfig(window_size_ms=30, window_step_ms=20, filterbank_n_channels=40,
                   filterbank_lower_band_limit=125.0, filterbank_upper_band_limit=7500.0,
                   window_variant="double"),
    FrontendConfig(window_size_ms=32, filterbank_n_channels=64, noise_reduction_enable=False,
                   pcan_enable=False),
]


def _signal(seed: int, seconds: float = 1.5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(16000 * seconds)
    t = np.arange(n) / 16000
    x = 8000 * np.sin(2 * np.pi * (300 + 2000 * t) * t) * (t % 0.4 < 0.25)
    x += 800 * rng.standard_normal(n)
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def _stream(fe: MicroFrontend, pcm: np.ndarray, sizes, stages: bool = False):
    outs, i, k = [], 0, 0
    while i < pcm.size:
        n = sizes[k % len(sizes)]
        outs.append(fe.process(pcm[i:i + n], stages=stages))
        i += n
        k += 1
    return outs


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(0, 2000), min_size=1, max_size=12).filter(any),
       cfg_index=st.integers(0, len(CONFIGS) - 1))
def test_streaming_in_random_chunks_equals_whole_signal(sizes, cfg_index):
    cfg = CONFIGS[cfg_index]
    pcm = _signal(cfg_index)
    fe = MicroFrontend(cfg)
    got = np.concatenate(_stream(fe, pcm, sizes))
    assert got.dtype == np.uint16
    assert np.array_equal(got, compute_features(pcm, cfg))
    assert fe.frames_out == got.shape[0] == cfg.frames_for(pcm.size)
    assert fe.pending_samples == pcm.size - got.shape[0] * cfg.step_samples


def test_streaming_one_sample_at_a_time_matches_mltk():
    cfg = FrontendConfig()
    pcm = _signal(7, seconds=0.25)
    fe = MicroFrontend(cfg)
    got = np.concatenate([fe.process(pcm[i:i + 1]) for i in range(pcm.size)])
    assert np.array_equal(got, mltk_features(pcm, cfg.to_mltk_settings()))


def test_empty_chunk_gives_no_frames_and_reset_forgets_state():
    cfg = FrontendConfig()
    fe = MicroFrontend(cfg)
    empty = fe.process(np.zeros(0, np.int16))
    assert empty.shape == (0, 32) and empty.dtype == np.uint16
    pcm = _signal(3)
    first = fe.process(pcm)
    fe.process(_signal(4))  # moves the noise estimate and leaves samples pending
    fe.reset()
    assert fe.pending_samples == 0
    assert np.array_equal(fe.process(pcm), first)


def test_streaming_stages_equal_whole_signal_stages():
    cfg = CONFIGS[1]
    pcm = _signal(5)
    parts = _stream(MicroFrontend(cfg), pcm, [1234, 17, 0, 5000], stages=True)
    whole = compute_features(pcm, cfg, stages=True)
    assert set(whole) == set(STAGE_NAMES)
    for name in STAGE_NAMES:
        assert np.array_equal(np.concatenate([p[name] for p in parts]), whole[name]), name


def test_batch_equals_clip_by_clip():
    for cfg in CONFIGS:
        clips = np.stack([_signal(s, seconds=1.0) for s in range(5)])
        batch = compute_features_batch(clips, cfg)
        assert batch.shape == (5, cfg.frames_for(16000), cfg.filterbank_n_channels)
        for k in range(5):
            assert np.array_equal(batch[k], compute_features(clips[k], cfg))
    short = compute_features_batch(np.zeros((3, 100), np.int16))
    assert short.shape == (3, 0, 32)


def test_fft_stage_is_close_to_a_float_fft():
    """The fixed-point FFT is the real FFT of the shifted frame / fft_size, within a few LSB."""
    cfg = FrontendConfig()
    s = compute_features(_signal(11), cfg, stages=True)
    x = s["window"].astype(np.int64) << s["fft_shift"][:, None]
    x = ((x + 32768) & 0xFFFF) - 32768
    ref = np.fft.rfft(x, cfg.fft_size) / cfg.fft_size
    got = s["fft"][..., 0] + 1j * s["fft"][..., 1]
    assert np.abs(got - ref).max() < 8
    assert np.abs(ref).max() > 1000  # the check is not vacuous


def test_filterbank_stage_is_close_to_float_weighted_sum():
    cfg = FrontendConfig()
    from bench_app.core.frontend.pipeline import frontend_plan

    fb = frontend_plan(cfg).filterbank
    s = compute_features(_signal(12), cfg, stages=True)
    energy = s["energy"].astype(np.float64)
    bins = np.arange(fb.start, fb.end)
    chan = np.zeros((energy.shape[0], cfg.filterbank_n_channels))
    for b in bins:
        c = fb.band[b]
        if c < cfg.filterbank_n_channels:
            chan[:, c] += fb.unweights[b] * energy[:, b]
        if c >= 1:
            chan[:, c - 1] += fb.weights[b] * energy[:, b]
    ref = np.sqrt(chan) / 2.0 ** s["fft_shift"][:, None]
    got = s["filterbank"].astype(np.float64)
    assert np.abs(got - ref).max() <= 1.0


@pytest.mark.parametrize("bad", [np.zeros((2, 100), np.int16), np.array([0.5, 0.25]),
                                 np.array([40000, 0])])
def test_bad_pcm_is_a_one_sentence_error(bad):
    with pytest.raises(BenchError, match=r"\.$"):
        MicroFrontend().process(bad)


def test_importing_the_front_end_does_not_import_numba():
    """The GUI imports the front end at start: numba loads (and compiles) only on first use."""
    import subprocess
    import sys

    code = ("import sys, bench_app.core.frontend as f; f.FrontendConfig().to_json(); "
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_stage_run_gives_the_same_features_as_the_plain_run():
    for cfg in CONFIGS:
        pcm = _signal(21)
        assert np.array_equal(compute_features(pcm, cfg, stages=True)["features"],
                              compute_features(pcm, cfg))


def test_front_ends_in_several_threads_give_the_same_frames():
    """A GUI thread and a run thread may each stream through their own front end."""
    from concurrent.futures import ThreadPoolExecutor

    pcm = _signal(31)
    expected = compute_features(pcm)

    def stream(seed):
        sizes = list(np.random.default_rng(seed).integers(1, 3000, size=8))
        return np.concatenate(_stream(MicroFrontend(), pcm, sizes))

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(stream, range(8)))
    assert all(np.array_equal(r, expected) for r in results)
