"""The alignment run's bookkeeping, without a board: PCM joining, clock anchor, continuity.

Inputs are built here with numpy from known delays, gaps and arrival times, so each helper's
answer is checked against the value the construction fixes.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bench_app.core.runs.procedures.alignment.summary import (
    _continuity,
    _fill_from_stimulus,
    _first_gap,
)
from bench_app.core.runs.procedures.board_io.board_session import Stamped, clock_anchor, join_pcm
from bench_app.core.runs.procedures.board_io.chunks import contiguous_frames


def _chunk(index: int, samples: np.ndarray, host_time: float = 0.0) -> Stamped:
    return Stamped(SimpleNamespace(sample_index=index, samples=samples, timestamp_us=0,
                                   source=0), host_time)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 5000), st.lists(st.integers(0, 9), min_size=1, max_size=8, unique=True))
def test_join_pcm_places_chunks_and_counts_lost_samples(start, lost):
    rng = np.random.default_rng(start)
    signal = rng.integers(-3000, 3000, 10 * 160, dtype=np.int16)
    chunks = [_chunk(start + 160 * k, signal[160 * k : 160 * (k + 1)])
              for k in range(10) if k not in lost]
    rng.shuffle(chunks)
    joined, missing = join_pcm(chunks, start, start + len(signal))
    expected = signal.copy()
    for k in lost:
        expected[160 * k : 160 * (k + 1)] = 0
    np.testing.assert_array_equal(joined, expected)
    assert missing == 160 * len(lost)


def test_clock_anchor_takes_the_least_delayed_chunk():
    rate = 16000
    # Sample s really enters at t = 10 + s / rate; chunks arrive 1-30 ms after their last one.
    delays = [0.030, 0.004, 0.001, 0.020]
    chunks = [_chunk(160 * k, np.zeros(160, np.int16), 10 + 160 * (k + 1) / rate + d)
              for k, d in enumerate(delays)]
    sample, t = clock_anchor(chunks, rate)
    assert sample == 160 * 3 and abs(t - (10 + 480 / rate + 0.001)) < 1e-9


def _stimulus(n: int = 32000) -> np.ndarray:
    rng = np.random.default_rng(1)
    return (rng.standard_normal(n) * 3000).astype(np.int16)


def test_continuity_true_for_a_pure_delay_and_false_after_a_gap():
    stim, delay = _stimulus(), 2192
    clean = np.concatenate([np.zeros(delay, np.int16), stim, np.zeros(6000, np.int16)])
    assert _continuity(clean, stim, 0, delay) is True
    for cut in (9000, 20000):  # 160 samples of silence inserted (a speaker underrun)
        glitched = np.concatenate([clean[: delay + cut], np.zeros(160, np.int16),
                                   clean[delay + cut :]])
        assert _continuity(glitched, stim, 0, delay) is False
    assert _continuity(None, stim, 0, delay) is None


def test_contiguous_frames_keep_the_longest_unbroken_run():
    frames = [SimpleNamespace(sample_index=160 * k, features=np.full(4, k, np.uint16))
              for k in (3, 0, 1, 5, 6, 7, 8, 10)]
    feats, first, cut = contiguous_frames(frames, 160)
    np.testing.assert_array_equal(feats[:, 0], [5, 6, 7, 8])
    assert first == 5 * 160 and cut == 4
    feats, first, cut = contiguous_frames(frames[:3], 160)  # 0, 1 then 3: the first run wins
    np.testing.assert_array_equal(feats[:, 0], [0, 1])


def test_lost_pcm_is_refilled_from_the_injected_stimulus_or_cut_at_the_first_loss():
    stim = _stimulus(1600)
    start = onset = 4000
    chunks = [_chunk(start + 160 * k, stim[160 * k : 160 * (k + 1)]) for k in range(10)
              if k not in (3, 7)]
    joined, missing = join_pcm(chunks, start, start + len(stim))
    assert missing == 320
    np.testing.assert_array_equal(_fill_from_stimulus(chunks, joined, start, onset, stim), stim)
    assert _first_gap(chunks, start) == 3 * 160
