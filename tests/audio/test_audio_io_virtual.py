"""`open_output("virtual")`: a stimulus through the emulator's virtual speaker socket.

With the channel left at its identity defaults, the board's microphone PCM must be the rendered
stimulus sample for sample: silence for the lead-in, the stimulus scaled to the asked level
(computed here with numpy), silence for the gap, starting exactly at the board sample index the
sink reports (`onset_sample`).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from bench_app.core import audio_io
from bench_app.core.device.client import BoardClient
from bench_app.core.device.emulator.process import start_emulator
from bench_app.core.device.protocol import Stream
from bench_app.core.errors import BenchError

RATE = 16000


def _board_pcm(client, last_index: int, timeout: float = 10.0) -> tuple[int, np.ndarray]:
    """(first index, samples) of the board's PCM, once it reaches `last_index`."""
    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        chunks += client.drain(Stream.PCM)
        if chunks and chunks[-1].sample_index + len(chunks[-1].samples) > last_index:
            break
        time.sleep(0.05)
    first = chunks[0].sample_index
    samples = np.concatenate([c.samples for c in chunks]).astype(np.int16)
    assert chunks[-1].sample_index + len(chunks[-1].samples) - first == samples.size, "PCM gap"
    return first, samples


def test_virtual_speaker_delivers_the_rendered_stimulus():
    t = np.arange(4000) / RATE
    pcm = np.round(12000 * np.sin(2 * np.pi * 700 * t) * np.hanning(t.size)).astype(np.int16)
    level, lead_in_s, gap_s = -26.0, 0.2, 0.1
    expected = np.round(pcm * (10 ** (level / 20) * 32768 / np.max(np.abs(pcm.astype(float)))))
    lead, gap = round(lead_in_s * RATE), round(gap_s * RATE)

    with start_emulator(["--fast"]) as emu, BoardClient.open(emu.port) as client:
        client.info()
        client.start([Stream.PCM])
        sink = audio_io.open_output("virtual", virtual_address=emu.speaker)
        assert isinstance(sink, audio_io.AudioSink)
        handle = sink.play(pcm, RATE, level_dbfs=level, lead_in_s=lead_in_s, gap_s=gap_s)
        sink.wait()
        onset = handle.onset_sample
        assert onset is not None
        first, board = _board_pcm(client, onset + pcm.size + gap)
        client.stop([Stream.PCM])

    at = onset - first
    assert at >= lead
    assert np.all(board[at - lead : at] == 0)  # the lead-in, and nothing earlier of ours
    heard = board[at : at + pcm.size].astype(np.float64)
    assert np.max(np.abs(heard - expected)) <= 1.0  # float32 rendering, then rounding
    assert np.all(board[at + pcm.size : at + pcm.size + gap] == 0)
    assert handle.onset_time is not None and handle.onset_time >= handle.sent_time


def test_virtual_speaker_that_is_not_there():
    sink = audio_io.open_output("virtual", virtual_address="127.0.0.1:9")  # nothing listens
    with pytest.raises(BenchError) as info:
        sink.play(np.zeros(160, np.int16), RATE)
    assert "virtual speaker at 127.0.0.1:9" in str(info.value)
