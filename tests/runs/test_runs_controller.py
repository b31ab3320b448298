"""The run controller: document order and content, pause / cancel, failures, bad subscribers."""

from __future__ import annotations

import inspect
import io
import json
import threading
import time

import numpy as np
import pytest

from bench_app import __version__
from bench_app.core.errors import BenchError, LinkError
from bench_app.core.runs import Event, RunController, RunStatus, run_procedure
from bench_app.core.runs.engine.progress_bar import ProgressSubscriber, plain_line
from bench_app.core.runs.engine.subscribers import DocumentLog, JsonLinesWriter
from bench_app.core.runs.procedures.tick import TickParams, TickProcedure, tick_samples


def test_documents_order_and_content():
    rec = DocumentLog()
    board = {"firmware": "1.2", "fe": {"channels": 32}}
    proc = TickProcedure(TickParams(count=6, array_every=3), board=board)
    result = run_procedure(proc, [rec])

    assert result.status is RunStatus.SUCCESS and result.ok
    kinds = rec.kinds()
    assert kinds[0] == "start" and kinds[-1] == "stop"
    assert kinds.count("start") == 1 and kinds.count("stop") == 1
    start, stop = rec.docs[0][1], rec.docs[-1][1]
    assert start["procedure"] == "ticks"
    assert start["parameters"] == {
        "count": 6,
        "interval_s": 0.0,
        "array_every": 3,
        "fail_at": -1,
        "interrupt_at": -1,
    }
    assert start["board_info"] == board
    assert start["bench_version"] == __version__
    assert {"hostname", "platform", "python", "pid"} <= set(start["host"])
    # Every stream's descriptor comes right before its first event, and only once.
    seen: set[str] = set()
    for i, (kind, doc) in enumerate(rec.docs):
        if kind == "descriptor":
            assert doc["stream"] not in seen
            nxt_kind, nxt = rec.docs[i + 1]
            assert nxt_kind == "event" and nxt["stream"] == doc["stream"] and nxt["index"] == 0
            seen.add(doc["stream"])
        elif kind == "event":
            assert doc["stream"] in seen and doc["run_uid"] == start["uid"]
    assert seen == {"ticks", "progress", "summary"}
    ticks = rec.events("ticks")
    assert [d["index"] for d in ticks] == list(range(6)) == [d["data"]["i"] for d in ticks]
    # Arrays reach subscribers as equal, read-only copies; they are described by dtype/shape.
    assert np.array_equal(ticks[3]["arrays"]["samples"], tick_samples(3))
    assert not ticks[3]["arrays"]["samples"].flags.writeable
    assert ticks[1]["arrays"] == {}
    descriptor = next(d for k, d in rec.docs if k == "descriptor" and d["stream"] == "ticks")
    assert descriptor["data_keys"]["samples"]["shape"] == [160]
    assert descriptor["data_keys"]["samples"]["numpy_dtype"] == np.dtype(np.int16).str
    assert stop["status"] == "success" and stop["verdict"] == "pass"
    assert stop["summary"] == {"ticks": 6, "verdict": "pass"} == result.summary
    assert stop["num_events"] == {"ticks": 6, "progress": 6, "summary": 1} == result.num_events
    # Everything except the arrays is plain JSON.
    for _kind, doc in rec.docs:
        json.dumps({k: v for k, v in doc.items() if k != "arrays"}, allow_nan=False)
    assert proc.cleaned_up


def test_pause_holds_the_run_and_resume_continues():
    rec = DocumentLog()
    ctl = RunController(TickProcedure(TickParams(count=40, interval_s=0.01)), [rec]).start()
    while len(rec.events("ticks")) < 5:
        time.sleep(0.005)
    ctl.pause()
    time.sleep(0.05)  # let the run reach its next yield
    held = len(rec.events("ticks"))
    assert ctl.paused
    time.sleep(0.3)
    assert len(rec.events("ticks")) == held, "events kept coming while paused"
    ctl.resume()
    result = ctl.wait(10)
    assert result is not None and result.status is RunStatus.SUCCESS
    assert len(rec.events("ticks")) == 40
    assert rec.docs[-1][1]["paused_s"] >= 0.25


