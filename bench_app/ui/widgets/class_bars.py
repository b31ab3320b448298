"""Grouped bars: one value per class for each of a few series (per-class F1 of each answer)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from .plots import make_plot


class ClassBars(QWidget):
    """Bars grouped by class; each series has its colour and a legend entry."""

    def __init__(self, title: str, y_label: str, series: Sequence[tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = make_plot(title, ("class", None), (y_label, None), legend=True,
                              legend_columns=len(series))
        self.plot.getPlotItem().setYRange(0, 1.4, padding=0)  # room for the legend on top
        self.series = list(series)
        self.bars: dict[str, pg.BarGraphItem] = {}
        width = 0.8 / max(1, len(series))
        for k, (name, colour) in enumerate(series):
            bar = pg.BarGraphItem(x=[], height=[], width=width, brush=colour, pen=None)
            bar.offset = (k - (len(series) - 1) / 2) * width
            self.plot.addItem(bar)
            self.plot.getPlotItem().legend.addItem(bar, name)
            self.bars[name] = bar
        self.values: dict[str, list[float]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def set_values(self, class_names: Sequence[str], values: Mapping[str, Sequence[float]],
                   ) -> None:
        """Show ``values[series][i]`` for class ``i``; a series not given is cleared."""
        x = np.arange(len(class_names), dtype=float)
        for name, bar in self.bars.items():
            heights = np.asarray(values.get(name, ()), dtype=float)
            if heights.size != x.size:
                bar.setOpts(x=[], height=[])
                continue
            bar.setOpts(x=x + bar.offset, height=np.nan_to_num(heights))
        self.values = {k: list(v) for k, v in values.items()}
        self.plot.getPlotItem().getAxis("bottom").setTicks(
            [[(i, str(c)) for i, c in enumerate(class_names)]])
        self.plot.getPlotItem().setXRange(-0.6, max(0.6, len(class_names) - 0.4), padding=0)
