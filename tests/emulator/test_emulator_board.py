"""The virtual board end to end over a real pty, in-process: no model, speaker channel.

The board runs in a thread of the test process (`VirtualBoard.serve`), the host side is the
bench's own `BoardClient` on the pty. Reference: numpy cross-correlation for the channel's
delay and level. The injected clip's frames against MLTK and its RESULTs against the TFLM
interpreter are board-agnostic checks, in tests/conformance (run on this virtual board unless
``--board-url`` names another).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from bench_app.core.device.client import BoardClient
from bench_app.core.device.emulator.channel import ChannelConfig
from bench_app.core.device.protocol import Stream
from bench_app.core.device.virtual_speaker import VirtualSpeaker
from bench_app.core.frontend import FrontendConfig
from bench_app.testing.running_board import FS, MODEL, collect, running_board


@pytest.mark.timeout(60)
def test_info_states_the_shipped_model_its_window_hop_and_the_clock():
    """What the conformance suite takes on trust from INFO, checked against the emulator."""
    with running_board(speed=4.0, hop_s=0.5, model=str(MODEL)) as board, \
            BoardClient.open(board.port_path, timeout=5) as client:  # fmt: skip
        info = client.info()
    assert info.model_sha256 == hashlib.sha256(MODEL.read_bytes()).hexdigest()
    assert info.frontend == FrontendConfig().to_dict()
    assert "results" in info.capabilities
    assert (info.model_window_frames, info.model_hop_frames) == (498, 50)
    assert info.clock_speed == 4.0
    assert info.extra["emulator"]["model"]["window_frames"] == 498  # its own description too


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
