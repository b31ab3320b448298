"""The live picture of an alignment run: board frames, host reference, running error.

Fed from the bridge (GUI thread) with the run's ``frames``, ``reference`` and ``metrics``
events. The window computes nothing here: the alignment procedure runs the host front end on
the board's PCM and scores it (`bench_app.core.runs.procedures.alignment.live_parity`), and
the store keeps those events with the run; this only files them into ring buffers for the plot
timer. Everything is keyed by frame number counted from the first sample the run kept, so the
three spectrograms scroll in step.
"""

from __future__ import annotations

import numpy as np

from .ring_buffer import FrameRing

CAPACITY_FRAMES = 6000  # 60 s at 10 ms


def _floats(values) -> np.ndarray:
    """A list from JSON (``None`` for "no value") as float64 with NaN."""
    return np.array([np.nan if v is None else float(v) for v in values or ()], np.float64)


class LiveAlignment:
    """Ring buffers of one alignment run, filled from its documents."""

    def __init__(self, host_config=None, channels: int = 32, capacity: int = CAPACITY_FRAMES):
        self.channels = channels
        self.board = FrameRing(capacity, channels)
        self.reference = FrameRing(capacity, channels)
        self.error_over_time = FrameRing(capacity, 1)
        self._per_channel = np.full(channels, np.nan)
        self.mean: float | None = None
        self.frames_scored = 0
        self.origin: int | None = None  # board sample index of frame number 0
        self.step = 160
        self.sample_rate = 16000
        if host_config is not None:
            self.configure(host_config)

    def configure(self, host_config) -> None:
        """Use this front-end config's step and rate to place frames in time."""
        self.step = int(host_config.step_samples)
        self.sample_rate = int(host_config.sample_rate_hz)

    def _numbers(self, samples) -> np.ndarray:
        samples = np.asarray(samples, np.int64)
        if self.origin is None and samples.size:
            self.origin = int(samples[0])
        return (samples - (self.origin or 0)) // self.step

    @staticmethod
    def _put(ring: FrameRing, numbers: np.ndarray, rows: np.ndarray) -> None:
        if not len(rows):
            return
        if int(numbers[-1] - numbers[0]) == len(rows) - 1:  # contiguous: one write
            ring.put(int(numbers[0]), rows)
            return
        for number, row in zip(numbers, rows, strict=True):
            ring.put(int(number), row[None, :])

    def _frames_of(self, doc) -> tuple[np.ndarray, np.ndarray] | None:
        arrays, data = doc.get("arrays") or {}, doc.get("data") or {}
        frames = np.asarray(arrays.get("frames", np.zeros((0, 0))))
        if frames.ndim != 2 or frames.shape[1] != self.channels or not len(frames):
            return None
        samples = arrays.get("frame_sample_index")
        if samples is None:
            samples = int(data.get("first_sample", 0)) + self.step * np.arange(len(frames))
        return self._numbers(samples), frames

    def on_event(self, doc) -> None:
        """Take a ``frames``, ``reference``, ``metrics`` or ``pcm`` event document."""
        stream, data = doc.get("stream"), doc.get("data") or {}
        if stream in ("frames", "reference"):
            placed = self._frames_of(doc)
            if placed is not None:
                self._put(self.board if stream == "frames" else self.reference, *placed)
        elif stream == "pcm":
            self._numbers([int(data.get("first_sample", 0))])  # may set the origin
        elif stream == "metrics" and "per_channel" in data:
            per_channel = _floats(data["per_channel"])
            if len(per_channel) == self.channels:
                self._per_channel = per_channel
            self.mean = data.get("mean")
            self.frames_scored = int(data.get("frames_scored", 0))
            samples = data.get("over_time_sample") or []
            if samples:
                errors = _floats(data.get("over_time"))[:, None]
                self._put(self.error_over_time, self._numbers(samples), errors)

    def stop(self) -> None:
        """Nothing runs here any more; kept so a view can end a run the same way as before."""

    def per_channel(self) -> np.ndarray:
        """The run's latest mean relative error per channel (NaN where none was scored)."""
        return self._per_channel.copy()

    def error_series(self) -> tuple[np.ndarray, np.ndarray]:
        """Frame numbers and mean error of each scored frame still held, oldest first."""
        hi = self.error_over_time.last + 1
        lo = max(0, hi - self.error_over_time.capacity)
        values = self.error_over_time.window(lo, hi)[:, 0]
        numbers = np.arange(lo, hi)
        keep = np.isfinite(values)
        return numbers[keep], values[keep]

    @property
    def version(self) -> tuple[int, int, int]:
        """Changes whenever any buffer does (the plots redraw only then)."""
        return self.board.version, self.reference.version, self.error_over_time.version

    def last_frame(self) -> int:
        """Highest frame number either side has."""
        return max(self.board.last, self.reference.last)

    def seconds(self, frame_number: int) -> float:
        """Time of a frame number from the run's first kept sample."""
        return frame_number * self.step / self.sample_rate
