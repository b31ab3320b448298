"""The Runs view over a store of runs made here: sort, filter, open, compare, export.

The runs are written by the core's controller and store subscriber from a small procedure
that yields an alignment-shaped summary (the numbers of the core's own relative-error
metric on a perturbed spectrogram); the view is checked against what the store returns.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bench_app.core.analysis.relerr import mean_relative_error, nanmean_along
from bench_app.core.runs import Event, run_procedure
from bench_app.core.store import RunStore


@dataclasses.dataclass(frozen=True)
class _Params:
    gain: float


class _FakeAlignment:
    """Board frames = reference frames times ``gain`` in channel 3; summary as the run's."""

    name = "alignment"

    def __init__(self, gain: float) -> None:
        self.params = _Params(gain)

    def board_info(self):
        return {"board": "test", "device": "none"}

    def execute(self, ctx):
        rng = np.random.default_rng(0)
        ref = rng.integers(100, 600, size=(300, 32)).astype(np.uint16)
        board = ref.astype(np.float64)
        board[:, 3] *= self.params.gain
        board = np.round(board).astype(np.uint16)
        stats = mean_relative_error(board, ref)
        err = np.where(ref >= stats.floor, np.abs(board - ref.astype(float)) / ref, np.nan)
        summary = {"mean_relative_error": stats.mean, "pass": stats.mean < 0.05,
                   "reasons": [f"MRE {stats.mean:.4f}"], "delay_samples": 10}
        yield Event("summary", summary, {
            "reference_frames": ref, "board_frames": board,
            "parity_per_channel": nanmean_along(err, 0), "parity_over_time": nanmean_along(err, 1)})
        return summary


@pytest.fixture
def runs_view(qtbot, tmp_path):
    from bench_app.ui.app import build_window, create_application

    store = RunStore.open(tmp_path / "store")
    for gain in (1.0, 1.5, 1.2):
        run_procedure(_FakeAlignment(gain), [store.subscriber()])
    store.close()
    create_application()
    w = build_window(str(tmp_path / "store"), str(tmp_path / "s.ini"))
    qtbot.addWidget(w)
    view = w.show_job("Runs")
    yield w, view
    w.close()


def test_sort_filter_compare_export(runs_view, tmp_path):
    w, view = runs_view
    store = w.store
    records = {r.uid: r for r in store.list_runs()}
    assert sorted(view.uids_shown()) == sorted(records)
    # sort by the key figure (parity MRE), ascending
    from PySide6.QtCore import Qt

    view.table.sortByColumn(5, Qt.SortOrder.AscendingOrder)
    by_mre = sorted(records, key=lambda u: records[u].summary["mean_relative_error"])
    assert view.uids_shown() == by_mre
    # filter on a verdict
    view.filter_edit.setText("fail")
    assert set(view.uids_shown()) == {u for u, r in records.items() if r.verdict == "fail"}
    view.filter_edit.setText("")
    # compare the best and the worst run: the deltas are the stored figures' differences
    a, b = by_mre[0], by_mre[-1]
    view.compare(a, b)
    table = view.figures.deltas
    rows = {table.item(i, 0).text(): [table.item(i, j).text() for j in (1, 2, 3)]
            for i in range(table.rowCount())}
    mre_a = 100 * records[a].summary["mean_relative_error"]
    mre_b = 100 * records[b].summary["mean_relative_error"]
    got = rows["pipeline parity MRE (%)"]
    assert float(got[0]) == pytest.approx(mre_a, rel=1e-3)
    assert float(got[1]) == pytest.approx(mre_b, rel=1e-3)
    assert float(got[2]) == pytest.approx(mre_b - mre_a, rel=1e-3, abs=1e-9)
    # overlaid per-channel curves: one per run, values as stored
    curves = view.figures.per_channel.getPlotItem().listDataItems()
    assert len(curves) == 2
    stored = store.documents(b, "summary", kind="event", load_arrays=True)[0].doc["arrays"]
    np.testing.assert_allclose(curves[1].yData, 100 * stored["parity_per_channel"])
    # the two runs' spectrograms side by side (A left, B right), one time axis, one cursor
    figures = view.figures
    assert figures.spectrograms_b.isVisibleTo(figures)
    stored_a = store.documents(a, "summary", kind="event", load_arrays=True)[0].doc["arrays"]
    np.testing.assert_array_equal(figures.spectrograms.plots[1]._data,
                                  stored_a["board_frames"].astype(np.float32))
    np.testing.assert_array_equal(figures.spectrograms_b.plots[1]._data,
                                  stored["board_frames"].astype(np.float32))
    figures.spectrograms.set_cursor(1.25)
    assert all(s.cursor.value() == 1.25 for s in figures.spectrograms_b.plots)
    figures.spectrograms_b.plots[0].plot.setXRange(0.5, 1.5, padding=0)
    assert figures.spectrograms.plots[2].plot.getPlotItem().viewRange()[0] == \
        pytest.approx([0.5, 1.5])
    # one run alone: no second column
    view.open_run(a)
    assert not figures.spectrograms_b.isVisibleTo(figures)
    # export: PDF, and raw data only
    pdf = tmp_path / "out" / "r.pdf"
    pdf.parent.mkdir()
    written = view.export_run(b, str(pdf), 1)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert any(p.suffix == ".csv" for p in written)
    raw = view.export_run(a, str(tmp_path / "raw_only"), 2)
    assert raw and all(p.parent == tmp_path / "raw_only" for p in raw)


def test_compare_needs_two_runs(runs_view):
    w, view = runs_view
    view.select_uids(view.uids_shown()[:1])
    view.compare_selected()
    assert "two runs" in w.errors.last_message


def test_export_through_the_file_dialog(runs_view, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from bench_app.ui.views.runs import EXPORT_FILTERS

    w, view = runs_view
    target = tmp_path / "dialog" / "chosen.html"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), EXPORT_FILTERS[0])))
    uid = view.uids_shown()[0]
    view.select_uids([uid])
    got = []
    view.exported.connect(got.append)
    view.export()
    assert target.is_file() and uid in target.read_text()
    assert got and target in got[0]


def test_switching_the_run_store(runs_view, tmp_path):
    w, view = runs_view
    other = tmp_path / "other_store"
    assert w.open_store(str(other))
    assert view.uids_shown() == []
    assert w.settings.store_dir == str(other)
