"""Pipeline parity: host front end on the board's own PCM vs the board's frames.

The "board" here computes its frames with the reference front end on the PCM of a known numpy
channel (as the virtual board does); drift is then injected on purpose (another band, scaled
cells, dropped frames) and the metric must see exactly it.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench_app.core.analysis.parity import pipeline_parity, placement_from_indices
from bench_app.core.analysis.relerr import mean_relative_error
from bench_app.core.analysis.timeline import segments_from
from bench_app.core.frontend import FrontendConfig
from bench_app.testing.oracles import tf_frontend
from bench_app.testing.signals import channel, frontend, tonal_bursts

FE = frontend()
CFG = FrontendConfig()


@pytest.fixture(scope="module")
def capture():
    stim, timeline = tonal_bursts(CFG, levels=(-12.0,))
    pcm = channel(stim, delay_ms=137, gain_db=-6, noise_dbfs=-60)
    return stim, timeline, pcm, FE(pcm, CFG)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 40), st.integers(1, 6), st.floats(0.0, 0.9), st.integers(0, 2**32 - 1)
)
def test_relative_error_matches_a_direct_computation(frames, channels, fraction, seed):
    rng = np.random.default_rng(seed)
    ref = rng.integers(0, 2000, (frames, channels)).astype(np.uint16)
    board = rng.integers(0, 2000, (frames, channels)).astype(np.uint16)
    s = mean_relative_error(board, ref, floor_fraction=fraction, floor_abs=1.0)
    floor = max(1.0, fraction * ref.max())
    keep = ref >= floor
    expected = np.abs(board[keep].astype(float) - ref[keep]) / ref[keep]
    assert s.n_cells == keep.sum()
    if keep.any():
        assert s.mean == pytest.approx(expected.mean())
        assert s.median == pytest.approx(np.median(expected))
        assert s.p95 == pytest.approx(np.percentile(expected, 95))


def test_matching_code_and_config_give_exactly_zero(capture):
    stim, timeline, pcm, frames = capture
    r = pipeline_parity(frames, pcm, CFG, frontend=FE, spans=segments_from(timeline))
    assert r.available and r.exact and r.max_abs_diff == 0
    assert r.mean_relative_error == 0.0 and r.stats.p95 == 0.0 and r.passed
    assert r.frame_offset == 0 and r.offset_source == "searched"
    assert r.frames_compared == len(frames) and len(r.per_frame) == len(frames)
    assert r.stats.n_cells > 100
    d = r.to_dict()
    assert d["mean_relative_error"] == 0.0 and d["pass"] is True


def test_board_computed_by_tensorflows_op_is_exact_against_the_default_host(capture):
    # An independent implementation of the board's C front end (TF's op, "double" variant,
    # identical to "float" at 25 ms) as the board; the analysis's default host front end.
    _, _, pcm, _ = capture
    board = tf_frontend(pcm, CFG)
    r = pipeline_parity(board, pcm, CFG)
    assert r.exact and r.mean_relative_error == 0.0 and r.frame_offset == 0


def test_offset_is_found_when_the_board_frames_start_later(capture):
    _, _, pcm, frames = capture
    late = frames[7:-3]  # the board's first 7 frames were not received, the last 3 neither
    r = pipeline_parity(late, pcm, CFG, frontend=FE)
    assert r.frame_offset == 7 and r.exact and r.frames_compared == len(late)
    given_offset = pipeline_parity(late, pcm, CFG, frontend=FE, frame_offset=7)
    assert given_offset.exact and given_offset.offset_source == "given"
    wrong = pipeline_parity(late, pcm, CFG, frontend=FE, frame_offset=6)
    assert wrong.mean_relative_error > 0.01 and not wrong.passed


def test_placement_from_frame_index_and_pcm_timestamp(capture):
    _, _, pcm, frames = capture
    # The PCM stream starts 523 samples into the board's microphone stream and the first frame
    # received has index 12. By hand: drop 117 samples (523 + 117 = 640 = 4 hops), so host
    # frame 0 is board frame 4 and board frame 12 (our row 0) is host frame 8.
    start = 523
    trim, offset = placement_from_indices(12, start, CFG.step_samples)
    assert (trim, offset) == (117, 8)
    r = pipeline_parity(frames[12:], pcm[start:], CFG, frontend=FE, frame_offset=offset,
                        pcm_trim=trim)
    assert r.available and r.frames_compared == len(FE(pcm[start + trim :], CFG)) - 8
    # The host's front end started 4 hops after the board's, so its noise-reduction / PCAN
    # state differs at first; once settled, the streams agree.
    tail = np.asarray(r.per_frame)[-200:]
    assert np.nanmax(tail) < 0.01
    wrong = pipeline_parity(frames[12:], pcm[start:], CFG, frontend=FE, frame_offset=offset + 1,
                            pcm_trim=trim)
    assert wrong.mean_relative_error > 10 * r.mean_relative_error


def test_band_mismatch_fails_parity(capture):
    _, _, pcm, _ = capture
    board = FE(pcm, CFG.replace(filterbank_lower_band_limit=125.0,
                                filterbank_upper_band_limit=7500.0))
    r = pipeline_parity(board, pcm, CFG, frontend=FE, frame_offset=0)
    assert r.available and not r.exact
    assert r.mean_relative_error > 0.05 and not r.passed


def test_worst_segment_and_channel_point_at_the_injected_drift(capture):
    _, timeline, pcm, frames = capture
    spans = segments_from(timeline)
    target = next(s for s in spans if s.kind == "tone" and s.channel == 9)
    board = frames.astype(np.int64)
    delay = 2192
    rows = slice((target.start + delay) // 160 + 2, (target.end + delay) // 160 - 2)
    board[rows, 9] = (board[rows, 9] * 1.3).astype(np.int64)
    r = pipeline_parity(board.astype(np.uint16), pcm, CFG, frontend=FE, frame_offset=0,
                        spans=spans, timeline_shift=delay)
    assert r.worst_segment["channel"] == 9 and r.worst_segment["kind"] == "tone"
    assert int(np.nanargmax(r.per_channel)) == 9
    assert int(np.nanargmax(r.per_frame)) in range(rows.start, rows.stop)
    assert 0 < r.mean_relative_error < 0.05  # local drift, small on average: it passes...
    assert r.stats.max == pytest.approx(0.3, abs=0.01)  # ...but the engineer sees where


def test_unavailable_inputs_say_why(capture):
    _, _, pcm, frames = capture
    assert "no microphone PCM" in pipeline_parity(frames, None, CFG, frontend=FE).reason
    wide = np.zeros((len(frames), 40), np.uint16)
    r = pipeline_parity(wide, pcm, CFG, frontend=FE)
    assert not r.available and "40 channels" in r.reason and not r.passed
    assert not pipeline_parity(frames, pcm[:100], CFG, frontend=FE).available