def test_cancel_stops_at_next_yield_and_runs_cleanup():
    rec = DocumentLog()
    proc = TickProcedure(TickParams(count=10_000, interval_s=0.005))
    ctl = RunController(proc, [rec]).start()
    while len(rec.events("ticks")) < 3:
        time.sleep(0.005)
    t0 = time.monotonic()
    ctl.cancel("Stopped by the test.")
    result = ctl.wait(5)
    assert time.monotonic() - t0 < 1.0
    assert result.status is RunStatus.CANCELLED and result.reason == "Stopped by the test."
    assert proc.cleaned_up, "the procedure's finally block did not run"
    assert rec.kinds().count("stop") == 1 and rec.docs[-1][1]["status"] == "cancelled"
    assert 3 <= len(rec.events("ticks")) < 10_000


def test_cancel_while_paused_ends_the_run():
    ctl = RunController(TickProcedure(TickParams(count=1000, interval_s=0.01))).start()
    ctl.pause()
    time.sleep(0.05)
    ctl.cancel()
    result = ctl.wait(5)
    assert result is not None and result.status is RunStatus.CANCELLED


def test_failing_procedure_keeps_its_events_and_sentence():
    rec = DocumentLog()
    result = run_procedure(TickProcedure(TickParams(count=10, fail_at=4)), [rec])
    assert result.status is RunStatus.FAILED
    assert result.reason == "The tick procedure was told to fail at tick 4."
    assert isinstance(result.exception, BenchError)
    assert [d["data"]["i"] for d in rec.events("ticks")] == [0, 1, 2, 3]
    assert rec.docs[-1][1]["num_events"]["ticks"] == 4


def test_vanished_board_ends_the_run_interrupted():
    result = run_procedure(TickProcedure(TickParams(count=10, interrupt_at=2)))
    assert result.status is RunStatus.INTERRUPTED and "vanished" in result.reason

    class LinkDrops(TickProcedure):
        def execute(self, ctx):
            yield Event("frames", {"n": 1})
            raise LinkError("The board's serial port /dev/ttyACM0 disappeared.")

    rec = DocumentLog()
    result = run_procedure(LinkDrops(), [rec])
    assert result.status is RunStatus.INTERRUPTED
    assert result.reason == "The board's serial port /dev/ttyACM0 disappeared."
    assert len(rec.events("frames")) == 1


def test_board_info_error_still_records_a_failed_run():
    class NoBoard(TickProcedure):
        def board_info(self):
            raise LinkError("No board answers on /dev/ttyACM9.")

    rec = DocumentLog()
    result = run_procedure(NoBoard(), [rec])
    assert rec.kinds() == ["start", "stop"]
    assert result.status is RunStatus.FAILED, "a board missing from the start is no interruption"
    assert rec.docs[-1][1]["reason"] == "No board answers on /dev/ttyACM9."


def test_a_bug_in_the_procedure_fails_the_run_and_is_handed_back():
    class Buggy(TickProcedure):
        def execute(self, ctx):
            yield Event("results", {"x": 1})
            return 1 / 0

    result = run_procedure(Buggy())
    assert result.status is RunStatus.FAILED and "ZeroDivisionError" in result.reason
    assert isinstance(result.exception, ZeroDivisionError)
    assert result.num_events == {"results": 1}


def test_raising_subscriber_is_detached_and_reported():
    calls = []

    def bad(kind, doc):
        calls.append(kind)
        if kind == "event":
            raise RuntimeError("plot exploded")

    rec = DocumentLog()
    result = run_procedure(TickProcedure(TickParams(count=5)), [bad, rec])
    assert result.status is RunStatus.SUCCESS
    assert calls == ["start", "descriptor", "event"], "the bad subscriber was not detached"
    assert len(rec.events("ticks")) == 5, "a later subscriber missed documents"
    assert len(result.subscriber_errors) == 1
    assert "plot exploded" in result.subscriber_errors[0]["error"]
    assert rec.docs[-1][1]["subscriber_errors"] == result.subscriber_errors


