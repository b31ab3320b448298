"""Corpus-run figures: checked against hand counts, numpy and the definitions SER papers use."""

from __future__ import annotations

import numpy as np
import pytest

from bench_app.core.analysis.corpus_metrics import (
    bootstrap_macro_f1,
    corpus_metrics,
    error_split,
    mcnemar,
)

CLASSES = ["neu", "hap", "sad", "ang", "none"]


def _records(seed: int = 1, n: int = 60) -> list[dict]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        label = CLASSES[int(rng.integers(0, 5))]

        def noisy(answer: str, p: float) -> str:
            return CLASSES[int(rng.integers(0, 5))] if rng.random() < p else answer

        clean = noisy(label, 0.3)
        pcm = noisy(clean, 0.2)
        board = noisy(pcm, 0.05)
        out.append({"index": i, "clip_id": f"c{i}", "path": f"c{i}.wav", "utterance": f"u{i}",
                    "speaker": f"S{i % 3}", "session": f"Session{1 + i % 2}", "label": label,
                    "twin_clean": clean, "twin_board_pcm": pcm, "board": board,
                    "windows": 1, "padded_s": 0.0, "duration_s": 3.0,
                    "setting": ""})
    return out


def test_wa_ua_and_confusion_follow_their_definitions():
    recs = _records()
    m = corpus_metrics(recs, CLASSES)
    cm = np.array(m["answers"]["board"]["confusion"])
    assert cm.sum() == len(recs)
    # Rows are true classes: each row sums to that class's count of labels.
    for i, c in enumerate(CLASSES):
        assert cm[i].sum() == sum(r["label"] == c for r in recs)
    wa = np.trace(cm) / cm.sum()
    rows = cm.sum(axis=1)
    ua = np.mean(np.diag(cm)[rows > 0] / rows[rows > 0])
    assert m["wa"] == pytest.approx(wa)
    assert m["ua"] == pytest.approx(ua)
    # Micro F1 equals accuracy for single-label multi-class data.
    assert m["micro_f1"] == pytest.approx(wa)
    # Macro F1 from the confusion matrix by hand.
    tp = np.diag(cm)
    prec = np.divide(tp, cm.sum(axis=0), out=np.zeros(5), where=cm.sum(axis=0) > 0)
    rec = np.divide(tp, rows, out=np.zeros(5), where=rows > 0)
    f1 = np.divide(2 * prec * rec, prec + rec, out=np.zeros(5), where=(prec + rec) > 0)
    present = (rows + cm.sum(axis=0)) > 0
    assert m["macro_f1"] == pytest.approx(f1[present].mean())


def test_drop_split_adds_up_and_error_counts_match():
    recs = _records(seed=7)
    m = corpus_metrics(recs, CLASSES)
    drop = m["f1_drop"]
    assert drop["total"] == pytest.approx(drop["acoustic_path"] + drop["firmware"])
    assert drop["total"] == pytest.approx(m["twin_macro_f1"] - m["macro_f1"])
    errs = error_split(recs)
    assert errs["firmware"] == sum(r["board"] != r["twin_board_pcm"] for r in recs)
    assert m["agreement"] == pytest.approx(1 - errs["firmware"] / len(recs))
    assert {f["clip_id"] for f in m["flipped"]} == {
        r["clip_id"] for r in recs if r["board"] != r["twin_clean"]}


def test_missing_answers_and_unknown_labels_are_counted_not_scored():
    recs = _records(n=10)
    recs[0]["board"] = None
    recs[1]["label"] = "bored"
    m = corpus_metrics(recs, CLASSES)
    assert m["clips"] == 10 and m["unknown_labels"] == 1 and m["scored"] == 8
    empty = corpus_metrics([], CLASSES)
    assert empty["macro_f1"] is None and empty["agreement"] is None


def test_mcnemar_exact_p_value():
    recs = _records(n=4)
    for r in recs:
        r["label"] = "neu"
        r["twin_clean"] = "neu"
        r["board"] = "sad"
    # Four discordant clips, all on the twin's side: p = 2 * 0.5**4.
    res = mcnemar(recs)
    assert (res["a_only"], res["b_only"]) == (0, 4)
    assert res["p_value"] == pytest.approx(2 * 0.5**4)


def test_bootstrap_interval_brackets_the_estimate_and_narrows_with_more_clips():
    small = _records(seed=3, n=30)
    large = _records(seed=3, n=300)
    width = []
    for recs in (small, large):
        t = [r["label"] for r in recs]
        p = [r["board"] for r in recs]
        low, high = bootstrap_macro_f1(t, p, CLASSES, resamples=300)
        est = corpus_metrics(recs, CLASSES)["macro_f1"]
        assert low <= est <= high
        width.append(high - low)
    assert width[1] < width[0]
    assert bootstrap_macro_f1(["neu"], ["neu"], CLASSES) is None
