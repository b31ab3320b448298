"""The figures of a corpus run, computed from its per-clip records with scikit-learn.

What SER papers report and what a lab engineer needs to tell the model's errors from the
acoustic path's and the firmware's (see `corpus_records.ClipRecord` for the four answers):

- per answer (board, twin on the clean clip, twin on the board's PCM): the confusion matrix
  (rows = true class, columns = predicted, in ``class_names`` order), macro / micro / weighted
  F1, per-class precision / recall / F1 / support, WA (weighted accuracy = overall accuracy) and
  UA (unweighted accuracy = mean per-class recall, scikit-learn's balanced accuracy);
- the board's macro F1 and UA per speaker and per session;
- the F1 drop from twin to board split into the acoustic path (twin clean -> twin on board PCM)
  and the firmware / runtime (twin on board PCM -> board); the two parts add up to the drop;
- the error split per clip: model error, acoustic-path change, firmware change;
- a bootstrap 95 % interval of the board's macro F1 (scipy.stats.bootstrap, paired resampling
  of clips) when asked for (it costs ~1 s per 1000 resamples, so live updates skip it);
- McNemar's exact test of board vs twin-on-clean correctness (scipy's binomial test on the
  discordant clips), and the clips whose answer flipped between twin and board.

scikit-learn and scipy are imported inside the functions: the window imports this module at
start and must stay light.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .corpus_records import ClipRecord

#: The answers scored against the label, keyed as in `ClipRecord`.
SCORED_ANSWERS: tuple[str, ...] = ("board", "twin_clean", "twin_board_pcm")


def answer_metrics(y_true: Sequence[str], y_pred: Sequence[str],
                   class_names: Sequence[str]) -> dict[str, Any]:
    """Confusion matrix, F1s, per-class figures, WA and UA of one answer against the labels.

    Only classes that occur (as label or prediction) count in the macro averages, as
    scikit-learn does with ``labels`` restricted to those; the confusion matrix always spans
    every class in ``class_names``. Empty input gives ``n == 0`` and ``None`` figures.
    """
    from sklearn.metrics import (
        accuracy_score,
        balanced_accuracy_score,
        confusion_matrix,
        f1_score,
        precision_recall_fscore_support,
    )

    names = list(class_names)
    n = len(y_true)
    if n == 0:
        return {"n": 0, "macro_f1": None, "micro_f1": None, "weighted_f1": None, "wa": None,
                "ua": None, "confusion": [[0] * len(names) for _ in names], "per_class": {}}
    present = [c for c in names if c in set(y_true) | set(y_pred)]
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=names, zero_division=0)
    with warnings.catch_warnings():
        # "y_pred contains classes not in y_true": expected on a few clips; UA stays defined.
        warnings.simplefilter("ignore", UserWarning)
        ua = float(balanced_accuracy_score(y_true, y_pred))
    return {
        "n": n,
        "macro_f1": float(f1_score(y_true, y_pred, labels=present, average="macro",
                                   zero_division=0)),
        "micro_f1": float(f1_score(y_true, y_pred, labels=present, average="micro",
                                   zero_division=0)),
        "weighted_f1": float(f1_score(y_true, y_pred, labels=present, average="weighted",
                                      zero_division=0)),
        "wa": float(accuracy_score(y_true, y_pred)),
        "ua": ua,
        "confusion": confusion_matrix(y_true, y_pred, labels=names).tolist(),
        "per_class": {
            c: {"precision": float(precision[i]), "recall": float(recall[i]),
                "f1": float(f1[i]), "support": int(support[i])}
            for i, c in enumerate(names)
        },
    }


def _pairs(records: Sequence[ClipRecord], key: str) -> tuple[list[str], list[str]]:
    """Labels and one answer over the clips where that answer exists."""
    kept = [r for r in records if r.get(key) is not None]
    return [r["label"] for r in kept], [r[key] for r in kept]  # type: ignore[misc]


def _grouped(records: Sequence[ClipRecord], group: str,
             class_names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Board macro F1, UA and clip count per value of ``group`` (speaker or session)."""
    out: dict[str, dict[str, Any]] = {}
    for value in sorted({str(r.get(group, "")) for r in records}):
        subset = [r for r in records if str(r.get(group, "")) == value]
        m = answer_metrics(*_pairs(subset, "board"), class_names)
        out[value] = {"clips": len(subset), "scored": m["n"], "macro_f1": m["macro_f1"],
                      "ua": m["ua"]}
    return out


def error_split(records: Sequence[ClipRecord]) -> dict[str, int]:
    """How many clips show each kind of error, each counted where both answers exist.

    ``model``: twin on the clean clip disagrees with the label; ``acoustic_path``: the twin's
    answer changed between the clean clip and the board's PCM; ``firmware``: the board
    disagrees with the twin on its own PCM (zero with matching code).
    """
    def count(a: str, b: str) -> int:
        return sum(1 for r in records
                   if r.get(a) is not None and r.get(b) is not None and r[a] != r[b])  # type: ignore[literal-required]

    return {"model": count("label", "twin_clean"),
            "acoustic_path": count("twin_clean", "twin_board_pcm"),
            "firmware": count("twin_board_pcm", "board")}