def test_numpy_values_in_data_become_plain_json():
    class Numpy(TickProcedure):
        def execute(self, ctx):
            yield Event("metrics", {"f1": np.float32(0.5), "cm": np.eye(2, dtype=np.int64)})
            return {"n": np.int64(3)}

    rec = DocumentLog()
    result = run_procedure(Numpy(), [rec])
    data = rec.events("metrics")[0]["data"]
    assert data == {"f1": 0.5, "cm": [[1, 0], [0, 1]]} and type(data["f1"]) is float
    assert result.summary == {"n": 3}


def test_run_controller_is_usable_from_another_thread():
    rec = DocumentLog()
    ctl = RunController(TickProcedure(TickParams(count=3)), [rec])
    done = threading.Event()
    ctl.subscribe(lambda k, d: done.set() if k == "stop" else None)
    ctl.start()
    assert done.wait(5) and ctl.wait(5).ok and ctl.finished


def test_plain_progress_line_and_final_status():
    out = io.StringIO()
    run_procedure(TickProcedure(TickParams(count=4)), [ProgressSubscriber(out, use_tqdm=False)])
    text = out.getvalue()
    assert "100% 4/4" in text
    assert text.endswith(": success - The run completed.\n")
    assert plain_line("x", 5, 10) == "x [##########----------]  50% 5/10"


def test_tqdm_progress_bar_when_installed():
    pytest.importorskip("tqdm")
    out = io.StringIO()
    run_procedure(TickProcedure(TickParams(count=4)), [ProgressSubscriber(out, use_tqdm=True)])
    assert "4/4" in out.getvalue() and "success" in out.getvalue()


def test_json_lines_writer_writes_every_document(tmp_path):
    path = tmp_path / "run.jsonl"
    log = DocumentLog()
    run_procedure(TickProcedure(TickParams(count=3, array_every=2)), [JsonLinesWriter(path), log])
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [x["name"] for x in lines] == log.kinds()
    assert lines[0]["doc"]["uid"] == log.first("start")["uid"]
    with_array = [x["doc"] for x in lines if x["name"] == "event" and x["doc"]["arrays"]]
    assert [d["arrays"]["samples"] for d in with_array] == [{"dtype": "<i2", "shape": [160]}] * 2


def test_every_failure_path_emits_exactly_one_start_and_one_stop():
    class BadParams(TickProcedure):
        def __init__(self):
            super().__init__()
            self.params = {"port": object()}

    class BuggyBoard(TickProcedure):
        def board_info(self):
            return {}["missing"]

    class BadData(TickProcedure):
        def execute(self, ctx):
            try:
                yield Event("results", {"x": object()})
            finally:
                self.cleaned_up = True

    for proc in (BadParams(), BuggyBoard(), BadData()):
        log = DocumentLog()
        result = run_procedure(proc, [log])
        kinds = log.kinds()
        assert kinds[0] == "start" and kinds[-1] == "stop"
        assert kinds.count("start") == kinds.count("stop") == 1
        assert result.status is RunStatus.FAILED and "a bug in the bench" in result.reason
        assert result.exception is not None
    assert proc.cleaned_up, "a generator left suspended by a failure was not closed"


def test_progress_stays_the_event_helper_after_every_runs_module_is_imported():
    """A submodule named like a package attribute replaces it on import (it did: a module
    `runs/progress.py` turned `runs.progress` into a module mid-session and runs crashed)."""
    import importlib
    import pkgutil

    import bench_app.core.runs as runs

    for m in pkgutil.iter_modules(runs.__path__):
        importlib.import_module(f"bench_app.core.runs.{m.name}")
    for name in runs.__all__:
        assert not inspect.ismodule(getattr(runs, name)), name
    assert runs.progress(1, 2).stream == "progress"
