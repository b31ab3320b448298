"""Pipeline parity while the alignment run captures: the live figures, as run events.

The host front end runs on the board's own PCM as its chunks arrive (a gap in the PCM restarts
it, as the board's front end restarts), and each reference frame is scored against the board
frame of the same sample index with `bench_app.core.analysis.relerr` (the metric of
`docs/metrics.md`). The run emits the results, so the store keeps them with the run and the
window only draws them:

- ``reference``: ``{"first_sample", "n", "frame_step"}`` with arrays ``frames`` (uint16,
  n x channels) and ``frame_sample_index`` (int64): the host reference frames.
- ``metrics``: ``{"metric": "pipeline_parity", "floor", "frames_scored", "mean",
  "per_channel": [...], "over_time": [...], "over_time_sample": [...], "frame_step"}``: the
  running mean relative error per channel and over every cell so far, and the mean error of
  each frame scored since the previous event (``None`` where no cell was above the floor).

The floor is `relerr.noise_floor_value` of the reference seen so far, so the running figures
approach the final analysis's (which uses the whole run's reference) as the run goes on; the
run's summary holds the final ones.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from bench_app.core.analysis.jsonable import clean
from bench_app.core.analysis.relerr import nanmean_along, noise_floor_value, relative_error_map
from bench_app.core.documents import STREAM_METRICS
from bench_app.core.runs.engine.documents import Event

STREAM_REFERENCE = "reference"
METRIC_NAME = "pipeline_parity"
#: Unmatched frames kept at most (60 s at 10 ms): a board that sends no PCM cannot grow it.
MAX_PENDING = 6000


class LiveParity:
    """Scores the board's frames against the host front end on the board's PCM, live.

    Feed it every ``pcm`` and ``frames`` event the capture emits (`take`); it returns the
    ``reference`` and ``metrics`` events to emit after them.
    """

    def __init__(self, config) -> None:
        from bench_app.core.frontend import MicroFrontend

        self.step = int(config.step_samples)
        self.channels = int(config.filterbank_n_channels)
        self._fe = MicroFrontend(config)
        self._pcm_next: int | None = None
        self._run_start = 0  # sample index of the current unbroken PCM run
        self._produced = 0  # reference frames produced since _run_start
        self._reference: dict[int, np.ndarray] = {}  # sample index -> frame, not yet scored
        self._board: dict[int, np.ndarray] = {}
        self._reference_max = 0.0
        self._err_sum = np.zeros(self.channels)
        self._err_n = np.zeros(self.channels, np.int64)
        self.frames_scored = 0

    def take(self, event: Event) -> Iterator[Event]:
        """The events that follow a capture event (``pcm``: reference; either: metrics)."""
        if event.stream == "pcm" and "pcm" in event.arrays:
            reference = self._on_pcm(int(event.data["first_sample"]), event.arrays["pcm"])
            if reference is not None:
                yield reference
        elif event.stream == "frames" and "frames" in event.arrays:
            self._on_frames(event.arrays["frame_sample_index"], event.arrays["frames"])
        else:
            return
        metrics = self._score()
        if metrics is not None:
            yield metrics

    def _on_pcm(self, first: int, pcm: np.ndarray) -> Event | None:
        if first != self._pcm_next:  # the first chunk, or a lost one: restart after the gap
            self._fe.reset()
            self._run_start, self._produced = first, 0
        self._pcm_next = first + len(pcm)
        frames = np.asarray(self._fe.process(np.asarray(pcm, np.int16)), np.uint16)
        if not len(frames):
            return None
        samples = self._run_start + self.step * (self._produced + np.arange(len(frames)))
        self._produced += len(frames)
        self._reference_max = max(self._reference_max, float(frames.max()))
        self._keep(self._reference, samples, frames)
        return Event(STREAM_REFERENCE,
                     {"first_sample": int(samples[0]), "n": len(frames), "frame_step": self.step},
                     {"frames": frames, "frame_sample_index": samples.astype(np.int64)})

    def _on_frames(self, sample_index: np.ndarray, frames: np.ndarray) -> None:
        frames = np.asarray(frames)
        if frames.ndim == 2 and frames.shape[1] == self.channels:
            self._keep(self._board, np.asarray(sample_index, np.int64), frames)

    @staticmethod
    def _keep(pending: dict[int, np.ndarray], samples: np.ndarray, frames: np.ndarray) -> None:
        pending.update(zip((int(s) for s in samples), frames, strict=True))
        while len(pending) > MAX_PENDING:
            del pending[next(iter(pending))]

    def _score(self) -> Event | None:
        both = sorted(self._reference.keys() & self._board.keys())
        if not both:
            return None
        reference = np.stack([self._reference[s] for s in both]).astype(np.float64)
        board = np.stack([self._board[s] for s in both]).astype(np.float64)
        newest = both[-1]
        for pending in (self._reference, self._board):  # both streams come in sample order
            for s in [s for s in pending if s <= newest]:
                del pending[s]
        floor = noise_floor_value(np.array([self._reference_max]))
        errors = relative_error_map(board, reference, floor)
        valid = np.isfinite(errors)
        self._err_sum += np.where(valid, errors, 0.0).sum(axis=0)
        self._err_n += valid.sum(axis=0)
        self.frames_scored += len(both)
        return Event(STREAM_METRICS, {
            "metric": METRIC_NAME,
            "floor": floor,
            "frames_scored": self.frames_scored,
            "mean": self.mean(),
            "per_channel": clean(self.per_channel()),
            "over_time": clean(nanmean_along(errors, 1)),
            "over_time_sample": both,
            "frame_step": self.step,
        })

    def per_channel(self) -> np.ndarray:
        """Mean relative error per channel so far (NaN where no cell was above the floor)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self._err_n > 0, self._err_sum / np.maximum(self._err_n, 1), np.nan)

    def mean(self) -> float | None:
        """Mean relative error over every scored cell so far (None before the first)."""
        n = int(self._err_n.sum())
        return float(self._err_sum.sum() / n) if n else None

