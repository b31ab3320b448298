"""``RunStore``: the bench's SQLite (WAL) run store, for writing runs and reading them back.

One folder holds ``runs.sqlite3`` and ``artifacts/<run_uid>/<name>.npy``. Writing goes
through ``store.subscriber()`` (documents queued to a batched background writer); reading works
from any thread, each thread with its own connection, while a run is being written (WAL lets
readers see every committed batch without blocking the writer). Opening a store marks as
``interrupted`` every run still ``running`` whose writing process is gone (``kill -9``, a
crash), keeping everything it had committed - all but about the last ``flush_period``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import sqlite3
import threading
import weakref
from pathlib import Path

import numpy as np

from .artifacts import load_array, sanitise_name
from .errors import RunNotFoundError, StoreError
from .health import check_database, connect_readonly
from .models import ModelRecord, model_sha256_of_run
from .models import add_model as _add_model
from .models import get_model as _get_model
from .models import list_models as _list_models
from .paths import DB_NAME
from .records import ArtifactRecord, RunRecord, StoredDocument
from .schema import migrate
from .subscriber import StoreSubscriber
from .writer import DEFAULT_FLUSH_PERIOD_S, BatchedWriter, connect

INTERRUPTED_REASON = (
    "The bench process stopped before the run ended (killed or crashed); "
    "everything it had saved is kept."
)

_OPEN_STORES: weakref.WeakSet[RunStore] = weakref.WeakSet()


@atexit.register
def _close_open_stores() -> None:  # a store left open still commits its last batch
    for store in list(_OPEN_STORES):
        with contextlib.suppress(Exception):
            store.close()


class RunStore:
    """A folder of stored runs. Create with ``RunStore.open(path)``; close with ``close()``."""

    def __init__(self, store_dir: Path, *, flush_period: float, readonly: bool = False) -> None:
        self.store_dir = store_dir
        self.db_path = store_dir / DB_NAME
        self.readonly = readonly
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self.recovered: list[str] = [] if readonly else self._prepare()
        self._writer = None if readonly else BatchedWriter(self.db_path, flush_period=flush_period)
        _OPEN_STORES.add(self)
        if readonly:
            try:
                check_database(self._conn(), self.db_path)
            except BaseException:
                self.close()
                raise

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        flush_period: float = DEFAULT_FLUSH_PERIOD_S,
        readonly: bool = False,
    ) -> RunStore:
        """Open (creating if needed) the store in folder ``path``.

        ``flush_period`` bounds how far, in seconds, the database may lag the documents. A
        ``readonly`` store must exist; it is read without writing anything (so a store on
        read-only media can be listed, and a mistyped path creates no folders); it has no
        subscriber. Either way a damaged database is refused here, before any work.
        """
        store_dir = Path(path).expanduser()
        if readonly:
            if not (store_dir / DB_NAME).is_file():
                raise StoreError(
                    f"There is no run store at {store_dir} (no {DB_NAME} there); check the "
                    "--store folder or $BENCH_APP_STORE."
                )
            return cls(store_dir, flush_period=flush_period, readonly=True)
        try:
            store_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"The run store folder {store_dir} cannot be created: {exc}.") from exc
        if not store_dir.is_dir():
            raise StoreError(f"The run store path {store_dir} is not a folder.")
        return cls(store_dir, flush_period=flush_period)

    def _prepare(self) -> list[str]:
        conn = None
        try:
            conn = connect(self.db_path)
            check_database(conn, self.db_path)
            migrate(conn)
            recovered = _recover_interrupted(conn)
            for uid in recovered:
                _remove_orphan_files(self.store_dir, conn, uid)
            return recovered
        except sqlite3.Error as exc:
            raise StoreError(f"The run store {self.db_path} cannot be used: {exc}.") from exc
        finally:
            if conn is not None:
                conn.close()

    # ---- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def subscriber(self) -> StoreSubscriber:
        """A run subscriber that saves every document (and array) of the runs it sees."""
        if self._writer is None:
            raise StoreError(f"The run store {self.store_dir} was opened read-only.")
        return StoreSubscriber(self._writer, self.store_dir)

    @property
    def writer(self) -> BatchedWriter | None:
        """The background writer (its ``commits`` / ``errors`` say how writing goes)."""
        return self._writer

    def flush(self) -> None:
        """Commit everything written so far (the writer does it by itself within its period)."""
        if self._writer is not None:
            self._writer.flush()

    def close(self) -> None:
        """Commit pending writes and close every connection."""
        if self._closed:
            return
        self._closed = True
        if self._writer is not None:
            self._writer.close()
        with self._lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        _OPEN_STORES.discard(self)

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("The run store is closed.")
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = connect_readonly(self.db_path) if self.readonly else connect(self.db_path)
            except sqlite3.Error as exc:
                raise StoreError(f"The run store {self.db_path} cannot be read: {exc}.") from exc
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
            with self._lock:
                self._readers.append(conn)
        return conn

    # ---- reading -----------------------------------------------------------------------------
    def list_runs(
        self,
        *,
        procedure: str | None = None,
        status: str | None = None,
        since: float | None = None,
        limit: int | None = None,
    ) -> list[RunRecord]:
        """Runs, newest first, optionally only one procedure / status / started after ``since``."""
        where, args = [], []
        for column, value in (("procedure", procedure), ("status", status)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if since is not None:
            where.append("started >= ?")
            args.append(since)
        sql = "SELECT * FROM runs" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY started DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [RunRecord.from_row(r) for r in self._conn().execute(sql, args)]

    def resolve_uid(self, run_id: str) -> str:
        """The full uid of the one run whose uid starts with ``run_id`` (case-insensitive)."""
        prefix = run_id.strip().lower()
        if not prefix or any(c not in "0123456789abcdef" for c in prefix):
            raise RunNotFoundError(f"No run has the id {run_id!r} (ids are hexadecimal).")
        rows = (
            self._conn()
            .execute(
                "SELECT uid FROM runs WHERE uid >= ? AND uid < ? ORDER BY uid LIMIT 3",
                (prefix, prefix + "g"),
            )
            .fetchall()
        )
        if not rows:
            raise RunNotFoundError(
                f"No run in {self.store_dir} has an id starting with {prefix!r}."
            )
        if len(rows) > 1:
            raise RunNotFoundError(
                f"The id {prefix!r} matches several runs ({', '.join(r[0][:12] for r in rows)}"
                f"{', ...' if len(rows) > 2 else ''}); give more of it."
            )
        return rows[0][0]

    def get_run(self, run_id: str) -> RunRecord:
        """The run whose uid is, or uniquely starts with, ``run_id``."""
        uid = self.resolve_uid(run_id)
        row = self._conn().execute("SELECT * FROM runs WHERE uid = ?", (uid,)).fetchone()
        return RunRecord.from_row(row)

    def documents(
        self,
        run_id: str,
        stream: str | None = None,
        *,
        kind: str | None = None,
        load_arrays: bool = False,
    ) -> list[StoredDocument]:
        """A run's documents in order; only one stream / kind if asked.

        With ``load_arrays`` each event's ``arrays`` map to the loaded numpy arrays instead of
        their artifact references.
        """
        uid = self.resolve_uid(run_id)
        sql, args = "SELECT * FROM documents WHERE run_uid = ?", [uid]
        if stream is not None:
            sql += " AND stream = ?"
            args.append(stream)
        if kind is not None:
            sql += " AND kind = ?"
            args.append(kind)
        docs = [
            StoredDocument.from_row(r) for r in self._conn().execute(sql + " ORDER BY seq", args)
        ]
        if load_arrays:
            for d in docs:
                if d.doc.get("arrays"):
                    d.doc["arrays"] = {
                        k: self.load_artifact(uid, ref["artifact"])
                        for k, ref in d.doc["arrays"].items()
                    }
        return docs

    def stream_counts(self, run_id: str) -> dict[str, int]:
        """Number of event documents per stream."""
        uid = self.resolve_uid(run_id)
        rows = self._conn().execute(
            "SELECT stream, COUNT(*) FROM documents WHERE run_uid = ? AND kind = 'event'"
            " GROUP BY stream ORDER BY MIN(seq)",
            (uid,),
        )
        return {r[0]: r[1] for r in rows}

    def artifacts(self, run_id: str) -> list[ArtifactRecord]:
        """The run's artifacts, by name."""
        uid = self.resolve_uid(run_id)
        rows = self._conn().execute(
            "SELECT * FROM artifacts WHERE run_uid = ? ORDER BY name", (uid,)
        )
        return [ArtifactRecord.from_row(r) for r in rows]

    def load_artifact(self, run_id: str, name: str) -> np.ndarray:
        """Load one artifact bit-exactly, checking its sha256."""
        uid = self.resolve_uid(run_id)
        row = (
            self._conn()
            .execute("SELECT * FROM artifacts WHERE run_uid = ? AND name = ?", (uid, name))
            .fetchone()
        )
        if row is None:
            raise StoreError(f"Run {uid[:8]} has no artifact named {name!r}.")
        return load_array(self.store_dir, row["path"], row["sha256"])

    # ---- small edits -------------------------------------------------------------------------
    def set_note(self, run_id: str, note: str | None) -> None:
        """Attach (or clear) an engineer's note on a run."""
        uid = self.resolve_uid(run_id)
        self._conn().execute("UPDATE runs SET note = ? WHERE uid = ?", (note, uid))

    # ---- models (schema version 3) -----------------------------------------------------------
    def add_model(self, sha256: str, name: str, *, path: str | None = None,
                  card: dict | None = None, training_run_uid: str | None = None) -> ModelRecord:
        """Record a model file (by sha256), linked to the training run that made it, if any.

        Flushes the writer first, so a run whose documents were just written is there to link.
        """
        if self.readonly:
            raise StoreError(f"The run store {self.store_dir} was opened read-only.")
        self.flush()
        return _add_model(self._conn(), sha256, name, path=path, card=card,
                          training_run_uid=training_run_uid)  # fmt: skip

    def get_model(self, sha256: str) -> ModelRecord | None:
        """The stored model with this sha256, or None."""
        return _get_model(self._conn(), sha256)

    def list_models(self) -> list[ModelRecord]:
        """Every stored model, newest first."""
        return _list_models(self._conn())

    def model_of_run(self, run: RunRecord) -> ModelRecord | None:
        """The stored model the run's board ran (by its sha256), or None when unknown."""
        sha = model_sha256_of_run(run.board_info)
        return None if sha is None else self.get_model(sha)

    def schema_version(self) -> int:
        """The database's schema version (``LATEST_VERSION`` once opened)."""
        return int(self._conn().execute("PRAGMA user_version").fetchone()[0])


