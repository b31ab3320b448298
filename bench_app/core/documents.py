"""The shapes of run documents and the one way to consume them: a `DocumentRouter`.

A run is told to the rest of the bench as a sequence of documents, after bluesky's document
model: one ``start``, then per named stream one ``descriptor`` (just before the stream's first
event) and its ``event`` documents, and one ``stop``. This module is neutral ground: the run
engine (`bench_app.core.runs.engine`) builds these documents, and the store, the CLI and the
window consume them, without any of the consumers importing the engine.

Every consumer is a *subscriber*: a callable ``(kind, doc) -> None``. A subscriber that must
not lose documents (the store) says so with ``critical = True``: when it raises, the run fails
with the reason. Any other subscriber that raises is detached and reported; the run goes on.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from typing import Any, Literal, Protocol, TypedDict

import numpy as np

#: Version of the document shapes below; stored in every start document.
DOCUMENT_SCHEMA = 1

DocKind = Literal["start", "descriptor", "event", "stop"]
DOC_KINDS: tuple[DocKind, ...] = ("start", "descriptor", "event", "stop")

#: Stream names with an agreed meaning (any other name is allowed too).
STREAM_PROGRESS = "progress"
STREAM_SUMMARY = "summary"
STREAM_METRICS = "metrics"


class RunStatus(enum.StrEnum):
    """How a run ended (``running`` exists only in the store, for a run still being written)."""

    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


class StartDoc(TypedDict):
    """The first document of a run: what runs, with what, where (times are Unix seconds)."""

    uid: str
    time: float
    procedure: str
    parameters: dict[str, Any]
    bench_version: str
    host: dict[str, Any]
    board_info: dict[str, Any] | None
    schema: int


class DescriptorDoc(TypedDict):
    """Sent once per stream, just before its first event: the stream's data keys."""

    uid: str
    run_uid: str
    time: float
    stream: str
    data_keys: dict[str, dict[str, Any]]


class EventDoc(TypedDict):
    """One record of a stream; ``arrays`` holds read-only numpy arrays (saved as ``.npy``)."""

    uid: str
    run_uid: str
    time: float
    stream: str
    index: int
    data: dict[str, Any]
    arrays: dict[str, np.ndarray]


class SubscriberError(TypedDict):
    """A subscriber that raised: its repr, the error, and whether it was critical."""

    subscriber: str
    error: str
    critical: bool


class StopDoc(TypedDict):
    """The last document of a run: how it ended and its summary."""

    uid: str
    run_uid: str
    time: float
    status: str
    reason: str
    summary: dict[str, Any]
    verdict: str | None
    num_events: dict[str, int]
    paused_s: float
    subscriber_errors: list[SubscriberError]


Document = StartDoc | DescriptorDoc | EventDoc | StopDoc


class Subscriber(Protocol):
    """Anything that consumes run documents; it must not mutate them.

    Called in the run controller's thread, in document order: keep it quick (queue work
    elsewhere). An optional ``critical`` attribute (False when absent) says whether the run
    must fail when this subscriber raises (True for the store: an unsaved run is not a run);
    an optional ``label`` names it in that failure's reason (e.g. "the run store (path)").
    """

    def __call__(self, kind: str, doc: Mapping[str, Any]) -> None: ...


def is_critical(subscriber: Any) -> bool:
    """Whether a subscriber declared itself critical (``critical = True``)."""
    return bool(getattr(subscriber, "critical", False))


class DocumentRouter:
    """A subscriber base class that dispatches each document to a method named after its kind.

    After bluesky's ``DocumentRouter``: ``router(kind, doc)`` calls ``start(doc)``,
    ``descriptor(doc)``, ``event(doc)`` or ``stop(doc)``; each does nothing unless overridden.
    ``event`` further calls ``event_<stream>(doc)`` when the subclass defines one (e.g.
    ``event_progress``), so a consumer of a few streams needs no ``if`` on the stream name.
    An unknown kind raises ``ValueError``: a document nobody understands is a bug upstream.
    """

    #: Whether the run must fail when this subscriber raises (see `Subscriber`).
    critical: bool = False

    def __call__(self, kind: str, doc: Mapping[str, Any]) -> None:
        if kind not in DOC_KINDS:
            raise ValueError(f"unknown document kind {kind!r} (expected one of {DOC_KINDS})")
        getattr(self, kind)(doc)

    def start(self, doc: StartDoc) -> None:
        """A run began."""

    def descriptor(self, doc: DescriptorDoc) -> None:
        """A stream's first event follows."""

    def event(self, doc: EventDoc) -> None:
        """One event; calls ``event_<stream>(doc)`` if the subclass has it."""
        stream = doc.get("stream", "")
        handler = getattr(self, f"event_{stream}", None) if stream.isidentifier() else None
        if handler is not None:
            handler(doc)

    def stop(self, doc: StopDoc) -> None:
        """The run ended."""


def verdict_of(summary: Mapping[str, Any]) -> str | None:
    """The one-word verdict a summary states, for the runs table (``pass``/``fail``/other).

    Looks at ``summary["verdict"]`` (a string, or a mapping with a boolean ``"pass"``), then at a
    boolean ``summary["pass"]``; ``None`` when the summary gives no verdict.
    """
    verdict = summary.get("verdict")
    if isinstance(verdict, str):
        return verdict
    if isinstance(verdict, Mapping) and isinstance(verdict.get("pass"), bool):
        return "pass" if verdict["pass"] else "fail"
    if isinstance(summary.get("pass"), bool):
        return "pass" if summary["pass"] else "fail"
    return None


def finite_or_none(value: Any) -> Any:
    """Replace NaN and infinities by ``None`` throughout (strict JSON for ``--json`` output)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite_or_none(v) for v in value]
    return value
