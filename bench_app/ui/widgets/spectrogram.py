"""Spectrogram images (frames x channels) stacked on one time axis with one cursor.

The alignment view shows the reference, the board and their difference; the three plots link
their x axes, so panning or zooming one moves all three, and one vertical cursor is drawn in
each at the same time, readable as the value of each image under it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from .plots import make_plot

FEATURE_MAP = "viridis"
DIFF_MAP = "CET-D1"  # diverging blue-white-red: the sign of board - reference reads at a glance


class Spectrogram(QWidget):
    """One spectrogram: an image whose x is time (s) and y the filterbank channel.

    Parameters
    ----------
    title
        Plot title.
    colormap
        A pyqtgraph colour map name.
    units
        What a cell holds, for the colour bar label.
    symmetric
        Centre the colour levels on zero (difference images).
    """

    def __init__(self, title: str, colormap: str = FEATURE_MAP, units: str = "feature",
                 symmetric: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = make_plot(title, ("time", "s"), ("channel", None), grid=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setAutoDownsample(True)
        self.plot.addItem(self.image)
        self.symmetric = symmetric
        cmap = pg.colormap.get(colormap)
        self.bar = pg.ColorBarItem(colorMap=cmap, values=(-1, 1) if symmetric else (0, 1),
                                   label=units, interactive=False, width=12)
        self.bar.setImageItem(self.image, insert_in=self.plot.getPlotItem())
        self.cursor = pg.InfiniteLine(angle=90, movable=True,
                                      pen=pg.mkPen("#E11D48", width=1.5))
        self.cursor.setZValue(10)
        self.plot.addItem(self.cursor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self._data = np.zeros((0, 0), np.float32)
        self._t0 = 0.0
        self._step = 0.01

    def set_frames(self, frames: np.ndarray, t0: float, step_s: float) -> None:
        """Show ``frames`` (frames, channels), the first at time ``t0``, one every ``step_s``."""
        frames = np.asarray(frames, dtype=np.float32)
        self._data, self._t0, self._step = frames, float(t0), float(step_s)
        if frames.size == 0:
            self.image.clear()
            return
        # row-major image: rows are y (channels), columns x (time)
        self.image.setImage(frames.T, autoLevels=False)
        self.image.setRect(QRectF(t0, 0, len(frames) * step_s, frames.shape[1]))
        finite = frames[np.isfinite(frames)]
        if finite.size:
            if self.symmetric:
                m = float(np.max(np.abs(finite))) or 1.0
                levels = (-m, m)
            else:
                lo, hi = float(finite.min()), float(finite.max())
                levels = (lo, hi if hi > lo else lo + 1)
            self.bar.setLevels(levels)

    def value_at(self, t: float) -> np.ndarray | None:
        """The column (all channels) under time ``t``, or None outside the image."""
        if self._data.size == 0:
            return None
        i = int(np.floor((t - self._t0) / self._step))
        return self._data[i] if 0 <= i < len(self._data) else None


class SpectrogramStack(QWidget):
    """Spectrograms sharing the time axis and one cursor.

    Signals
    -------
    cursor_moved(t)
        The cursor is at time ``t`` (s) in every plot.
    """

    cursor_moved = Signal(float)

    def __init__(self, specs: list[tuple[str, str, str, bool]], parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.plots: list[Spectrogram] = []
        for title, cmap, units, symmetric in specs:
            s = Spectrogram(title, cmap, units, symmetric)
            if self.plots:
                s.plot.setXLink(self.plots[0].plot)
            s.cursor.sigPositionChanged.connect(self._on_cursor)
            layout.addWidget(s, 1)
            self.plots.append(s)
        for s in self.plots[:-1]:  # one time axis, under the last plot
            s.plot.getPlotItem().hideAxis("bottom")
        self.readout = QLabel("cursor: drag the red line")
        self.readout.setMinimumWidth(100)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.readout)
        self._moving = False

    def _on_cursor(self, line: pg.InfiniteLine) -> None:
        if self._moving:
            return
        self.set_cursor(float(line.value()))

    def set_cursor(self, t: float) -> None:
        """Put the cursor at time ``t`` in every plot and update the read-out."""
        self._moving = True
        try:
            for s in self.plots:
                s.cursor.setValue(t)
        finally:
            self._moving = False
        parts = [f"t = {t:.2f} s"]
        for s in self.plots:
            col = s.value_at(t)
            if col is not None and np.isfinite(col).any():
                title = s.plot.getPlotItem().titleLabel.text.split(":")[0]
                parts.append(f"{title}: mean {float(np.nanmean(col)):.1f}")
        self.readout.setText(" · ".join(parts))
        self.cursor_moved.emit(t)

    def show_window(self, t_end: float, width_s: float, fit_y: bool = True) -> None:
        """Scroll every plot to the ``width_s`` seconds ending at ``t_end``."""
        self.plots[0].plot.setXRange(max(0.0, t_end - width_s), max(t_end, width_s), padding=0)
        if not fit_y:
            return
        for s in self.plots:
            channels = s._data.shape[1] if s._data.ndim == 2 and s._data.size else 32
            s.plot.setYRange(0, channels, padding=0)
