"""The Latency view: live board split and host onset-to-result, histogram, percentiles, budget.

Each ``results`` event of a latency run carries the board's split (``frontend_us``,
``invoke_us``, ``total_us``) and the host's ``onset_to_result_ms``; they go into ring buffers
and a 40 ms timer redraws the series and the histogram; the percentile table shows the run's
own ``metrics`` events (running `latency_stats` of every result so far, computed by the
procedure and stored with the run), so the window computes no figure.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from bench_app.core.labels import LATENCY_SERIES
from bench_app.core.model import UNTRAINED_NOTE
from bench_app.core.model import untrained as model_untrained

from ..ring_buffer import RingBuffer
from ..run_documents import CurrentRunDocuments
from ..widgets.notes_label import WARN_STYLE, NotesLabel
from ..widgets.plots import PALETTE, budget_line, fast_curve, make_plot, move_budget_line
from ..widgets.run_controls import RunControls
from ..widgets.stats_widgets import Histogram, PercentileTable

REFRESH_MS = 30  # 33 redraws per second at most
CAPACITY = 100_000
#: (column name, results field, scale to ms, colour), labels from `bench_app.core.labels`
SERIES = tuple(
    (s.label.brief, s.result_field, s.to_ms, colour)
    for s, colour in zip(LATENCY_SERIES, (PALETTE[0], PALETTE[2], PALETTE[3], PALETTE[1]),
                         strict=True)
)
#: The table's columns and the series of the run's latency ``metrics`` events they show.
METRIC_SERIES = {"board total": "total", "board front end": "frontend",
                 "board invoke": "invoke", "host onset→result": "onset_to_result"}


class LatencyView(QWidget):
    """Controls and table on the left; series and histogram on the right."""

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.buffers = {name: RingBuffer(CAPACITY) for name, *_ in SERIES}
        self._run_uid: str | None = None
        self._drawn_version = -1
        self.metrics: dict = {}  # the run's latest latency metrics event (the table shows it)
        self._metrics_version = 0
        self._last_end: int | None = None
        self.budget_ms: float | None = None
        self.count = QSpinBox()
        self.count.setRange(1, 100_000)
        self.count.setValue(50)
        self.count.setSuffix(" inferences")
        self.output = QComboBox()
        self.output.addItem("virtual speaker (pink noise)", "virtual")
        self.output.addItem("none (the microphone as it is)", "none")
        self.level = QDoubleSpinBox()
        self.level.setRange(-80.0, 0.0)
        self.level.setValue(-30.0)
        self.level.setSuffix(" dBFS RMS")
        self.run_controls = RunControls(ctx, "latency", self.make_procedure)
        self.table = PercentileTable([name for name, *_ in SERIES],
                                     ["board\ntotal", "board\nfront end", "board\ninvoke",
                                      "host onset\n→ result"])
        self.budget_label = QLabel("Real-time budget: the window hop (set by the run).")
        self.budget_label.setWordWrap(True)
        self.model_label = QLabel("")
        self.model_label.setWordWrap(True)
        self.notes_label = NotesLabel()
        form = QFormLayout()
        form.addRow("Count", self.count)
        form.addRow("Audio", self.output)
        form.addRow("Level", self.level)
        left = QWidget()
        left.setMaximumWidth(520)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(form)
        ll.addWidget(self.run_controls)
        ll.addWidget(self.model_label)
        ll.addWidget(self.budget_label)
        ll.addWidget(self.table, 1)
        ll.addWidget(self.notes_label)
        self.series_plot = make_plot("latency per inference", ("inference", None),
                                     ("latency", "ms"), legend=True, legend_columns=2)
        self.curves = {name: fast_curve(self.series_plot, name, colour, symbol="o")
                       for name, _, _, colour in SERIES}
        self.series_budget = None
        self.histogram = Histogram("latency histogram")
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.series_plot, 3)
        rl.addWidget(self.histogram, 2)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([420, 860])
        QHBoxLayout(self).addWidget(split)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh_plots)
        self.refreshes = 0
        self._on_document = _LatencyDocuments(self, lambda: self._run_uid)
        ctx.bridge.document.connect(self._on_document)
        ctx.bridge.started.connect(self._on_started)

    def set_output_devices(self, devices: list[tuple[str, str]]) -> None:
        """Offer these sound outputs (listed in the background at start)."""
        for label, value in devices:
            if self.output.findData(value) < 0:
                self.output.addItem(f"{label} (pink noise)", value)

    # ---- run control ----------
    def make_procedure(self):
        """The latency procedure on the window's board."""
        from bench_app.core.runs.procedures.latency.procedure import LatencyParams, LatencyProcedure

        session = self.ctx.session()
        params = LatencyParams(device=session.device, count=int(self.count.value()),
                               output=self.output.currentData(), level_dbfs=self.level.value())
        return LatencyProcedure(params, session)

    def start(self) -> bool:
        """Start a latency run on the connected board."""
        return self.run_controls.start()

    def on_board(self, session) -> None:
        """Say which model the board runs (latency needs one)."""
        if session is None:
            self.model_label.setText("")
            return
        sha = session.info.model_sha256
        if not sha:
            self.model_label.setText(
                "The board runs no model, so it sends no results: latency cannot be measured.")
            self.model_label.setStyleSheet("")
            return
        untrained = model_untrained(session.info)  # the one rule: bench_app.core.model
        said = f" — {UNTRAINED_NOTE}" if untrained else ""
        self.model_label.setText(f"Board model: {sha[:16]}…{said} (see the Model view).")
        self.model_label.setStyleSheet(WARN_STYLE if untrained else "")

    def show_notes(self, summary: dict | None) -> None:
        """Show a run summary's notes (untrained model, clock caveats) under the table."""
        self.notes_label.set_notes(str(n) for n in (summary or {}).get("notes") or () if n)

    # ---- documents ----------
    def _on_started(self, uid: str, procedure: str) -> None:
        if procedure != "latency":
            return
        self._run_uid = uid
        for b in self.buffers.values():
            b.clear()
        self.metrics = {}
        self._metrics_version += 1
        self._drawn_version = -1
        self._last_end = None
        self.show_notes(None)
        self.run_controls.progress.setValue(0)
        self.timer.start()

    def _on_stop(self, doc) -> None:
        if isinstance(doc.get("summary"), dict):
            self.show_notes(doc["summary"])
        self.timer.stop()
        self.refresh_plots()
        self._run_uid = None

    def add_result(self, data: dict) -> None:
        """Add one inference's figures to the series."""
        for name, key, scale, _ in SERIES:
            v = data.get(key)
            self.buffers[name].append(float(v) * scale if isinstance(v, int | float) else np.nan)
        self._take_budget(data)
        end = data.get("window_end_sample")
        if isinstance(end, int) and self._last_end is not None and end > self._last_end:
            info = self.ctx.board_info()
            rate = float(getattr(info, "sample_rate_hz", 0) or 16000)
            self.set_budget(1000.0 * (end - self._last_end) / rate)  # the hop, live
        self._last_end = end if isinstance(end, int) else None

    def _take_budget(self, data: dict) -> None:
        for key in ("budget_ms", "hop_ms"):
            v = data.get(key)
            if isinstance(v, int | float) and v > 0:
                self.set_budget(float(v))
                return
        v = data.get("hop_s")
        if isinstance(v, int | float) and v > 0:
            self.set_budget(1000.0 * float(v))

    def set_budget(self, budget_ms: float) -> None:
        """Draw the real-time budget (the window hop) on the series."""
        if self.budget_ms == budget_ms:
            return
        self.budget_ms = budget_ms
        if self.series_budget is None:
            self.series_budget = budget_line(self.series_plot, budget_ms,
                                             f"real-time budget {budget_ms:g} ms")
        else:
            move_budget_line(self.series_budget, budget_ms, f"real-time budget {budget_ms:g} ms")
        self.budget_label.setText(
            f"Real-time budget: {budget_ms:g} ms (the window hop); a board total above it "
            "falls behind the audio.")

    # ---- drawing ----------
    def refresh_plots(self) -> None:
        """Timer tick: redraw series, histogram and table when new results arrived."""
        self.refreshes += 1
        version = sum(b.version for b in self.buffers.values()) + self._metrics_version
        if version == self._drawn_version:
            return
        self._drawn_version = version
        hist = {}
        series = self.metrics.get("series") or {}
        for name, _, _, colour in SERIES:
            values, first = self.buffers[name].snapshot()
            x = first + np.arange(len(values))
            self.curves[name].setData(x, values)
            stats = series.get(METRIC_SERIES[name])
            self.table.set_column(name, stats if stats and stats.get("n") else None)
            if name in ("board total", "host onset→result") and np.isfinite(values).any():
                hist[name] = (values[np.isfinite(values)], colour)
        if hist:
            self.histogram.set_series(hist)

    def shutdown(self) -> None:
        """Stop the timer."""
        self.timer.stop()


class _LatencyDocuments(CurrentRunDocuments):
    """The current latency run's documents, to the view: results, progress, budget, notes."""

    def event_results(self, doc) -> None:
        self.view.add_result(doc.get("data") or {})

    def event_progress(self, doc) -> None:
        self.view.run_controls.show_progress(doc.get("data") or {})

    def event_metrics(self, doc) -> None:
        data = doc.get("data") or {}
        if data.get("metric") == "latency":
            self.view.metrics = data
            self.view._metrics_version += 1

    def event_budget(self, doc) -> None:
        self.view._take_budget(doc.get("data") or {})

    event_config = event_budget

    def event_summary(self, doc) -> None:
        data = doc.get("data") or {}
        self.view._take_budget(data)
        self.view.show_notes(data)

    def stop(self, doc) -> None:
        self.view._on_stop(doc)
