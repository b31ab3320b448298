"""The one contract for every way the bench emits a stimulus: the `Player` protocol.

A player is one stimulus on its way to the board. It starts when it is made and works in the
background (a PortAudio callback, or a worker thread); the run polls `done`, calls `check()`
to re-raise in its own thread what went wrong there (a vanished board is a `LinkError`, so
the run ends "interrupted"), and reads where the stimulus began:

- ``onset_sample``: the board sample index (the PCM counter) at which the stimulus's first
  sample entered the board (the acoustic channel's input for the virtual speaker, the front end
  for injection); None when only the host time is known (a real speaker);
- ``onset_time``: ``time.perf_counter()`` of that moment, as well as the host knows it.

``span_samples`` is how many samples the player hands over in all (lead-in, stimulus, gap).

The three players: `SoundDevicePlayer` (a speaker through PortAudio, `playback`),
`VirtualSpeakerPlayer` (the virtual board's speaker socket, `virtual_player`) and
`InjectPlayer` (INJECT_PCM over the link, `inject_player`). `open_player` picks the first two
by the output's name; injection needs a board client and is made by the run.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol, runtime_checkable

import numpy as np

from bench_app.core.audio.devices import AudioDeviceError
from bench_app.core.audio.levels import DEFAULT_GAP_S, DEFAULT_LEAD_IN_S, LevelReference

#: The output name that selects the emulator's virtual speaker.
VIRTUAL = "virtual"


@runtime_checkable
class Player(Protocol):
    """One stimulus being emitted towards the board (see the module docstring)."""

    @property
    def name(self) -> str:
        """What plays it, for logs and run documents."""

    @property
    def span_samples(self) -> int:
        """Samples handed over in all: lead-in, stimulus and gap."""

    @property
    def onset_sample(self) -> int | None:
        """Board sample index of the stimulus's first sample; None if the board did not say."""

    @property
    def onset_time(self) -> float | None:
        """``time.perf_counter()`` at which the stimulus's first sample entered (or sounded)."""

    @property
    def done(self) -> bool:
        """True once everything was handed over (or the player failed or was stopped)."""

    def check(self) -> None:
        """Re-raise, in the caller's thread, what stopped the player (nothing if all is well)."""

    def wait(self, timeout: float | None = None) -> None:
        """Block until everything was handed over; raise what stopped the player."""

    def stop(self) -> None:
        """Stop at once."""


class ThreadedPlayer:
    """A player whose work runs in a daemon thread; what it raises is kept for `check`.

    Subclasses set ``name`` and ``span_samples``, implement ``_work`` and call ``_start()``.
    """

    name = "player"
    span_samples = 0
    #: Seconds `wait` allows beyond the span's duration before calling the transfer stalled.
    stall_margin_s = 10.0
    _duration_s = 0.0

    def __init__(self) -> None:
        self._error: BaseException | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._guarded, name=type(self).__name__,
                                        daemon=True)

    def _start(self) -> None:
        self._thread.start()

    def _guarded(self) -> None:
        try:
            self._work()
        except BaseException as exc:  # re-raised in the run's thread by check() / wait()
            if not self._stopped:
                self._error = exc

    def _work(self) -> None:
        raise NotImplementedError

    @property
    def done(self) -> bool:
        """True once the player has handed over everything (or failed)."""
        return not self._thread.is_alive()

    def check(self) -> None:
        """Re-raise, in the caller's thread, what stopped the player."""
        if self._error is not None:
            raise self._error

    def wait(self, timeout: float | None = None) -> None:
        """Block until the worker ends (by default the span's duration plus a margin).

        Raises
        ------
        AudioDeviceError
            When the transfer has not ended in time; else what the worker raised.
        """
        self._thread.join(self._duration_s + self.stall_margin_s if timeout is None else timeout)
        if self._thread.is_alive():
            raise AudioDeviceError(
                f"The {self.name} did not take {self._duration_s:.2f} s of audio in time."
            )
        self.check()


def open_player(
    output: int | str | None,
    samples: np.ndarray,
    sample_rate: int,
    *,
    virtual_address: Any = None,
    board_rate: int | None = None,
    board_step: int = 1,
    level_dbfs: float | None = None,
    level_reference: LevelReference = "peak",
    lead_in_s: float = DEFAULT_LEAD_IN_S,
    gap_s: float = DEFAULT_GAP_S,
    channels: int = 1,
) -> Player:
    """Start playing ``samples`` (1-D int16) through ``output``; return the running player.

    Parameters
    ----------
    output : int or str, optional
        ``"virtual"`` for the emulator's virtual speaker; otherwise a PortAudio output device
        (index, typed-in index, name, ``"name, host API"``; the default device when omitted).
    virtual_address : str or dict, optional
        The emulator's speaker address (``HOST:PORT`` or INFO's ``speaker`` entry); required
        for ``"virtual"``.
    board_rate, board_step : int, optional
        For ``"virtual"``: the board's sample rate (stimuli at another rate are resampled) and
        the samples of one board step (the span is padded to whole steps).
    level_dbfs, level_reference, lead_in_s, gap_s
        As for `levels.render`: every player renders the stimulus the same way, so a level
        means the same on either path.
    channels : int
        Channels to open on a sound device (the mono stimulus goes to each).

    Raises
    ------
    AudioDeviceError
        No such device, no output device, PortAudio missing, or no virtual speaker address.
    LinkError
        The virtual speaker cannot be reached.
    """
    render_args = dict(level_dbfs=level_dbfs, level_reference=level_reference,
                       lead_in_s=lead_in_s, gap_s=gap_s)
    if isinstance(output, str) and output.strip().lower() == VIRTUAL:
        if not virtual_address:
            raise AudioDeviceError(
                "The virtual speaker needs the emulator's speaker address; start the board "
                "with `bench-app emulate` and pass the address it prints."
            )
        from bench_app.core.audio.virtual_player import VirtualSpeakerPlayer

        return VirtualSpeakerPlayer(virtual_address, samples, sample_rate,
                                    board_rate=board_rate, board_step=board_step, **render_args)
    from bench_app.core.audio.playback import play

    return play(samples, sample_rate, output, channels=channels, blocking=False, **render_args)
