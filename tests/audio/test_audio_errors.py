"""What a user who names a wrong sound device, rate or level is told: one sentence, no traceback.

The device cases run against real PortAudio with jackd's dummy driver (one JACK device named
"system" at 16 kHz), so the sample-rate refusal is PortAudio's own; PortAudio missing is
simulated the way it happens, by `ctypes.util.find_library` not finding libportaudio.
"""

from __future__ import annotations

import ctypes.util
import sys

import numpy as np
import pytest

from bench_app.core.audio.devices import (
    AudioDeviceError,
    PortAudioMissingError,
    find_device,
    list_devices,
    sounddevice,
)
from bench_app.core.audio.levels import render
from bench_app.core.audio.playback import SoundDevicePlayer, play
from bench_app.core.audio.player import Player, open_player
from bench_app.core.errors import BenchError, ConfigError

RATE = 16000  # jackd's rate in bench_app.testing.jack
TONE = np.round(8000 * np.sin(2 * np.pi * 1000 * np.arange(1600) / RATE)).astype(np.int16)

#: The jackd session fixture `jack_server` (one server for every module that uses it).


def _one_sentence(exc: BaseException) -> str:
    text = str(exc)
    assert isinstance(exc, BenchError)
    assert "\n" not in text and text.endswith(".") and text[0].isupper(), text
    return text


def test_unknown_device_name_lists_the_devices(jack_server):
    with pytest.raises(AudioDeviceError) as info:
        play(TONE, RATE, "no such speaker")
    text = _one_sentence(info.value)
    assert "'no such speaker'" in text
    assert "system, JACK Audio Connection Kit" in text


def test_out_of_range_index(jack_server):
    count = len(list_devices())
    with pytest.raises(AudioDeviceError) as info:
        open_player(count + 5, TONE, RATE)
    assert f"no audio device number {count + 5}" in _one_sentence(info.value)
    with pytest.raises(AudioDeviceError):
        open_player(str(count + 5), TONE, RATE)  # a typed-in index is an index too


def test_sample_rate_rejected_by_the_device(jack_server):
    with pytest.raises(AudioDeviceError) as info:
        play(TONE, 44100, jack_server.device("output"))
    text = _one_sentence(info.value)
    assert "rejects 44100 Hz" in text and "runs at 16000 Hz" in text


def test_names_resolve_to_the_jack_device(jack_server):
    device = jack_server.device("output")
    for spec in (device.index, str(device.index), "system", "SYSTEM, jack", "system, JACK Audio"):
        assert find_device(spec, "output") == device
    player = open_player("system, JACK", TONE, RATE, lead_in_s=0.0, gap_s=0.0)
    try:
        assert isinstance(player, Player)
        assert isinstance(player, SoundDevicePlayer) and player.device == device
        assert player.span_samples == TONE.size and player.onset_sample is None
    finally:
        player.stop()


def test_stop_ends_a_non_blocking_playback_early(jack_server):
    long = np.tile(TONE, 50)  # 5 s
    player = open_player(jack_server.device("output").index, long, RATE, lead_in_s=0.05,
                         gap_s=0.0)
    onset = player.wait_onset(timeout=2.0)
    assert not player.done
    player.stop()
    assert player.done and onset == player.onset_time
    player.check()  # stopped, not failed: nothing to raise
    player.wait()  # and already over: returns at once


def test_no_output_device_at_all(monkeypatch):
    sd = sounddevice()
    monkeypatch.setattr(sd, "query_devices", lambda *a, **k: sd.DeviceList([]))
    with pytest.raises(AudioDeviceError) as info:
        open_player(None, TONE, RATE)
    assert "There is no audio output device" in _one_sentence(info.value)


def test_portaudio_missing(monkeypatch):
    monkeypatch.delitem(sys.modules, "sounddevice")
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    for call in (list_devices, lambda: play(TONE, RATE, 0)):
        with pytest.raises(PortAudioMissingError) as info:
            call()
        assert str(info.value) == "PortAudio is not installed (Debian package libportaudio2)."


def test_levels_that_cannot_be_played():
    with pytest.raises(ConfigError) as info:
        render(TONE, RATE, level_dbfs=-3.0, reference="rms")
    assert "clip" in _one_sentence(info.value)
    with pytest.raises(ConfigError):
        render(np.zeros(100, np.int16), RATE, level_dbfs=-20.0)
    with pytest.raises(ConfigError):
        render(TONE.astype(np.float32), RATE)
    with pytest.raises(ConfigError):
        render(np.zeros(0, np.int16), RATE)
