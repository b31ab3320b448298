"""Fixed-size numpy ring buffers that the run side fills and the plot timer reads.

Documents arrive in chunks (half a second of frames, one latency result); the plots redraw on
a 30-50 ms timer from whatever the buffers hold, as pyqtgraph's ``scrollingPlots`` example does.
Appending and reading take a lock, so a buffer may be filled from any thread; a read returns a
copy in time order, plus the total count so far (to place the newest sample on the time axis).
"""

from __future__ import annotations

import threading

import numpy as np


class RingBuffer:
    """The last ``capacity`` rows of a stream of rows of shape ``row_shape``.

    Parameters
    ----------
    capacity
        Rows kept; older ones are overwritten.
    row_shape
        Shape of one row: ``()`` for a scalar series, ``(32,)`` for spectrogram frames.
    dtype
        Storage type (float32 by default: what the plots draw).
    """

    def __init__(self, capacity: int, row_shape: tuple[int, ...] = (), dtype=np.float32) -> None:
        if capacity < 1:
            raise ValueError("a ring buffer needs room for at least one row")
        self.capacity = int(capacity)
        self._data = np.zeros((self.capacity, *row_shape), dtype=dtype)
        self._total = 0  # rows ever appended
        self._version = 0  # bumped on every change, so a plot can skip an unchanged buffer
        self._lock = threading.Lock()

    @property
    def total(self) -> int:
        """Rows appended since the last clear (including those overwritten)."""
        return self._total

    @property
    def version(self) -> int:
        """A counter that changes whenever the contents change."""
        return self._version

    def __len__(self) -> int:
        return min(self._total, self.capacity)

    def clear(self) -> None:
        """Forget every row."""
        with self._lock:
            self._total = 0
            self._version += 1

    def extend(self, rows) -> None:
        """Append rows (an array whose trailing shape is ``row_shape``)."""
        rows = np.asarray(rows, dtype=self._data.dtype).reshape((-1, *self._data.shape[1:]))
        n = len(rows)
        if n == 0:
            return
        with self._lock:
            if n >= self.capacity:
                rows, skipped = rows[-self.capacity :], n - self.capacity
            else:
                skipped = 0
            start = (self._total + skipped) % self.capacity
            first = min(len(rows), self.capacity - start)
            self._data[start : start + first] = rows[:first]
            self._data[: len(rows) - first] = rows[first:]
            self._total += n
            self._version += 1

    def append(self, row) -> None:
        """Append one row."""
        self.extend(np.asarray(row, dtype=self._data.dtype)[None, ...])

    def snapshot(self) -> tuple[np.ndarray, int]:
        """The rows held, oldest first (a copy), and the index of the first one in the stream."""
        with self._lock:
            n = len(self)
            end = self._total % self.capacity
            if self._total <= self.capacity:
                out = self._data[:n].copy()
            else:
                out = np.concatenate([self._data[end:], self._data[:end]])
            return out, self._total - n


class FrameRing:
    """Spectrogram frames kept by frame number (``sample // step``), the last ``capacity``.

    The board's frames and the host's reference frames arrive at different times and in
    different chunks; keyed by frame number, the two line up cell for cell, and a window of
    either is read with NaN where a frame has not arrived (or was lost on the link).
    """

    def __init__(self, capacity: int, channels: int) -> None:
        self.capacity = int(capacity)
        self._data = np.full((self.capacity, channels), np.nan, np.float32)
        self._number = np.full(self.capacity, -1, np.int64)
        self.last = -1  # highest frame number stored
        self._version = 0
        self._lock = threading.Lock()

    @property
    def version(self) -> int:
        """A counter that changes whenever frames are added."""
        return self._version

    def put(self, first: int, rows) -> None:
        """Store ``rows`` as frames ``first, first + 1, ...``."""
        rows = np.asarray(rows, np.float32)
        if rows.ndim != 2 or len(rows) == 0:
            return
        if rows.shape[1] != self._data.shape[1]:
            raise ValueError(f"expected {self._data.shape[1]} channels, got {rows.shape[1]}")
        numbers = np.arange(first, first + len(rows), dtype=np.int64)
        with self._lock:
            last = max(self.last, int(numbers[-1]))
            keep = numbers > last - self.capacity  # frames older than the window are dropped
            slots = numbers[keep] % self.capacity
            self._data[slots] = rows[keep]
            self._number[slots] = numbers[keep]
            self.last = last
            self._version += 1

    def window(self, lo: int, hi: int) -> np.ndarray:
        """Frames ``lo .. hi - 1`` as (hi - lo, channels), NaN where absent."""
        n = max(0, hi - lo)
        numbers = np.arange(lo, lo + n, dtype=np.int64)
        with self._lock:
            slots = numbers % self.capacity
            out = self._data[slots].copy()
            out[self._number[slots] != numbers] = np.nan
        return out
