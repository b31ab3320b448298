"""`benchmarks/link_throughput.run_soak` (the zero-drop soak the emulator side runs for 10
board-minutes) against a fake board on a pty: it must see every loss it is meant to catch."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from bench_app.core.device.protocol import Ack, Decoder, Hello, Info, Start, Stop
from bench_app.testing.scripted_board import ScriptedBoard

_SPEC = importlib.util.spec_from_file_location(
    "link_throughput", Path(__file__).parents[2] / "benchmarks" / "link_throughput.py"
)
lt = importlib.util.module_from_spec(_SPEC)
sys.modules.setdefault("link_throughput", lt)  # dataclasses look their module up there
_SPEC.loader.exec_module(lt)


def streaming_board(lose_frame: int | None):
    mix = lt.board_mix(4)
    if lose_frame is not None:  # drop one encoded FRAME on the way, as a faulty link would
        frames = [i for i, m in enumerate(mix) if Decoder().feed(m)[0].message.TYPE == 0x20]
        del mix[frames[lose_frame]]

    def handle(board, p):
        m = p.message
        if isinstance(m, Hello):
            return [Info("soak")]
        if isinstance(m, Start):
            return [Ack(m.TYPE, p.seq), *mix]
        if isinstance(m, Stop):
            return [Ack(m.TYPE, p.seq)]
        return None

    return handle


@pytest.mark.parametrize("lose", [None, 150])
def test_soak_counts_board_time_and_catches_a_lost_frame(lose):
    with ScriptedBoard(lenient=streaming_board(lose)) as board:
        report = lt.run_soak(board.path, board_seconds=3.0, timeout=2.0)
        board.assert_done()
    assert report.board_seconds >= 3.0
    assert report.results >= 3 and report.pcm_chunks >= 300
    if lose is None:
        assert report.zero_loss and report.frame_index_gaps == 0
    else:
        assert not report.zero_loss
        assert report.stats["drops"] == {"frames": 1} and report.frame_index_gaps == 1
