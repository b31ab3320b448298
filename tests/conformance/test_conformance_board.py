"""Board conformance: what any board speaking docs/protocol.md must do, checked from the host.

Run against the virtual board started here, or any other with ``--board-url URL``::

    bench-app emulate --fast --model models/untrained_paper_shape.tflite   # another terminal
    pytest tests/conformance --board-url /tmp/bench_app_emu_.../port       # the port it printed

Everything expected is read from the board's INFO (rate, ``fe.*`` front end and its frame grid,
capabilities, the model's window and hop), so a board with another front end config or model
is held to its own word. References: MLTK's AudioFeatureGenerator (window_variant "float") or
TF's audio_microfrontend op ("double") for the frames, and the TFLM interpreter for the scores
when the board runs the model shipped in models/.
"""

from __future__ import annotations

import hashlib
import time

import numpy as np
import pytest

from bench_app.core.device.protocol import PcmSource, Stream
from bench_app.core.errors import DeviceError
from bench_app.core.frontend import FrontendConfig
from bench_app.testing.running_board import MODEL, collect, test_signal

pytestmark = pytest.mark.timeout(180)


def reference_features(pcm: np.ndarray, cfg: FrontendConfig) -> np.ndarray:
    """An independent front end with the board's own settings (MLTK, or TF's op for "double")."""
    if cfg.window_variant == "double":
        pytest.importorskip("tensorflow")
        from bench_app.testing.oracles import tf_frontend

        return tf_frontend(pcm, cfg)
    from bench_app.testing.oracles import mltk_reference

    return mltk_reference(pcm, cfg)


