"""The virtual board's clock: board time follows the audio it has consumed.

Board time in microseconds is the number of samples that entered the front end divided by the
sample rate, as on a board whose audio clock drives everything. The clock paces the board
against the wall: in real time (``speed`` 1) a 10 ms step is processed no earlier than 10 ms of
wall time after the previous one; ``speed`` N runs N times faster; ``fast`` does not wait at
all for injected or speaker audio (the idle microphone still runs in real time, so an idle
board neither floods the link nor spins the CPU).
"""

from __future__ import annotations

import time


class BoardClock:
    """Board time from a sample counter, paced against ``time.monotonic``.

    Parameters
    ----------
    sample_rate : int
        Samples per second of board time.
    speed : float
        Board seconds per wall second (1 = real time).
    fast : bool
        Do not pace injected / speaker audio at all.
    """

    def __init__(self, sample_rate: int, speed: float = 1.0, fast: bool = False):
        if not speed > 0:
            raise ValueError("speed must be positive")
        self.sample_rate = sample_rate
        self.speed = speed
        self.fast = fast
        self.samples = 0
        self._wall0 = time.monotonic()
        self._board0 = 0.0  # board seconds at _wall0 (re-anchored when pacing resumes)

    @property
    def seconds(self) -> float:
        """Board time in seconds."""
        return self.samples / self.sample_rate

    @property
    def now_us(self) -> int:
        """Board time in microseconds."""
        return self.samples * 1_000_000 // self.sample_rate

    def us_at(self, sample_index: int) -> int:
        """Board time (µs) at which sample ``sample_index`` was captured."""
        return sample_index * 1_000_000 // self.sample_rate

    def advance(self, n: int) -> None:
        """Count ``n`` more samples into the front end."""
        self.samples += n

    def behind_s(self) -> float:
        """Seconds of wall time the board is behind its pace (0 when on time or ahead)."""
        target = self._wall0 + (self.seconds - self._board0) / self.speed
        return max(0.0, time.monotonic() - target)

    def wait_s(self, paced: bool) -> float:
        """Seconds of wall time to wait before the next step (0 when behind or unpaced).

        ``paced`` is False for audio that ``--fast`` runs unpaced; the pacing anchor then
        moves with the board, so real-time pacing resumes from now, not from the past.
        """
        now = time.monotonic()
        if self.fast and not paced:
            self._wall0, self._board0 = now, self.seconds
            return 0.0
        target = self._wall0 + (self.seconds - self._board0) / self.speed
        if target < now - 0.5:  # far behind (host stalled us): do not race to catch up
            self._wall0, self._board0 = now, self.seconds
            return 0.0
        return max(0.0, target - now)
