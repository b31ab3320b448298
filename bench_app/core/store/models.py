"""The store's ``models`` table: which model file (by sha256) a training run made.

A training run (procedure ``train``) adds its exported model here; a board run stores the
sha256 of the model it ran (``board_info["model"]["sha256"]``), so `training_run_of` answers
"which training made the model of this run?" for ``runs show`` and the report. A store older
than schema version 3 opened read-only has no such table: lookups then find nothing.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
import time
from collections.abc import Mapping
from typing import Any

from .errors import StoreError

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclasses.dataclass
class ModelRecord:
    """One row of ``models``."""

    sha256: str
    name: str
    path: str | None
    card: dict[str, Any] | None
    training_run_uid: str | None
    created: float

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ModelRecord:
        """Build from a ``SELECT * FROM models`` row."""
        card = json.loads(row["card"]) if row["card"] is not None else None
        return cls(row["sha256"], row["name"], row["path"], card, row["training_run_uid"],
                   row["created"])  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form."""
        return dataclasses.asdict(self)


def has_models_table(conn: sqlite3.Connection) -> bool:
    """Whether the database has the ``models`` table (schema version 3 or later)."""
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'models'")
    return row.fetchone() is not None


def add_model(conn: sqlite3.Connection, sha256: str, name: str, *, path: str | None = None,
              card: Mapping[str, Any] | None = None,
              training_run_uid: str | None = None) -> ModelRecord:  # fmt: skip
    """Insert (or replace: the same bytes trained again) the row of one model file."""
    sha = str(sha256).lower()
    if not _SHA256.match(sha):
        raise StoreError(f"{sha256!r} is not a sha256 (64 hex digits), so no model was stored.")
    if training_run_uid is not None:
        known = conn.execute("SELECT 1 FROM runs WHERE uid = ?", (training_run_uid,)).fetchone()
        if known is None:
            raise StoreError(f"The run store has no run {training_run_uid[:8]} to link the "
                             f"model {name} to.")  # fmt: skip
    record = ModelRecord(sha, str(name), None if path is None else str(path),
                         None if card is None else json.loads(json.dumps(dict(card))),
                         training_run_uid, time.time())  # fmt: skip
    conn.execute(
        "INSERT OR REPLACE INTO models (sha256, name, path, card, training_run_uid, created)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (record.sha256, record.name, record.path,
         None if record.card is None else json.dumps(record.card), record.training_run_uid,
         record.created),
    )  # fmt: skip
    return record


def get_model(conn: sqlite3.Connection, sha256: str) -> ModelRecord | None:
    """The row of the model with this sha256, or None."""
    if not isinstance(sha256, str) or not has_models_table(conn):
        return None
    row = conn.execute("SELECT * FROM models WHERE sha256 = ?", (sha256.lower(),)).fetchone()
    return None if row is None else ModelRecord.from_row(row)


def list_models(conn: sqlite3.Connection) -> list[ModelRecord]:
    """Every model row, newest first."""
    if not has_models_table(conn):
        return []
    rows = conn.execute("SELECT * FROM models ORDER BY created DESC")
    return [ModelRecord.from_row(r) for r in rows]


def model_sha256_of_run(board_info: Mapping[str, Any] | None) -> str | None:
    """The sha256 of the model a run's board ran (``board_info["model"]["sha256"]``), if any."""
    if not isinstance(board_info, Mapping):
        return None
    model = board_info.get("model")
    sha = model.get("sha256") if isinstance(model, Mapping) else board_info.get("model_sha256")
    return sha.lower() if isinstance(sha, str) and _SHA256.match(sha.lower()) else None
