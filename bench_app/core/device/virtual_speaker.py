"""The host end of the virtual board's speaker: play audio "into the room" of a virtual board.

The virtual board (`bench-app emulate`) announces a TCP address on 127.0.0.1 in its INFO
(``speaker``). `VirtualSpeaker` connects to it and streams int16 mono samples at the board's
rate; each time the board takes samples it answers (samples taken before, samples taken now,
board sample index of the first), so `play` is paced by the board's own clock (real time,
``--speed N``, or as fast as the board runs with ``--fast``), returns when the board has taken
the last sample, and knows the board sample index at which the sound started (`onset_sample`,
the same counter as the board's PCM ``sample_index``; the channel's delay comes after it).

Every report is also kept with the host's ``time.perf_counter()`` when it was read
(`taken_at`): the board takes speaker audio in blocks (up to ten 10 ms steps at once, ahead of
their nominal capture time), so the time the board took a given sample is known only from the
report of its own block, not by counting samples from the onset at the nominal rate.
"""

from __future__ import annotations

import bisect
import socket
import struct
import time

import numpy as np

from bench_app.core.errors import ConfigError, LinkError

_REPORT = struct.Struct("<QQQ")
#: How far ahead of the board's microphone the host may be (seconds of audio in flight).
LEAD_S = 0.25


def parse_address(address) -> tuple[str, int]:
    """``"127.0.0.1:40213"`` or INFO's ``{"transport": "tcp", "address": ...}`` -> (host, port)."""
    if isinstance(address, dict):
        if address.get("transport", "tcp") != "tcp":
            raise ConfigError(f"Unknown virtual speaker transport {address.get('transport')!r}.")
        address = address.get("address", "")
    host, sep, port = str(address).rpartition(":")
    if not sep or not port.isdigit():
        raise ConfigError(f"A virtual speaker address must be HOST:PORT, not {address!r}.")
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ConfigError(f"The virtual speaker listens on this machine only, not on {host}.")
    return host, int(port)


class VirtualSpeaker:
    """Plays int16 audio into a virtual board's acoustic channel.

    Parameters
    ----------
    address : str or dict
        The board's INFO ``speaker`` entry or its ``address`` (``HOST:PORT``).
    sample_rate : int
        The board's sample rate (INFO ``sample_rate_hz``).
    lead_s : float
        Seconds of audio the host may send ahead of the board (a longer lead rides out host
        stalls on a loaded machine; the onset is reported by the board either way).
    """

    def __init__(self, address, sample_rate: int = 16000, timeout: float = 5.0,
                 lead_s: float = LEAD_S):
        self.host, self.port = parse_address(address)
        self.sample_rate = sample_rate
        self.timeout = timeout
        self.lead_s = lead_s
        try:
            self._sock = socket.create_connection((self.host, self.port), timeout=timeout)
        except OSError as exc:
            raise LinkError(
                f"Cannot reach the virtual speaker at {self.host}:{self.port} ({exc.strerror})."
            ) from None
        self.sent = 0
        self.consumed = 0
        self.onset_sample: int | None = None
        self.onset_time: float | None = None
        self._onset_of = 0
        self._rx = b""
        # The board's take reports: first board sample, count, perf_counter when read.
        self._take_first: list[int] = []
        self._take_log: list[tuple[int, int, float]] = []
        #: Least ``read time - first sample / rate`` over all reports (seconds; see `taken_at`).
        self.take_offset: float | None = None

    def play(self, pcm, sample_rate: int | None = None, wait: bool = True) -> int | None:
        """Play ``pcm`` (int16 mono), paced by the board; return `onset_sample`.

        Audio at another ``sample_rate`` is resampled to the board's rate first. With
        ``wait`` the call returns once the board has taken the last sample. Afterwards
        `onset_sample` is the board sample index at which the first sample entered the
        acoustic channel (None if the board never took it) and `onset_time` the
        ``time.monotonic()`` when the host learned it.
        """
        pcm = np.asarray(pcm)
        if pcm.ndim != 1 or pcm.dtype != np.int16:
            raise ConfigError("The virtual speaker plays 1-D int16 audio.")
        if sample_rate and sample_rate != self.sample_rate:
            pcm = resample(pcm, sample_rate, self.sample_rate)
        data = pcm.astype("<i2").tobytes()
        self._onset_of = self.sent
        self.onset_sample = self.onset_time = None
        lead = int(self.lead_s * self.sample_rate)
        pos = 0
        while pos < len(data):
            room = max(0, lead - (self.sent - self.consumed)) * 2
            if room:
                chunk = data[pos : pos + room]
                self._sendall(chunk)
                pos += len(chunk)
                self.sent += len(chunk) // 2
            else:
                self._receive()
        while wait and self.consumed < self.sent:
            self._receive()
        return self.onset_sample

    def _sendall(self, chunk: bytes) -> None:
        try:
            self._sock.sendall(chunk)
        except OSError as exc:
            raise LinkError(f"The virtual speaker connection failed ({exc}).") from None

    def _receive(self) -> None:
        """Read the board's reports of what it took (and note the onset)."""
        try:
            data = self._sock.recv(4096)
        except TimeoutError:
            raise LinkError("The virtual board stopped taking speaker audio.") from None
        except OSError as exc:
            raise LinkError(f"The virtual speaker connection failed ({exc}).") from None
        if not data:
            raise LinkError("The virtual board closed the speaker connection.")
        now = time.perf_counter()
        self._rx += data
        whole = len(self._rx) // _REPORT.size * _REPORT.size
        for off in range(0, whole, _REPORT.size):
            before, n, board_index = _REPORT.unpack_from(self._rx, off)
            if self.onset_sample is None and before <= self._onset_of < before + n:
                self.onset_sample = board_index + (self._onset_of - before)
                self.onset_time = time.monotonic()
            self.consumed = max(self.consumed, before + n)
            if not self._take_first or board_index > self._take_first[-1]:
                self._take_log.append((board_index, n, now))
                self._take_first.append(board_index)  # last: readers bisect on this list
                offset = now - board_index / self.sample_rate
                if self.take_offset is None or offset < self.take_offset:
                    self.take_offset = offset
        self._rx = self._rx[whole:]

    def taken_at(self, sample: int) -> float | None:
        """``time.perf_counter()`` at which the board took ``sample`` (a board sample index).

        The board sends a report as it takes a block, before processing it, and takes each
        block when its first sample ``f`` is due, so ``read time - f / rate`` is the board
        clock's offset plus the report's trip and the host thread's wake-up, never less than
        the offset. Their minimum over all reports so far (`take_offset`, a one-way
        clock-offset filter) is the tightest estimate, and the answer is
        ``f / rate + take_offset`` for the block holding ``sample``: on time or early by at
        most the least trip, and early (never late) for a block the board took behind its
        pace. None if no report covers ``sample``. Safe to call from another thread.
        """
        n_known = len(self._take_first)
        i = bisect.bisect_right(self._take_first, sample, 0, n_known) - 1
        offset = self.take_offset
        if i < 0 or offset is None:
            return None
        first, n, _ = self._take_log[i]
        return first / self.sample_rate + offset if sample < first + n else None

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> VirtualSpeaker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def resample(pcm: np.ndarray, src: int, dst: int) -> np.ndarray:
    """int16 ``pcm`` at ``src`` Hz resampled to ``dst`` Hz (polyphase, rounded and clipped)."""
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(int(src), int(dst))
    y = resample_poly(pcm.astype(np.float64), dst // g, src // g)
    return np.clip(np.round(y), -32768, 32767).astype(np.int16)
