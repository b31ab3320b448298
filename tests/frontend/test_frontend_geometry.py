"""The one frame geometry (`FrameGeometry`, `FrontendConfig.frames_for`) against TF's op and MLTK.

Awkward lengths: none, shorter than a window, exactly a window, one sample short of the next
hop, exactly one hop more, one sample over, long. At 11025 Hz the window (275.625 samples) and
hop (110.25) are not whole: truncating (TFLM, TF, MLTK) and rounding differ, so rounding
anywhere would show here. Every place that needs frames for N samples (the client's inject
capture, the runs, the report) reads the same class.
"""

from __future__ import annotations

import numpy as np
import pytest

from bench_app.core.frontend import FrontendConfig, compute_features
from bench_app.core.frontend.geometry import FrameGeometry
from bench_app.testing.oracles import mltk_module, tf_frontend

PAPER = FrontendConfig()
ODD_RATE = FrontendConfig(sample_rate_hz=11025, filterbank_upper_band_limit=5000.0)


def _awkward(cfg: FrontendConfig) -> list[int]:
    w, h = cfg.window_samples, cfg.step_samples
    return [0, 1, w - 1, w, w + h - 1, w + h, w + h + 1, w + 3 * h - 1, 2 * cfg.sample_rate_hz]


def _noise(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 3000, n).astype(np.int16)


def test_whole_samples_are_truncated_as_tflm_does():
    assert (PAPER.window_samples, PAPER.step_samples) == (400, 160)
    assert (ODD_RATE.window_samples, ODD_RATE.step_samples) == (275, 110)  # 275.625, 110.25
    assert PAPER.geometry == FrameGeometry.from_settings(PAPER.to_dict())
    assert FrameGeometry.from_settings({"fe.sample_rate_hz": 16000}) is None
    assert FrameGeometry.from_settings({**PAPER.to_dict(), "fe.window_step_ms": "x"}) is None


@pytest.mark.parametrize("cfg", [PAPER, ODD_RATE], ids=["16k", "11025"])
def test_frames_for_matches_tf_op_and_the_bench_front_end(cfg):
    for i, n in enumerate(_awkward(cfg)):
        pcm = _noise(n, i)
        want = tf_frontend(pcm, cfg).shape[0]
        assert cfg.frames_for(n) == want, n
        assert compute_features(pcm, cfg).shape[0] == want, n
        assert FrameGeometry.from_settings(cfg.to_dict()).frames_for(n) == want, n


@pytest.mark.parametrize("cfg", [PAPER, ODD_RATE], ids=["16k", "11025"])
def test_frames_for_matches_mltk(cfg):
    """MLTK takes whole milliseconds; its compiled generator needs at least one frame (its own
    shape formula gives 0 or less below a window and the generator then refuses the call)."""
    mod = mltk_module()
    for ms in (1, 24, 25, 26, 34, 35, 36, 45, 1000):
        s = mod.AudioFeatureGeneratorSettings()
        for key, value in cfg.to_mltk_settings().items():
            setattr(s, key, value)
        s.sample_length_ms = ms
        n = s.sample_length
        assert max(0, s.spectrogram_shape[0]) == cfg.frames_for(n), ms
        if cfg.frames_for(n):
            out = mod.AudioFeatureGenerator(s).process_sample(_noise(n, ms), dtype=np.uint16)
            assert out.shape[0] == cfg.frames_for(n), ms


def test_rounding_would_differ_at_11025_hz():
    """The lengths above do tell truncation from rounding (else the test proves little)."""
    rounded = FrameGeometry(11025, 276, 110)
    assert any(rounded.frames_for(n) != ODD_RATE.frames_for(n) for n in _awkward(ODD_RATE))


@pytest.mark.parametrize("cfg", [PAPER, ODD_RATE], ids=["16k", "11025"])
def test_samples_for_is_the_shortest_signal_with_that_many_frames(cfg):
    g = cfg.geometry
    assert g.samples_for(0) == 0
    for k in (1, 2, 3, 198):
        n = cfg.samples_for(k)
        assert cfg.frames_for(n) == k and cfg.frames_for(n - 1) == k - 1
        assert g.frame_end(k - 1) == n and g.frame_start(k) == k * cfg.step_samples
    assert g.step_s == cfg.step_samples / cfg.sample_rate_hz
