"""The real PortAudio path end to end: host speaker -> JACK -> the virtual board's microphone.

Two processes, as on a bench: this one plays a stimulus through `audio.playback.play`
(PortAudio's JACK host API); `bench-app emulate --capture system` records it from JACK as its
microphone, runs its front end, and streams PCM and FRAME messages back through `BoardClient`.
Checked:

- the board's PCM holds the stimulus at the asked level (correlation with the stimulus,
  computed here with numpy; PortAudio's float -> int16 conversion costs at most 2 LSB);
- pipeline parity: the board's frames equal MLTK's AudioFeatureGenerator (the independent
  reference, tests/oracles.py) run on the board's own PCM, bit for bit, with the paper's
  front end (noise reduction and PCAN on).

The board's front end keeps state (noise estimate, PCAN) across a microphone run, so its
frames can be reproduced only from the run's first sample. A run starts when the audio source
changes (bench_app.core.device.emulator.board): a short injected clip ends the run in progress
and the next microphone run starts, with the PCM stream already on.
"""

from __future__ import annotations

import time

import numpy as np
from scipy import signal

from bench_app.core.audio.playback import play
from bench_app.core.device.client import BoardClient
from bench_app.core.device.emulator.process import start_emulator
from bench_app.core.device.protocol import Stream
from bench_app.core.frontend import FrontendConfig
from bench_app.testing.oracles import mltk_features

#: The jackd session fixture `jack_server` (one server for every module that uses it).

RATE = 16000
LEVEL_DBFS = -20.0
CLIP_TAG = 7


def _bursts() -> np.ndarray:
    """Tone bursts at 0.5, 1.5 and 4 kHz with silences: int16, 0.6 s."""
    t = np.arange(int(0.15 * RATE)) / RATE
    parts = []
    for freq in (500.0, 1500.0, 4000.0):
        parts += [np.hanning(t.size) * np.sin(2 * np.pi * freq * t), np.zeros(int(0.05 * RATE))]
    x = np.concatenate(parts)
    return np.round(x / np.max(np.abs(x)) * 20000).astype(np.int16)


def _find(recording: np.ndarray, expected: np.ndarray) -> int:
    corr = signal.correlate(recording, expected, mode="valid", method="fft")
    return int(np.argmax(corr))


def _collect_until_heard(client, expected, deadline_s: float) -> tuple[list, list, int]:
    """Drain FRAME and PCM until the microphone run after the clip holds the whole stimulus.

    The emulator may take its capture device's audio some time after it was played (it paces
    itself on its own clock), so this waits for the board, not for the host.
    """
    frames, pcm, deadline = [], [], time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        time.sleep(0.25)
        frames += client.drain(Stream.FRAMES)
        pcm += client.drain(Stream.PCM)
        mic = _mic_run_pcm(frames, pcm)
        if mic is None or len(mic[1]) < expected.size + RATE // 2:
            continue
        start = _find(mic[1].astype(np.float64), expected)
        peak = np.max(np.abs(mic[1][start : start + expected.size]))
        if peak > 0.5 * np.max(np.abs(expected)) and len(mic[1]) > start + expected.size + 1600:
            return frames, pcm, start
    raise AssertionError(f"the board's microphone did not hear the stimulus in {deadline_s} s")


def _mic_run_pcm(frames: list, pcm: list) -> tuple[int, np.ndarray] | None:
    """(first sample index, samples) of the microphone run that follows the injected clip."""
    clip = [i for i, f in enumerate(frames) if f.tag == CLIP_TAG]
    after = [f for f in frames[clip[-1] + 1 :] if f.tag == 0] if clip else []
    if not after:
        return None
    run_start = after[0].sample_index
    chunks = [p for p in pcm if p.source == 0 and p.sample_index >= run_start]
    if not chunks:
        return None
    assert chunks[0].sample_index == run_start, "PCM must cover the run from its first sample"
    ends = [p.sample_index + len(p.samples) for p in chunks]
    assert all(p.sample_index == e for p, e in zip(chunks[1:], ends, strict=False)), "PCM gap"
    return run_start, np.concatenate([p.samples for p in chunks]).astype(np.int16)


def test_stimulus_through_jack_into_the_virtual_boards_microphone(jack_server):
    pcm = _bursts()
    x = pcm / 32768.0
    expected = x * (10 ** (LEVEL_DBFS / 20) / np.max(np.abs(x))) * 32768.0

    before = set(jack_server.ports("input"))
    # The child inherits JACK_DEFAULT_SERVER from this process (set by the fixture).
    with start_emulator(["--capture", "system"]) as emu, BoardClient.open(emu.port) as client:
        board_port = jack_server.wait_for_new_port(before, "input")
        info = client.info()
        assert info.sample_rate_hz == RATE
        client.start([Stream.FRAMES, Stream.PCM])
        client.inject(np.zeros(1600, np.int16), tag=CLIP_TAG)  # the next microphone run starts

        ports = set(jack_server.ports("output"))
        playback = play(pcm, RATE, "system, JACK", level_dbfs=LEVEL_DBFS, start=False)
        jack_server.loop(jack_server.wait_for_new_port(ports, "output"), board_port)
        playback.start()
        playback.wait()
        frames, pcm_msgs, _ = _collect_until_heard(client, expected, deadline_s=20.0)
        client.stop([Stream.FRAMES, Stream.PCM])
        assert client.stats.total_drops == 0

    run_start, board_pcm = _mic_run_pcm(frames, pcm_msgs)
    # The stimulus is in the board's PCM, at the asked level.
    at = _find(board_pcm.astype(np.float64), expected)
    heard = board_pcm[at : at + pcm.size].astype(np.float64)
    assert np.corrcoef(heard, expected)[0, 1] > 0.999
    assert np.max(np.abs(heard - expected)) <= 2.5
    assert abs(20 * np.log10(np.max(np.abs(heard)) / 32768.0) - LEVEL_DBFS) < 0.1

    # Pipeline parity: the board's frames are MLTK's front end on the board's own PCM.
    n = board_pcm.size // 16 * 16  # MLTK wants whole milliseconds
    reference = mltk_features(board_pcm[:n], FrontendConfig().to_mltk_settings())
    board = np.stack([f.features for f in frames if f.tag == 0 and f.sample_index >= run_start])
    k = min(len(reference), len(board))
    step = FrontendConfig().step_samples
    assert k * step > at + pcm.size, "the compared frames must cover the stimulus"
    assert np.array_equal(board[:k], reference[:k])
