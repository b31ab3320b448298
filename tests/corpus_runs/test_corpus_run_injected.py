"""The injected path on the virtual board: the board equals the twin on its PCM, exactly."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score

from bench_app.core.analysis.corpus_records import ClipRecord
from bench_app.core.runs import RunStatus


def test_board_answers_equal_the_twin_on_board_pcm_for_every_clip(injected_run):
    result, got = injected_run
    assert result.status is RunStatus.SUCCESS, result.reason
    clips = got.of("clips")
    assert len(clips) == 5
    for event in clips:
        rec = event["data"]
        assert set(rec) == set(ClipRecord.__annotations__)
        assert rec["board"] is not None and rec["windows"] >= 1
        assert rec["board"] == rec["twin_board_pcm"]
        board = np.asarray(event["arrays"]["board_scores"])
        twin = np.asarray(event["arrays"]["twin_board_pcm_scores"])
        np.testing.assert_array_equal(board, twin)  # bit for bit, not just the argmax
        assert rec["padded_s"] > 0 and abs(rec["duration_s"] + rec["padded_s"]
                                           - len(event["arrays"]["board_pcm"]) / 16000) < 1e-9


def test_the_board_pcm_is_the_injected_clip(injected_run, tiny_corpus):
    from bench_app.core.corpora import open_corpus
    from bench_app.core.runs.procedures.corpus.clips import read_clip

    _, got = injected_run
    clips = {c.clip_id: c for c in open_corpus(f"synthetic:{tiny_corpus}").clips}
    for event in got.of("clips"):
        rec = event["data"]
        clean = read_clip(clips[rec["clip_id"]], 16000)  # a file, or a span of a dialog
        pcm = np.asarray(event["arrays"]["board_pcm"])
        np.testing.assert_array_equal(pcm[: len(clean)], clean)
        assert not pcm[len(clean):].any()  # the padding is silence


def test_live_metrics_follow_every_clip_and_match_scikit_learn(injected_run):
    result, got = injected_run
    metrics = got.of("metrics")
    assert [m["data"]["clips"] for m in metrics] == [1, 2, 3, 4, 5]
    assert all(m["data"]["setting"] == "" for m in metrics)
    recs = [e["data"] for e in got.of("clips")]
    names = result.summary["class_names"]
    y, p = [r["label"] for r in recs], [r["board"] for r in recs]
    present = [c for c in names if c in set(y) | set(p)]
    assert result.summary["macro_f1"] == f1_score(y, p, labels=present, average="macro",
                                                  zero_division=0)
    assert result.summary["agreement"] == 1.0
    assert result.summary["errors"]["firmware"] == 0
    assert result.summary["macro_f1_ci95"] is not None  # the final summary bootstraps


def test_decision_rules():
    from bench_app.core.runs.procedures.corpus.twin import decide

    scores = np.array([[0.9, 0.1, 0.0], [0.0, 0.6, 0.4], [0.0, 0.55, 0.45]])
    assert decide(scores, "mean")[0] == 1  # means .3, .42, .28
    assert decide(scores, "max")[0] == 0
    assert decide(scores, "majority")[0] == 1
    tie = np.array([[0.9, 0.1], [0.3, 0.7]])
    assert decide(tie, "majority")[0] == 0  # one vote each; the higher mean wins
