"""Saving is critical: a store that fails fails the run; an analysis that fails is recorded."""

from __future__ import annotations

import os
import signal
import time

import numpy as np
import pytest

from bench_app.core.device.emulator.process import start_emulator
from bench_app.core.runs import Event, RunController, RunStatus, run_procedure
from bench_app.core.runs.engine.procedure import analyse_interrupted
from bench_app.core.runs.engine.subscribers import DocumentLog
from bench_app.core.runs.procedures.alignment import summary as alignment_summary
from bench_app.core.runs.procedures.alignment.procedure import AlignmentParams, AlignmentProcedure
from bench_app.core.runs.procedures.tick import TickProcedure
from bench_app.core.store import RunStore


class _SabotagedStore(TickProcedure):
    """Three stored events, then the fourth's artifact path is taken by a folder."""

    def __init__(self, store_dir):
        super().__init__()
        self.store_dir = store_dir
        self.yielded = 0
        self.closed = False

    def execute(self, ctx):
        try:
            for i in range(50):
                if i == 3:
                    blocker = self.store_dir / "artifacts" / ctx.run_uid / "x-000003-a.npy"
                    (blocker / "inside").mkdir(parents=True)  # os.replace onto it fails
                yield Event("x", {"i": i}, {"a": np.full(4, i, np.int16)})
                self.yielded += 1
                ctx.wait(0.05)  # the writer commits within its flush period (0.25 s)
            return {"i": 50}
        finally:
            self.closed = True


def test_a_failing_store_fails_the_run_and_keeps_what_it_wrote(tmp_path):
    log = DocumentLog()
    with RunStore.open(tmp_path) as store:
        proc = _SabotagedStore(tmp_path)
        result = run_procedure(proc, [store.subscriber(), log])
        assert result.status is RunStatus.FAILED
        assert result.reason.startswith(f"The run store ({tmp_path}) failed on an event document")
        assert "IsADirectoryError" in result.reason and result.reason.endswith("is kept.")
        assert proc.closed and proc.yielded < 50, "the run went on after the store failed"
        (error,) = result.subscriber_errors
        assert error["critical"] is True and "StoreError" in error["error"]
        stop = log.first("stop")
        assert stop["status"] == "failed" and stop["reason"] == result.reason
        # what was written before the failure stays, bit-exact, and the row says why it failed
        record = store.get_run(result.uid)
        assert record.status == "failed" and record.reason == result.reason
        for i in range(3):
            np.testing.assert_array_equal(
                store.load_artifact(result.uid, f"x-{i:06d}-a"), np.full(4, i, np.int16))
        stored = [d.doc["data"]["i"] for d in store.documents(result.uid, "x", kind="event")]
        assert stored[:3] == [0, 1, 2]


def test_a_failing_plain_subscriber_is_detached_and_the_run_succeeds(tmp_path):
    def plot(kind, doc):
        raise RuntimeError("plot exploded")

    with RunStore.open(tmp_path) as store:
        result = run_procedure(TickProcedure(), [plot, store.subscriber()])
        assert result.status is RunStatus.SUCCESS
        assert [e["critical"] for e in result.subscriber_errors] == [False]
        assert store.get_run(result.uid).status == "success"


def test_a_critical_subscriber_failing_on_start_runs_nothing():
    class Strict:
        critical = True
        label = "the strict saver"

        def __call__(self, kind, doc):
            raise OSError("disk full")

    proc = TickProcedure()
    result = run_procedure(proc, [Strict()])
    assert result.status is RunStatus.FAILED and result.num_events == {}
    assert result.reason == ("The strict saver failed on a start document (OSError: disk full),"
                             " so the run was stopped; what it saved before is kept.")


def test_analysis_of_an_interrupted_run_that_raises_is_recorded():
    def broken():
        raise ValueError("cannot correlate an empty capture")

    out = analyse_interrupted(broken, ConnectionResetError("gone"))
    assert out == {"analysis_error": {
        "message": "The analysis of the data received failed with ValueError: cannot correlate"
                   " an empty capture.",
        "type": "ValueError"}}
    assert analyse_interrupted(lambda: ({"a": 1}, {}), ConnectionResetError()) == ({"a": 1}, {})


@pytest.mark.slow
def test_alignment_analysis_failing_on_an_interrupted_run_is_in_its_summary(
        tmp_path, monkeypatch):
    def broken(capture):
        raise ValueError(f"no usable frames among {len(capture.emitter.frames)}")

    monkeypatch.setattr(alignment_summary, "analyse_pass", broken)
    log = DocumentLog()
    with start_emulator([]) as emu, RunStore.open(tmp_path) as store:
        params = AlignmentParams(device=emu.port, burst_s=0.1, timeout_s=1.0)
        with AlignmentProcedure(params) as proc:
            controller = RunController(proc, [store.subscriber(), log]).start()
            deadline = time.monotonic() + 60
            while len(log.events("pcm")) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert log.events("pcm"), "the run never started capturing"
            os.kill(emu.pid, signal.SIGKILL)
            result = controller.wait(60)
        assert result is not None and result.status is RunStatus.INTERRUPTED
        error = result.summary["analysis_error"]
        assert error["type"] == "ValueError"
        assert error["message"].startswith("The analysis of the data received failed with "
                                           "ValueError: no usable frames among ")
        assert result.summary["interrupted"] == result.reason
        assert store.get_run(result.uid).summary["analysis_error"] == error
