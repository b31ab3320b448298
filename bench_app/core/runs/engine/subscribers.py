"""Small general-purpose subscribers: an in-memory log and a JSON-lines file writer.

``DocumentLog`` keeps every document (tests, the CLI's final ``--json`` object, a window that
wants the run's events after the fact); ``JsonLinesWriter`` writes one JSON object per line,
after bluesky's ``callbacks/json_writer.py``, with each array reduced to its dtype and shape
(the arrays themselves belong in the run store).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from bench_app.core.documents import DocumentRouter, EventDoc, StartDoc, StopDoc


class DocumentLog:
    """Keeps ``(kind, doc)`` pairs in order; safe to read from another thread."""

    def __init__(self) -> None:
        self._docs: list[tuple[str, Mapping[str, Any]]] = []
        self._lock = threading.Lock()

    def __call__(self, kind: str, doc: Mapping[str, Any]) -> None:
        with self._lock:
            self._docs.append((kind, doc))

    @property
    def docs(self) -> list[tuple[str, Mapping[str, Any]]]:
        """A snapshot of every document so far."""
        with self._lock:
            return list(self._docs)

    def kinds(self) -> list[str]:
        """The kinds in order, e.g. ``["start", "descriptor", "event", ..., "stop"]``."""
        return [k for k, _ in self.docs]

    def events(self, stream: str) -> list[Mapping[str, Any]]:
        """The event documents of one stream, in order."""
        return [d for k, d in self.docs if k == "event" and d.get("stream") == stream]

    def first(self, kind: str) -> Mapping[str, Any] | None:
        """The first document of ``kind`` (``"start"``, ``"stop"``...), or None."""
        return next((d for k, d in self.docs if k == kind), None)


def _arrays_described(doc: Mapping[str, Any]) -> dict[str, Any]:
    if not doc.get("arrays"):
        return dict(doc)
    out = dict(doc)
    out["arrays"] = {
        k: {"dtype": a.dtype.str, "shape": list(a.shape)} for k, a in doc["arrays"].items()
    }
    return out


class JsonLinesWriter(DocumentRouter):
    """Writes ``{"name": kind, "doc": doc}`` per line to a file (arrays as dtype and shape)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fh: TextIO | None = None

    def _write(self, kind: str, doc: Mapping[str, Any]) -> None:
        if self._fh is None:
            self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed at stop
        self._fh.write(json.dumps({"name": kind, "doc": _arrays_described(doc)}) + "\n")

    def start(self, doc: StartDoc) -> None:
        self._write("start", doc)

    def descriptor(self, doc: Mapping[str, Any]) -> None:
        self._write("descriptor", doc)

    def event(self, doc: EventDoc) -> None:
        self._write("event", doc)

    def stop(self, doc: StopDoc) -> None:
        self._write("stop", doc)
        assert self._fh is not None
        self._fh.close()
        self._fh = None
