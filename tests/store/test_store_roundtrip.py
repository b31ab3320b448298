"""The run store keeps documents and arrays exactly, names files safely, finds runs by prefix."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bench_app.core.runs import Event, RunStatus, run_procedure
from bench_app.core.runs.engine.subscribers import DocumentLog
from bench_app.core.runs.procedures.tick import TickParams, TickProcedure, tick_samples
from bench_app.core.store import RunNotFoundError, RunStore, StoreError
from bench_app.core.store.artifacts import sanitise_name


class ArraysProc:
    """Yields the given arrays, one event each, under awkward stream and key names."""

    name = "arrays"

    def __init__(self, arrays, stream="../../etc/pcm stream", key="a/b\\c:d"):
        self.params = {"n": len(arrays)}
        self.arrays, self.stream, self.key = arrays, stream, key

    def board_info(self):
        return None

    def execute(self, ctx):
        for i, a in enumerate(self.arrays):
            yield Event(self.stream, {"i": i}, {self.key: a, "copy": a})
        return {"n": len(self.arrays)}


def test_documents_round_trip_exactly(tmp_path):
    rec = DocumentLog()
    with RunStore.open(tmp_path) as store:
        result = run_procedure(
            TickProcedure(TickParams(count=7, array_every=2), board={"fw": "x"}),
            [store.subscriber(), rec],
        )
        stored = store.documents(result.uid)
        assert [(d.kind, d.stream) for d in stored] == [(k, d.get("stream")) for k, d in rec.docs]
        assert [d.seq for d in stored] == list(range(len(rec.docs)))
        for sd, (_kind, doc) in zip(stored, rec.docs, strict=True):
            expected = {k: v for k, v in doc.items() if k != "arrays"}
            got = {k: v for k, v in sd.doc.items() if k != "arrays"}
            assert got == expected and sd.time == doc["time"]
        ticks = store.documents(result.uid[:10], "ticks", load_arrays=True)
        assert len(ticks) == 1 + 7  # descriptor + events
        for sd in ticks[1:]:
            i = sd.doc["data"]["i"]
            if i % 2 == 0:
                assert np.array_equal(sd.doc["arrays"]["samples"], tick_samples(i))
            else:
                assert sd.doc["arrays"] == {}
        run = store.get_run(result.uid)
        assert run.status == "success" and run.verdict == "pass"
        assert run.summary == result.summary and run.board_info == {"fw": "x"}
        assert run.parameters["count"] == 7
        assert run.ended == pytest.approx(result.ended) and run.duration_s >= 0
        assert store.stream_counts(result.uid) == result.num_events


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    arrays=st.lists(
        hnp.arrays(
            dtype=st.sampled_from(
                [np.int16, np.uint16, np.int8, np.float32, np.float64, ">i2", ">f4", np.bool_]
            ),
            shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=7),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_arrays_are_saved_bit_exact(tmp_path_factory, arrays):
    root = tmp_path_factory.mktemp("store")
    with RunStore.open(root) as store:
        result = run_procedure(ArraysProc(arrays), [store.subscriber()])
        assert result.ok
        records = {a.name: a for a in store.artifacts(result.uid)}
        assert len(records) == 2 * len(arrays)
        events = store.documents(result.uid, kind="event")
        for sd, original in zip(events, arrays, strict=True):
            for key in ("a/b\\c:d", "copy"):
                ref = sd.doc["arrays"][key]
                rec = records[ref["artifact"]]
                path = root / rec.path
                # The file is where the record says, inside the run's folder, named safely.
                assert path.resolve().parent == (root / "artifacts" / result.uid).resolve()
                assert set(path.name) <= set(
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
                )
                assert hashlib.sha256(path.read_bytes()).hexdigest() == rec.sha256
                raw = np.load(path, allow_pickle=False)
                loaded = store.load_artifact(result.uid, rec.name)
                for got in (raw, loaded):
                    assert got.dtype == original.dtype and got.shape == original.shape
                    assert got.tobytes() == original.tobytes()
                assert rec.dtype == original.dtype.str and rec.shape == original.shape


def test_nothing_is_written_outside_the_artifacts_folder(tmp_path):
    with RunStore.open(tmp_path / "s") as store:
        run_procedure(
            ArraysProc([np.arange(3)], stream="..", key="../../../x"), [store.subscriber()]
        )
    files = {p.relative_to(tmp_path).parts[:2] for p in tmp_path.rglob("*") if p.is_file()}
    assert files <= {
        ("s", "runs.sqlite3"),
        ("s", "runs.sqlite3-wal"),
        ("s", "runs.sqlite3-shm"),
        ("s", "artifacts"),
    }
    for evil in ("../../x y", "..", "/etc/passwd", "a\\b", ".hidden", "", "é" * 300):
        safe = sanitise_name(evil)
        assert safe and not safe.startswith(".") and len(safe) <= 120
        assert "/" not in safe and "\\" not in safe and safe.isascii()


def test_corrupted_artifact_is_refused(tmp_path):
    with RunStore.open(tmp_path) as store:
        result = run_procedure(
            TickProcedure(TickParams(count=1, array_every=1)), [store.subscriber()]
        )
        (rec,) = store.artifacts(result.uid)
        path = tmp_path / rec.path
        data = bytearray(path.read_bytes())
        data[-1] ^= 1
        path.write_bytes(bytes(data))
        with pytest.raises(StoreError, match="sha256"):
            store.load_artifact(result.uid, rec.name)


def test_run_ids_resolve_by_unique_prefix(tmp_path):
    with RunStore.open(tmp_path) as store:
        sub = store.subscriber()
        for uid in ("abc1" + "0" * 28, "abc2" + "0" * 28):
            run_procedure(TickProcedure(TickParams(count=1)), [sub], run_uid=uid)
        assert store.get_run("ABC1").uid == "abc1" + "0" * 28
        with pytest.raises(RunNotFoundError, match="several runs"):
            store.get_run("abc")
        with pytest.raises(RunNotFoundError, match="No run"):
            store.get_run("fff")
        with pytest.raises(RunNotFoundError, match="hexadecimal"):
            store.get_run("abc'; DROP TABLE runs")
        assert [r.uid[:4] for r in store.list_runs()] == ["abc2", "abc1"]
        assert store.list_runs(status="failed") == []
        assert len(store.list_runs(procedure="ticks", limit=1)) == 1


def test_failed_and_cancelled_runs_are_stored_with_their_events(tmp_path):
    with RunStore.open(tmp_path) as store:
        result = run_procedure(TickProcedure(TickParams(count=9, fail_at=5)), [store.subscriber()])
        run = store.get_run(result.uid)
        assert run.status == "failed" and run.reason == result.reason
        assert store.stream_counts(result.uid)["ticks"] == 5


def test_dead_writer_process_marks_run_interrupted_on_open(tmp_path):
    with RunStore.open(tmp_path) as store:
        result = run_procedure(
            TickProcedure(TickParams(count=2, array_every=1)), [store.subscriber()]
        )
    folder = tmp_path / "artifacts" / result.uid
    committed = {p.name for p in folder.iterdir()}
    (folder / "ticks-000002-samples.npy").write_bytes(b"tail written, row never committed")
    (folder / "ticks-000003-samples.npy.part").write_bytes(b"half")
    dead = subprocess.Popen(["true"])
    dead.wait()
    conn = sqlite3.connect(tmp_path / "runs.sqlite3")
    conn.execute(
        "UPDATE runs SET status='running', ended=NULL, owner_pid=? WHERE uid=?",
        (dead.pid, result.uid),
    )
    conn.commit()
    conn.close()
    with RunStore.open(tmp_path) as store:
        assert store.recovered == [result.uid]
        run = store.get_run(result.uid)
        assert run.status == RunStatus.INTERRUPTED
        last = store.documents(result.uid)[-1]
        assert run.ended == last.time
        assert (
            {p.name for p in folder.iterdir()}
            == committed
            == {
                "ticks-000000-samples.npy",
                "ticks-000001-samples.npy",
            }
        )
    # A run whose writer is alive (this process) is left alone.
    conn = sqlite3.connect(tmp_path / "runs.sqlite3")
    conn.execute(
        "UPDATE runs SET status='running', owner_pid=? WHERE uid=?", (os.getpid(), result.uid)
    )
    conn.commit()
    conn.close()
    with RunStore.open(tmp_path) as store:
        assert store.recovered == [] and store.get_run(result.uid).status == "running"


def test_not_a_database_is_one_sentence(tmp_path):
    (tmp_path / "runs.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot be used: file is not a database"):
        RunStore.open(tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError):
        RunStore.open(tmp_path / "file")
