"""A stored run's figures again, and two runs compared (overlaid curves, table of deltas).

Everything comes from `bench_app.core.report.load.load_report_input`, the same bundle the
HTML / PDF report is drawn from, so the window and the report never disagree.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from bench_app.core.labels import ALIGNMENT_HEADLINES, LATENCY, label_for

from .widgets.notes_label import NotesLabel
from .widgets.plots import PALETTE, budget_line, fast_curve, make_plot
from .widgets.spectrogram import DIFF_MAP, FEATURE_MAP, SpectrogramStack
from .widgets.stats_widgets import Histogram

#: Latency series compared between runs: (label, stored array, factor to ms).
LATENCY_SERIES = tuple((s.label.brief, s.array, s.to_ms) for s in LATENCY.values())


def headline_values(inp) -> dict[str, float | None]:
    """The headline figures of a run in their shown units (`bench_app.core.labels`), None
    where absent."""
    out: dict[str, float | None] = {}
    for key in ALIGNMENT_HEADLINES:
        label, v = label_for(key), inp.summary.get(key)
        value = float(v) * label.factor if isinstance(v, int | float) else None
        out[f"{label.text} ({label.unit})"] = value
    for label, key, scale in LATENCY_SERIES:
        a = inp.array(key)
        if a is not None and np.isfinite(a).any():
            out[f"{label} median (ms)"] = float(np.nanmedian(a) * scale)
            out[f"{label} p99 (ms)"] = float(np.nanpercentile(a, 99) * scale)
    return out


SPECTROGRAM_SPECS = [
    ("reference (host front end)", FEATURE_MAP, "feature", False),
    ("board", FEATURE_MAP, "feature", False),
    ("board − reference", DIFF_MAP, "difference", True),
]


def _follow(stack: SpectrogramStack, t: float) -> None:
    """Move ``stack``'s cursor to ``t`` unless it is there (which ends the echo)."""
    if abs(float(stack.plots[0].cursor.value()) - t) > 1e-9:
        stack.set_cursor(t)


def _same_range(stack: SpectrogramStack, rng) -> None:
    """Give ``stack`` the time range ``rng`` unless it has it (which ends the echo)."""
    plot = stack.plots[0].plot
    if plot.getPlotItem().viewRange()[0] != list(rng):
        plot.setXRange(*rng, padding=0)


def run_untrained(inp) -> bool:
    """Whether the run's board ran an untrained model (its summary or INFO says so)."""
    return inp.model_untrained()


def run_notes(inp) -> list[str]:
    """The notes a run's summary holds (at any depth) and those from loading it."""
    from bench_app.core.report.metrics import find_lists

    found = [str(n) for _, notes in find_lists(inp.summary, "notes") for n in notes if n]
    return list(dict.fromkeys(found + [str(n) for n in inp.notes if n]))


def _fmt(v: float | None) -> str:
    return "—" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{v:.4g}"


