"""Where a stimulus goes: a sound card (through PortAudio) or the emulator's virtual speaker.

Runs talk to an `AudioSink` and never care which: `open_output("virtual")` feeds the virtual
Coral Micro's speaker socket (bench_app.core.device.virtual_speaker, imported only then), any
other name or index opens a PortAudio output device. Both render the stimulus the same way
(`levels.render`: lead-in, level, gap), so a level means the same on either path.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Protocol, runtime_checkable

import numpy as np

from bench_app.core.audio.devices import AudioDevice, AudioDeviceError, check_settings, find_device
from bench_app.core.audio.levels import (
    DEFAULT_GAP_S,
    DEFAULT_LEAD_IN_S,
    LevelReference,
    render,
    to_int16,
)
from bench_app.core.audio.playback import Playback

#: The output name that selects the emulator's virtual speaker.
VIRTUAL = "virtual"


class PlaybackHandle(Protocol):
    """One stimulus on its way out of a sink."""

    @property
    def onset_time(self) -> float | None:
        """Estimated `time.perf_counter()` at which the stimulus starts to sound."""

    def wait(self, timeout: float | None = None) -> None:
        """Block until the stimulus and its gap have been played."""

    def stop(self) -> None:
        """Stop at once."""


@runtime_checkable
class AudioSink(Protocol):
    """Something that plays int16 stimuli: a speaker, or the virtual board's speaker."""

    @property
    def name(self) -> str:
        """What the sink is, for logs and run documents."""

    def play(
        self,
        pcm_int16: np.ndarray,
        sample_rate: int,
        *,
        level_dbfs: float | None = None,
        lead_in_s: float = DEFAULT_LEAD_IN_S,
        gap_s: float = DEFAULT_GAP_S,
    ) -> PlaybackHandle:
        """Start playing; return at once."""

    def wait(self, timeout: float | None = None) -> None:
        """Block until the current stimulus has been played."""

    def stop(self) -> None:
        """Stop the current stimulus at once."""


class _RenderingSink:
    """What both sinks share: render (lead-in, level, gap), then one stimulus at a time."""

    level_reference: LevelReference = "peak"
    channels: int = 1
    _current: PlaybackHandle | None = None

    def play(
        self,
        pcm_int16: np.ndarray,
        sample_rate: int,
        *,
        level_dbfs: float | None = None,
        lead_in_s: float = DEFAULT_LEAD_IN_S,
        gap_s: float = DEFAULT_GAP_S,
    ) -> PlaybackHandle:
        """Render the stimulus (see `levels.render`) and start playing it; return at once."""
        if self._current is not None and not getattr(self._current, "done", True):
            raise RuntimeError("this sink is still playing; wait() or stop() first")
        buffer, lead_in = render(
            pcm_int16,
            sample_rate,
            level_dbfs=level_dbfs,
            reference=self.level_reference,
            lead_in_s=lead_in_s,
            gap_s=gap_s,
            channels=self.channels,
        )
        self._current = self._start(buffer, sample_rate, lead_in, len(pcm_int16))
        return self._current

    def _start(
        self, buffer: np.ndarray, sample_rate: int, lead_in: int, stimulus_samples: int
    ) -> PlaybackHandle:
        raise NotImplementedError

    def wait(self, timeout: float | None = None) -> None:
        """Block until the current stimulus has been played (no-op when idle)."""
        if self._current is not None:
            self._current.wait(timeout)

    def stop(self) -> None:
        """Stop the current stimulus at once (no-op when idle)."""
        if self._current is not None:
            self._current.stop()


class SoundDeviceSink(_RenderingSink):
    """A PortAudio output device (a speaker in front of the board, or a JACK port)."""

    def __init__(
        self, device: AudioDevice, *, channels: int = 1, level_reference: LevelReference = "peak"
    ) -> None:
        self.device = device
        self.channels = channels
        self.level_reference = level_reference

    @property
    def name(self) -> str:
        return f"sound device {self.device.index}: {self.device.label}"

    def _start(
        self, buffer: np.ndarray, sample_rate: int, lead_in: int, stimulus_samples: int
    ) -> Playback:
        check_settings(self.device, "output", sample_rate, self.channels)
        return Playback(self.device, buffer, sample_rate, lead_in, stimulus_samples).start()


