"""How a run's stimulus reaches the board: virtual speaker, sound device, or injection.

Each player starts at once and works in the background; the run polls ``done``, calls
``check()`` to re-raise what went wrong there (a vanished board is a `LinkError`, so the run
ends "interrupted"), and reads where the stimulus began:

- ``onset_sample``: the board sample index (the PCM counter) at which the stimulus's first
  sample entered the board (the acoustic channel's input for the virtual speaker, the front end
  for injection); None when only the host time is known (a real speaker);
- ``onset_time``: ``time.perf_counter()`` of that moment, as well as the host knows it.

``span_samples`` is how many samples the player hands over in all (lead-in, stimulus, gap).
"""

from __future__ import annotations

import threading
import time

import numpy as np

#: Silence before and after the stimulus on the acoustic paths (seconds).
LEAD_IN_S = 0.25
GAP_S = 0.25
#: Audio the host keeps in flight to the virtual speaker: rides out host stalls of up to this
#: long on a loaded machine (the board reports the onset sample, so timing is not affected).
SPEAKER_LEAD_S = 1.0


class _Threaded:
    """A player whose work runs in a daemon thread; errors are kept for `check`."""

    def __init__(self) -> None:
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._guarded, name=type(self).__name__,
                                        daemon=True)

    def _guarded(self) -> None:
        try:
            self._work()
        except BaseException as exc:  # re-raised in the run's thread by check()
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

    def join(self, timeout: float) -> None:
        """Wait up to ``timeout`` s for the worker to end."""
        self._thread.join(timeout)


class VirtualSpeakerPlayer(_Threaded):
    """Plays through the virtual board's speaker socket, paced by the board's own clock."""

    def __init__(self, address: str, samples: np.ndarray, sample_rate: int,
                 block: int = 160) -> None:
        from bench_app.core.device.virtual_speaker import VirtualSpeaker

        super().__init__()
        self.lead_in = int(round(LEAD_IN_S * sample_rate))
        gap = int(round(GAP_S * sample_rate))
        # Whole board steps (``block``): a virtual board with --fast waits for a partial last
        # step that never comes (a trailing < 1-step remainder is never consumed).
        gap += (-(self.lead_in + len(samples) + gap)) % max(1, block)
        self._buffer = np.concatenate([np.zeros(self.lead_in, np.int16), samples,
                                       np.zeros(gap, np.int16)])
        self.span_samples = len(self._buffer)
        self.sample_rate = sample_rate
        self._speaker = VirtualSpeaker(address, sample_rate, lead_s=SPEAKER_LEAD_S)
        self._offset = time.perf_counter() - time.monotonic()
        self._thread.start()

    def _work(self) -> None:
        self._speaker.play(self._buffer)

    @property
    def onset_sample(self) -> int | None:
        """Board sample index at which the stimulus (after the lead-in) entered the channel."""
        first = self._speaker.onset_sample
        return None if first is None else first + self.lead_in

    @property
    def onset_time(self) -> float | None:
        """``perf_counter`` time of the stimulus's first sample (speaker report + lead-in)."""
        t = self._speaker.onset_time
        return None if t is None else t + self._offset + self.lead_in / self.sample_rate

    def taken_at(self, sample: int) -> float | None:
        """``perf_counter`` time board sample ``sample`` was taken (`VirtualSpeaker.taken_at`)."""
        return self._speaker.taken_at(sample)

    def stop(self) -> None:
        """Close the speaker connection (ends the transfer)."""
        self._speaker.close()


class SoundDevicePlayer:
    """Plays through a PortAudio output device (a real speaker in front of the board)."""

    onset_sample = None

    def __init__(self, output: str, samples: np.ndarray, sample_rate: int) -> None:
        from bench_app.core.audio_io import open_output

        spec: int | str = int(output) if str(output).isdigit() else output
        self.sink = open_output(spec)
        self.name = self.sink.name
        self.span_samples = len(samples) + int(round((LEAD_IN_S + GAP_S) * sample_rate))
        self._handle = self.sink.play(samples, sample_rate, lead_in_s=LEAD_IN_S, gap_s=GAP_S)

    @property
    def done(self) -> bool:
        return bool(getattr(self._handle, "done", True))

    @property
    def onset_time(self) -> float | None:
        return self._handle.onset_time

    @property
    def underflows(self) -> int | None:
        """Output underflows the device reported (each inserts silence into the stimulus)."""
        return getattr(self._handle, "underflows", None)

    def check(self) -> None:
        if self.done:
            self._handle.wait(1.0)  # raises if the device stopped taking audio

    def join(self, timeout: float) -> None:
        return None

    def stop(self) -> None:
        self._handle.stop()


class InjectPlayer(_Threaded):
    """Sends the stimulus as INJECT_PCM (one tagged clip), bypassing the microphone."""

    def __init__(self, client, samples: np.ndarray, tag: int) -> None:
        super().__init__()
        self._client = client
        self._samples = samples
        self.tag = tag
        self.span_samples = len(samples)
        self.report = None
        self.onset_time: float | None = None
        self._thread.start()

    def _work(self) -> None:
        self.onset_time = time.perf_counter()
        self.report = self._client.inject(self._samples, tag=self.tag)

    @property
    def onset_sample(self) -> int | None:
        """The board sample index of the clip's first sample (from the board's ACK)."""
        return None if self.report is None else self.report.first_sample_index

    def stop(self) -> None:
        """Nothing to stop: the board drops an unfinished clip when the host goes quiet."""
        return None
