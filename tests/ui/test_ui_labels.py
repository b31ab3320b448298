"""The window writes a run's figures as the report does: same labels, same cell text.

The stored latency summary of a synthetic run (`report.samples.latency_input`, whose stats come
from `summarize_latency`) fills the window's percentile table; each cell must equal the
report's latency table cell for the same series and statistic. The runs list's key figure and
the comparison headlines use the report's label for the parity MRE.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bench_app.core.labels import LATENCY_SERIES, STAT_LABELS, label_for
from bench_app.core.report.content import latency_table
from bench_app.core.report.metrics import metric_rows
from bench_app.core.report.samples import alignment_input, latency_input


def test_percentile_table_cells_are_the_reports(qtbot):
    from bench_app.ui.widgets.stats_widgets import PercentileTable

    inp = latency_input(seed=5, count=60)
    report = {row[0]: row[1:] for row in latency_table(inp).rows}
    columns = [s.label.brief for s in LATENCY_SERIES]
    table = PercentileTable(columns)
    qtbot.addWidget(table)
    for s in LATENCY_SERIES:
        table.set_column(s.label.brief, inp.summary["series"][s.stored])
    for s in LATENCY_SERIES:
        for i, label in enumerate(STAT_LABELS.values()):
            assert table.text(label.text, s.label.brief) == report[s.label.text][i]


def test_key_figure_and_headlines_use_the_reports_label(qtbot):
    from bench_app.ui.run_figures import headline_values
    from bench_app.ui.views.runs import key_figure

    inp = alignment_input()
    mre = inp.summary["mean_relative_error"]
    report = {label: (shown, unit) for label, shown, unit in metric_rows(inp.summary)}
    label = label_for("mean_relative_error")
    shown, unit = report[label.text]
    text, sort_key = key_figure(SimpleNamespace(summary=inp.summary))
    assert text == f"{label.text} {shown} {unit}" and sort_key == mre
    values = headline_values(inp)
    assert values[f"{label.text} ({unit})"] == pytest.approx(mre * 100)
