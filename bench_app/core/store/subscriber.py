"""The store's document subscriber: turns run documents into queued writes.

It runs in the run controller's thread and does only cheap work there (JSON encoding);
the batched writer's thread saves the arrays and talks to SQLite. Each numpy array in an event
becomes an artifact named ``<stream>-<index>-<key>`` and, in the stored payload, a reference
``{"artifact": name, "dtype": ..., "shape": [...]}``.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from bench_app.core.documents import (
    DescriptorDoc,
    DocumentRouter,
    EventDoc,
    StartDoc,
    StopDoc,
    verdict_of,
)

from .artifacts import artifact_relpath, sanitise_name, save_array
from .errors import StoreError
from .writer import BatchedWriter, WriteOp


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class StoreSubscriber(DocumentRouter):
    """Writes every document of every run it sees through a ``BatchedWriter``.

    Critical (``critical = True``): once the writer has failed it raises ``StoreError``, and
    the run controller fails the run with that reason rather than ending it "success" unsaved.
    What was written before the failure stays in the store, and the stop document is still
    written (the run's row then says ``failed`` and why) when the database takes it.
    """

    critical = True

    def __init__(self, writer: BatchedWriter, store_dir: Path) -> None:
        self._writer = writer
        self._store_dir = store_dir
        self._seq: dict[str, int] = {}
        self._names: dict[str, set[str]] = {}

    def __repr__(self) -> str:
        return f"StoreSubscriber({str(self._store_dir)!r})"

    @property
    def label(self) -> str:
        """How a failed run names this subscriber in its reason."""
        return f"the run store ({self._store_dir})"

    def _check_writer(self) -> None:
        if self._writer.errors:
            raise StoreError(f"The run store could not save documents: {self._writer.errors[0]}.")

    def start(self, doc: StartDoc) -> None:
        self._check_writer()
        self._seq[doc["uid"]] = 0
        self._names[doc["uid"]] = set()
        self._writer.submit(_insert_run(doc))
        self._save("start", doc["uid"], doc)

    def descriptor(self, doc: DescriptorDoc) -> None:
        self._check_writer()
        self._save("descriptor", doc["run_uid"], doc)

    def event(self, doc: EventDoc) -> None:
        self._check_writer()
        run_uid = doc["run_uid"]
        payload: dict[str, Any] = dict(doc)
        if doc.get("arrays"):
            self._known(run_uid, "event")
            payload["arrays"] = {
                key: self._queue_artifact(run_uid, doc, key, array)
                for key, array in doc["arrays"].items()
            }
        self._save("event", run_uid, payload)

    def stop(self, doc: StopDoc) -> None:
        # Written even after a failed write: the run's row then says it failed, and why.
        run_uid = doc["run_uid"]
        self._save("stop", run_uid, doc)
        self._writer.submit(_finish_run(doc))
        del self._seq[run_uid], self._names[run_uid]
        self._writer.flush()  # a finished run is on disk when the controller returns

    def _known(self, run_uid: str, kind: str) -> int:
        seq = self._seq.get(run_uid)
        if seq is None:
            raise StoreError(f"The run store got a {kind} document for a run it never saw start.")
        return seq

    def _save(self, kind: str, run_uid: str, payload: Mapping[str, Any]) -> None:
        seq = self._known(run_uid, kind)
        self._seq[run_uid] = seq + 1
        self._writer.submit(
            _insert_document(
                run_uid, seq, kind, payload.get("stream"), float(payload["time"]), _dumps(payload)
            )
        )

    def _queue_artifact(
        self, run_uid: str, doc: Mapping[str, Any], key: str, array: np.ndarray
    ) -> dict[str, Any]:
        used = self._names[run_uid]
        base = sanitise_name(f"{doc['stream']}-{doc['index']:06d}-{key}")
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}-{n}"
        used.add(name)
        relpath = artifact_relpath(run_uid, name)
        self._writer.submit(_insert_artifact(self._store_dir, run_uid, name, relpath, array))
        return {"artifact": name, "dtype": array.dtype.str, "shape": list(array.shape)}


def _sql(statement: str, params: tuple) -> WriteOp:
    """A queued write that runs one SQL statement with its parameters."""

    def op(conn: sqlite3.Connection) -> None:
        conn.execute(statement, params)

    return op


def _insert_run(doc: Mapping[str, Any]) -> WriteOp:
    return _sql(
        "INSERT INTO runs (uid, procedure, status, started, parameters, board_info, host,"
        " bench_version, owner_host, owner_pid) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)",
        (
            doc["uid"],
            doc["procedure"],
            float(doc["time"]),
            _dumps(doc.get("parameters", {})),
            _dumps(doc.get("board_info")),
            _dumps(doc.get("host", {})),
            doc.get("bench_version"),
            socket.gethostname(),
            os.getpid(),
        ),
    )


def _insert_document(run_uid: str, seq: int, kind: str, stream, t: float, payload: str) -> WriteOp:
    return _sql(
        "INSERT INTO documents (run_uid, seq, kind, stream, time, payload)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (run_uid, seq, kind, stream, t, payload),
    )


def _insert_artifact(
    store_dir: Path, run_uid: str, name: str, relpath: str, array: np.ndarray
) -> WriteOp:
    def op(conn: sqlite3.Connection) -> None:
        sha = save_array(store_dir, relpath, array)  # the file exists before its row does
        conn.execute(
            "INSERT INTO artifacts (run_uid, name, path, dtype, shape, sha256, nbytes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (run_uid, name, relpath, array.dtype.str, _dumps(list(array.shape)), sha, array.nbytes),
        )

    return op


def _finish_run(doc: Mapping[str, Any]) -> WriteOp:
    summary = doc.get("summary") or {}
    return _sql(
        "UPDATE runs SET status = ?, reason = ?, ended = ?, summary = ?, verdict = ? WHERE uid = ?",
        (
            doc["status"],
            doc.get("reason"),
            float(doc["time"]),
            _dumps(summary),
            doc.get("verdict") or verdict_of(summary),
            doc["run_uid"],
        ),
    )
