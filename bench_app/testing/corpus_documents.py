"""A corpus run's documents made from clip records, for testing its consumers without a board.

The corpus procedure (``bench_app.core.runs.procedures.corpus``) emits: a start document
(procedure ``"corpus"``, parameters with ``class_names``), one ``clips`` event per clip (data =
`ClipRecord`; arrays ``board_scores``, ``twin_clean_scores``, ``twin_board_pcm_scores`` and,
when kept, int16 ``board_pcm``), one ``metrics`` event after each clip (data =
`corpus_metrics` of the records so far, plus ``setting``), and a stop document whose summary is
the final `corpus_metrics` with the bootstrap interval (plus ``sweep`` rows for a sweep).

`corpus_documents` builds exactly that sequence from records, with every figure computed by
`corpus_metrics` (scikit-learn; nothing hard-coded), so the CSV export, the report and the
window's Corpus view are tested on the producer's shapes; `synthetic_records` makes records
whose errors split into model, acoustic path and firmware at chosen rates; `store_documents`
writes a sequence through the real store subscriber.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from bench_app.core.analysis.corpus_metrics import corpus_metrics
from bench_app.core.analysis.corpus_records import STREAM_CLIPS, ClipRecord
from bench_app.core.documents import STREAM_METRICS

CLASS_NAMES = ("neutral", "happy", "sad", "angry")
SCORE_KEYS = {"board": "board_scores", "twin_clean": "twin_clean_scores",
              "twin_board_pcm": "twin_board_pcm_scores"}
SAMPLE_RATE = 16000


def _other(rng: np.random.Generator, names: Sequence[str], not_this: str) -> str:
    return str(rng.choice([c for c in names if c != not_this]))


def synthetic_records(n: int, class_names: Sequence[str] = CLASS_NAMES, *, seed: int = 0,
                      model_error: float = 0.25, acoustic_flip: float = 0.15,
                      firmware_flip: float = 0.0, missing_board: int = 0,
                      setting: str = "", speakers: int = 4) -> list[ClipRecord]:
    """``n`` clip records whose answers go wrong at the given rates, step by step.

    The twin on the clean clip misses the label with probability ``model_error``; the twin on
    the board's PCM changes that answer with probability ``acoustic_flip``; the board changes
    the twin-on-PCM answer with ``firmware_flip``. The last ``missing_board`` clips have no
    board answer (as when a board sends no RESULT).
    """
    rng = np.random.default_rng(seed)
    names = list(class_names)
    records: list[ClipRecord] = []
    for i in range(n):
        label = names[i % len(names)] if i < len(names) else str(rng.choice(names))
        clean = label if rng.random() >= model_error else _other(rng, names, label)
        pcm = clean if rng.random() >= acoustic_flip else _other(rng, names, clean)
        board = pcm if rng.random() >= firmware_flip else _other(rng, names, pcm)
        speaker = i % speakers
        session = f"Session{1 + speaker // 2}"
        gender = "F" if speaker % 2 == 0 else "M"
        utterance = f"Ses{1 + speaker // 2:02d}{gender}_impro{i:02d}_{gender}{i:03d}"
        # per clip, not from ``rng``: a clip keeps its length in every setting of a sweep
        duration = round(float(np.random.default_rng([seed, i]).uniform(1.0, 4.0)), 3)
        records.append(ClipRecord(
            index=i, clip_id=utterance, path=f"{session}/wav/{utterance}.wav",
            utterance=utterance, speaker=f"{session}_{gender}", session=session, label=label,
            twin_clean=clean, twin_board_pcm=pcm,
            board=None if i >= n - missing_board else board,
            windows=max(1, int(duration / 0.5)), padded_s=0.0, duration_s=duration,
            setting=setting))
    return records


def scores_for(answer: str | None, class_names: Sequence[str],
               rng: np.random.Generator) -> np.ndarray | None:
    """Scores (float32, one per class, summing to 1) whose arg-max is ``answer``."""
    if answer is None:
        return None
    scores = rng.dirichlet(np.ones(len(class_names)))
    top, want = int(np.argmax(scores)), list(class_names).index(answer)
    scores[[top, want]] = scores[[want, top]]
    return scores.astype(np.float32)


def clip_pcm(record: Mapping[str, Any], seed: int = 0) -> np.ndarray:
    """A clip's stand-in microphone PCM (int16): a tone whose pitch depends on its label."""
    n = int(round(float(record["duration_s"]) * SAMPLE_RATE))
    t = np.arange(n) / SAMPLE_RATE
    f0 = 200.0 * (1 + sum(map(ord, str(record["label"]))) % 5)
    noise = np.random.default_rng(seed + int(record["index"])).normal(0, 300, n)
    return np.clip(6000 * np.sin(2 * np.pi * f0 * t) + noise, -32768, 32767).astype(np.int16)


def _doc_uid(run_uid: str, n: int) -> str:
    return f"{run_uid[:24]}{n:08x}"


