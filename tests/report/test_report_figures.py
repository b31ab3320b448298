"""Figures: long spectrograms are pooled so that a single differing frame still shows."""

from __future__ import annotations

import numpy as np

from bench_app.core.report.figures import MAX_COLUMNS, pool_frames, spectrograms
from bench_app.core.report.samples import alignment_input


def test_pooling_keeps_a_lone_difference_and_averages_levels():
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 700, (6001, 32)).astype(np.int64)
    diff = np.zeros_like(frames)
    diff[4321, 7] = -9
    diff[17, 3] = 4
    pooled, k = pool_frames(diff, extreme=True)
    assert k == 8 and pooled.shape == (751, 32) and len(pooled) <= MAX_COLUMNS
    assert pooled[4321 // k, 7] == -9 and pooled[17 // k, 3] == 4
    assert np.count_nonzero(pooled) == 2
    levels, _ = pool_frames(frames, extreme=False)
    for column in (0, 300, 750):  # the last column holds the single leftover frame
        block = frames[column * k:(column + 1) * k]
        np.testing.assert_allclose(levels[column], [np.mean(block[:, c]) for c in range(32)])


def test_short_spectrograms_are_not_pooled():
    data, k = pool_frames(np.ones((MAX_COLUMNS, 4)), extreme=False)
    assert k == 1 and data.shape == (MAX_COLUMNS, 4)


def test_long_run_spectrogram_says_it_is_pooled():
    inp = alignment_input(seed=8, frames=6000)
    block = spectrograms(inp)
    assert block is not None and "averaged over 8 frames per column" in block.caption
