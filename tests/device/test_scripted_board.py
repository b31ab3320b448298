"""The scripted board harness (`bench_app.testing.scripted_board`) checks what it is told to."""

from __future__ import annotations

import pytest

from bench_app.core.device.protocol import Hello, Info
from bench_app.testing.scripted_board import ScriptedBoard, Step, wait_for


def test_harness_reports_unused_steps_and_unexpected_messages():
    from bench_app.core.device.client import BoardClient

    board = ScriptedBoard([Step(Hello, [Info("1")]), Step(Hello, [Info("2")])])
    with board, BoardClient.open(board.path, timeout=1.0) as client:
        assert client.info().firmware_version == "1"
        with pytest.raises(AssertionError, match="unused script steps"):
            board.assert_done()
        assert client.info().firmware_version == "2"
        board.assert_done()
        client.send(Hello())
        assert wait_for(lambda: bool(board.errors))
        with pytest.raises(AssertionError, match="unexpected"):
            board.assert_done()
