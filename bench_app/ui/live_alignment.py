"""The live picture of an alignment run: board frames, host reference, running error.

Fed from the bridge (GUI thread) with the run's ``frames`` and ``pcm`` events; the host
reference (the bench's front end on the board's own PCM, pipeline parity's reference) is
computed in a worker thread so the event loop never waits for it. Everything is keyed by frame
number counted from the first sample the run kept, so the three spectrograms scroll in step.
The running error uses the reference's maximum so far for the floor: an approximation of
`docs/metrics.md`'s definition, replaced by the analysis's own figures when the run ends.
"""

from __future__ import annotations

import queue
import threading

import numpy as np

from .ring_buffer import FrameRing, RingBuffer

CAPACITY_FRAMES = 6000  # 60 s at 10 ms
FLOOR_FRACTION = 0.5
FLOOR_ABS = 1.0


class LiveAlignment:
    """Ring buffers of one alignment run, filled from its documents."""

    def __init__(self, host_config=None, channels: int = 32, capacity: int = CAPACITY_FRAMES):
        self.host_config = host_config
        self.channels = channels
        self.board = FrameRing(capacity, channels)
        self.reference = FrameRing(capacity, channels)
        self.error_over_time = RingBuffer(capacity, (), np.float32)
        self._err_sum = np.zeros(channels)
        self._err_n = np.zeros(channels)
        self._ref_max = 0.0
        self._scored = 0  # next frame number to score
        self.origin: int | None = None  # board sample index of frame number 0
        self.step = 160
        self.sample_rate = 16000
        self._pcm_next: int | None = None
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self.reference_error: str | None = None

    # ---- feeding (GUI thread) -------------------------------------------------------------
    def configure(self, host_config) -> None:
        """Use this front-end config (step, rate, channels) for the reference."""
        self.host_config = host_config
        self.step = int(host_config.step_samples)
        self.sample_rate = int(host_config.sample_rate_hz)

    def _frame_number(self, sample: int) -> int:
        if self.origin is None:
            self.origin = int(sample)
        return (int(sample) - self.origin) // self.step

    def on_event(self, doc) -> None:
        """Take a ``frames`` or ``pcm`` event document."""
        stream, arrays, data = doc.get("stream"), doc.get("arrays") or {}, doc.get("data") or {}
        if stream == "frames" and "frames" in arrays:
            frames = np.asarray(arrays["frames"])
            first = int(data.get("first_sample", 0))
            if frames.ndim == 2 and frames.shape[1] == self.channels:
                self.board.put(self._frame_number(first), frames)
        elif stream == "pcm" and "pcm" in arrays and self.host_config is not None:
            first = int(data.get("first_sample", 0))
            self._frame_number(first)  # the first PCM sample may set the origin
            self._queue.put((first, np.asarray(arrays["pcm"], np.int16)))
            self._ensure_worker()

    def _ensure_worker(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="ui-live-reference",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """End the reference worker (after what is queued)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(5)
            self._thread = None

    # ---- reference worker ----------
    def _work(self) -> None:
        from bench_app.core.frontend import MicroFrontend

        fe = MicroFrontend(self.host_config)
        produced = 0
        start = None
        while True:
            item = self._queue.get()
            if item is None:
                return
            first, pcm = item
            try:
                if start is None:
                    start = first
                    self._pcm_next = first
                if first != self._pcm_next:  # a lost chunk: restart the stream after the gap
                    fe.reset()
                    start, produced = first, 0
                self._pcm_next = first + len(pcm)
                frames = fe.process(pcm)
                if len(frames):
                    number = self._frame_number(start) + produced
                    self.reference.put(number, frames)
                    produced += len(frames)
            except Exception as exc:  # shown in the view; the run itself goes on
                self.reference_error = f"{type(exc).__name__}: {exc}"

    # ---- scoring (GUI timer) -------------------------------------------------------------------
    def score(self) -> int:
        """Score the frames both sides now have; return how many were scored."""
        hi = min(self.board.last, self.reference.last) + 1
        lo = max(self._scored, hi - self.board.capacity)
        if hi <= lo:
            return 0
        ref = self.reference.window(lo, hi).astype(np.float64)
        board = self.board.window(lo, hi).astype(np.float64)
        if np.isfinite(ref).any():
            self._ref_max = max(self._ref_max, float(np.nanmax(ref)))
        floor = max(FLOOR_ABS, FLOOR_FRACTION * self._ref_max)
        with np.errstate(invalid="ignore", divide="ignore"):
            err = np.where(ref >= floor, np.abs(board - ref) / ref, np.nan)
        valid = np.isfinite(err)
        self._err_sum += np.where(valid, err, 0).sum(axis=0)
        self._err_n += valid.sum(axis=0)
        with np.errstate(invalid="ignore"):
            per_frame = np.where(valid.any(axis=1), np.nansum(err, axis=1)
                                 / np.maximum(valid.sum(axis=1), 1), np.nan)
        self.error_over_time.extend(per_frame)
        self._scored = hi
        return hi - lo

    def per_channel(self) -> np.ndarray:
        """Mean relative error per channel so far (NaN where no cell was above the floor)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self._err_n > 0, self._err_sum / np.maximum(self._err_n, 1), np.nan)

    def last_frame(self) -> int:
        """Highest frame number either side has."""
        return max(self.board.last, self.reference.last)

    def seconds(self, frame_number: int) -> float:
        """Time of a frame number from the run's first kept sample."""
        return frame_number * self.step / self.sample_rate
