"""`FrameGeometry`: how a MicroFrontend cuts samples into frames, the one rule the bench uses.

TFLM's front end (and TF's ``audio_microfrontend`` op, and MLTK) turn milliseconds into samples
with C integer arithmetic, ``size_ms * sample_rate / 1000`` **truncated**, and emit a frame each
time a whole window has arrived, then move by one hop: ``n`` samples give
``(n - window) // hop + 1`` frames (none when ``n < window``), frame ``i`` covering samples
``i * hop .. i * hop + window``. Every place that needs frames for N samples, the hop or the
window (the reference front end, the client's injected-clip capture, the runs, the report)
asks this class, so they cannot round differently (tests/frontend pin it to TF's op and MLTK).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any


def ms_to_samples(ms: int, sample_rate_hz: int) -> int:
    """``ms`` milliseconds in whole samples at ``sample_rate_hz``, truncated as TFLM does."""
    return int(ms) * int(sample_rate_hz) // 1000


@dataclasses.dataclass(frozen=True)
class FrameGeometry:
    """Window and hop of a front end, in samples.

    Attributes
    ----------
    sample_rate_hz : int
        Input sample rate.
    window_samples, step_samples : int
        Window and hop (frame step) lengths in samples, both at least 1.
    """

    sample_rate_hz: int
    window_samples: int
    step_samples: int

    def __post_init__(self) -> None:
        if self.sample_rate_hz < 1 or self.window_samples < 1 or self.step_samples < 1:
            raise ValueError(f"frame geometry needs a positive rate, window and hop: {self}")

    @classmethod
    def from_ms(cls, sample_rate_hz: int, window_size_ms: int, window_step_ms: int
                ) -> FrameGeometry:  # fmt: skip
        """The geometry of ``window_size_ms`` / ``window_step_ms`` at ``sample_rate_hz``
        (milliseconds to samples truncated, as TFLM's C code computes them)."""
        rate = int(sample_rate_hz)
        return cls(rate, ms_to_samples(window_size_ms, rate), ms_to_samples(window_step_ms, rate))

    @classmethod
    def from_settings(cls, frontend: Mapping[str, Any]) -> FrameGeometry | None:
        """The geometry of an ``fe.*`` dict (e.g. a board's INFO); None if it does not say.

        Only ``fe.sample_rate_hz``, ``fe.window_size_ms`` and ``fe.window_step_ms`` are read, so
        a board's front end with settings the host cannot run still has a known frame grid.
        """
        try:
            values = [frontend[f"fe.{k}"] for k in ("sample_rate_hz", "window_size_ms",
                                                     "window_step_ms")]
            if any(isinstance(v, bool) or float(v) != int(v) for v in values):
                return None
            return cls.from_ms(*(int(v) for v in values))
        except (KeyError, TypeError, ValueError, OverflowError):
            return None

    @property
    def step_s(self) -> float:
        """The hop in seconds."""
        return self.step_samples / self.sample_rate_hz

    @property
    def window_s(self) -> float:
        """The window in seconds."""
        return self.window_samples / self.sample_rate_hz

    def frames_for(self, n_samples: int) -> int:
        """Frames a fresh front end makes from ``n_samples`` samples (0 below one window)."""
        if n_samples < self.window_samples:
            return 0
        return (int(n_samples) - self.window_samples) // self.step_samples + 1

    def samples_for(self, n_frames: int) -> int:
        """The fewest samples that give ``n_frames`` frames (0 for none)."""
        if n_frames <= 0:
            return 0
        return (int(n_frames) - 1) * self.step_samples + self.window_samples

    def frame_start(self, index: int) -> int:
        """First sample of frame ``index`` (counted from the front end's first sample)."""
        return int(index) * self.step_samples

    def frame_end(self, index: int) -> int:
        """One past the last sample of frame ``index``."""
        return int(index) * self.step_samples + self.window_samples
