"""A confusion matrix drawn as an image with its counts written in the cells.

Rows are the true class (top to bottom in class order), columns the predicted class, as
scikit-learn and the report lay it out; each cell is shaded by its share of the row (the
diagonal reads as the class's recall) and shows its clip count as text.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from .plots import make_plot

#: Row share 0 -> white, 1 -> dark blue.
SHADES = pg.ColorMap([0.0, 1.0], [(255, 255, 255), (8, 69, 148)])
#: A cell darker than this share gets white text.
DARK_SHARE = 0.6


class ConfusionMatrix(QWidget):
    """One confusion matrix; `set_matrix` redraws it."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.plot = make_plot(title, ("predicted class", None), ("true class", None), grid=False)
        item = self.plot.getPlotItem()
        item.invertY(True)  # the first class on top, as in a printed matrix
        item.setMouseEnabled(x=False, y=False)
        item.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(SHADES.getLookupTable(nPts=256))
        self.plot.addItem(self.image)
        self.texts: list[pg.TextItem] = []
        self.matrix = np.zeros((0, 0), np.int64)
        self.class_names: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.setMinimumSize(220, 200)

    def set_matrix(self, matrix: Sequence[Sequence[int]], class_names: Sequence[str],
                   clips: int | None = None) -> None:
        """Show ``matrix`` (rows = true class) for ``class_names``; ``clips`` in the title."""
        counts = np.asarray(matrix, dtype=np.int64).reshape(len(class_names), len(class_names))
        if np.array_equal(counts, self.matrix) and list(class_names) == self.class_names:
            return
        self.matrix, self.class_names = counts, list(class_names)
        n = len(class_names)
        rows = counts.sum(axis=1, keepdims=True)
        share = np.divide(counts, rows, out=np.zeros(counts.shape, float), where=rows > 0)
        self.image.setImage(share, autoLevels=False, levels=(0.0, 1.0))
        self.image.setRect(-0.5, -0.5, n, n)
        item = self.plot.getPlotItem()
        ticks = [[(i, str(name)) for i, name in enumerate(class_names)]]
        item.getAxis("bottom").setTicks(ticks)
        item.getAxis("left").setTicks(ticks)
        for text in self.texts:
            self.plot.removeItem(text)
        self.texts = []
        for i in range(n):
            for j in range(n):
                colour = "w" if share[i, j] > DARK_SHARE else "k"
                text = pg.TextItem(str(int(counts[i, j])), color=colour, anchor=(0.5, 0.5))
                text.setPos(j, i)
                self.plot.addItem(text)
                self.texts.append(text)
        total = int(counts.sum()) if clips is None else clips
        item.setTitle(f"{self.title} ({total} clips)", size="10pt")
        item.setRange(xRange=(-0.5, n - 0.5), yRange=(-0.5, n - 0.5), padding=0.02)

    def cell_texts(self) -> list[list[str]]:
        """The counts as written in the cells, row by row (what a user reads)."""
        n = len(self.class_names)
        return [[self.texts[i * n + j].toPlainText() for j in range(n)] for i in range(n)]
