"""The one place training reaches the TFLM interpreter (load, smallest arena, invoke).

It calls the virtual board's runner (`bench_app.core.device.emulator.model_runner`), so the
numbers training reports are those the virtual board will see. When that runner moves (to
`bench_app.core.model`), only the import below changes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench_app.core.device.emulator.model_runner import ModelRunner, smallest_arena

__all__ = ["TflmModel", "smallest_arena"]


class TflmModel:
    """A .tflite file loaded by TFLM in its smallest arena; `invoke` runs int8 windows."""

    def __init__(self, path: str | Path, arena_size: int | None = None):
        self._runner = ModelRunner(path, hop_frames=1, arena_size=arena_size)
        self.arena_size = self._runner.arena_size

    def invoke(self, windows_int8: np.ndarray) -> np.ndarray:
        """Raw int8 output scores for each int8 window: (n, classes)."""
        return np.stack([self._runner.infer_window(w) for w in windows_int8])
