"""A virtual Coral Micro running in a thread of the test process, and signals to feed it.

`running_board` serves `VirtualBoard` on a real pty in a thread (so a test can reach inside it,
e.g. its fault ledger) and checks it stops; `collect` drains one stream from a `BoardClient`
until a condition holds. Tests of any board-facing code use these instead of a subprocess.
"""

from __future__ import annotations

import contextlib
import threading
import time

import numpy as np

from bench_app.core.device.client import BoardClient
from bench_app.core.device.emulator.server import EmulatorOptions, VirtualBoard
from bench_app.core.device.protocol import Stream
from bench_app.core.model import MODELS_DIR

#: The untrained paper-shape model shipped in models/ (tests that check its fixed figures).
MODEL = MODELS_DIR / "untrained_paper_shape.tflite"
#: The demo model (trained on synthetic espeak-ng speech): the virtual board's default.
DEMO_MODEL = MODELS_DIR / "demo" / "model.tflite"
FS = 16000


@contextlib.contextmanager
def running_board(**options):
    board = VirtualBoard(EmulatorOptions(**options))
    thread = threading.Thread(target=board.serve, name="virtual-board", daemon=True)
    thread.start()
    try:
        yield board
    finally:
        board.stop_event.set()
        thread.join(20)
        assert not thread.is_alive()


def test_signal(seconds: float, seed: int = 0) -> np.ndarray:
    """Tones that come and go over noise: frames that change, windows that differ."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * FS)) / FS
    x = 0.02 * rng.standard_normal(len(t))
    for i, f in enumerate((300, 700, 1500, 3100, 5200)):
        x += 0.15 * np.sin(2 * np.pi * f * t) * (np.sin(2 * np.pi * (0.3 + 0.2 * i) * t) > 0)
    return np.round(np.clip(x, -1, 1) * 20000).astype(np.int16)


test_signal.__test__ = False


def collect(client: BoardClient, stream: Stream, done, limit_s: float = 20.0) -> list:
    """Messages of ``stream`` until ``done(messages)`` is true (or ``limit_s`` passes)."""
    got, t0 = [], time.monotonic()
    while not done(got) and time.monotonic() - t0 < limit_s:
        got += client.drain(stream)
        time.sleep(0.01)
    return got
