"""A tiny self-contained procedure: ticks at a fixed rate, with optional arrays and failure.

It needs no board, so it exercises the run machinery end to end: the tests drive the
controller and the store with it (including a ``kill -9`` mid-run), and the window can use it to
try its bridge without hardware.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Generator, Mapping
from typing import Any

import numpy as np

from bench_app.core.errors import BenchError
from bench_app.core.runs.engine.documents import Event, progress
from bench_app.core.runs.engine.procedure import RunContext, RunInterrupted


@dataclasses.dataclass(frozen=True)
class TickParams:
    """Parameters of ``TickProcedure``.

    Attributes
    ----------
    count
        Number of ticks (events in the ``ticks`` stream).
    interval_s
        Time between ticks, in seconds (0 for as fast as possible).
    array_every
        Attach a deterministic int16 array ``"samples"`` to every N-th tick (0: never).
    fail_at, interrupt_at
        Tick index at which to raise a ``BenchError`` / ``RunInterrupted`` (-1: never).
    """

    count: int = 10
    interval_s: float = 0.0
    array_every: int = 0
    fail_at: int = -1
    interrupt_at: int = -1


def tick_samples(index: int, length: int = 160) -> np.ndarray:
    """The array attached to tick ``index``: a seeded int16 ramp with noise (reproducible)."""
    rng = np.random.default_rng(index)
    return (rng.integers(-32768, 32767, size=length, dtype=np.int16) // 2 + index).astype(np.int16)


class TickProcedure:
    """Emits ``count`` events in the ``ticks`` stream plus progress, then a summary."""

    name = "ticks"

    def __init__(self, params: TickParams | None = None, board: Mapping[str, Any] | None = None):
        self.params = params or TickParams()
        self._board = dict(board) if board is not None else None
        self.cleaned_up = False

    def board_info(self) -> Mapping[str, Any] | None:
        """Whatever board description was given (a stand-in for the board's INFO reply)."""
        return self._board

    def execute(self, ctx: RunContext) -> Generator[Event | None, None, Mapping[str, Any]]:
        """Yield the ticks at the configured rate; return ``{"ticks": n, "verdict": "pass"}``."""
        p = self.params
        try:
            for i in range(p.count):
                if i == p.fail_at:
                    raise BenchError(f"The tick procedure was told to fail at tick {i}.")
                if i == p.interrupt_at:
                    raise RunInterrupted(f"The pretend board vanished at tick {i}.")
                arrays = {}
                if p.array_every and i % p.array_every == 0:
                    arrays["samples"] = tick_samples(i)
                yield Event("ticks", {"i": i, "t": time.time()}, arrays)
                yield progress(i + 1, p.count, f"tick {i + 1}/{p.count}")
                if p.interval_s > 0 and ctx.wait(p.interval_s):
                    yield None  # let the controller see the cancel now
            yield Event("summary", {"ticks": p.count, "verdict": "pass"})
        finally:
            self.cleaned_up = True
        return {"ticks": p.count, "verdict": "pass"}
