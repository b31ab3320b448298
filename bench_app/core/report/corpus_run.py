"""A stored corpus run read back: its clip records, their scores, its live and final figures.

The corpus procedure stores one ``clips`` event per clip (a `ClipRecord`, with the clip-level
scores of each answer and, when kept, the board's PCM as arrays) and one ``metrics`` event
after each clip. The CSV export, the report's corpus section and the window's Corpus view all
read a run through `load_corpus_run`, so they agree on what a clip is; none of them imports the
procedure. Qt-free; scikit-learn is not needed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench_app.core.analysis.corpus_records import STREAM_CLIPS, ClipRecord
from bench_app.core.documents import STREAM_METRICS
from bench_app.core.errors import BenchError

#: The procedure name of a corpus run.
CORPUS_PROCEDURE = "corpus"
#: Clip-level score arrays of a clips event, per answer (the CSV's and the view's order).
SCORE_ARRAYS: dict[str, str] = {"board": "board_scores", "twin_clean": "twin_clean_scores",
                                "twin_board_pcm": "twin_board_pcm_scores"}
PCM_ARRAY = "board_pcm"


class NotACorpusRunError(BenchError):
    """The run asked for is not a corpus run, or stored no clip."""


@dataclass
class CorpusRun:
    """What one corpus run stored, in clip order.

    ``scores[i]`` maps an answer (``board``, ``twin_clean``, ``twin_board_pcm``) to clip ``i``'s
    scores (one per class); ``pcm_artifacts[i]`` names the stored board PCM of clip ``i`` (None
    when the run did not keep it). ``metrics`` are the live ``metrics`` events' data in order.
    """

    uid: str
    status: str
    parameters: dict[str, Any]
    class_names: list[str]
    records: list[ClipRecord] = field(default_factory=list)
    scores: list[dict[str, np.ndarray]] = field(default_factory=list)
    pcm_artifacts: list[str | None] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def settings(self) -> list[str]:
        """The sweep settings in the order the run met them (``[""]`` outside a sweep)."""
        return list(dict.fromkeys(str(r.get("setting", "")) for r in self.records)) or [""]

    def final_metrics(self) -> dict[str, Any]:
        """The run's figures: its stop summary, else (an interrupted run) its last metrics."""
        if self.summary.get("answers"):
            return self.summary
        return self.metrics[-1] if self.metrics else {}

    def skipped(self) -> list[dict[str, Any]]:
        """The clips the run skipped, each ``{"clip_id"/"path", "reason"}``, when it said so."""
        rows = self.summary.get("skipped")
        return [dict(r) for r in rows if isinstance(r, Mapping)] if isinstance(rows, list) else []

    def sweep(self) -> list[dict[str, Any]]:
        """The sweep rows of the summary (setting, snr_db, board / twin macro F1), if any."""
        rows = self.summary.get("sweep")
        return [dict(r) for r in rows if isinstance(r, Mapping)] if isinstance(rows, list) else []


def class_names_of(parameters: Mapping[str, Any], summary: Mapping[str, Any],
                   metrics: Sequence[Mapping[str, Any]]) -> list[str]:
    """The run's class names: its parameters', else its summary's, else its last metrics'."""
    for source in (parameters, summary, *(metrics[-1:] if metrics else ())):
        names = source.get("class_names")
        if isinstance(names, list) and names:
            return [str(n) for n in names]
    return []


def load_corpus_run(store: Any, run_id: str, *, load_scores: bool = True) -> CorpusRun:
    """Read the corpus run ``run_id`` (its id or a unique prefix) from a `RunStore`.

    Raises
    ------
    NotACorpusRunError
        When the run is of another procedure, or stored no clip at all.
    bench_app.core.store.RunNotFoundError
        When no run (or several) matches ``run_id``.
    """
    record = store.get_run(run_id)
    if record.procedure != CORPUS_PROCEDURE:
        raise NotACorpusRunError(
            f"Run {record.uid[:8]} is a {record.procedure} run, not a corpus run; only corpus "
            "runs have clips to export.")
    clips = store.documents(record.uid, STREAM_CLIPS, kind="event")
    if not clips:
        raise NotACorpusRunError(
            f"Corpus run {record.uid[:8]} ({record.status}) stored no clip, so there is nothing "
            "to export.")
    metrics = [dict(d.doc.get("data") or {})
               for d in store.documents(record.uid, STREAM_METRICS, kind="event")]
    parameters = dict(record.parameters or {})
    summary = dict(record.summary or {})
    run = CorpusRun(uid=record.uid, status=str(record.status), parameters=parameters,
                    class_names=class_names_of(parameters, summary, metrics),
                    metrics=metrics, summary=summary)
    for doc in clips:
        data = dict(doc.doc.get("data") or {})
        refs = doc.doc.get("arrays") or {}
        run.records.append(ClipRecord(**data))  # type: ignore[typeddict-item]
        scores = {}
        if load_scores:
            for answer, key in SCORE_ARRAYS.items():
                ref = refs.get(key)
                if isinstance(ref, Mapping) and ref.get("artifact"):
                    scores[answer] = np.asarray(store.load_artifact(record.uid, ref["artifact"]),
                                                dtype=np.float64).ravel()
        run.scores.append(scores)
        pcm = refs.get(PCM_ARRAY)
        run.pcm_artifacts.append(str(pcm["artifact"]) if isinstance(pcm, Mapping)
                                 and pcm.get("artifact") else None)
    return run

