"""The documents a run emits, and the small helpers that build them.

A run is told to the rest of the bench as a sequence of documents, after bluesky's document
model: one ``start``, then for each named stream one ``descriptor`` (sent just before the
stream's first event) and its ``event`` documents, and one ``stop``. Their shapes (TypedDicts),
`RunStatus`, the `Subscriber` protocol and the `DocumentRouter` base class live in the neutral
module `bench_app.core.documents` (so the store reads them without importing runs); they are
re-exported here. Documents are JSON-able except ``event["arrays"]``, which holds numpy arrays
(read-only copies) that the store saves as ``.npy`` artifacts.

Shapes (all times are Unix seconds, UTC)::

    start      {"uid", "time", "procedure", "parameters", "bench_version", "host",
                "board_info", "schema"}
    descriptor {"uid", "run_uid", "time", "stream", "data_keys"}
    event      {"uid", "run_uid", "time", "stream", "index", "data", "arrays"}
    stop       {"uid", "run_uid", "time", "status", "reason", "summary", "verdict",
                "num_events", "paused_s", "subscriber_errors"}

Streams are free names; these are the ones the bench uses so later work fits together:

- ``frames`` / ``pcm``: board data as arrays, in chunks (say every 0.5 s: ``{"first_frame":
  n}`` plus ``arrays={"frames": (k, 32) uint16}``), not one event per 10 ms frame - the store
  writes one ``.npy`` per array (about 0.1 ms each here).
- ``results``: one event per inference or per clip, e.g. ``{"clip": "Ses01F_impro01_F000",
  "label": "neu", "prediction": "hap", "scores": [...], "frontend_us": ..., "invoke_us": ...}``.
- ``metrics``: running scores, e.g. ``{"confusion": [[...]], "labels": [...], "macro_f1": ...}``
  after each clip, so F1 over time is the stream itself; the alignment run's running pipeline
  parity (``{"per_channel": [...], "mean": ..., "over_time": [...]}``) is one too, and what the
  window draws live.
- ``model``: what ran, e.g. ``{"sha256": ..., "bytes": ..., "arena_bytes": ..., "ops": [...]}``.
- ``artifacts``: files the run produces, e.g. re-recorded audio ``{"clip": ...,
  "sample_rate": 16000}`` with ``arrays={"pcm": int16}``.
- ``progress``: ``{"done", "total", "message"}``, drawn by progress bars (see ``progress()``).
- ``summary``: the run's final numbers (the procedure's return value is the summary; a
  ``summary`` event is kept as the summary if the run fails before returning). A
  ``"verdict"`` key (``"pass"``/``"fail"``, or ``{"pass": bool, "reasons": [...]}``) becomes
  the run's verdict in the store.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import platform
import socket
import time
import uuid
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import numpy as np

from bench_app.core.documents import (  # noqa: F401 - re-exported: the engine's vocabulary
    DOC_KINDS,
    DOCUMENT_SCHEMA,
    STREAM_METRICS,
    STREAM_PROGRESS,
    STREAM_SUMMARY,
    DescriptorDoc,
    DocumentRouter,
    EventDoc,
    RunStatus,
    StartDoc,
    StopDoc,
    Subscriber,
    finite_or_none,
    is_critical,
    verdict_of,
)


@dataclasses.dataclass(frozen=True)
class Event:
    """One thing a procedure yields: a record in a named stream.

    Parameters
    ----------
    stream
        Stream name, e.g. ``"frames"``, ``"results"``, ``"progress"``.
    data
        JSON-able values (numpy scalars and small arrays are converted to plain numbers/lists).
    arrays
        Numpy arrays kept as arrays: subscribers receive read-only copies and the store saves
        each one bit-exactly as an ``.npy`` artifact.
    """

    stream: str
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    arrays: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)


def progress(done: float, total: float | None = None, message: str = "") -> Event:
    """An event in the ``progress`` stream: ``done`` out of ``total`` units, and a short note."""
    return Event(STREAM_PROGRESS, {"done": done, "total": total, "message": message})


def new_uid() -> str:
    """A fresh document or run identifier (32 lowercase hex digits)."""
    return uuid.uuid4().hex


def jsonable(value: Any) -> Any:
    """Return ``value`` as plain JSON types (dict, list, str, int, float, bool, None).

    Numpy scalars become Python numbers, numpy arrays and tuples/sets become lists, paths and
    enums their string/value, dataclasses dicts. Raises ``TypeError`` for anything else, so a
    procedure finds out at once rather than when the store fails later.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    raise TypeError(f"{type(value).__name__} is not JSON-able; convert it before yielding it")


def frozen_array(array: Any) -> np.ndarray:
    """A read-only private copy of ``array``, safe to hand to several subscribers and threads."""
    out = np.array(array, copy=True)
    out.flags.writeable = False
    return out


def _key_description(value: Any) -> dict[str, Any]:
    if isinstance(value, np.ndarray):
        return {"dtype": "array", "numpy_dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, bool):
        return {"dtype": "boolean"}
    if isinstance(value, int):
        return {"dtype": "integer"}
    if isinstance(value, float):
        return {"dtype": "number"}
    if isinstance(value, str):
        return {"dtype": "string"}
    if isinstance(value, list):
        return {"dtype": "list"}
    if value is None:
        return {"dtype": "null"}
    return {"dtype": "object"}


def describe_event(data: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """The ``data_keys`` of a stream's descriptor, from its first event (as bluesky does)."""
    keys = {k: {**_key_description(v), "source": "data"} for k, v in data.items()}
    keys.update({k: {**_key_description(v), "source": "arrays"} for k, v in arrays.items()})
    return keys


def host_info() -> dict[str, Any]:
    """Where the run happened: host name, OS, Python and numpy versions, process id."""
    return {
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pid": os.getpid(),
    }


def now() -> float:
    """Wall-clock time for documents (Unix seconds)."""
    return time.time()
