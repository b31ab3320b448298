"""What reading the store returns: runs, documents and artifacts as small dataclasses."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
from typing import Any


def _loads(text: str | None) -> Any:
    return json.loads(text) if text is not None else None


@dataclasses.dataclass
class RunRecord:
    """One stored run (a row of ``runs``, JSON columns decoded)."""

    uid: str
    procedure: str
    status: str
    reason: str | None
    started: float
    ended: float | None
    parameters: dict[str, Any]
    board_info: dict[str, Any] | None
    host: dict[str, Any] | None
    bench_version: str | None
    summary: dict[str, Any] | None
    verdict: str | None
    note: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> RunRecord:
        """Build from a ``SELECT * FROM runs`` row."""
        return cls(
            uid=row["uid"],
            procedure=row["procedure"],
            status=row["status"],
            reason=row["reason"],
            started=row["started"],
            ended=row["ended"],
            parameters=_loads(row["parameters"]) or {},
            board_info=_loads(row["board_info"]),
            host=_loads(row["host"]),
            bench_version=row["bench_version"],
            summary=_loads(row["summary"]),
            verdict=row["verdict"],
            note=row["note"],
        )

    @property
    def short_uid(self) -> str:
        """The first 8 hex digits (what `runs list` shows; any unique prefix works)."""
        return self.uid[:8]

    @property
    def duration_s(self) -> float | None:
        """Seconds from start to end (to now for a run still running; None if unknown)."""
        if self.ended is not None:
            return self.ended - self.started
        return time.time() - self.started if self.status == "running" else None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (``--json`` output, reports)."""
        out = dataclasses.asdict(self)
        out["short_uid"] = self.short_uid
        out["duration_s"] = self.duration_s
        return out


@dataclasses.dataclass
class StoredDocument:
    """One stored document: its position, kind, stream and the document itself."""

    seq: int
    kind: str
    stream: str | None
    time: float
    doc: dict[str, Any]

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> StoredDocument:
        """Build from a ``SELECT * FROM documents`` row."""
        return cls(row["seq"], row["kind"], row["stream"], row["time"], json.loads(row["payload"]))


@dataclasses.dataclass
class ArtifactRecord:
    """One stored array: where its ``.npy`` is (relative to the store) and what it holds."""

    name: str
    path: str
    dtype: str
    shape: tuple[int, ...]
    sha256: str
    nbytes: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ArtifactRecord:
        """Build from a ``SELECT * FROM artifacts`` row."""
        return cls(
            row["name"],
            row["path"],
            row["dtype"],
            tuple(json.loads(row["shape"])),
            row["sha256"],
            row["nbytes"],
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form."""
        out = dataclasses.asdict(self)
        out["shape"] = list(self.shape)
        return out