def _recover_interrupted(conn: sqlite3.Connection) -> list[str]:
    """Mark runs left ``running`` by a dead process as interrupted; return their uids."""
    here = socket.gethostname()
    rows = conn.execute(
        "SELECT uid, owner_host, owner_pid FROM runs WHERE status = 'running'"
    ).fetchall()
    dead = [uid for uid, host, pid in rows if host == here and not _pid_alive(pid)]
    for uid in dead:
        last = conn.execute("SELECT MAX(time) FROM documents WHERE run_uid = ?", (uid,)).fetchone()
        conn.execute(
            "UPDATE runs SET status = 'interrupted', reason = ?, ended = ?"
            " WHERE uid = ? AND status = 'running'",
            (INTERRUPTED_REASON, last[0], uid),
        )
    return dead


def _remove_orphan_files(store_dir: Path, conn: sqlite3.Connection, run_uid: str) -> None:
    """Delete files of an interrupted run that no committed row refers to (the lost tail)."""
    folder = store_dir / "artifacts" / sanitise_name(run_uid)
    if not folder.is_dir():
        return
    kept = {
        row[0] for row in conn.execute("SELECT path FROM artifacts WHERE run_uid = ?", (run_uid,))
    }
    for path in folder.iterdir():
        if path.relative_to(store_dir).as_posix() not in kept:
            with contextlib.suppress(OSError):
                path.unlink()


def _pid_alive(pid: int | None) -> bool:
    """True if process ``pid`` exists and is not a zombie (on this host)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True
