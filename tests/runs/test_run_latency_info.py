"""A latency run plans from INFO's documented keys alone, never from the virtual board's own.

The board is the virtual board (in a thread, running the untrained model at 4x speed with a
0.5 s hop), reached through a `Board` whose INFO keeps only what docs/protocol.md documents:
``extra["emulator"]`` is removed, as a real board would never send it. The procedure is
given the session (as the window gives its own) and must leave it connected.

- INFO states ``model`` (window and hop frames) and ``clock_speed``: the run's budget with a
  single inference is the stated hop (500 ms, not the 1 s fallback), its notes carry no
  assumption, and the clock-speed note comes from ``clock_speed``.
- INFO without ``model``: the run still works and its notes say it assumed 5 s / 1 s.
"""

from __future__ import annotations

import dataclasses
import threading

import pytest

from bench_app.core.device.board import Board
from bench_app.core.device.client import BoardClient
from bench_app.core.runs.engine.procedure import RunContext
from bench_app.core.runs.procedures.board_io.board_session import BoardSession
from bench_app.core.runs.procedures.latency.procedure import LatencyParams, LatencyProcedure
from bench_app.testing.running_board import MODEL, running_board

HOP_S = 0.5


class DocumentedInfoOnly:
    """A `Board` passing every call to ``client``, with INFO cut to the documented keys."""

    def __init__(self, client: BoardClient, state_model: bool = True) -> None:
        self.client, self.state_model = client, state_model

    def __getattr__(self, name: str):
        return getattr(self.client, name)

    def info(self, timeout: float | None = None):
        info = self.client.info(timeout)
        extra = {k: v for k, v in info.extra.items() if k != "emulator"}
        cut = {} if self.state_model else {"model_window_frames": 0, "model_hop_frames": 0}
        return dataclasses.replace(info, extra=extra, **cut)


@pytest.fixture(scope="module")
def client():
    if not MODEL.is_file():
        pytest.skip("models/untrained_paper_shape.tflite is not in the source tree")
    with running_board(model=str(MODEL), speed=4.0, hop_s=HOP_S) as board, \
            BoardClient.open(board.port_path, timeout=5.0) as c:  # fmt: skip
        yield c


def _run(board: Board) -> tuple[dict, dict]:
    session = BoardSession.on_board(board, "test-board")
    proc = LatencyProcedure(LatencyParams(device="test-board", count=1, timeout_s=20.0),
                            session)
    info = proc.board_info()
    gen = proc.execute(RunContext("t", threading.Event()))
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        summary = stop.value
    assert session.client.connected  # given, so not closed by the run
    return info, summary


def test_latency_run_takes_window_and_hop_from_info(client):
    board = DocumentedInfoOnly(client)
    assert isinstance(board, Board)
    stated = board.info()
    assert "emulator" not in stated.extra and stated.clock_speed == 4.0
    assert stated.model_hop_frames == 50 and stated.model_window_frames > 0
    info, summary = _run(board)
    assert "emulator" not in info
    assert info["model"]["hop_frames"] == 50  # INFO's statement stored beside the model facts
    assert summary["count"] == 1
    assert summary["budget_ms"] == pytest.approx(HOP_S * 1000)
    assert not any("does not state" in n for n in summary["notes"])
    assert any("speed 4.0" in n for n in summary["notes"]), summary["notes"]


def test_latency_run_on_a_board_that_does_not_state_them_says_so(client):
    info, summary = _run(DocumentedInfoOnly(client, state_model=False))
    assert "window_frames" not in info["model"] and "hop_frames" not in info["model"]
    assert summary["budget_ms"] == pytest.approx(1000.0)
    assert any("does not state its model's window and hop" in n and "5 s window" in n
               for n in summary["notes"]), summary["notes"]
