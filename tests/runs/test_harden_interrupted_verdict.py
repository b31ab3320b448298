"""Issue 9, class 8: a run whose board is killed after a few bursts has no verdict."""

from __future__ import annotations

import os
import signal
import time

from bench_app.core.device.emulator.process import start_emulator
from bench_app.core.runs import RunController, RunStatus
from bench_app.core.runs.engine.subscribers import DocumentLog
from bench_app.core.runs.procedures.alignment.procedure import AlignmentParams, AlignmentProcedure
from bench_app.core.store import RunStore


def test_board_killed_after_a_few_bursts_gives_no_verdict(tmp_path):
    log = DocumentLog()
    with start_emulator([]) as emu, RunStore.open(tmp_path) as store:
        params = AlignmentParams(device=emu.port, burst_s=0.1, timeout_s=1.0)
        with AlignmentProcedure(params) as proc:
            controller = RunController(proc, [store.subscriber(), log]).start()
            deadline = time.monotonic() + 60
            while len(log.events("pcm")) < 4 and time.monotonic() < deadline:
                time.sleep(0.05)
            os.kill(emu.pid, signal.SIGKILL)
            result = controller.wait(60)
        assert result is not None and result.status is RunStatus.INTERRUPTED
        record = store.get_run(result.uid)
        assert record.verdict is None  # not "pass" on a fraction of the stimulus
        summary = record.summary or {}
        assert summary["pass"] is None and summary["interrupted"]
        assert summary["reasons"][0].startswith("No verdict: pipeline parity covers only")
