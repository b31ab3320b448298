"""Play a stimulus through a PortAudio output device, and know when its first sample sounds.

`SoundDevicePlayer` is the sound-card form of the `player.Player` protocol.

A callback stream feeds a pre-rendered buffer (lead-in, scaled stimulus, gap; see
`levels.render`). In the callback that hands the stimulus's first sample to the device, the
handle notes the host time (`time.perf_counter`) and PortAudio's time info for that buffer
(``outputBufferDacTime - currentTime``: how long until the buffer leaves the DAC) and from them
estimates `SoundDevicePlayer.onset_time`, the host time at which the stimulus starts to sound. The
latency run measures sound-onset-to-RESULT from it, on the same clock. Host APIs that report no
time info (all zeros) fall back to the stream's nominal output latency; `onset_source` says
which was used.
"""

from __future__ import annotations

import threading
import time
from typing import Literal

import numpy as np

from bench_app.core.audio.devices import (
    AudioDevice,
    AudioDeviceError,
    check_settings,
    find_device,
    sounddevice,
)
from bench_app.core.audio.levels import (
    DEFAULT_GAP_S,
    DEFAULT_LEAD_IN_S,
    LevelReference,
    render,
)

#: Extra seconds a blocking play waits past the buffer's duration before calling it a stall.
_STALL_MARGIN_S = 2.0

OnsetSource = Literal["time_info", "stream_latency"]


