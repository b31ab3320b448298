"""Read one stored run into a `ReportInput`: record, summary, lint, verdict and arrays.

Arrays come from the run's artifacts (named ``<stream>-<index>-<key>`` by the store): the chunks
of one key in one stream are joined in index order (frames and PCM arrive in chunks). Latency
series come from the ``results`` stream's event data. Anything unreadable becomes a note in the
report instead of an error, so a damaged or interrupted run still gets a report.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np

from bench_app.core.analysis.corpus_records import STREAM_CLIPS
from bench_app.core.errors import BenchError
from bench_app.core.report.corpus_run import CORPUS_PROCEDURE
from bench_app.core.report.model import ReportInput

_ARTIFACT = re.compile(r"^(?P<stream>.+?)-(?P<index>\d{6,})-(?P<key>.+?)(?:-\d+)?$")
#: ``results`` event fields -> latency array names of the report.
LATENCY_FIELDS = {
    "frontend_us": "latency_frontend_us",
    "invoke_us": "latency_invoke_us",
    "total_us": "latency_total_us",
    "onset_to_result_ms": "latency_host_ms",
}
#: Keys of the run parameters (or summary) that may hold the host front-end config.
HOST_FRONTEND_KEYS = ("host_frontend", "frontend", "host_config", "fe")


class RunSource(Protocol):
    """What the loader needs from the run store (`bench_app.core.store.RunStore` has it)."""

    def get_run(self, run_id: str) -> Any: ...

    def artifacts(self, run_id: str) -> list[Any]: ...

    def load_artifact(self, run_id: str, name: str) -> np.ndarray: ...

    def documents(self, run_id: str, stream: str | None = None) -> list[Any]: ...


def _iso(t: Any) -> Any:
    if isinstance(t, int | float):
        return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return t


def host_frontend_of(parameters: Mapping[str, Any], summary: Mapping[str, Any]) -> dict:
    """The host front-end config (``fe.*`` keys) stored with the run, or an empty dict."""
    for source in (parameters, summary):
        for key in HOST_FRONTEND_KEYS:
            value = source.get(key)
            if isinstance(value, Mapping):
                return {(k if str(k).startswith("fe.") else f"fe.{k}"): v
                        for k, v in value.items()}
        direct = {k: v for k, v in source.items() if str(k).startswith("fe.")}
        if direct:
            return direct
    return {}


def _load_arrays(store: RunSource, uid: str, notes: list[str],
                 skip_streams: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    chunks: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for artifact in store.artifacts(uid):
        match = _ARTIFACT.match(artifact.name)
        stream, index, key = ((match["stream"], int(match["index"]), match["key"]) if match
                              else ("", 0, artifact.name))
        if stream in skip_streams:
            continue
        chunks[(stream, key)].append((index, artifact.name))
    keys = defaultdict(int)
    for _, key in chunks:
        keys[key] += 1
    arrays = {}
    for (stream, key), parts in chunks.items():
        name = key if keys[key] == 1 else f"{stream}_{key}"
        try:
            loaded = [store.load_artifact(uid, n) for _, n in sorted(parts)]
        except BenchError as exc:
            notes.append(f"The stored array '{name}' could not be read: {exc}")
            continue
        if len(loaded) == 1:
            arrays[name] = loaded[0]
        elif len({a.shape[1:] for a in loaded}) == 1 and loaded[0].ndim >= 1:
            arrays[name] = np.concatenate(loaded)
        else:
            notes.append(f"The {len(loaded)} chunks of '{name}' differ in shape; "
                         "the report shows the first.")
            arrays[name] = loaded[0]
    return arrays


def _latency_from_results(store: RunSource, uid: str) -> dict[str, np.ndarray]:
    rows = [d.doc.get("data") or {} for d in store.documents(uid, "results")
            if getattr(d, "kind", "event") == "event"]
    out = {}
    for field, name in LATENCY_FIELDS.items():
        values = [r.get(field) for r in rows]
        if any(isinstance(v, int | float) for v in values):
            out[name] = np.array([v if isinstance(v, int | float) else np.nan for v in values],
                                 dtype=np.float64)
    return out


def _model_training(store: RunSource, record) -> str | None:
    """Which training run made the run's model, as the store's models table says (or None)."""
    model_of_run = getattr(store, "model_of_run", None)  # stores of schema v3 and later
    model = model_of_run(record) if model_of_run is not None else None
    if model is None or not model.training_run_uid:
        return None
    try:
        train = store.get_run(model.training_run_uid)
    except Exception:  # the training run is gone: the link still says which it was
        return f"training run {model.training_run_uid[:8]} (model {model.name})"
    return (f"training run {train.uid[:8]} ({train.status}, started {_iso(train.started)}; "
            f"model {model.name})")


def load_report_input(store: RunSource, run_id: str) -> ReportInput:
    """Read the run ``run_id`` (its id or a unique prefix) from ``store``.

    Raises
    ------
    BenchError
        When no run (or more than one) matches ``run_id`` (the store's own error).
    """
    record = store.get_run(run_id)
    uid = record.uid
    notes: list[str] = []
    summary = dict(record.summary or {})
    parameters = dict(record.parameters or {})
    run = {"uid": uid, "procedure": record.procedure, "status": record.status,
           "reason": record.reason, "started": _iso(record.started), "ended": _iso(record.ended),
           "bench_version": record.bench_version, "parameters": parameters,
           "host": record.host or {}, "note": record.note,
           "model_training": _model_training(store, record)}
    corpus = _corpus_run(store, uid, notes) if record.procedure == CORPUS_PROCEDURE else None
    # a corpus run's per-clip arrays are not one signal: the report reads them per clip
    arrays = _load_arrays(store, uid, notes, (STREAM_CLIPS,) if corpus is not None else ())
    for name, values in _latency_from_results(store, uid).items():
        arrays.setdefault(name, values)
    verdict = summary.get("verdict") if isinstance(summary.get("verdict"), Mapping) else {}
    passed = verdict.get("pass", summary.get("pass"))
    if not isinstance(passed, bool):
        passed = {"pass": True, "fail": False}.get(str(record.verdict).lower())
    reasons = verdict.get("reasons") or summary.get("reasons") or []
    lint = summary.get("lint")
    return ReportInput(
        run=run, board_info=dict(record.board_info or {}),
        host_frontend=host_frontend_of(parameters, summary),
        lint=[f for f in lint if isinstance(f, Mapping)] if isinstance(lint, list) else [],
        summary=summary, verdict={"pass": passed, "reasons": list(reasons)},
        arrays=arrays, notes=notes, corpus=corpus)


def _corpus_run(store: RunSource, uid: str, notes: list[str]):
    """The corpus run's clips and figures, or None (and a note) when it stored no clip."""
    from bench_app.core.report.corpus_run import NotACorpusRunError, load_corpus_run

    try:
        return load_corpus_run(store, uid)
    except NotACorpusRunError as exc:
        notes.append(str(exc))
        return None
