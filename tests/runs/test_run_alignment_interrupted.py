"""A board killed in the middle of an alignment run: the run ends "interrupted", data kept.

The virtual board is started here as a separate process (as `bench-app emulate` would be) and
the run reaches it through its port, like a real board; it is then killed with SIGKILL while
the stimulus plays through its virtual speaker.
"""

from __future__ import annotations

import os
import signal
import time

import numpy as np

from bench_app.core.device.emulator.process import start_emulator
from bench_app.core.runs import RunController, RunStatus
from bench_app.core.runs.engine.subscribers import DocumentLog
from bench_app.core.runs.procedures.alignment.procedure import AlignmentParams, AlignmentProcedure
from bench_app.core.store import RunStore


def test_board_killed_mid_run_ends_interrupted_with_data_stored(tmp_path):
    log = DocumentLog()
    with start_emulator([]) as emu, RunStore.open(tmp_path) as store:
        params = AlignmentParams(device=emu.port, burst_s=0.1, timeout_s=1.0)
        with AlignmentProcedure(params) as proc:
            controller = RunController(proc, [store.subscriber(), log]).start()
            deadline = time.monotonic() + 60
            while len(log.events("pcm")) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(log.events("pcm")) >= 3, "the run never started capturing"
            os.kill(emu.pid, signal.SIGKILL)
            result = controller.wait(60)
        assert result is not None and result.status is RunStatus.INTERRUPTED
        assert "board" in result.reason or "speaker" in result.reason
        record = store.get_run(result.uid)
        assert record.status == "interrupted"
        names = [a.name for a in store.artifacts(result.uid)]
        stored_pcm = [n for n in names if n.startswith("pcm-") and n.endswith("-pcm")]
        assert len(stored_pcm) >= 3
        kept = np.concatenate([store.load_artifact(result.uid, n) for n in sorted(stored_pcm)])
        sent = np.concatenate([e["arrays"]["pcm"] for e in log.events("pcm")])
        np.testing.assert_array_equal(kept, sent)  # everything emitted is in the store
        assert store.stream_counts(result.uid)["lint"] == 1


def test_cancelled_run_keeps_its_data_and_stops_the_virtual_board(tmp_path):
    log = DocumentLog()
    params = AlignmentParams(device="sim", burst_s=0.1)
    with RunStore.open(tmp_path) as store, AlignmentProcedure(params) as proc:
        controller = RunController(proc, [store.subscriber(), log]).start()
        deadline = time.monotonic() + 60
        while len(log.events("pcm")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        controller.cancel()
        result = controller.wait(30)
        assert result is not None and result.status is RunStatus.CANCELLED
        emulator = proc.session.emulator
        assert emulator is not None and emulator.process.poll() is not None  # stopped
        assert store.get_run(result.uid).status == "cancelled"
        assert store.stream_counts(result.uid)["pcm"] == len(log.events("pcm")) >= 2
