"""The report's corpus section, on a corpus run stored through the real store subscriber.

The run's documents come from `bench_app.testing.corpus_documents` (figures by
`corpus_metrics`); the report's tables are read back from its HTML and checked against
scikit-learn on the clip records themselves, and against what the run stored.
"""

from __future__ import annotations

import csv
import html

import pytest
from sklearn.metrics import confusion_matrix, f1_score

from bench_app.core.report import write_report
from bench_app.core.report.blocks import FigureBlock, Table
from bench_app.core.report.content import build_blocks
from bench_app.core.report.load import load_report_input
from bench_app.core.store import RunStore
from bench_app.testing.corpus_documents import (
    CLASS_NAMES,
    corpus_documents,
    store_documents,
    sweep_records,
    synthetic_records,
)
from bench_app.testing.report_html import table_rows

SETTINGS = {"noise_dbfs=-70": 40.0, "noise_dbfs=-50": 20.0, "noise_dbfs=-40": 10.0}
SKIPPED = [{"clip_id": "Ses01F_bad", "reason": "the WAV file is truncated."}]


@pytest.fixture(scope="module")
def sweep_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus_report")
    records = sweep_records(SETTINGS, 24, seed=5)
    records[3]["board"] = next(c for c in CLASS_NAMES if c != records[3]["twin_board_pcm"])
    docs = corpus_documents(records, sweep_snr_db=SETTINGS, skipped=SKIPPED,
                            bootstrap_resamples=100, seed=5)
    with RunStore.open(folder / "store") as store:
        uid = store_documents(store, docs)
        inp = load_report_input(store, uid)
    files = write_report(inp, html=folder / "r.html", pdf=folder / "r.pdf",
                         raw_dir=folder / "raw", made_at="test")
    return records, inp, files


def _f1(records, key):
    kept = [r for r in records if r[key] is not None]
    y, p = [r["label"] for r in kept], [r[key] for r in kept]
    return f1_score(y, p, labels=sorted(set(y) | set(p)), average="macro", zero_division=0)


def test_scores_table_equals_sklearn_on_the_records(sweep_run):
    records, _, files = sweep_run
    text = files.html.read_text(encoding="utf-8")
    scores = table_rows(text, "Scores")
    board, twin, pcm = (float(v) for v in scores["macro F1"])
    assert board == pytest.approx(_f1(records, "board"), abs=5e-4)
    assert twin == pytest.approx(_f1(records, "twin_clean"), abs=5e-4)
    assert pcm == pytest.approx(_f1(records, "twin_board_pcm"), abs=5e-4)
    low, high = (float(x) for x in html.unescape(scores["macro F1, 95 % bootstrap interval"][0])
                 .split("–"))
    assert low <= board <= high and low < high
    drop = table_rows(text, "Where the F1 goes")
    total, acoustic, firmware = (float(drop[k][0]) for k in (
        "twin on clean → board (total)",
        "acoustic path: twin on clean → twin on board PCM",
        "firmware / runtime: twin on board PCM → board"))
    assert total == pytest.approx(twin - board, abs=2e-3)
    assert acoustic + firmware == pytest.approx(total, abs=2e-3)
    changed = sum(r["board"] != r["twin_board_pcm"] for r in records)
    assert changed == 1 and drop["firmware / runtime: twin on board PCM → board"][1] == "1"
    assert "does not match the host model" in text  # the firmware flip is called out


def test_confusion_figure_flipped_sweep_and_skipped(sweep_run):
    records, inp, files = sweep_run
    blocks = build_blocks(inp, made_at="test")
    titles = [b.title for b in blocks if isinstance(b, FigureBlock)]
    assert titles == ["Confusion matrices", "F1 per class", "Macro F1 over clips",
                      "Sweep: macro F1 against SNR"]
    stored = inp.summary["answers"]["board"]["confusion"]
    expected = confusion_matrix([r["label"] for r in records], [r["board"] for r in records],
                                labels=list(CLASS_NAMES))
    assert stored == expected.tolist()  # what the figure draws is sklearn's matrix
    tables = {b.title: b for b in blocks if isinstance(b, Table)}
    flipped = [r for r in records if r["board"] != r["twin_clean"]]
    shown = tables[f"Flipped clips ({len(flipped)})"]
    assert len(shown.rows) == min(len(flipped), 40) and shown.columns[-1] == "setting"
    first = flipped[0]
    assert shown.rows[0][:6] == (str(first["index"]), first["clip_id"], first["label"],
                                 first["twin_clean"], first["twin_board_pcm"], first["board"])
    assert shown.rows[0][-1] == first["setting"]
    sweep = tables["Sweep"]
    assert [r[0] for r in sweep.rows] == list(SETTINGS)
    for row in sweep.rows:
        subset = [r for r in records if r["setting"] == row[0]]
        assert float(row[2]) == pytest.approx(_f1(subset, "board"), abs=5e-4)
        assert float(row[3]) == pytest.approx(_f1(subset, "twin_clean"), abs=5e-4)
    assert tables["Skipped clips (1)"].rows == (("Ses01F_bad", "the WAV file is truncated."),)
    per_speaker = tables["Per speaker"]
    assert sum(int(r[1]) for r in per_speaker.rows) == len(records)


def test_pdf_and_raw_clips(sweep_run):
    records, _, files = sweep_run
    assert files.pdf.read_bytes().startswith(b"%PDF") and files.pdf_pages >= 3
    clips = next(p for p in files.raw if p.name == "clips.csv")
    with clips.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["clip_id"] for r in rows] == [r["clip_id"] for r in records]


def test_unfinished_run_shows_its_last_live_figures(tmp_path):
    records = synthetic_records(9, seed=2)
    docs = corpus_documents(records, status="interrupted")
    with RunStore.open(tmp_path / "s") as store:
        inp = load_report_input(store, store_documents(store, docs))
    blocks = build_blocks(inp, made_at="test")
    text = " ".join(getattr(b, "text", "") for b in blocks)
    assert "did not finish" in text and "(9 clips)" in text
    scores = next(b for b in blocks if isinstance(b, Table) and b.title == "Scores")
    assert float(dict((r[0], r[1]) for r in scores.rows)["macro F1"]) == pytest.approx(
        _f1(records, "board"), abs=5e-4)
