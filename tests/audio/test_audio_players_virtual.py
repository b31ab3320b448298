"""The players that need no sound card, on a running virtual board: every one is a `Player`.

`open_player("virtual")`: with the channel left at its identity defaults, the board's microphone
PCM must be the rendered stimulus sample for sample: silence for the lead-in, the stimulus
scaled to the asked level (computed here with numpy), silence for the gap, starting exactly at
the board sample index the player reports (`onset_sample`). `InjectPlayer`: the board's
injected PCM is the clip itself, starting at the sample its ACK named.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from bench_app.core.audio.devices import AudioDeviceError
from bench_app.core.audio.inject_player import InjectPlayer
from bench_app.core.audio.player import Player, open_player
from bench_app.core.audio.virtual_player import VirtualSpeakerPlayer
from bench_app.core.device.client import BoardClient
from bench_app.core.device.emulator.process import start_emulator
from bench_app.core.device.protocol import PcmSource, Stream
from bench_app.core.errors import BenchError

RATE = 16000


def _board_pcm(client, last_index: int, source=None, timeout: float = 10.0):
    """(first index, samples) of the board's PCM (of ``source`` if given) up to `last_index`."""
    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        chunks += [c for c in client.drain(Stream.PCM) if source is None or c.source == source]
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
        player = open_player("virtual", pcm, RATE, virtual_address=emu.speaker,
                             level_dbfs=level, lead_in_s=lead_in_s, gap_s=gap_s, board_step=160)
        assert isinstance(player, VirtualSpeakerPlayer) and isinstance(player, Player)
        player.wait()
        assert player.done
        player.check()
        onset = player.onset_sample
        assert onset is not None
        # lead-in + stimulus + gap, padded to whole 160-sample board steps
        assert player.span_samples == -(-(lead + pcm.size + gap) // 160) * 160
        first, board = _board_pcm(client, onset + pcm.size + gap)
        client.stop([Stream.PCM])

    at = onset - first
    assert at >= lead
    assert np.all(board[at - lead : at] == 0)  # the lead-in, and nothing earlier of ours
    heard = board[at : at + pcm.size].astype(np.float64)
    assert np.max(np.abs(heard - expected)) <= 1.0  # float32 rendering, then rounding
    assert np.all(board[at + pcm.size : at + pcm.size + gap] == 0)
    assert player.onset_time is not None and player.onset_time >= player.sent_time


def test_inject_player_hands_the_clip_to_the_front_end():
    rng = np.random.default_rng(3)
    clip = rng.integers(-8000, 8000, 3200).astype(np.int16)
    with start_emulator(["--fast"]) as emu, BoardClient.open(emu.port) as client:
        client.info()
        client.start([Stream.PCM])
        player = InjectPlayer(client, clip, tag=5, sample_rate=RATE)
        assert isinstance(player, Player)
        player.wait()
        assert player.done and player.span_samples == clip.size
        onset = player.onset_sample
        assert onset is not None and player.onset_time is not None
        first, board = _board_pcm(client, onset + clip.size - 1, PcmSource.INJECTED)
        client.stop([Stream.PCM])
    assert np.array_equal(board[onset - first : onset - first + clip.size], clip)


def test_virtual_speaker_that_is_not_there():
    with pytest.raises(BenchError) as info:
        open_player("virtual", np.zeros(160, np.int16), RATE, virtual_address="127.0.0.1:9")
    assert "virtual speaker at 127.0.0.1:9" in str(info.value)


def test_virtual_output_needs_the_emulator_address():
    with pytest.raises(AudioDeviceError) as info:
        open_player("virtual", np.zeros(160, np.int16), RATE)
    text = str(info.value)
    assert "bench-app emulate" in text and "\n" not in text and text.endswith(".")
