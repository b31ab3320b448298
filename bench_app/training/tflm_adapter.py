"""The one place training reaches the TFLM interpreter: smallest arena (in a child), load, invoke.

The interpreter and the arena search are `bench_app.core.model`'s (`TflmModel`,
`smallest_arena`), the same code the virtual board and ``bench-app model check`` use, so the
numbers training reports are those the bench will see.

The smallest-arena search loads the model dozens of times in arenas that are too small, and
TFLM has crashed the whole process there (SIGSEGV on a tiny acoustic variant). It therefore
runs in a child Python process (`arena_in_child`): a crash is reported as one sentence (a
`TflmCheckError`), not a dead trainer, and the parent then loads the model once in the arena
found.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import numpy as np

from bench_app.core.errors import BenchError
from bench_app.core.model.tflm import TflmModel as _CoreTflmModel
from bench_app.core.model.tflm import smallest_arena

__all__ = ["TflmCheckError", "TflmModel", "arena_in_child", "smallest_arena"]

_CHILD = ("import sys; from pathlib import Path; "
          "from bench_app.core.model.tflm import smallest_arena; "
          "print(smallest_arena(Path(sys.argv[1]).read_bytes()))")  # fmt: skip


class TflmCheckError(BenchError):
    """The TFLM interpreter could not load the model (or crashed trying)."""


def arena_in_child(path: str | Path, timeout: float = 600.0) -> int:
    """Smallest TFLM arena of the model at ``path``, searched in a child process.

    Raises
    ------
    TflmCheckError
        When the child crashes (names the signal), times out, or reports an error.
    """
    path = Path(path)
    try:
        p = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True,
                           text=True, timeout=timeout)  # fmt: skip
    except subprocess.TimeoutExpired:
        raise TflmCheckError(f"The TFLM arena search for {path.name} did not finish in "
                             f"{timeout:.0f} s.") from None  # fmt: skip
    if p.returncode < 0:
        try:
            sig = signal.Signals(-p.returncode).name
        except ValueError:
            sig = f"signal {-p.returncode}"
        raise TflmCheckError(f"TFLM crashed ({sig}) while searching the smallest arena of "
                             f"{path.name}: the interpreter cannot run this model.")  # fmt: skip
    last = (p.stderr.strip().splitlines() or [""])[-1]
    if p.returncode != 0 or not p.stdout.strip().isdigit():
        raise TflmCheckError(f"TFLM cannot load {path.name}: {last or 'no reason given'}")
    return int(p.stdout.strip())


class TflmModel:
    """A .tflite file loaded by TFLM in its smallest arena; `invoke` runs int8 windows."""

    def __init__(self, path: str | Path, arena_size: int | None = None):
        arena = arena_size or arena_in_child(path)
        self._model = _CoreTflmModel(path, arena_size=arena)
        self.arena_size = self._model.arena_size

    def invoke(self, windows_int8: np.ndarray) -> np.ndarray:
        """Raw int8 output scores for each int8 window: (n, classes)."""
        return np.stack([self._model.invoke(w) for w in windows_int8])
