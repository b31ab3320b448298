"""The alignment view's plots: three spectrograms in step, per-channel error, error over time.

Live, a 30 ms timer scrolls them from the `LiveAlignment` ring buffers, filled with the run's
``frames``, ``reference`` and ``metrics`` events (images are redrawn only when a chunk came; in
between the time axis moves on at the board's pace); at the end they switch to the analysis's
final arrays. Nothing is computed here but what to show.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from ..live_alignment import LiveAlignment
from ..widgets.plots import PALETTE, fast_curve, make_plot
from ..widgets.spectrogram import DIFF_MAP, FEATURE_MAP, SpectrogramStack

REFRESH_MS = 30  # 33 redraws per second at most
WINDOW_S = 8.0
SCROLL_AHEAD_S = 0.6  # at most this far past the newest frame (its chunk is ~0.5 s)


class AlignmentPlots(QWidget):
    """The live and final plots of one alignment run."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.live = LiveAlignment()
        self.final = False
        self.refreshes = 0
        self._drawn_version = None
        self._data_end: float | None = None
        self._data_time = 0.0
        self.spectrograms = SpectrogramStack([
            ("reference: host front end on the board's PCM", FEATURE_MAP, "feature", False),
            ("board frames", FEATURE_MAP, "feature", False),
            ("difference: board − reference", DIFF_MAP, "Δ feature", True),
        ])
        self.per_channel = make_plot("error per channel (pipeline parity)", ("channel", None),
                                     ("mean rel. error", "%"))
        self.bars = pg.BarGraphItem(x=np.arange(32), height=np.zeros(32), width=0.8,
                                    brush=PALETTE[0])
        self.per_channel.addItem(self.bars)
        self.over_time = make_plot("error over time", ("time", "s"), ("mean rel. error", "%"))
        for p in (self.per_channel, self.over_time):
            p.getPlotItem().getViewBox().setLimits(yMin=-1)
        self.error_curve = fast_curve(self.over_time, None, PALETTE[1])
        self.threshold_line = pg.InfiniteLine(
            pos=5.0, angle=0, pen=pg.mkPen("#B91C1C", width=1, style=Qt.PenStyle.DashLine),
            label="bar 5 %", labelOpts={"position": 0.9, "color": "#B91C1C"})
        self.per_channel.addItem(self.threshold_line)
        bottom = QHBoxLayout()
        bottom.addWidget(self.per_channel)
        bottom.addWidget(self.over_time)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.spectrograms, 3)
        layout.addLayout(bottom, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self.refresh)

    def begin(self, host_config) -> None:
        """Forget the last run; draw a new one live with this host front end."""
        self.live.stop()
        self.live = LiveAlignment()
        self.live.configure(host_config)
        self.final = False
        self._drawn_version = None
        self._data_end = None
        self._data_time = 0.0
        self.timer.start()

    def end(self) -> None:
        """The run stopped: last live redraw (unless the final arrays are shown), timer off."""
        self.timer.stop()
        self.live.stop()
        self.refresh()

    def show_final(self, summary: dict, arrays: dict) -> None:
        """Switch to the analysis's final arrays (whole run) and its threshold."""
        self.final = True
        step = self.live.step / self.live.sample_rate
        ref, board = arrays.get("reference_frames"), arrays.get("board_frames")
        diff = arrays.get("difference")
        for plot, frames in zip(self.spectrograms.plots, (ref, board, diff), strict=True):
            if frames is not None and np.ndim(frames) == 2 and len(frames):
                plot.set_frames(np.asarray(frames, np.float32), 0.0, step)
        if ref is not None and len(ref):
            self.spectrograms.show_window(len(ref) * step, len(ref) * step)
            self.spectrograms.set_cursor(len(ref) * step / 2)
        pc, ot = arrays.get("parity_per_channel"), arrays.get("parity_over_time")
        if pc is not None:
            self._bars(100 * np.asarray(pc, float))
        if ot is not None:
            ot = 100 * np.asarray(ot, float)
            self.error_curve.setData(np.arange(len(ot)) * step, ot)
        parity = summary.get("parity")
        threshold = parity.get("threshold") if isinstance(parity, dict) else None
        if isinstance(threshold, int | float):
            self.threshold_line.setValue(100 * threshold)
            self.threshold_line.label.setFormat(f"bar {100 * threshold:g} %")

    def _bars(self, values: np.ndarray) -> None:
        v = np.nan_to_num(values, nan=0.0)
        self.bars.setOpts(x=np.arange(len(v)), height=v, width=0.8)

    def refresh(self) -> None:
        """Timer tick: scroll the live window; redraw images and errors when data came.

        The board sends its frames in chunks (about two a second); between chunks the time
        axis keeps moving at the board's pace, up to `SCROLL_AHEAD_S` past the newest frame,
        so the three spectrograms scroll smoothly and together.
        """
        if self.final:
            return
        live = self.live
        version = live.version
        now = time.perf_counter()
        if version != self._drawn_version:
            self._drawn_version = version
            if not self._redraw_data(live):
                return
            self._data_time = now
        if self._data_end is None:
            return
        end = self._data_end + min(now - self._data_time, SCROLL_AHEAD_S)
        self.spectrograms.show_window(end, WINDOW_S, fit_y=False)
        self.spectrograms.set_cursor(max(0.0, end - 0.5))
        self.refreshes += 1

    def _redraw_data(self, live: LiveAlignment) -> bool:
        last = live.last_frame()
        if last < 0:
            return False
        width = int(WINDOW_S * live.sample_rate / live.step)
        lo, hi = max(0, last + 1 - width), last + 1
        ref, board = live.reference.window(lo, hi), live.board.window(lo, hi)
        t0, step = live.seconds(lo), live.step / live.sample_rate
        p = self.spectrograms.plots
        p[0].set_frames(ref, t0, step)
        p[1].set_frames(board, t0, step)
        p[2].set_frames(board - ref, t0, step)
        if self._data_end is None:
            self.spectrograms.show_window(live.seconds(hi), WINDOW_S)  # fits the channels once
        self._data_end = live.seconds(hi)
        self._bars(100 * live.per_channel())
        numbers, err = live.error_series()
        if len(err):
            self.error_curve.setData(numbers * step, 100 * err)
        return True

    def shutdown(self) -> None:
        """Stop the timer."""
        self.timer.stop()
        self.live.stop()
