"""`bench-app train ablation`: every variant trained and scored, the table printed and written."""

import json

import pytest

from bench_app.cli import main


@pytest.mark.slow
def test_ablation_prints_and_writes_the_table(tiny_npz, tmp_path, capsys):
    out = tmp_path / "abl"
    rc = main(["train", "ablation", "--features", str(tiny_npz), "--dims", "tiny", "--epochs",
               "1", "--kws-epochs", "1", "--out", str(out)])
    assert rc == 0
    table = json.loads((out / "ablation.json").read_text())
    rows = [(r["variant"], r["augmentation"]) for r in table["rows"]]
    assert rows == [(v, aug) for v in ("acoustic", "keyword", "early", "late")
                    for aug in (False, True)]
    for r in table["rows"]:
        assert 0.0 <= r["macro_f1"] <= 1.0 and 0.0 <= r["micro_f1"] <= 1.0
    captured = capsys.readouterr()
    printed = captured.out
    # the progress line names the row being trained, and the shared keyword backbone
    assert "keyword backbone epoch 1/1" in captured.err
    assert "late (no aug) epoch 1/1" in captured.err and "early epoch 1/1" in captured.err
    md = (out / "ablation.md").read_text()
    for r in table["rows"]:
        assert f"{r['macro_f1']:.3f}" in printed and f"{r['micro_f1']:.3f}" in md


def test_ablation_without_data_is_a_usage_error(capsys):
    assert main(["train", "ablation", "--out", "x"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("bench-app: error: one of the arguments --features --corpus")
