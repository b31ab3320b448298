"""A background thread that applies queued writes to SQLite in batches.

Writers (the store's document subscriber) only enqueue; this thread owns its own connection and
commits everything queued in one transaction at most ``flush_period`` seconds after the first
item of the batch arrived (after QCoDeS's background writer and its ``write_period``). So the
run thread never waits on the disk, the database sees a few transactions per second instead of
one per document, and a process killed mid-run loses at most the last ``flush_period`` plus one
commit. ``flush()`` forces a commit and waits for it (the store calls it at each stop document).
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

#: One unit of work: called with the writer's connection inside an open transaction.
WriteOp = Callable[[sqlite3.Connection], None]

DEFAULT_FLUSH_PERIOD_S = 0.25


class _Flush:
    def __init__(self) -> None:
        self.done = threading.Event()


_STOP = object()


def connect(db_path: Path, *, timeout: float = 30.0) -> sqlite3.Connection:
    """A connection in autocommit mode with the store's pragmas (WAL, NORMAL sync, FKs on)."""
    conn = sqlite3.connect(db_path, timeout=timeout, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    # In WAL mode NORMAL survives a killed process (only power loss can drop the last commits).
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


class BatchedWriter:
    """Owns a connection and a thread; commits queued ``WriteOp`` s in batches.

    Parameters
    ----------
    db_path
        The SQLite database (already migrated).
    flush_period
        Longest time, in seconds, an enqueued write waits before its batch is committed.
    """

    def __init__(self, db_path: Path, *, flush_period: float = DEFAULT_FLUSH_PERIOD_S) -> None:
        if flush_period <= 0:
            raise ValueError("flush_period must be positive")
        self.flush_period = float(flush_period)
        self._conn = connect(db_path)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self.commits = 0  # batches committed so far (the tests check that batching happens)
        self.ops_written = 0
        self.errors: list[str] = []
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="store-writer", daemon=True)
        self._thread.start()

    def submit(self, op: WriteOp) -> None:
        """Queue one write; it is committed within ``flush_period`` seconds."""
        if self._closed:
            raise RuntimeError("the store writer is closed")
        self._queue.put(op)

    def flush(self, timeout: float | None = 30.0) -> bool:
        """Commit everything queued so far; wait for it. Returns False on timeout."""
        if self._closed:
            return True
        marker = _Flush()
        self._queue.put(marker)
        return marker.done.wait(timeout)

    def close(self) -> None:
        """Commit what is queued, stop the thread, close the connection."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join()
        self._conn.close()

    def _loop(self) -> None:
        pending: list[WriteOp] = []
        deadline = 0.0
        while True:
            timeout = None if not pending else max(0.0, deadline - time.monotonic())
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                self._commit(pending)
                pending = []
                continue
            if item is _STOP:
                self._commit(pending)
                return
            if isinstance(item, _Flush):
                self._commit(pending)
                pending = []
                item.done.set()
                continue
            if not pending:
                deadline = time.monotonic() + self.flush_period
            pending.append(item)
            if time.monotonic() >= deadline:
                self._commit(pending)
                pending = []

    def _commit(self, ops: list[WriteOp]) -> None:
        if not ops:
            return
        if self._apply(ops):
            return
        # One bad item must not cost the rest of the batch: redo them one by one.
        for op in ops:
            self._apply([op], report=True)

    def _apply(self, ops: list[WriteOp], report: bool = False) -> bool:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            for op in ops:
                op(self._conn)
            self._conn.execute("COMMIT")
        except Exception as exc:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            if report:
                self.errors.append(f"{type(exc).__name__}: {exc}")
                log.error("the run store could not write an item", exc_info=True)
            return False
        self.commits += 1
        self.ops_written += len(ops)
        return True
