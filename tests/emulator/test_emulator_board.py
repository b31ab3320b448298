"""The virtual board end to end over a real pty, in-process: inject, model results, speaker.

The board runs in a thread of the test process (`VirtualBoard.serve`), the host side is the
bench's own `BoardClient` on the pty. References: MLTK's AudioFeatureGenerator for the frames,
the TFLM interpreter (run here, independently) for the RESULT scores, numpy cross-correlation
for the channel's delay and level.
"""

from __future__ import annotations

import hashlib
import time

import numpy as np
import pytest

from bench_app.core.device.client import BoardClient
from bench_app.core.device.emulator.channel import ChannelConfig
from bench_app.core.device.protocol import Stream
from bench_app.core.device.virtual_speaker import VirtualSpeaker
from bench_app.core.frontend import FrontendConfig
from bench_app.testing.oracles import mltk_reference
from bench_app.testing.running_board import FS, MODEL, collect, running_board, test_signal


def tflm_scores(window_u16: np.ndarray) -> np.ndarray:
    """The test's own run of the model: TFLM micro_features int8 formula, TFLM interpreter."""
    from tflite_micro import runtime

    q = np.clip((window_u16.astype(np.int64) * 256 + 333) // 666 - 128, -128, 127)
    it = runtime.Interpreter.from_bytes(MODEL.read_bytes(), arena_size=4 << 20)
    it.set_input(q.astype(np.int8).reshape(it.get_input_details(0)["shape"]), 0)
    it.invoke()
    return np.array(it.get_output(0)).reshape(-1)


@pytest.mark.timeout(120)
def test_injected_clip_is_bit_exact_and_results_equal_tflm():
    pcm = test_signal(7.3, seed=1)
    with running_board(fast=True, model=str(MODEL)) as board, \
            BoardClient.open(board.port_path, timeout=10) as client:  # fmt: skip
        info = client.info()
        assert info.model_sha256 == hashlib.sha256(MODEL.read_bytes()).hexdigest()
        assert info.frontend == FrontendConfig().to_dict()
        assert "results" in info.capabilities
        client.start([Stream.FRAMES, Stream.RESULTS])
        client.inject(pcm, tag=5)
        n_ref = (len(pcm) - 400) // 160 + 1
        frames = collect(client, Stream.FRAMES, lambda g: sum(f.tag == 5 for f in g) >= n_ref)
        time.sleep(0.2)
        results = client.drain(Stream.RESULTS)
        assert client.stats.total_drops == 0

    clip = [f for f in frames if f.tag == 5]
    np.testing.assert_array_equal(
        np.stack([f.features for f in clip]), mltk_reference(pcm, FrontendConfig())
    )
    assert [f.sample_index - clip[0].sample_index for f in clip] == [
        160 * i for i in range(len(clip))
    ]
    # Every RESULT whose whole window arrived: same scores as TFLM on the same window.
    by_sample = {f.sample_index: i for i, f in enumerate(frames)}
    checked = 0
    for r in results:
        i = by_sample.get(r.window_start_sample)
        if i is None or i + 498 > len(frames):
            continue
        window = frames[i : i + 498]
        if window[-1].frame_index - window[0].frame_index != 497:
            continue
        assert r.window_end_sample == window[-1].sample_index + 400
        assert (r.tag_first, r.tag_last) == (window[0].tag, window[-1].tag)
        np.testing.assert_array_equal(r.scores, tflm_scores(np.stack([f.features for f in window])))
        assert 0 < r.invoke_us <= r.total_us and r.frontend_us <= r.total_us
        checked += 1
    assert checked >= 2
    # Untrained weights still give different scores for different audio.
    assert len({r.scores.tobytes() for r in results}) > 1


@pytest.mark.timeout(60)
def test_board_without_model_streams_frames_and_refuses_results():
    with running_board(fast=True) as board, BoardClient.open(board.port_path, timeout=5) as c:
        info = c.info()
        assert info.model_sha256 is None and "results" not in info.capabilities
        with pytest.raises(Exception, match="(?i)model|unsupported"):
            c.start([Stream.RESULTS])
        c.start([Stream.FRAMES])
        frames = collect(c, Stream.FRAMES, lambda g: len(g) >= 20)
    assert frames and all(f.tag == 0 for f in frames)  # the idle microphone streams on


@pytest.mark.timeout(90)
@pytest.mark.parametrize("fast", [True, False], ids=["fast", "real-time"])
def test_virtual_speaker_path_has_the_channel_delay_gain_and_noise(fast):
    chan = "delay_ms=137,gain_db=-6,noise_dbfs=-60,seed=4"
    rng = np.random.default_rng(9)
    burst = np.round(rng.standard_normal(int(0.3 * FS)) * 32768 * 10 ** (-12 / 20))
    stim = np.concatenate([np.zeros(FS // 2), burst, np.zeros(FS // 2)]).astype(np.int16)
    with running_board(fast=fast, channel=ChannelConfig.parse(chan)) as board, \
            BoardClient.open(board.port_path, timeout=5) as client:  # fmt: skip
        info = client.info()
        client.start([Stream.PCM])
        with VirtualSpeaker(info.extra["speaker"]) as speaker:
            onset = speaker.play(stim)
        # The idle board runs on in real time, so the delay line empties into the PCM stream.
        end = onset + len(stim) + 6000
        chunks = collect(client, Stream.PCM,
                         lambda g: bool(g) and g[-1].sample_index > end)  # fmt: skip
    assert onset is not None
    start = chunks[0].sample_index
    mic = np.concatenate([c.samples for c in chunks]).astype(np.float64)
    assert all(c.sample_index - start == sum(len(x.samples) for x in chunks[:i])
               for i, c in enumerate(chunks))  # fmt: skip
    lo = onset - start
    seg = mic[lo : lo + len(stim) + 4000]
    xc = np.correlate(seg, stim.astype(np.float64), mode="valid")
    assert int(np.argmax(np.abs(xc))) == 2192
    got = seg[2192 + FS // 2 : 2192 + FS // 2 + len(burst)]
    level = 20 * np.log10(np.sqrt(np.mean(got**2)) / np.sqrt(np.mean(burst**2)))
    assert level == pytest.approx(-6.0, abs=0.5)
    quiet = seg[: FS // 2]
    assert 20 * np.log10(np.sqrt(np.mean(quiet**2)) / 32768) == pytest.approx(-60, abs=3)
