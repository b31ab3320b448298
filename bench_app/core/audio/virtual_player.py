"""Play a stimulus into the virtual board's room through its speaker socket: a `Player`.

The board takes speaker audio at its own pace (real time, ``--speed N`` or ``--fast``) and
reports the board sample index at which the first sample it took entered its acoustic channel;
`VirtualSpeakerPlayer.onset_sample` adds the lead-in to that (the channel's own delay comes
after it), and `taken_at` gives the host time at which any board sample was taken (the latency
run's clock). The socket's host end is `bench_app.core.device.virtual_speaker`.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from bench_app.core.audio.levels import (
    DEFAULT_GAP_S,
    DEFAULT_LEAD_IN_S,
    LevelReference,
    render,
    to_int16,
)
from bench_app.core.audio.player import ThreadedPlayer

#: Audio the host keeps in flight to the virtual speaker: rides out host stalls of up to this
#: long on a loaded machine (the board reports the onset sample, so timing is not affected).
SPEAKER_LEAD_S = 1.0


class VirtualSpeakerPlayer(ThreadedPlayer):
    """Plays through the virtual board's speaker socket, paced by the board's own clock.

    Parameters
    ----------
    address : str or dict
        The board's INFO ``speaker`` entry or its ``HOST:PORT``.
    samples : numpy.ndarray
        The stimulus, 1-D int16 at ``sample_rate``.
    board_rate : int, optional
        The board's sample rate (INFO ``sample_rate_hz``); a stimulus at another rate is
        resampled. By default the stimulus's own rate.
    board_step : int
        Samples of one board step: the gap is lengthened to end on a whole step, since a board
        running ``--fast`` waits for a partial last step that never comes.
    level_dbfs, level_reference, lead_in_s, gap_s
        As for `levels.render` (the sound-card player renders the same way).

    Raises
    ------
    LinkError
        The speaker socket cannot be reached.
    """

    def __init__(
        self,
        address: Any,
        samples: np.ndarray,
        sample_rate: int,
        *,
        board_rate: int | None = None,
        board_step: int = 1,
        level_dbfs: float | None = None,
        level_reference: LevelReference = "peak",
        lead_in_s: float = DEFAULT_LEAD_IN_S,
        gap_s: float = DEFAULT_GAP_S,
    ) -> None:
        from bench_app.core.device.virtual_speaker import VirtualSpeaker, resample

        super().__init__()
        rate = board_rate or sample_rate
        rendered, lead_in = render(samples, sample_rate, level_dbfs=level_dbfs,
                                   reference=level_reference, lead_in_s=lead_in_s, gap_s=gap_s)
        buffer = to_int16(rendered)
        if rate != sample_rate:
            buffer = resample(buffer, sample_rate, rate)
            lead_in = round(lead_in * rate / sample_rate)
        pad = (-len(buffer)) % max(1, board_step)
        self._buffer = np.concatenate([buffer, np.zeros(pad, np.int16)])
        self.lead_in = lead_in
        self.sample_rate = rate
        self.span_samples = len(self._buffer)
        self._duration_s = self.span_samples / rate
        self.address = address
        self.name = f"virtual speaker at {address}"
        self._speaker = VirtualSpeaker(address, rate, lead_s=SPEAKER_LEAD_S)
        self._offset = time.perf_counter() - time.monotonic()
        self.sent_time: float | None = None
        self._start()

    def _work(self) -> None:
        self.sent_time = time.perf_counter()
        try:
            self._speaker.play(self._buffer)
        finally:
            self._speaker.close()

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
        """Close the speaker connection (ends the transfer; what it raises then is no error)."""
        self._stopped = True
        self._speaker.close()
        self._thread.join(2.0)
