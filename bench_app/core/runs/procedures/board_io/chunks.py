"""Collect a board's FRAME and PCM streams during a run and emit them in ~0.5 s chunks.

`ChunkEmitter` keeps the messages that belong to the capture (selected by a predicate once
the run knows where its audio starts) and turns them into ``frames`` and ``pcm`` events, so the
store has everything received even if the board vanishes later. Arrays: ``frames`` (uint16,
frames x channels) with ``frame_sample_index`` (int64) and ``frame_timestamp_us``; ``pcm``
(int16). The event data say where each chunk starts on the board's sample counter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from bench_app.core.runs.engine.documents import Event
from bench_app.core.runs.procedures.board_io.board_session import Stamped, StreamBuffer


class ChunkEmitter:
    """Chunked events of the frames and PCM a `StreamBuffer` took, filtered by the run."""

    def __init__(self, buffer: StreamBuffer, sample_rate: int, step: int,
                 chunk_s: float = 0.5) -> None:
        self.buffer = buffer
        self.chunk_samples = max(1, int(chunk_s * sample_rate))
        self.step = step
        self.frame_filter: Callable | None = None
        self.pcm_filter: Callable | None = None
        self.frames: list = []
        self.pcm: list[Stamped] = []
        self._frames_seen = 0
        self._pcm_seen = 0
        self._frames_sent = 0
        self._pcm_sent = 0

    def select(self, frame_filter: Callable, pcm_filter: Callable) -> None:
        """From now on keep the frames and PCM chunks these predicates accept."""
        self.frame_filter, self.pcm_filter = frame_filter, pcm_filter

    def _take(self) -> None:
        if self.frame_filter is None:
            return
        new_f = self.buffer.frames[self._frames_seen:]
        new_p = self.buffer.pcm[self._pcm_seen:]
        self._frames_seen += len(new_f)
        self._pcm_seen += len(new_p)
        self.frames.extend(f for f in new_f if self.frame_filter(f))
        self.pcm.extend(p for p in new_p if self.pcm_filter(p.message))

    def events(self, final: bool = False) -> Iterator[Event]:
        """Events for what has accumulated (everything left when ``final``)."""
        self._take()
        pending = sum(len(p.message.samples) for p in self.pcm[self._pcm_sent:])
        if pending >= self.chunk_samples or (final and pending):
            chunk = self.pcm[self._pcm_sent:]
            self._pcm_sent = len(self.pcm)
            first = chunk[0].message
            yield Event("pcm", {"first_sample": int(first.sample_index),
                                "timestamp_us": int(first.timestamp_us),
                                "source": int(first.source), "host_time": chunk[0].host_time,
                                "n": int(sum(len(c.message.samples) for c in chunk))},
                        {"pcm": np.concatenate([c.message.samples for c in chunk])})
        step_frames = max(1, self.chunk_samples // self.step)
        n_frames = len(self.frames) - self._frames_sent
        if n_frames >= step_frames or (final and n_frames):
            chunk = self.frames[self._frames_sent:]
            self._frames_sent = len(self.frames)
            yield Event("frames", {"first_frame_index": int(chunk[0].frame_index),
                                   "first_sample": int(chunk[0].sample_index), "n": len(chunk)},
                        {"frames": np.stack([f.features for f in chunk]).astype(np.uint16),
                         "frame_sample_index": np.array([f.sample_index for f in chunk],
                                                        np.int64),
                         "frame_timestamp_us": np.array([f.timestamp_us for f in chunk],
                                                        np.int64)})


def contiguous_frames(frames: list, step: int) -> tuple[np.ndarray, int, int]:
    """The longest run of frames ``step`` samples apart: (features, first sample, frames left).

    Frames lost on the link break the board's frame grid; parity compares one unbroken run
    (the longest, the first of equals) rather than guessing what the missing frames held.
    """
    ordered = sorted(frames, key=lambda f: f.sample_index)
    if not ordered:
        return np.zeros((0, 0), np.uint16), 0, 0
    best, start = (0, 1), 0
    for i in range(1, len(ordered) + 1):
        if i == len(ordered) or ordered[i].sample_index - ordered[i - 1].sample_index != step:
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = i
    run = ordered[best[0] : best[1]]
    feats = np.stack([f.features for f in run]).astype(np.uint16)
    return feats, int(run[0].sample_index), len(ordered) - len(run)
