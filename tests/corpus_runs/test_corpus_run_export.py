"""A real corpus run through the CLI, stored, exported as CSV and re-scored by scikit-learn."""

from __future__ import annotations

import csv
import json

import pytest
from sklearn.metrics import f1_score

from bench_app.cli import main


def test_run_corpus_cli_then_export_csv_matches_sklearn(tiny_corpus, tmp_path, capsys):
    store = str(tmp_path / "store")
    status = main(["run", "corpus", "--device", "sim", "--sim=--fast",
                   "--corpus", f"synthetic:{tiny_corpus}", "--path", "injected",
                   "--limit", "6", "--store", store, "--json"])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert status == 0 and out["status"] == "success", out
    for key in ("run_id", "clips", "macro_f1", "micro_f1", "weighted_f1", "ua", "wa",
                "per_class", "twin_macro_f1", "agreement", "flipped"):
        assert key in out, key
    assert out["clips"] == 6 and out["agreement"] == 1.0

    path = tmp_path / "clips.csv"
    assert main(["runs", "export", out["run_id"], "--csv", str(path), "--store", store]) == 0
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 6
    assert all(r["board"] == r["twin_board_pcm"] for r in rows)
    labels, board = [r["label"] for r in rows], [r["board"] for r in rows]
    present = sorted(set(labels) | set(board))
    for average in ("macro", "micro", "weighted"):
        expected = f1_score(labels, board, labels=present, average=average, zero_division=0)
        assert out[f"{average}_f1"] == pytest.approx(expected, abs=1e-12), average
