"""The Runs view: the store's runs in a sortable, filterable table; open, compare, export."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bench_app.core.labels import LATENCY, STAT_LABELS, figure_text

from ..run_figures import RunFigures

COLUMNS = ("started", "procedure", "status", "verdict", "duration (s)", "key figure",
           "board", "run id")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
UID_ROLE = Qt.ItemDataRole.UserRole + 2
EXPORT_FILTERS = ("HTML report (*.html)", "PDF report (*.pdf)", "Raw data folder (*)")


def key_figure(record) -> tuple[str, float]:
    """The one number that says most about a run, as text and as a sort key."""
    s = record.summary or {}
    mre = s.get("mean_relative_error")
    if isinstance(mre, int | float) and math.isfinite(mre):
        label, shown, unit = figure_text("mean_relative_error", mre)
        return f"{label} {shown} {unit}", float(mre)
    series = s.get("series") if isinstance(s.get("series"), dict) else {}
    p99 = STAT_LABELS["p99_ms"]
    for name in ("total", "onset_to_result"):
        block = series.get(LATENCY[name].stored)
        if isinstance(block, dict) and isinstance(block.get("p99_ms"), int | float):
            return (f"{LATENCY[name].label.brief} {p99.text} {p99.value_text(block['p99_ms'])} "
                    f"{p99.unit}", float(block["p99_ms"]))
    if isinstance(s.get("p99_ms"), int | float):
        return f"{p99.text} {p99.value_text(s['p99_ms'])} {p99.unit}", float(s["p99_ms"])
    return "", math.inf


def _item(text: str, sort_value=None, uid: str | None = None) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    item.setData(text if sort_value is None else sort_value, SORT_ROLE)
    if uid is not None:
        item.setData(uid, UID_ROLE)
    return item


def row_items(record) -> list[QStandardItem]:
    """The table cells of one `RunRecord`."""
    started = dt.datetime.fromtimestamp(record.started).strftime("%Y-%m-%d %H:%M:%S")
    dur = record.duration_s
    fig_text, fig_key = key_figure(record)
    board = (record.board_info or {}).get("device") or (record.board_info or {}).get("board", "")
    items = [
        _item(started, record.started, record.uid), _item(record.procedure),
        _item(record.status), _item(record.verdict or ""),
        _item("" if dur is None else f"{dur:.1f}", -1.0 if dur is None else dur),
        _item(fig_text, fig_key), _item(str(board)), _item(record.short_uid),
    ]
    verdict_color = {"pass": "#15803D", "fail": "#B91C1C"}.get(record.verdict or "")
    if verdict_color:
        from PySide6.QtGui import QColor

        items[3].setForeground(QColor(verdict_color))
    return items


class _Filter(QSortFilterProxyModel):
    """Rows whose text contains the filter text in any column, of one procedure if chosen."""

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.procedure = ""
        self.setSortRole(SORT_ROLE)

    def filterAcceptsRow(self, row: int, parent) -> bool:  # noqa: N802 - Qt API
        m = self.sourceModel()
        cells = [m.index(row, c, parent).data() or "" for c in range(m.columnCount())]
        if self.procedure and cells[1] != self.procedure:
            return False
        return not self.text or any(self.text.lower() in c.lower() for c in cells)


class RunsView(QWidget):
    """Stored runs: filter, sort, open (figures again), compare two, export a report.

    Signals
    -------
    exported(list_of_paths)
        A report was written.
    """

    exported = Signal(list)

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = QStandardItemModel(0, len(COLUMNS))
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.proxy = _Filter()
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("filter: any text (id, status, verdict, board…)")
        self.filter_edit.textChanged.connect(self._on_filter)
        self.procedure_combo = QComboBox()
        self.procedure_combo.addItem("all procedures", "")
        self.procedure_combo.currentIndexChanged.connect(self._on_filter)
        buttons = {}
        for name, slot in (("Refresh", self.refresh), ("Open", self.open_selected),
                           ("Compare", self.compare_selected), ("Export report…", self.export)):
            buttons[name] = QPushButton(name)
            buttons[name].clicked.connect(slot)
        self.open_button, self.compare_button = buttons["Open"], buttons["Compare"]
        self.compare_button.setToolTip("Select two runs (Ctrl-click) to compare")
        self.export_button = buttons["Export report…"]
        self.export_button.setToolTip("Write the selected run's report: HTML, PDF or raw data")
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.procedure_combo)
        for b in buttons.values():
            top.addWidget(b)
        self.figures = RunFigures()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.figures)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([170, 530])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    # ---- table ----------
    def refresh(self) -> None:
        """Read the store's runs into the table."""
        try:
            records = self.ctx.store.list_runs()
        except Exception as exc:
            self.ctx.report_error(exc)
            return
        self.model.removeRows(0, self.model.rowCount())
        for r in records:
            self.model.appendRow(row_items(r))
        procs = sorted({r.procedure for r in records})
        current = self.procedure_combo.currentData()
        self.procedure_combo.blockSignals(True)
        self.procedure_combo.clear()
        self.procedure_combo.addItem("all procedures", "")
        for p in procs:
            self.procedure_combo.addItem(p, p)
        self.procedure_combo.setCurrentIndex(max(0, self.procedure_combo.findData(current)))
        self.procedure_combo.blockSignals(False)
        self.table.resizeColumnsToContents()

    def _on_filter(self, *_args) -> None:
        self.proxy.text = self.filter_edit.text().strip()
        self.proxy.procedure = self.procedure_combo.currentData() or ""
        self.proxy.invalidate()

    def uids_shown(self) -> list[str]:
        """Run uids in table order (after sorting and filtering)."""
        return [self.proxy.index(r, 0).data(UID_ROLE) for r in range(self.proxy.rowCount())]

    def selected_uids(self) -> list[str]:
        """Uids of the selected rows, in table order."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.proxy.index(r, 0).data(UID_ROLE) for r in rows]

    def select_uids(self, uids: list[str]) -> None:
        """Select the rows of these runs."""
        from PySide6.QtCore import QItemSelectionModel

        sel = self.table.selectionModel()
        sel.clearSelection()
        flags = (QItemSelectionModel.SelectionFlag.Select
                 | QItemSelectionModel.SelectionFlag.Rows)
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(UID_ROLE) in uids:
                sel.select(self.proxy.index(r, 0), flags)

    # ---- actions ----------
    def _load(self, uids: list[str]) -> list:
        from bench_app.core.report.load import load_report_input

        return [load_report_input(self.ctx.store, uid) for uid in uids]

    def open_run(self, uid: str) -> None:
        """Show one run's figures again."""
        try:
            self.figures.show_runs(self._load([uid]))
        except Exception as exc:
            self.ctx.report_error(exc)

    def open_selected(self) -> None:
        """Open the first selected run."""
        uids = self.selected_uids()
        if uids:
            self.open_run(uids[0])

    def compare(self, uid_a: str, uid_b: str) -> None:
        """Overlay two runs and tabulate the differences of their headline figures."""
        try:
            self.figures.show_runs(self._load([uid_a, uid_b]))
        except Exception as exc:
            self.ctx.report_error(exc)

    def compare_selected(self) -> None:
        """Compare the two selected runs (a status message otherwise)."""
        uids = self.selected_uids()
        if len(uids) != 2:
            self.ctx.report_error("Select exactly two runs to compare (Ctrl-click the second).")
            return
        self.compare(*uids)

    def export(self) -> None:
        """Ask where, then write the selected run's report (HTML, PDF or raw data)."""
        uids = self.selected_uids()
        if not uids:
            self.ctx.report_error("Select a run to export its report.")
            return
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export report", str(Path.home() / f"run_{uids[0][:8]}.html"),
            ";;".join(EXPORT_FILTERS))
        if path:
            self.export_run(uids[0], path, EXPORT_FILTERS.index(chosen) if chosen in
                            EXPORT_FILTERS else 0)

    def export_run(self, uid: str, path: str, kind: int = 0) -> list[Path]:
        """Write run ``uid``'s report to ``path``: 0 HTML, 1 PDF (each with raw data), 2 raw."""
        from bench_app.core.report import write_report
        from bench_app.core.report.load import load_report_input

        target = Path(path)
        raw_dir = target.parent / f"{target.stem}_raw" if kind < 2 else target
        try:
            inp = load_report_input(self.ctx.store, uid)
            files = write_report(inp, html=target if kind == 0 else None,
                                 pdf=target if kind == 1 else None, raw_dir=raw_dir)
        except Exception as exc:
            self.ctx.report_error(exc)
            return []
        written = [p for p in (files.html, files.pdf) if p] + list(files.raw)
        self.ctx.status(f"Report of run {uid[:8]} written: {written[0] if written else path}")
        self.exported.emit(written)
        return written