class VirtualPlayback:
    """One stimulus sent to the virtual speaker from a worker thread.

    The board takes speaker audio at its own pace and reports the board sample index at which
    the first sample it took entered its acoustic channel; `onset_sample` adds the lead-in to
    that (the channel's own delay comes after it). `onset_time` starts as an estimate (send time
    + lead-in) and is refined from the board's report once the board has taken the buffer.
    """

    def __init__(self, speaker: Any, pcm_int16: np.ndarray, sample_rate: int, lead_in: int) -> None:
        self._speaker = speaker
        self._error: BaseException | None = None
        self._stopped = False
        self.sent_time: float | None = None
        self.onset_time: float | None = None
        self.onset_sample: int | None = None
        self.duration_s = len(pcm_int16) / sample_rate
        self._lead_in_s = lead_in / sample_rate
        board_rate = getattr(speaker, "sample_rate", sample_rate)
        self._lead_in_board = round(lead_in * board_rate / sample_rate)
        self._thread = threading.Thread(
            target=self._run, args=(pcm_int16, sample_rate), name="virtual-speaker", daemon=True
        )
        self._thread.start()

    def _run(self, pcm_int16: np.ndarray, sample_rate: int) -> None:
        self.sent_time = time.perf_counter()
        self.onset_time = self.sent_time + self._lead_in_s
        try:
            self._speaker.play(pcm_int16, sample_rate)
            heard = getattr(self._speaker, "onset_time", None)  # time.monotonic() clock
            if heard is not None:
                self.onset_time = heard - time.monotonic() + time.perf_counter() + self._lead_in_s
            first = getattr(self._speaker, "onset_sample", None)
            if first is not None:
                self.onset_sample = first + self._lead_in_board
        except BaseException as exc:  # re-raised in the caller's thread by wait()
            if not self._stopped:
                self._error = exc
        finally:
            self._speaker.close()

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the board has taken the whole buffer; raise what the speaker raised."""
        self._thread.join(self.duration_s + 10.0 if timeout is None else timeout)
        if self._thread.is_alive():
            raise AudioDeviceError(
                f"The virtual board did not take {self.duration_s:.2f} s of speaker audio in time."
            )
        if isinstance(self._error, OSError):
            raise AudioDeviceError(
                f"The virtual speaker connection failed ({self._error})."
            ) from self._error
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        """Close the speaker's connection, which ends the transfer."""
        self._stopped = True
        self._speaker.close()
        self._thread.join(2.0)


class VirtualSpeakerSink(_RenderingSink):
    """The emulator's virtual speaker (host side of its speaker socket).

    Parameters
    ----------
    address : str or dict
        The board's INFO ``speaker`` entry or its ``HOST:PORT``.
    board_rate : int, optional
        The board's sample rate (INFO ``sample_rate_hz``); stimuli at another rate are resampled
        by the speaker. By default the stimulus's own rate (no resampling).
    """

    def __init__(
        self,
        address: Any,
        *,
        board_rate: int | None = None,
        level_reference: LevelReference = "peak",
    ) -> None:
        self.address = address
        self.board_rate = board_rate
        self.level_reference = level_reference

    @property
    def name(self) -> str:
        return f"virtual speaker at {self.address}"

    def _start(
        self, buffer: np.ndarray, sample_rate: int, lead_in: int, stimulus_samples: int
    ) -> VirtualPlayback:
        from bench_app.core.device.virtual_speaker import VirtualSpeaker

        speaker = VirtualSpeaker(self.address, self.board_rate or sample_rate)
        return VirtualPlayback(speaker, to_int16(buffer), sample_rate, lead_in)


def open_output(
    name_or_index: int | str | None = None,
    *,
    channels: int = 1,
    level_reference: LevelReference = "peak",
    virtual_address: Any = None,
    board_rate: int | None = None,
) -> AudioSink:
    """Open the output a run plays its stimuli through.

    Parameters
    ----------
    name_or_index : int or str, optional
        ``"virtual"`` for the emulator's virtual speaker; otherwise a PortAudio output device
        (index, name, ``"name, host API"``; the default device when omitted).
    channels : int
        Channels to open on a sound device (the mono stimulus goes to each).
    level_reference : {"peak", "rms"}
        What `level_dbfs` means in later `play` calls.
    virtual_address : str or dict, optional
        The emulator's speaker address (``HOST:PORT`` or INFO's ``speaker`` entry); required
        for ``"virtual"``.
    board_rate : int, optional
        For ``"virtual"``: the board's sample rate, if stimuli may come at another rate.

    Raises
    ------
    AudioDeviceError
        No such device, no output device, PortAudio missing, or no virtual speaker address.
    """
    if isinstance(name_or_index, str) and name_or_index.strip().lower() == VIRTUAL:
        if not virtual_address:
            raise AudioDeviceError(
                "The virtual speaker needs the emulator's speaker address; start the board "
                "with `bench-app emulate` and pass the address it prints."
            )
        return VirtualSpeakerSink(
            virtual_address, board_rate=board_rate, level_reference=level_reference
        )
    device = find_device(name_or_index, "output")
    return SoundDeviceSink(device, channels=channels, level_reference=level_reference)
