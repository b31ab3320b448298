"""A latency histogram and a percentile table (milliseconds)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from bench_app.core.labels import STAT_LABELS

from .plots import make_plot

#: Rows of the percentile table: (label, key in `LatencyStats.to_dict()`), from the one table.
PERCENTILE_ROWS = tuple((label.text, key) for key, label in STAT_LABELS.items())


class Histogram(pg.PlotWidget):
    """Histograms of one or more series, as stepped outlines sharing bins."""

    def __init__(self, title: str, units: str = "ms") -> None:
        plot = make_plot(title, ("latency", units), ("count", None), legend=True)
        # adopt the configured plot item as our own
        super().__init__(plotItem=plot.getPlotItem())
        self.setMinimumHeight(120)
        self._curves: dict[str, pg.PlotDataItem] = {}

    def set_series(self, series: dict[str, tuple[np.ndarray, str]], bins: int = 30) -> None:
        """Draw ``{name: (values, colour)}`` over common bins."""
        values = [np.asarray(v, float) for v, _ in series.values() if len(v)]
        if not values:
            return
        allv = np.concatenate(values)
        lo, hi = float(allv.min()), float(allv.max())
        edges = np.linspace(lo, hi if hi > lo else lo + 1.0, bins + 1)
        for name, (v, color) in series.items():
            counts, _ = np.histogram(np.asarray(v, float), bins=edges)
            curve = self._curves.get(name)
            if curve is None:
                curve = self.plot(
                    [0, 1], [0], stepMode="center", name=name, fillLevel=0,
                    pen=pg.mkPen(color, width=1.5), brush=pg.mkBrush(color + "40"),
                )
                self._curves[name] = curve
            curve.setData(edges, counts)


class PercentileTable(QTableWidget):
    """Rows of statistics (n, min, median, p95, p99, max, jitter) by columns of series."""

    def __init__(self, columns: list[str], headers: list[str] | None = None) -> None:
        super().__init__(len(PERCENTILE_ROWS), len(columns))
        heads = headers or [c.replace(" ", "\n", 1) for c in columns]
        self.setHorizontalHeaderLabels([f"{h}\n(ms)" for h in heads])
        self.setVerticalHeaderLabels([r[0] for r in PERCENTILE_ROWS])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.columns = list(columns)

    def set_column(self, column: str, stats: dict | None) -> None:
        """Fill one column from a `LatencyStats.to_dict()` (blank when None)."""
        j = self.columns.index(column)
        for i, (_, key) in enumerate(PERCENTILE_ROWS):
            value = None if stats is None else stats.get(key)
            text = "—" if value is None else STAT_LABELS[key].value_text(value)
            self.setItem(i, j, QTableWidgetItem(text))

    def text(self, row: str, column: str) -> str:
        """The cell text at row label ``row`` and series ``column``."""
        i = [r[0] for r in PERCENTILE_ROWS].index(row)
        item = self.item(i, self.columns.index(column))
        return item.text() if item else ""
