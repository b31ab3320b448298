"""The one label/unit table (`bench_app.core.labels`) covers what runs really store, and the CLI
and the report write a run's figures with the same label, number and unit.

Three real runs on the virtual board (``--fast``, short bursts) go into a temporary store: an
acoustic and an injected alignment and a latency run. Their stored summaries are read back from
the store, so a key a procedure starts storing without a label in the table fails here.
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from bench_app.cli import main
from bench_app.cli.run_cmd import _print_text
from bench_app.core.labels import (
    ALIGNMENT_HEADLINES,
    LATENCY,
    LATENCY_SERIES,
    STAT_LABELS,
    figure_text,
    is_known,
    label_for,
)
from bench_app.core.report.content import latency_table, metric_tables
from bench_app.core.report.load import load_report_input
from bench_app.core.report.metrics import flatten
from bench_app.core.store import RunStore

#: Front-end configs are shown under their own ``fe.*`` names, in the configs table.
CONFIG_SECTIONS = ("host_frontend", "board_frontend")


def _run(store, *args: str) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["run", *args, "--device", "sim", "--sim=--fast", "--json", "--store", str(store)])
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> dict[str, tuple[dict, dict]]:
    """{name: (the CLI's JSON, the summary as the store holds it)} for three real runs."""
    store = tmp_path_factory.mktemp("label_store")
    runs = {"acoustic": _run(store, "alignment", "--burst-s", "0.05"),
            "injected": _run(store, "alignment", "--path", "injected", "--burst-s", "0.05"),
            "latency": _run(store, "latency", "--count", "3")}
    with RunStore.open(store) as st:
        return {name: (out, st.get_run(out["run_id"]).summary or {})
                for name, out in runs.items()}


@pytest.mark.parametrize("name", ["acoustic", "injected", "latency"])
def test_every_stored_summary_key_has_a_label(stored, name):
    out, summary = stored[name]
    assert out["status"] == "success", out["reason"]
    keys = [k for k, _ in flatten(summary) if k.split(".")[0] not in CONFIG_SECTIONS]
    assert len(keys) > 20
    missing = [k for k in keys if not is_known(k)]
    assert not missing, f"keys without a label in bench_app/core/labels.py: {missing}"


def test_cli_and_report_write_the_alignment_headline_alike(stored, capsys):
    out, summary = stored["acoustic"]
    _print_text(out)
    cli = capsys.readouterr().out.splitlines()
    report = {label: (shown, unit) for table in metric_tables(summary)[:1]
              for label, shown, unit in table.rows}
    for key in ALIGNMENT_HEADLINES:
        label, shown, unit = figure_text(key, summary.get(key), summary)
        assert report[label] == (shown, unit), key
        assert f"  {label:<22} {f'{shown} {unit}' if unit else shown}" in cli, key
        value = summary.get(key)
        if isinstance(value, float) and unit not in ("dB", "dBFS"):  # 4 significant digits
            number = value * label_for(key).factor
            assert float(shown) == pytest.approx(number, rel=1e-3, abs=1e-9), key


def test_cli_and_report_name_the_latency_series_alike(stored, capsys):
    out, summary = stored["latency"]
    _print_text(out)
    cli = capsys.readouterr().out
    with RunStore.open(out["store"]) as st:
        inp = load_report_input(st, out["run_id"])
    table = latency_table(inp)
    assert table is not None
    assert table.columns[1:] == tuple(
        k if k == "n" else f"{label.text} ({label.unit})" for k, label in STAT_LABELS.items())
    rows = {row[0]: row[1:] for row in table.rows}
    assert set(rows) == {s.label.text for s in LATENCY_SERIES}
    for name, stats in summary["percentiles_ms"].items():
        series = LATENCY[name]
        cells = rows[series.label.text]
        p99 = STAT_LABELS["p99_ms"]
        # the report's p99 cell and the CLI's p99 are the same text of the same stored number
        assert cells[list(STAT_LABELS).index("p99_ms")] == p99.value_text(stats["p99_ms"])
        assert f"{series.label.brief} (ms)" in cli
        assert f"p99 {p99.value_text(stats['p99_ms'])}" in cli
        assert float(p99.value_text(stats["p99_ms"])) == pytest.approx(stats["p99_ms"], abs=0.005)


def test_runs_show_labels_the_stored_summary_as_the_report_does(stored, capsys):
    out, summary = stored["acoustic"]
    assert main(["runs", "show", out["run_id"], "--store", out["store"]]) == 0
    text = capsys.readouterr().out
    shown_rows = [line.split() for line in text.split("summary:\n", 1)[1].splitlines()]
    report_rows = [row for table in metric_tables(summary) for row in table.rows]
    for key in ALIGNMENT_HEADLINES:
        label, shown, unit = figure_text(key, summary.get(key), summary)
        assert (label, shown, unit) in report_rows, key
        assert [*label.split(), *shown.split(), *unit.split()] in shown_rows, key
