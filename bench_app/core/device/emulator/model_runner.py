"""The virtual board's model: a .tflite run by the real TFLM interpreter on sliding windows.

Frames from the front end are appended as they are computed; windows of the model input's frame
count (498 for 5 s at 10 ms) start at every frame index that is a multiple of ``hop`` (100 for
1 s), and each complete window's features go through `to_int8` into the interpreter, as
firmware would feed them. Windows run on across clips (RESULT's tags say when they span two).
The interpreter is `bench_app.core.model.tflm` (TFLM itself, every op registered), with the
smallest arena that allocates.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from bench_app.core.errors import ConfigError
from bench_app.core.frontend import to_int8
from bench_app.core.model.tflm import TflmModel, smallest_arena

__all__ = ["Inference", "ModelRunner", "smallest_arena"]


@dataclasses.dataclass(frozen=True)
class Inference:
    """One window's result: raw scores, output quantization, the window's span and tags."""

    scores: np.ndarray
    scale: float
    zero_point: int
    first_frame: int  # frame index (since boot) of the window's first frame
    start_sample: int  # first sample of the window's first frame
    last_frame_sample: int  # first sample of the window's last frame
    tag_first: int
    tag_last: int
    invoke_us: int


class ModelRunner:
    """Sliding-window inference on front end frames with the TFLM interpreter.

    Parameters
    ----------
    path : path-like
        The .tflite file (int8 input shaped (1, frames, channels[, 1]), int8 or float output).
    hop_frames : int
        Frames between the starts of consecutive windows (100 = 1 s at 10 ms).
    arena_size : int, optional
        Arena bytes; by default the smallest that allocates (searched once at start).
    """

    def __init__(self, path, hop_frames: int, arena_size: int | None = None):
        self._tflm = TflmModel(path, arena_size)  # the TFL3 check, arena search, load
        self.model, self.sha256 = self._tflm.model, self._tflm.sha256
        self.arena_size = self._tflm.arena_size
        self.input_shape = self._tflm.input_shape
        if self._tflm.input_dtype != np.int8 or len(self.input_shape) < 3:
            raise ConfigError(f"{path} must take an int8 (1, frames, channels) spectrogram.")
        self.window_frames, self.channels = self.input_shape[1], self.input_shape[2]
        self.scale, self.zero_point = self._tflm.output_scale, self._tflm.output_zero_point
        if hop_frames < 1:
            raise ConfigError("The inference hop must be at least one frame.")
        self.hop_frames = hop_frames
        self._frames = np.zeros((0, self.channels), np.int8)
        self._samples = np.zeros(0, np.int64)  # window start sample of each buffered frame
        self._tags = np.zeros(0, np.int64)
        self._first = 0  # frame index (since boot) of self._frames[0]

    def describe(self) -> dict:
        """What INFO says about the model."""
        return {
            "sha256": self.sha256,
            "size_bytes": len(self.model),
            "arena_bytes": self.arena_size,
            "input_shape": list(self.input_shape),
            "window_frames": self.window_frames,
            "hop_frames": self.hop_frames,
            "output_scale": self.scale,
            "output_zero_point": self.zero_point,
        }

    def reset(self, next_frame: int = 0) -> None:
        """Forget buffered frames; the next frame pushed has index ``next_frame``."""
        self._frames = self._frames[:0]
        self._samples = self._samples[:0]
        self._tags = self._tags[:0]
        self._first = next_frame

    def push(self, frames_u16: np.ndarray, sample_index: np.ndarray, tags: np.ndarray,
             first_frame: int) -> list[Inference]:  # fmt: skip
        """Add frames (n, channels) with their window start samples and inject tags.

        ``first_frame`` is the frame index (since boot) of ``frames_u16[0]``. Windows start at
        frame indices that are multiples of ``hop_frames``; they may span clips (the tags say).
        Returns the inferences of every window completed.
        """
        if frames_u16.shape[1] != self.channels:
            raise ConfigError(
                f"The front end gives {frames_u16.shape[1]} channels but the model takes "
                f"{self.channels}."
            )
        if not len(self._frames):
            skip = -first_frame % self.hop_frames  # align windows to the hop grid
            frames_u16, sample_index, tags = frames_u16[skip:], sample_index[skip:], tags[skip:]
            first_frame += skip
            self._first = first_frame
        self._frames = np.concatenate([self._frames, to_int8(frames_u16)])
        self._samples = np.concatenate([self._samples, np.asarray(sample_index, np.int64)])
        self._tags = np.concatenate([self._tags, np.asarray(tags, np.int64)])
        done = []
        n = self.window_frames
        while len(self._frames) >= n:
            done.append(self._infer(n))
            self._frames = self._frames[self.hop_frames :]
            self._samples = self._samples[self.hop_frames :]
            self._tags = self._tags[self.hop_frames :]
            self._first += self.hop_frames
        return done

    def infer_window(self, window_int8: np.ndarray) -> np.ndarray:
        """Run one int8 window (frames, channels) and return the raw output scores."""
        return self._tflm.invoke(window_int8)

    def _infer(self, n: int) -> Inference:
        t0 = time.perf_counter_ns()
        scores = self.infer_window(self._frames[:n])
        invoke_us = (time.perf_counter_ns() - t0) // 1000
        return Inference(
            scores, self.scale, self.zero_point, self._first,
            int(self._samples[0]), int(self._samples[n - 1]),
            int(self._tags[0]), int(self._tags[n - 1]), invoke_us,
        )  # fmt: skip
