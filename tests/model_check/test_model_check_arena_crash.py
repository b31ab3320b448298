"""The arena search survives TFLM crashing on a too-small arena (a TFLM bug, seen here).

``data/tiny_transformer_tflm_crash.tflite`` is the INT8 model of ``bench-app train --dims tiny
--epochs 1 --variant acoustic`` on `bench_app.testing.tiny_training` features: TFLM allocates it
in 15,264 B, fails cleanly in 15,248 B, and segfaults in exactly 9,200 B, a size the bisection
of `tflm.smallest_arena` tries (it killed the training process and `model check` alike).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from bench_app.core.model.arena_search import probe_tflm, smallest_arena_isolated
from bench_app.core.model.check import check_model
from bench_app.testing.tiny_tflite import fully_connected_model

CRASHER = Path(__file__).parent / "data" / "tiny_transformer_tflm_crash.tflite"

_TRY = ("import sys; from tflite_micro import runtime; "
        "runtime.Interpreter.from_bytes(open(sys.argv[1], 'rb').read(), "
        "arena_size=int(sys.argv[2]))")


def _status(arena: int) -> int:
    return subprocess.run([sys.executable, "-c", _TRY, str(CRASHER), str(arena)],
                          capture_output=True).returncode


def test_the_file_really_crashes_tflm_and_the_search_gets_past_it():
    assert _status(9200) == -signal.SIGSEGV  # the bug this module guards against
    arena = smallest_arena_isolated(CRASHER.read_bytes())
    assert _status(arena) == 0 and _status(arena - 16) == 1  # smallest, to 16 bytes
    check = check_model(CRASHER)
    assert check.tflm_loaded and check.arena_bytes == arena and check.ok, check.findings


def test_probe_reports_tflm_words_for_a_missing_op():
    probe = probe_tflm(fully_connected_model(op="SKIP_GRAM"))
    assert not probe.loaded and not probe.crashed
    assert "Didn't find op for builtin opcode 'SKIP_GRAM'" in probe.log