def tflm_scores(window_u16: np.ndarray) -> np.ndarray:
    """The test's own run of the shipped model: TFLM micro_features int8 formula, TFLM."""
    from tflite_micro import runtime

    q = np.clip((window_u16.astype(np.int64) * 256 + 333) // 666 - 128, -128, 127)
    it = runtime.Interpreter.from_bytes(MODEL.read_bytes(), arena_size=4 << 20)
    it.set_input(q.astype(np.int8).reshape(it.get_input_details(0)["shape"]), 0)
    it.invoke()
    return np.array(it.get_output(0)).reshape(-1)


def test_info_states_what_a_host_needs(info, geometry):
    assert info.protocol_version == 1 and info.firmware_version
    assert info.sample_rate_hz > 0 and geometry.sample_rate_hz == info.sample_rate_hz
    cfg = FrontendConfig.from_dict(info.frontend)  # the host can compute the same features
    assert cfg.geometry == geometry
    assert "frames" in info.capabilities
    assert info.inject_window >= 1 and info.inject_max_samples >= 1
    has_model = info.model_sha256 is not None
    assert has_model == ("results" in info.capabilities)
    if has_model:
        assert len(info.model_sha256) == 64 and int(info.model_sha256, 16) >= 0
    if info.model_window_frames or info.model_hop_frames:
        assert has_model and info.model_window_frames >= 1 and info.model_hop_frames >= 1
    assert info.clock_speed == "fast" or float(info.clock_speed) > 0


def test_frames_start_stop_and_cadence(board, info, geometry):
    board.start([Stream.FRAMES])
    frames = collect(board, Stream.FRAMES, lambda g: len(g) >= 30)
    board.stop([Stream.FRAMES])
    assert len(frames) >= 30
    n_ch = int(info.frontend.get("fe.filterbank_n_channels", 32))
    for a, b in zip(frames, frames[1:], strict=False):
        assert a.features.shape == (n_ch,) and a.features.dtype == np.uint16
        gap = b.frame_index - a.frame_index
        assert gap >= 1 and b.sample_index - a.sample_index == gap * geometry.step_samples
        assert b.timestamp_us >= a.timestamp_us
    time.sleep(0.3)  # frames sent before the STOP's ACK may still be on the way
    board.drain(Stream.FRAMES)
    time.sleep(0.5)
    assert board.drain(Stream.FRAMES) == []
    assert board.stats.crc_errors == 0


def test_heartbeats_arrive(board):
    t0 = time.monotonic()
    first = board.last_heartbeat
    while board.last_heartbeat is first and time.monotonic() - t0 < 3.0:
        time.sleep(0.05)
    assert board.last_heartbeat is not first, "no HEARTBEAT within 3 s (docs: every 500 ms)"


def test_injected_audio_is_echoed_on_the_pcm_stream(board, info, need):
    need("inject_pcm")
    need("pcm")
    pcm = test_signal(1.5, seed=3)
    board.start([Stream.PCM])
    report = board.inject(pcm, tag=7)
    chunks = collect(board, Stream.PCM, lambda g: sum(
        len(c.samples) for c in g if c.source == PcmSource.INJECTED) >= len(pcm))
    board.stop([Stream.PCM])
    echo = [c for c in chunks if c.source == PcmSource.INJECTED]
    assert echo and echo[0].sample_index == report.first_sample_index
    np.testing.assert_array_equal(np.concatenate([c.samples for c in echo])[: len(pcm)], pcm)


def test_results_are_refused_without_a_model(board, info):
    if "results" in info.capabilities:
        # a board with a model cannot show this; the virtual board without one is tested in
        # tests/emulator/test_emulator_board.py
        pytest.skip("the board runs a model (refusal without one: see tests/emulator)")
    with pytest.raises(DeviceError, match="(?i)model|unsupported"):
        board.start([Stream.RESULTS])


@pytest.mark.timeout(240)
def test_injected_clip_is_bit_exact_and_results_equal_tflm(board, info, geometry, need):
    """Moved from tests/emulator (test_emulator_board) and read from INFO: the frames of an
    injected clip equal the reference front end's with the board's settings, tagged and on the
    board's hop; each RESULT whose whole window arrived spans the model window INFO states and
    steps by its hop, with TFLM's scores when the board runs the shipped model."""
    need("inject_pcm")
    pcm = test_signal(7.3, seed=1)
    cfg = FrontendConfig.from_dict(info.frontend)
    streams = [Stream.FRAMES] + ([Stream.RESULTS] if "results" in info.capabilities else [])
    board.start(streams)
    board.inject(pcm, tag=5)
    n_ref = geometry.frames_for(len(pcm))
    frames = collect(board, Stream.FRAMES, lambda g: sum(f.tag == 5 for f in g) >= n_ref)
    time.sleep(0.2)
    results = board.drain(Stream.RESULTS)
    board.stop(streams)
    assert board.stats.total_drops == 0

    clip = [f for f in frames if f.tag == 5]
    np.testing.assert_array_equal(np.stack([f.features for f in clip]),
                                  reference_features(pcm, cfg))
    assert [f.sample_index - clip[0].sample_index for f in clip] == [
        geometry.step_samples * i for i in range(len(clip))
    ]
    if "results" not in info.capabilities:
        return
    shipped = MODEL.is_file() and info.model_sha256 == hashlib.sha256(
        MODEL.read_bytes()).hexdigest()
    width = info.model_window_frames or (498 if shipped else 0)
    if not width:
        pytest.skip("INFO does not state the model's window (INFO 'model')")
    by_sample = {f.sample_index: i for i, f in enumerate(frames)}
    checked = []
    for r in results:
        i = by_sample.get(r.window_start_sample)
        if i is None or i + width > len(frames):
            continue
        window = frames[i : i + width]
        if window[-1].frame_index - window[0].frame_index != width - 1:
            continue
        assert r.window_end_sample == window[-1].sample_index + geometry.window_samples
        assert r.window_end_sample - r.window_start_sample == geometry.samples_for(width)
        assert (r.tag_first, r.tag_last) == (window[0].tag, window[-1].tag)
        if shipped:
            np.testing.assert_array_equal(r.scores,
                                          tflm_scores(np.stack([f.features for f in window])))
        assert 0 < r.invoke_us <= r.total_us and r.frontend_us <= r.total_us
        checked.append(r)
    assert len(checked) >= 2
    if info.model_hop_frames:
        hop = info.model_hop_frames * geometry.step_samples
        assert all(b.window_start_sample - a.window_start_sample == hop
                   for a, b in zip(checked, checked[1:], strict=False))
    if shipped:  # its untrained weights still give different scores for different audio
        assert len({r.scores.tobytes() for r in results}) > 1



def test_the_conformance_suite_passes_levels_0_to_2(board):
    """`bench-app conformance`'s own levels on the board under test: L0-L2 never fail (L3 needs
    a microphone that hears something, which a silent virtual board does not)."""
    from bench_app.core.conformance import FAIL, ConformanceOptions, run_conformance

    report = run_conformance(board, board.url, ConformanceOptions(listen_s=0.5))
    assert [c.line() for c in report.checks if c.status == FAIL and c.level <= "L2"] == []
    assert report.status("L0") == report.status("L1") == "pass"
