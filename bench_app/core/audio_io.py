"""Speaker playback for the bench: list sound devices, play a stimulus at a level, or feed the
virtual board's speaker. This module is the stable import path; the code lives in
`bench_app.core.audio`.

Levels are dBFS with full scale = int16 32768, peak by default (`levels`). Times are
`time.perf_counter()` seconds. sounddevice is imported on first use, so this module imports
without PortAudio and the first call explains, in one sentence, that it is missing.

Examples
--------
>>> from bench_app.core import audio_io
>>> [d.label for d in audio_io.list_devices("output")]          # doctest: +SKIP
>>> audio_io.play(pcm, 16000, "system, JACK", level_dbfs=-12)    # doctest: +SKIP
>>> sink = audio_io.open_output("virtual", virtual_address="127.0.0.1:5555")  # doctest: +SKIP
"""

from __future__ import annotations

from bench_app.core.audio.devices import (
    AudioDevice,
    AudioDeviceError,
    HostApi,
    PortAudioMissingError,
    check_settings,
    find_device,
    list_devices,
    list_host_apis,
    refresh_devices,
    sounddevice,
)
from bench_app.core.audio.levels import (
    DEFAULT_GAP_S,
    DEFAULT_LEAD_IN_S,
    FULL_SCALE,
    LevelReference,
    gain_for_level,
    level_dbfs,
    render,
)
from bench_app.core.audio.playback import Playback, play
from bench_app.core.audio.sinks import (
    VIRTUAL,
    AudioSink,
    PlaybackHandle,
    SoundDeviceSink,
    VirtualSpeakerSink,
    open_output,
)

__all__ = [
    "DEFAULT_GAP_S",
    "DEFAULT_LEAD_IN_S",
    "FULL_SCALE",
    "VIRTUAL",
    "AudioDevice",
    "AudioDeviceError",
    "AudioSink",
    "HostApi",
    "LevelReference",
    "Playback",
    "PlaybackHandle",
    "PortAudioMissingError",
    "SoundDeviceSink",
    "VirtualSpeakerSink",
    "check_settings",
    "find_device",
    "gain_for_level",
    "level_dbfs",
    "list_devices",
    "list_host_apis",
    "open_output",
    "play",
    "refresh_devices",
    "render",
    "sounddevice",
]
