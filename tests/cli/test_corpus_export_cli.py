"""`bench-app runs export RUN_ID --csv`: a corpus run's clips, re-scored by scikit-learn.

The run's documents come from `bench_app.testing.corpus_documents` (the producer's shapes,
figures from `corpus_metrics`) and go through the real store subscriber; the CSV is read back
with the csv module and its F1 values recomputed with scikit-learn.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest
from sklearn.metrics import f1_score

import bench_app.cli as cli
from bench_app.core.runs import run_procedure
from bench_app.core.runs.procedures.tick import TickParams, TickProcedure
from bench_app.core.store import RunStore
from bench_app.testing.corpus_documents import (
    CLASS_NAMES,
    corpus_documents,
    store_documents,
    synthetic_records,
)


@pytest.fixture
def main(monkeypatch):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("bench_app.cli.runs_cmd",))
    return cli.main


@pytest.fixture
def corpus_store(tmp_path):
    records = synthetic_records(40, seed=3, model_error=0.3, acoustic_flip=0.2,
                                firmware_flip=0.05, missing_board=2)
    docs = corpus_documents(records, bootstrap_resamples=100, seed=3)
    with RunStore.open(tmp_path / "store") as store:
        uid = store_documents(store, docs)
        tick = run_procedure(TickProcedure(TickParams(count=2)), [store.subscriber()])
        summary = store.get_run(uid).summary
    return tmp_path / "store", uid, tick.uid, records, docs, summary


def _read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _f1s(y_true, y_pred):
    present = sorted(set(y_true) | set(y_pred))
    return {avg: f1_score(y_true, y_pred, labels=present, average=avg, zero_division=0)
            for avg in ("macro", "micro", "weighted")}


def test_export_f1_recomputed_by_sklearn_equals_stored_summary(main, corpus_store, tmp_path,
                                                               capsys):
    store, uid, _, records, docs, summary = corpus_store
    out = tmp_path / "clips.csv"
    assert main(["runs", "export", uid[:8], "--csv", str(out), "--store", str(store)]) == 0
    assert "40 clips" in capsys.readouterr().out
    rows = _read(out)
    assert len(rows) == len(records)
    assert [r["utterance"] for r in rows] == [r["utterance"] for r in records]
    scored = [r for r in rows if r["board"]]
    assert len(scored) == 38  # two clips had no board answer: empty cells, not guesses
    board = _f1s([r["label"] for r in scored], [r["board"] for r in scored])
    assert board["macro"] == pytest.approx(summary["macro_f1"], abs=1e-12)
    assert board["micro"] == pytest.approx(summary["micro_f1"], abs=1e-12)
    assert board["weighted"] == pytest.approx(summary["weighted_f1"], abs=1e-12)
    twin = _f1s([r["label"] for r in rows], [r["twin_clean"] for r in rows])
    assert twin["macro"] == pytest.approx(summary["twin_macro_f1"], abs=1e-12)
    pcm = _f1s([r["label"] for r in rows], [r["twin_board_pcm"] for r in rows])
    assert pcm["macro"] == pytest.approx(
        summary["answers"]["twin_board_pcm"]["macro_f1"], abs=1e-12)


def test_export_scores_match_stored_arrays_and_argmax_is_the_answer(main, corpus_store,
                                                                    tmp_path):
    store, uid, _, records, docs, _ = corpus_store
    out = tmp_path / "clips.csv"
    assert main(["runs", "export", uid, "--csv", str(out), "--store", str(store)]) == 0
    rows = _read(out)
    events = [d for k, d in docs if k == "event" and d["stream"] == "clips"]
    for row, event in zip(rows, events, strict=True):
        for answer in ("board", "twin_clean", "twin_board_pcm"):
            cells = [row[f"{answer}_score_{c}"] for c in CLASS_NAMES]
            sent = event["arrays"].get(f"{answer}_scores")
            if sent is None:
                assert cells == [""] * len(CLASS_NAMES) and row[answer] == ""
                continue
            values = np.array([float(c) for c in cells])
            np.testing.assert_array_equal(values, sent.astype(np.float64))  # bit-exact
            assert CLASS_NAMES[int(np.argmax(values))] == row[answer]


def test_export_refuses_overwrite_and_non_corpus_run(main, corpus_store, tmp_path, capsys):
    store, uid, tick_uid, *_ = corpus_store
    out = tmp_path / "clips.csv"
    out.write_text("keep me")
    assert main(["runs", "export", uid, "--csv", str(out), "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and out.read_text() == "keep me"
    assert main(["runs", "export", uid, "--csv", str(out), "--store", str(store),
                 "--force"]) == 0
    assert out.read_text().startswith("index,utterance,speaker,session,label,board,")
    other = tmp_path / "tick.csv"
    assert main(["runs", "export", tick_uid, "--csv", str(other), "--store", str(store)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a corpus run" in err[0] and not other.exists()


def test_export_of_an_interrupted_run_keeps_its_clips(main, tmp_path, capsys):
    records = synthetic_records(6, seed=1)
    docs = corpus_documents(records, status="interrupted")
    with RunStore.open(tmp_path / "s") as store:
        uid = store_documents(store, docs)
    out = tmp_path / "part.csv"
    assert main(["runs", "export", uid, "--csv", str(out), "--store", str(tmp_path / "s")]) == 0
    assert len(_read(out)) == 6 and "(interrupted)" in capsys.readouterr().out
