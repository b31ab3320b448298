"""Issue 9, class 8: a verdict only on enough evidence, and bit-exact parity always passes."""

from __future__ import annotations

import math

import numpy as np

from bench_app.core.analysis.parity import pipeline_parity
from bench_app.core.analysis.verdict import MIN_COVERAGE, decide
from bench_app.core.frontend import FrontendConfig, compute_features


def _exact_parity(pcm):
    cfg = FrontendConfig()
    frames = compute_features(pcm, cfg)
    return pipeline_parity(frames, pcm, cfg, frame_offset=0), len(frames)


def test_a_silent_stimulus_that_is_bit_exact_passes_parity():
    parity, _ = _exact_parity(np.zeros(16000, np.int16))
    assert parity.available and parity.exact
    assert math.isnan(parity.mean_relative_error)  # no cell above the floor: MRE undefined
    assert parity.passed
    verdict = decide([], parity, None)
    assert verdict.passed is True and "bit-exact" in verdict.reasons[0]


def test_too_little_evidence_gives_no_verdict_and_says_why():
    rng = np.random.default_rng(1)
    parity, n = _exact_parity((rng.standard_normal(16000) * 3000).astype(np.int16))
    assert parity.passed
    expected = 8 * n  # the run stopped after an eighth of the stimulus (4 of 32 bursts)
    verdict = decide([], parity, None, expected_frames=expected)
    assert verdict.passed is None
    assert verdict.reasons[0].startswith("No verdict: pipeline parity covers only")
    assert f"{parity.frames_compared} of the {expected} frames" in verdict.reasons[0]
    enough = decide([], parity, None, expected_frames=math.ceil(n * MIN_COVERAGE))
    assert enough.passed is True


def test_a_failure_on_little_evidence_is_still_a_failure():
    rng = np.random.default_rng(2)
    pcm = (rng.standard_normal(16000) * 3000).astype(np.int16)
    cfg = FrontendConfig()
    frames = compute_features(pcm, cfg).astype(np.int64)
    frames = np.clip(frames * 2, 0, 65535).astype(np.uint16)  # a board computing nonsense
    parity = pipeline_parity(frames, pcm, cfg, frame_offset=0)
    assert decide([], parity, None, expected_frames=10 * len(frames)).passed is False