class SoundDevicePlayer:
    """A rendered buffer being played on one output stream (a `Player`); see `play`.

    Attributes
    ----------
    device : AudioDevice
        Where it plays.
    sample_rate : int
        Stream rate in Hz.
    lead_in : int
        Samples of silence before the stimulus.
    stimulus_samples : int
        Length of the stimulus proper.
    duration_s : float
        Lead-in + stimulus + gap, in seconds.
    span_samples : int
        Lead-in + stimulus + gap, in samples.
    onset_sample : None
        A sound card cannot say when, on the board's sample clock, its sound arrived.
    """

    onset_sample = None

    def __init__(
        self,
        device: AudioDevice,
        buffer: np.ndarray,
        sample_rate: int,
        lead_in: int,
        stimulus_samples: int,
        blocksize: int = 0,
    ) -> None:
        sd = sounddevice()
        self.device = device
        self.sample_rate = sample_rate
        self.lead_in = lead_in
        self.stimulus_samples = stimulus_samples
        self.duration_s = len(buffer) / sample_rate
        self.span_samples = len(buffer)
        self._buffer = buffer
        self._pos = 0
        self._underflows = 0
        self._sent_time: float | None = None
        self._onset_time: float | None = None
        self._onset_source: OnsetSource | None = None
        self._onset_event = threading.Event()
        self._finished = threading.Event()
        self._callback_stop = sd.CallbackStop
        try:
            self._stream = sd.OutputStream(
                device=device.index,
                samplerate=sample_rate,
                channels=buffer.shape[1],
                dtype="float32",
                blocksize=blocksize,
                callback=self._callback,
                finished_callback=self._finished.set,
            )
        except sd.PortAudioError as exc:
            raise AudioDeviceError(
                f"The audio device {device.label!r} cannot be opened for playback ({exc})."
            ) from exc
        self._latency = float(self._stream.latency)

    # -- the PortAudio thread -------------------------------------------------------------
    def _callback(self, outdata: np.ndarray, frames: int, time_info, status) -> None:
        now = time.perf_counter()
        if status.output_underflow:
            self._underflows += 1
        start = self._pos
        chunk = self._buffer[start : start + frames]
        outdata[: len(chunk)] = chunk
        outdata[len(chunk) :] = 0
        if self._onset_time is None and start <= self.lead_in < start + frames:
            self._note_onset(now, time_info, (self.lead_in - start) / self.sample_rate)
        self._pos = start + frames
        if self._pos >= len(self._buffer):
            raise self._callback_stop

    def _note_onset(self, now: float, time_info, offset_s: float) -> None:
        dac_delay = float(time_info.outputBufferDacTime) - float(time_info.currentTime)
        if 0.0 < dac_delay < 2.0:
            self._onset_source = "time_info"
        else:
            dac_delay, self._onset_source = self._latency, "stream_latency"
        self._sent_time = now
        self._onset_time = now + dac_delay + offset_s
        self._onset_event.set()

    # -- the caller's thread --------------------------------------------------------------
    @property
    def name(self) -> str:
        """The output device, as logs and run documents name it."""
        return f"sound device {self.device.index}: {self.device.label}"

    def check(self) -> None:
        """Close the stream once the buffer has been played (PortAudio reports no error to
        re-raise while it plays; a stalled device is found by `wait`)."""
        if self.done:
            self.wait(1.0)

    def start(self) -> SoundDevicePlayer:
        """Start the stream; return at once."""
        sd = sounddevice()
        try:
            self._stream.start()
        except sd.PortAudioError as exc:
            self._close(abort=True)
            raise AudioDeviceError(
                f"The audio device {self.device.label!r} refused to start playing ({exc})."
            ) from exc
        return self

    @property
    def done(self) -> bool:
        """Whether the whole buffer has been played (or the playback was stopped)."""
        return self._finished.is_set()

    @property
    def sent_time(self) -> float | None:
        """`time.perf_counter()` when the buffer holding the stimulus's first sample was handed
        to the device; None until then."""
        return self._sent_time

    @property
    def onset_time(self) -> float | None:
        """Estimated `time.perf_counter()` at which the stimulus's first sample leaves the DAC;
        None until that buffer has been handed over."""
        return self._onset_time

    @property
    def onset_source(self) -> OnsetSource | None:
        """``"time_info"`` (PortAudio's DAC time) or ``"stream_latency"`` (nominal fallback)."""
        return self._onset_source

    @property
    def output_latency_s(self) -> float:
        """The stream's nominal output latency in seconds, as PortAudio reports it."""
        return self._latency

    @property
    def underflows(self) -> int:
        """Callbacks flagged with an output underflow (a possible glitch; JACK flags every
        server xrun, even one that lost no audio of this stream)."""
        return self._underflows

    def wait_onset(self, timeout: float | None = None) -> float:
        """Block until the stimulus's first sample is handed over; return `onset_time`.

        Raises
        ------
        AudioDeviceError
            When it does not happen within `timeout` seconds (the device stalled).
        """
        if not self._onset_event.wait(timeout):
            raise AudioDeviceError(
                f"The audio device {self.device.label!r} did not start playing within "
                f"{timeout:g} s."
            )
        assert self._onset_time is not None
        return self._onset_time

    def wait(self, timeout: float | None = None) -> None:
        """Block until the buffer has been played, then close the stream.

        Parameters
        ----------
        timeout : float, optional
            Seconds; by default the remaining duration plus a margin for a stalled device.

        Raises
        ------
        AudioDeviceError
            When the device stops consuming audio before the buffer is played.
        """
        if timeout is None:
            timeout = self.duration_s + self._latency + _STALL_MARGIN_S
        finished = self._finished.wait(timeout)
        self._close(abort=not finished)
        if not finished:
            raise AudioDeviceError(
                f"The audio device {self.device.label!r} stopped taking audio: "
                f"{self._pos / self.sample_rate:.2f} of {self.duration_s:.2f} s were played."
            )

    def stop(self) -> None:
        """Stop at once (the rest of the buffer is dropped) and close the stream."""
        self._close(abort=True)

    def _close(self, abort: bool) -> None:
        if not self._stream.closed:
            if abort:
                self._stream.abort()
            self._stream.close()
        self._finished.set()

    def __enter__(self) -> SoundDevicePlayer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def play(
    pcm_int16: np.ndarray,
    sample_rate: int,
    device: int | str | AudioDevice | None = None,
    *,
    level_dbfs: float | None = None,
    level_reference: LevelReference = "peak",
    lead_in_s: float = DEFAULT_LEAD_IN_S,
    gap_s: float = DEFAULT_GAP_S,
    channels: int = 1,
    blocking: bool = True,
    blocksize: int = 0,
    start: bool = True,
) -> SoundDevicePlayer:
    """Play a mono int16 stimulus through a PortAudio output device.

    Parameters
    ----------
    pcm_int16 : numpy.ndarray
        1-D int16 stimulus.
    sample_rate : int
        Its rate in Hz; the device must accept it (no resampling happens here).
    device : int or str or AudioDevice, optional
        Index, name or ``"name, host API"``; the default output device when omitted.
    level_dbfs : float, optional
        Scale the stimulus so that its `level_reference` level is this many dBFS
        (see `bench_app.core.audio.levels`); played as-is when omitted.
    level_reference : {"peak", "rms"}
        Which level `level_dbfs` sets. Peak by default (never clips at <= 0 dBFS).
    lead_in_s, gap_s : float
        Silence before and after the stimulus, in seconds.
    channels : int
        Output channels to open; the mono stimulus goes to each.
    blocking : bool
        Wait until played (default) or return a running handle at once.
    blocksize : int
        Frames per callback; 0 lets the host API choose (JACK: its period).
    start : bool
        False opens the stream but does not start it (`blocking` is then ignored): its ports
        exist, so it can be wired (JACK) before `SoundDevicePlayer.start()`, with no race
        against the lead-in.

    Returns
    -------
    SoundDevicePlayer
        Finished when `blocking`, running when not, opened when not `start`: `start()`,
        `wait()`, `stop()`, `onset_time`.

    Raises
    ------
    AudioDeviceError
        No such device, no output device at all, PortAudio missing, rate or channels refused.
    ConfigError
        A level that would clip, a silent stimulus with a level, a malformed stimulus.
    """
    buffer, lead_in = render(
        pcm_int16,
        sample_rate,
        level_dbfs=level_dbfs,
        reference=level_reference,
        lead_in_s=lead_in_s,
        gap_s=gap_s,
        channels=channels,
    )
    target = device if isinstance(device, AudioDevice) else find_device(device, "output")
    check_settings(target, "output", sample_rate, channels)
    playback = SoundDevicePlayer(target, buffer, sample_rate, lead_in, len(pcm_int16), blocksize)
    if start:
        playback.start()
        if blocking:
            try:
                playback.wait()
            except BaseException:  # Ctrl-C or a stalled device: never leave the stream open
                playback.stop()
                raise
    return playback