class RunFigures(QWidget):
    """Spectrograms, per-channel error, error over time, latency; one or two runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Open a run (double-click) or select two and press Compare.")
        self.title.setWordWrap(True)
        self.notes = NotesLabel()
        self._inputs: list = []
        # run A's spectrograms, and run B's beside them when two runs are compared: same
        # time axis (linked), one cursor across both
        self.spectrograms = SpectrogramStack(SPECTROGRAM_SPECS)
        self.spectrograms_b = SpectrogramStack(SPECTROGRAM_SPECS)
        for a, b in ((self.spectrograms, self.spectrograms_b),
                     (self.spectrograms_b, self.spectrograms)):
            a.cursor_moved.connect(lambda t, other=b: _follow(other, t))
            # the same time range, not pyqtgraph's X link (which lines plots up by screen
            # position, right for plots above each other, wrong for plots side by side)
            a.plots[0].plot.sigXRangeChanged.connect(
                lambda _box, rng, other=b: _same_range(other, rng))
        self.spectrogram_pair = QWidget()
        pair = QHBoxLayout(self.spectrogram_pair)
        pair.setContentsMargins(0, 0, 0, 0)
        pair.setSpacing(4)
        pair.addWidget(self.spectrograms, 1)
        pair.addWidget(self.spectrograms_b, 1)
        self.spectrograms_b.setVisible(False)
        self.per_channel = make_plot("error per channel", ("channel", None),
                                     ("mean rel. error", "%"), legend=True)
        self.over_time = make_plot("error over time", ("time", "s"),
                                   ("mean rel. error", "%"), legend=True)
        self.latency = make_plot("latency per inference", ("inference", None),
                                 ("latency", "ms"), legend=True, legend_columns=2)
        self.histogram = Histogram("latency histogram")
        self.deltas = QTableWidget(0, 4)
        self.deltas.setHorizontalHeaderLabels(["figure", "run A", "run B", "B − A"])
        self.deltas.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.deltas.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        grid = self.grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.title, 0, 0, 1, 3)
        grid.addWidget(self.notes, 4, 0, 1, 3)
        grid.addWidget(self.spectrogram_pair, 1, 0, 3, 1)
        # alignment figures and latency figures share the right-hand cells
        grid.addWidget(self.per_channel, 1, 1)
        grid.addWidget(self.over_time, 1, 2)
        grid.addWidget(self.latency, 2, 1)
        grid.addWidget(self.histogram, 2, 2)
        grid.addWidget(self.deltas, 3, 1, 1, 2)
        grid.setColumnStretch(0, 5)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 3)
        grid.setRowStretch(1, 2)
        grid.setRowStretch(2, 2)
        grid.setRowStretch(3, 3)
        self.shown: list[str] = []

    def clear(self) -> None:
        """Remove every curve."""
        for p in (self.per_channel, self.over_time, self.latency):
            p.getPlotItem().clear()
            legend = p.getPlotItem().legend
            if legend is not None:
                legend.clear()
        self.histogram.getPlotItem().clear()
        self.histogram._curves.clear()
        if self.histogram.getPlotItem().legend is not None:
            self.histogram.getPlotItem().legend.clear()
        for stack in (self.spectrograms, self.spectrograms_b):
            for s in stack.plots:
                s.set_frames(np.zeros((0, 0)), 0, 0.01)
        self.deltas.setRowCount(0)
        self.shown = []

    def show_runs(self, inputs: list) -> None:
        """Draw one run, or overlay two (A then B) with their deltas."""
        self.clear()
        if not inputs:
            return
        names = ["A", "B"][: len(inputs)]
        self.shown = [inp.uid for inp in inputs]
        reasons = [f"run {n}: {r}" for n, inp in zip(names, inputs, strict=True)
                   for r in inp.reasons()]
        self.title.setToolTip("\n".join(reasons) or "no verdict reasons stored")
        self.title.setText(" vs ".join(
            f"run {n} {inp.uid[:8]} ({inp.procedure}, {inp.run.get('status')}, "
            f"{'pass' if inp.passed() else 'fail' if inp.passed() is False else 'no verdict'}"
            f"{', model UNTRAINED' if run_untrained(inp) else ''})"
            for n, inp in zip(names, inputs, strict=True)))
        self.notes.set_notes(f"run {n}: {note}" if len(inputs) > 1 else str(note)
                             for n, inp in zip(names, inputs, strict=True)
                             for note in run_notes(inp))
        self._inputs = [i for i in inputs if i.array("reference_frames") is not None]
        stacks = (self.spectrograms, self.spectrograms_b)
        for stack, inp in zip(stacks, self._inputs, strict=False):
            name = names[inputs.index(inp)]
            self._spectrograms(stack, inp, f"run {name}" if len(inputs) > 1
                               else f"run {inp.uid[:8]}", short=len(self._inputs) > 1)
        self.spectrograms_b.setVisible(len(self._inputs) > 1)
        kinds = {inp.procedure for inp in inputs}
        alignment = kinds != {"latency"}
        latency = kinds != {"alignment"}
        for w in (self.spectrogram_pair, self.per_channel, self.over_time):
            w.setVisible(alignment)
        for w in (self.latency, self.histogram):
            w.setVisible(latency)
        # a latency-only view gives the spectrograms' column to its plots; two runs' side by
        # side spectrograms get more of the width
        self.grid.setColumnStretch(0, (10 if len(self._inputs) > 1 else 5) if alignment else 0)
        self.grid.setRowStretch(1, 2 if alignment else 0)
        self.grid.setRowStretch(2, (2 if alignment else 5) if latency else 0)
        hist = {}
        for k, (n, inp) in enumerate(zip(names, inputs, strict=True)):
            color = PALETTE[k]
            label = f"run {n} {inp.uid[:8]}"
            pc = inp.array("parity_per_channel")
            if pc is not None:
                fast_curve(self.per_channel, label, color, symbol="o").setData(
                    np.arange(len(pc)), 100 * np.asarray(pc, float))
            ot = inp.array("parity_over_time")
            if ot is not None:
                t = np.arange(len(ot)) * inp.window_step_s()
                fast_curve(self.over_time, label, color).setData(t, 100 * np.asarray(ot, float))
            for j, (series, key, scale) in enumerate(LATENCY_SERIES):
                a = inp.array(key)
                if a is None or not np.isfinite(a).any():
                    continue
                c = PALETTE[(k * len(LATENCY_SERIES) + j) % len(PALETTE)]
                fast_curve(self.latency, f"{n}: {series}", c).setData(
                    np.arange(len(a)), np.asarray(a, float) * scale)
                if key in (LATENCY["total"].array, LATENCY["onset_to_result"].array):
                    finite = np.asarray(a, float)[np.isfinite(a)] * scale
                    hist[f"{n}: {series}"] = (finite, c)
        if hist:
            self.histogram.set_series(hist)
        budgets = {inp.summary.get("budget_ms") for inp in inputs}
        for b in sorted(v for v in budgets if isinstance(v, int | float) and v > 0):
            budget_line(self.latency, float(b), f"real-time budget {b:g} ms")
        self._deltas(inputs)

    def _spectrograms(self, stack: SpectrogramStack, inp, label: str, short: bool) -> None:
        # side by side, a long title would squeeze the plot's colour bar out of its layout
        for s, (title, *_) in zip(stack.plots, SPECTROGRAM_SPECS, strict=True):
            title = title.split(" (")[0] if short else title
            s.plot.getPlotItem().setTitle(f"{title}, {label}", size="10pt")
        ref, board = inp.array("reference_frames"), inp.array("board_frames")
        step = inp.window_step_s()
        for s, frames in zip(stack.plots[:2], (ref, board), strict=True):
            if frames is not None and np.ndim(frames) == 2:
                s.set_frames(frames, 0.0, step)
        if ref is not None and board is not None and np.ndim(ref) == np.ndim(board) == 2:
            n = min(len(ref), len(board))
            diff = board[:n].astype(np.float32) - ref[:n].astype(np.float32)
            stack.plots[2].set_frames(diff, 0.0, step)
        n = max((len(a) for a in (ref, board) if a is not None and np.ndim(a) == 2), default=0)
        if n:
            stack.show_window(n * step, n * step)

    def _deltas(self, inputs: list) -> None:
        values = [headline_values(inp) for inp in inputs]
        # only the figures some run has (a latency run has no alignment errors)
        labels = [k for k in dict.fromkeys(k for v in values for k in v)
                  if any(v.get(k) is not None for v in values)]
        self.deltas.setRowCount(len(labels))
        self.deltas.setColumnHidden(2, len(inputs) < 2)
        self.deltas.setColumnHidden(3, len(inputs) < 2)
        for i, label in enumerate(labels):
            a = values[0].get(label)
            b = values[1].get(label) if len(values) > 1 else None
            delta = b - a if a is not None and b is not None else None
            for j, text in enumerate((label, _fmt(a), _fmt(b), _fmt(delta))):
                self.deltas.setItem(i, j, QTableWidgetItem(text))
