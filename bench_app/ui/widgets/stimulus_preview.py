"""The stimulus preview: an amplitude envelope (tonal bursts) or a small spectrogram.

A waveform of thousands of cycles drawn into a few hundred pixels is a solid block; what
reads at a glance is the envelope (min / max per pixel column, what peak downsampling
keeps) for bursts, and time x frequency for a sweep, speech or a file.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QVBoxLayout, QWidget

from .plots import PALETTE, make_plot

#: Envelope resolution (columns), about the preview's width in pixels.
ENVELOPE_COLUMNS = 800
SPECTROGRAM_NFFT = 512
ENVELOPE_FILL = "#9CC9EC"  # PALETTE[0] lightened: the band reads as an area, not a block
SPECTROGRAM_MAP = "inferno"
FLOOR_DB = -90.0


def envelope(x: np.ndarray, rate: float, columns: int = ENVELOPE_COLUMNS):
    """(t, lower, upper): min and max of ``x`` in ``columns`` equal slices, t at their starts."""
    x = np.asarray(x, np.float32)
    n = len(x)
    if n == 0:
        return (np.zeros(0),) * 3
    edges = np.linspace(0, n, min(columns, n) + 1).astype(np.int64)
    starts = edges[:-1]
    return (starts / float(rate), np.minimum.reduceat(x, starts),
            np.maximum.reduceat(x, starts))


def spectrogram_db(x: np.ndarray, rate: float, nfft: int = SPECTROGRAM_NFFT):
    """(frequencies Hz, times s, power dB re full scale (times x frequencies)) of ``x``."""
    from scipy.signal import spectrogram

    f, t, sxx = spectrogram(np.asarray(x, np.float32), fs=rate, nperseg=nfft,
                            noverlap=nfft // 2, scaling="spectrum")
    return f, t, np.maximum(10 * np.log10(sxx.T + 1e-12), FLOOR_DB).astype(np.float32)


class StimulusPreview(QWidget):
    """One plot showing a stimulus as an envelope or a spectrogram (`show_stimulus`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = make_plot("stimulus preview", ("time", "s"), ("amplitude", "FS"))
        item = self.plot.getPlotItem()
        pen = pg.mkPen(PALETTE[0], width=1)
        self.lower = item.plot([], [], pen=pen)
        self.upper = item.plot([], [], pen=pen)
        self.fill = pg.FillBetweenItem(self.lower, self.upper, brush=pg.mkBrush(ENVELOPE_FILL))
        item.addItem(self.fill)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get(SPECTROGRAM_MAP))
        item.addItem(self.image)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        #: The samples shown (full scale = 1) and how: "envelope" or "spectrogram".
        self.samples = np.zeros(0, np.float32)
        self.mode = "envelope"
        #: (frequencies, times, dB) of the spectrogram shown, else None.
        self.spectrogram = None

    def show_stimulus(self, samples: np.ndarray, rate: float, spectrogram=None) -> None:
        """Show ``samples`` (int16 or float full scale 1): the spectrogram when one is given
        (from `spectrogram_db`, computed off the GUI thread), else the envelope."""
        x = np.asarray(samples)
        self.samples = (x / 32768.0 if x.dtype.kind == "i" else x).astype(np.float32)
        self.spectrogram = spectrogram
        self.mode = "envelope" if spectrogram is None else "spectrogram"
        item = self.plot.getPlotItem()
        spec = self.mode == "spectrogram"
        for w in (self.lower, self.upper, self.fill):
            w.setVisible(not spec)
        self.image.setVisible(spec)
        if spec:
            f, t, db = spectrogram
            self.image.setImage(db, levels=(FLOOR_DB, float(db.max()) if db.size else 0.0))
            duration = len(self.samples) / float(rate)
            self.image.setRect(QRectF(0.0, 0.0, duration, float(f[-1]) if len(f) else 1.0))
            item.setLabel("left", "frequency", units="Hz")
            item.getAxis("left").enableAutoSIPrefix(True)  # kHz
            item.setYRange(0.0, float(f[-1]) if len(f) else 1.0, padding=0)
            item.setXRange(0.0, duration, padding=0)
        else:
            t, lo, hi = envelope(self.samples, rate)
            self.lower.setData(t, lo)
            self.upper.setData(t, hi)
            item.setLabel("left", "amplitude", units="FS")
            item.getAxis("left").enableAutoSIPrefix(False)
            item.enableAutoRange()
