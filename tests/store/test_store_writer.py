"""Batched writing: measured lag under 0.5 s, fewer commits than documents, live readers."""

from __future__ import annotations

import sqlite3
import threading
import time

from bench_app.core.runs import RunController
from bench_app.core.runs.procedures.tick import TickParams, TickProcedure
from bench_app.core.store import RunNotFoundError, RunStore
from bench_app.core.store.schema import LATEST_VERSION, MIGRATIONS, migrate, user_version
from bench_app.core.store.writer import connect


def test_writes_are_batched_and_at_most_half_a_second_behind(tmp_path):
    """Emit ticks every 5 ms while another thread (own store, own connection) polls the DB."""
    emitted: dict[int, float] = {}

    def stamp(kind, doc):
        if kind == "event" and doc["stream"] == "ticks":
            emitted[doc["index"]] = time.monotonic()

    store = RunStore.open(tmp_path, flush_period=0.25)
    proc = TickProcedure(TickParams(count=300, interval_s=0.005))
    ctl = RunController(proc, [store.subscriber(), stamp])
    seen: list[tuple[float, int]] = []
    statuses: set[str] = set()
    stop = threading.Event()

    def poll():
        reader = RunStore.open(tmp_path)  # another store object: its own connections
        try:
            while not stop.is_set():
                try:
                    run = reader.get_run(ctl.uid)
                    statuses.add(run.status)
                    n = reader.stream_counts(ctl.uid).get("ticks", 0)
                except RunNotFoundError:
                    n = 0
                seen.append((time.monotonic(), n))
                time.sleep(0.005)
        finally:
            reader.close()

    poller = threading.Thread(target=poll)
    poller.start()
    ctl.start()
    result = ctl.wait(30)
    time.sleep(0.05)
    stop.set()
    poller.join()
    assert result is not None and result.ok

    lags = []
    for index, t_emit in emitted.items():
        visible = next((t for t, n in seen if n > index), None)
        assert visible is not None, f"tick {index} never became visible to the reader"
        lags.append(visible - t_emit)
    worst = max(lags)
    print(f"store lag: median {sorted(lags)[len(lags) // 2]:.3f} s, worst {worst:.3f} s")
    assert worst <= 0.5, f"the store lagged {worst:.3f} s behind the run"
    # The reader saw the run grow while it was still running...
    growing = {n for _, n in seen if 0 < n < 300}
    assert len(growing) >= 3 and "running" in statuses and "success" in statuses
    # ...and the writer batched: far fewer transactions than documents.
    documents = len(store.documents(ctl.uid))
    assert store.writer.commits <= documents / 5, (store.writer.commits, documents)
    store.close()


def test_reader_thread_of_the_same_store_during_a_write(tmp_path):
    store = RunStore.open(tmp_path, flush_period=0.05)
    ctl = RunController(
        TickProcedure(TickParams(count=60, interval_s=0.005, array_every=5)), [store.subscriber()]
    ).start()
    loaded, errors = [], []

    def read():
        try:
            deadline = time.monotonic() + 10
            while not ctl.finished and time.monotonic() < deadline:
                try:
                    docs = store.documents(ctl.uid, "ticks", load_arrays=True)
                except RunNotFoundError:
                    continue
                loaded.append(sum(1 for d in docs if d.doc.get("arrays")))
                time.sleep(0.01)
        except Exception as exc:  # reported below
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    ctl.wait(30)
    reader.join()
    assert not errors, errors
    assert loaded and max(loaded) > 0
    assert len(store.artifacts(ctl.uid)) == 12
    store.close()


def test_migrations_from_empty_reach_latest(tmp_path):
    conn = connect(tmp_path / "db.sqlite3")
    assert migrate(conn) == 0
    assert user_version(conn) == LATEST_VERSION == len(MIGRATIONS)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"runs", "documents", "artifacts"} <= tables
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert migrate(conn) == LATEST_VERSION  # idempotent
    conn.close()


def test_migration_from_version_1_keeps_runs(tmp_path):
    conn = connect(tmp_path / "runs.sqlite3")
    migrate(conn, target=1)
    assert user_version(conn) == 1
    conn.execute(
        "INSERT INTO runs (uid, procedure, status, started, ended, parameters, summary, verdict)"
        " VALUES ('ab' || printf('%030d', 0), 'alignment', 'success', 1.0, 3.5, '{\"n\": 1}',"
        " '{\"mre\": 0.0}', 'pass')"
    )
    columns = {r[1] for r in conn.execute("PRAGMA table_info(runs)")}
    assert "note" not in columns
    conn.close()

    with RunStore.open(tmp_path) as store:
        assert store.schema_version() == LATEST_VERSION
        run = store.get_run("ab")
        assert (run.procedure, run.summary, run.duration_s, run.note) == (
            "alignment",
            {"mre": 0.0},
            2.5,
            None,
        )
        store.set_note("ab", "speaker moved 5 cm")
        assert store.get_run("ab").note == "speaker moved 5 cm"
    raw = sqlite3.connect(tmp_path / "runs.sqlite3")
    indexes = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "runs_by_started" in indexes
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()


def test_a_newer_schema_is_refused(tmp_path):
    from bench_app.core.store import StoreError

    raw = sqlite3.connect(tmp_path / "runs.sqlite3")
    raw.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    raw.close()
    try:
        RunStore.open(tmp_path)
    except StoreError as exc:
        assert "newer than this bench" in str(exc)
    else:
        raise AssertionError("a store from a newer bench was opened")