def corpus_documents(records: Sequence[ClipRecord], class_names: Sequence[str] = CLASS_NAMES,
                     *, run_uid: str | None = None, parameters: Mapping[str, Any] | None = None,
                     keep_pcm: bool = False, sweep_snr_db: Mapping[str, float] | None = None,
                     skipped: Sequence[Mapping[str, Any]] = (), bootstrap_resamples: int = 200,
                     status: str = "success", seed: int = 0, t0: float | None = None,
                     ) -> list[tuple[str, dict[str, Any]]]:
    """The ``(kind, doc)`` sequence a corpus run over ``records`` emits, figures computed.

    ``sweep_snr_db`` maps each sweep setting to its SNR (the stop summary then has ``sweep``
    rows, and each metrics event covers the clips so far of its own setting). ``skipped``
    (``{"clip_id", "reason"}`` rows) goes into the summary as the producer reports skipped
    clips. A ``status`` other than ``success`` ends the run there (no final bootstrap).
    """
    import uuid

    run_uid = run_uid or uuid.uuid4().hex
    rng = np.random.default_rng(seed)
    names = list(class_names)
    t = time.time() if t0 is None else float(t0)
    n_doc = 0

    def uid() -> str:
        nonlocal n_doc
        n_doc += 1
        return _doc_uid(run_uid, n_doc)

    params = {"corpus": "synthetic:/tmp/corpus", "path": "injected", "decision": "mean",
              "limit": None, "class_names": names, **(parameters or {})}
    docs: list[tuple[str, dict[str, Any]]] = [("start", {
        "uid": run_uid, "time": t, "procedure": "corpus", "parameters": params,
        "bench_version": "test", "host": {"hostname": "test"}, "board_info": {"board": "test"},
        "schema": 1})]
    described: set[str] = set()
    counts = {STREAM_CLIPS: 0, STREAM_METRICS: 0}

    def event(stream: str, data: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        nonlocal t
        t += 0.01
        if stream not in described:
            described.add(stream)
            keys = {k: {"dtype": "object", "source": "data"} for k in data}
            keys.update({k: {"dtype": "array", "source": "arrays"} for k in arrays})
            docs.append(("descriptor", {"uid": uid(), "run_uid": run_uid, "time": t,
                                        "stream": stream, "data_keys": keys}))
        docs.append(("event", {"uid": uid(), "run_uid": run_uid, "time": t, "stream": stream,
                               "index": counts[stream], "data": data, "arrays": arrays}))
        counts[stream] += 1

    for pos, record in enumerate(records):
        arrays = {}
        for answer, key in SCORE_KEYS.items():
            scores = scores_for(record[answer], names, rng)  # type: ignore[literal-required]
            if scores is not None:
                arrays[key] = scores
        if keep_pcm:
            arrays["board_pcm"] = clip_pcm(record, seed)
        event(STREAM_CLIPS, dict(record), arrays)
        setting = record.get("setting", "")
        so_far = [r for r in records[:pos + 1] if r.get("setting", "") == setting]
        event(STREAM_METRICS, {**corpus_metrics(so_far, names), "setting": setting}, {})
    summary: dict[str, Any] = {}
    if status == "success":
        summary = corpus_metrics(records, names, bootstrap_resamples=bootstrap_resamples,
                                 seed=seed)
        if sweep_snr_db:
            summary["sweep"] = sweep_rows(records, names, sweep_snr_db)
    if skipped:
        summary["skipped"] = [dict(s) for s in skipped]
    docs.append(("stop", {
        "uid": uid(), "run_uid": run_uid, "time": t + 0.01, "status": status,
        "reason": "" if status == "success" else "stopped by the test", "summary": summary,
        "verdict": None, "num_events": dict(counts), "paused_s": 0.0,
        "subscriber_errors": []}))
    return docs


def sweep_rows(records: Sequence[ClipRecord], class_names: Sequence[str],
               snr_db: Mapping[str, float]) -> list[dict[str, Any]]:
    """One row per sweep setting: its SNR and the macro F1 of board, twin clean, twin PCM."""
    rows = []
    for setting, snr in snr_db.items():
        m = corpus_metrics([r for r in records if r.get("setting", "") == setting], class_names)
        rows.append({"setting": setting, "snr_db": snr, "board_macro_f1": m["macro_f1"],
                     "twin_macro_f1": m["twin_macro_f1"],
                     "twin_board_pcm_macro_f1": m["answers"]["twin_board_pcm"]["macro_f1"]})
    return rows


def sweep_records(settings: Mapping[str, float], per_setting: int,
                  class_names: Sequence[str] = CLASS_NAMES, seed: int = 0,
                  ) -> list[ClipRecord]:
    """Records of a sweep: the same clips once per setting, the acoustic flips rising as the
    SNR falls (so the sweep plot has a slope to show)."""
    out: list[ClipRecord] = []
    snrs = list(settings.values())
    top = max(snrs)
    for setting, snr in settings.items():
        flip = min(0.9, 0.05 + 0.02 * (top - snr))
        for r in synthetic_records(per_setting, class_names, seed=seed, acoustic_flip=flip,
                                   setting=setting):
            out.append(ClipRecord(**{**r, "index": len(out)}))  # type: ignore[typeddict-item]
    return out


def feed(subscriber, documents: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
    """Hand each ``(kind, doc)`` to ``subscriber`` in order."""
    for kind, doc in documents:
        subscriber(kind, doc)


def store_documents(store, documents: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """Write ``documents`` through ``store``'s real subscriber; return the run's uid."""
    feed(store.subscriber(), documents)
    store.flush()
    return str(documents[0][1]["uid"])
