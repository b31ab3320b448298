"""Sound-device playback through real PortAudio streams: jackd's dummy driver as a loopback.

The stimulus leaves through `bench_app.core.audio.playback.play` (PortAudio's JACK host API;
FACTS.md), a second stream in the same process records it, and the recording is compared with
the stimulus computed here with numpy alone: the JACK path is bit-exact up to float <-> int16
rounding, so any scaling, padding or buffering fault in the sound-device player shows as an
error of more than a few LSB or a wrong level.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest
from scipy import signal

from bench_app.core.audio.playback import play

#: jackd runs at this rate (bench_app.testing.jack.RATE); the tests play and record at it.
RATE = 16000
LEAD_IN_S = 0.3
GAP_S = 0.1

#: The jackd session fixture `jack_server` (one server for every module that uses it).


def tonal_bursts(rate: int = RATE) -> np.ndarray:
    """Three Hann-windowed tone bursts (0.5, 1, 3 kHz) with silences, int16, peak -6 dBFS."""
    t = np.arange(int(0.12 * rate)) / rate
    window = np.hanning(t.size)
    parts = []
    for freq in (500.0, 1000.0, 3000.0):
        parts += [window * np.sin(2 * np.pi * freq * t), np.zeros(int(0.04 * rate))]
    x = np.concatenate(parts)
    return np.round(x / np.max(np.abs(x)) * 16384).astype(np.int16)


def _play_and_record(server, pcm: np.ndarray, **level) -> tuple[np.ndarray, object, object]:
    """Play `pcm` through a sound-device player on JACK and record it; return (recording in LSB,
    handle)."""
    out_dev = server.device("output")
    before_in = set(server.ports("input"))
    recorder = server.recorder()
    with recorder:
        rec_port = server.wait_for_new_port(before_in, "input")
        before_out = set(server.ports("output"))
        handle = play(
            pcm, RATE, out_dev, lead_in_s=LEAD_IN_S, gap_s=GAP_S, start=False, **level
        )
        server.loop(server.wait_for_new_port(before_out, "output"), rec_port)
        handle.start()
        handle.wait()
        time.sleep(4 * server.period / RATE)  # let the last periods reach the recorder
    return recorder.samples().astype(np.float64) * 32768.0, handle, recorder


def _align(recording: np.ndarray, expected: np.ndarray) -> int:
    """Index in `recording` where `expected` starts (full cross-correlation peak)."""
    corr = signal.correlate(recording, expected, mode="valid", method="fft")
    return int(np.argmax(corr))


@pytest.mark.parametrize(("level", "reference"), [(None, "peak"), (-20.0, "peak"), (-30.0, "rms")])
def test_jack_loopback_is_exact_and_at_the_asked_level(jack_server, level, reference):
    pcm = tonal_bursts()
    x = pcm / 32768.0
    if level is None:
        gain = 1.0
    else:
        measured = np.max(np.abs(x)) if reference == "peak" else np.sqrt(np.mean(x**2))
        gain = 10 ** (level / 20) / measured
    expected = pcm.astype(np.float64) * gain

    recording, handle, recorder = _play_and_record(
        jack_server, pcm, level_dbfs=level, level_reference=reference
    )
    start = _align(recording, expected)
    got = recording[start : start + pcm.size]

    assert np.corrcoef(got, expected)[0, 1] > 0.999
    assert np.max(np.abs(got - expected)) <= 1.0, "JACK float path is exact up to rounding"
    # The lead-in and gap are silence and nothing of the stimulus is lost or repeated.
    assert np.max(np.abs(recording[:start]), initial=0.0) <= 1.0
    assert np.max(np.abs(recording[start + pcm.size :]), initial=0.0) <= 1.0
    if level is not None:
        g = got / 32768.0
        got_db = 20 * np.log10(np.max(np.abs(g)) if reference == "peak" else np.sqrt(np.mean(g**2)))
        assert abs(got_db - level) < 0.1
    # The onset estimate: the recorder gets the first stimulus block within a few periods
    # of the callback that sent it (direct port-to-port connection, no DAC in between).
    assert handle.onset_source == "time_info"
    arrival = recorder.arrival_time(start)
    assert -0.002 < arrival - handle.sent_time < 4 * jack_server.period / RATE
    assert 0.0 < handle.onset_time - handle.sent_time < 0.1


def test_jack_carries_audio_to_another_process(jack_server, tmp_path):
    """As host and virtual board will: this process plays, a child process records."""
    pcm = tonal_bursts()
    out = tmp_path / "child.npy"
    child, port = jack_server.spawn_client(
        [sys.executable, "-m", "bench_app.testing.jack", "2.5", str(out)]
    )
    try:
        before = set(jack_server.ports("output"))
        handle = play(
            pcm, RATE, "system, JACK", level_dbfs=-12.0, lead_in_s=LEAD_IN_S, start=False
        )
        jack_server.loop(jack_server.wait_for_new_port(before, "output"), port)
        handle.start()
        handle.wait()
        assert child.wait(timeout=20) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    recording = np.load(out).astype(np.float64) * 32768.0
    expected = pcm * (10 ** (-12 / 20) / (np.max(np.abs(pcm)) / 32768.0))
    start = _align(recording, expected)
    got = recording[start : start + pcm.size]
    assert np.corrcoef(got, expected)[0, 1] > 0.999
    assert np.max(np.abs(got - expected)) <= 1.0