def f1_drop(per_answer: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    """Macro F1 drop from twin to board, split into acoustic path + firmware (they add up)."""
    clean = per_answer["twin_clean"]["macro_f1"]
    pcm = per_answer["twin_board_pcm"]["macro_f1"]
    board = per_answer["board"]["macro_f1"]
    if None in (clean, pcm, board):
        return {"total": None, "acoustic_path": None, "firmware": None}
    return {"total": clean - board, "acoustic_path": clean - pcm, "firmware": pcm - board}


def mcnemar(records: Sequence[ClipRecord], a: str = "board",
            b: str = "twin_clean") -> dict[str, Any]:
    """McNemar's exact test: do answers ``a`` and ``b`` differ in how often they are right?

    Over clips where both exist: ``a_only`` = clips only ``a`` got right, ``b_only`` = only
    ``b``; the p-value is scipy's two-sided exact binomial test of ``a_only`` out of the
    discordant clips at 0.5 (1.0 when there are none).
    """
    from scipy.stats import binomtest

    both = [r for r in records if r.get(a) is not None and r.get(b) is not None]
    a_only = sum(1 for r in both if r[a] == r["label"] and r[b] != r["label"])  # type: ignore[literal-required]
    b_only = sum(1 for r in both if r[b] == r["label"] and r[a] != r["label"])  # type: ignore[literal-required]
    discordant = a_only + b_only
    p = binomtest(a_only, discordant, 0.5).pvalue if discordant else 1.0
    return {"a": a, "b": b, "a_only": a_only, "b_only": b_only, "p_value": float(p)}


def bootstrap_macro_f1(y_true: Sequence[str], y_pred: Sequence[str],
                       class_names: Sequence[str], *, resamples: int = 1000,
                       seed: int = 0) -> tuple[float, float] | None:
    """95 % percentile interval of macro F1 over clips resampled with replacement (paired).

    ``None`` with fewer than two clips (no spread to resample).
    """
    from scipy.stats import bootstrap
    from sklearn.metrics import f1_score

    if len(y_true) < 2:
        return None
    names = list(class_names)
    index = {c: i for i, c in enumerate(names)}
    t = np.array([index.get(c, -1) for c in y_true])
    p = np.array([index.get(c, -1) for c in y_pred])

    def stat(tt: np.ndarray, pp: np.ndarray) -> float:
        present = sorted(set(tt.tolist()) | set(pp.tolist()))
        return f1_score(tt, pp, labels=present, average="macro", zero_division=0)

    res = bootstrap((t, p), stat, paired=True, vectorized=False, n_resamples=resamples,
                    confidence_level=0.95, method="percentile",
                    rng=np.random.default_rng(seed))
    low, high = res.confidence_interval
    return float(low), float(high)


def flipped_clips(records: Sequence[ClipRecord]) -> list[dict[str, Any]]:
    """Clips whose board answer differs from the twin's answer on the clean clip."""
    return [{"index": r["index"], "clip_id": r["clip_id"], "label": r["label"],
             "twin_clean": r["twin_clean"], "twin_board_pcm": r["twin_board_pcm"],
             "board": r["board"]}
            for r in records
            if r.get("board") is not None and r.get("twin_clean") is not None
            and r["board"] != r["twin_clean"]]


def corpus_metrics(records: Sequence[ClipRecord], class_names: Sequence[str], *,
                   bootstrap_resamples: int = 0, seed: int = 0) -> dict[str, Any]:
    """Every figure of a corpus run so far (the ``data`` of a ``metrics`` event).

    Top-level keys mirror ``bench-app run corpus --json``: ``clips``, ``macro_f1``,
    ``micro_f1``, ``weighted_f1``, ``ua``, ``wa``, ``per_class`` (all of the board),
    ``twin_macro_f1``, ``agreement`` (board == twin on the board's PCM, over clips with both),
    ``flipped``; details under ``answers``, ``by_speaker``, ``by_session``, ``errors``,
    ``f1_drop``, ``mcnemar`` and ``macro_f1_ci95`` (``None`` unless ``bootstrap_resamples``).
    Labels outside ``class_names`` are not scored and are counted in ``unknown_labels``.
    """
    names = list(class_names)
    known = [r for r in records if r["label"] in names]
    per_answer = {key: answer_metrics(*_pairs(known, key), names) for key in SCORED_ANSWERS}
    both = [r for r in known
            if r.get("board") is not None and r.get("twin_board_pcm") is not None]
    board = per_answer["board"]
    ci = None
    if bootstrap_resamples:
        ci = bootstrap_macro_f1(*_pairs(known, "board"), names,
                                resamples=bootstrap_resamples, seed=seed)
    return {
        "clips": len(records),
        "scored": board["n"],
        "unknown_labels": len(records) - len(known),
        "class_names": names,
        "macro_f1": board["macro_f1"],
        "micro_f1": board["micro_f1"],
        "weighted_f1": board["weighted_f1"],
        "ua": board["ua"],
        "wa": board["wa"],
        "per_class": board["per_class"],
        "twin_macro_f1": per_answer["twin_clean"]["macro_f1"],
        "agreement": (sum(1 for r in both if r["board"] == r["twin_board_pcm"]) / len(both)
                      if both else None),
        "flipped": flipped_clips(known),
        "answers": per_answer,
        "by_speaker": _grouped(known, "speaker", names),
        "by_session": _grouped(known, "session", names),
        "errors": error_split(known),
        "f1_drop": f1_drop(per_answer),
        "mcnemar": mcnemar(known),
        "macro_f1_ci95": list(ci) if ci else None,
    }
