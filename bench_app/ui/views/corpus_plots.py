"""The Corpus view's figures: confusion matrices side by side, macro F1 over clips, per-class
F1 bars and the sweep plot.

They draw the run's own ``metrics`` events (`corpus_metrics` of the clips so far, computed by
the procedure) and its stop summary's ``sweep`` rows; the window computes no figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QWidget

from ..widgets.class_bars import ClassBars
from ..widgets.confusion_matrix import ConfusionMatrix
from ..widgets.plots import PALETTE, fast_curve, make_plot

#: (answer key of a metrics event, legend name, colour), as in the report; the board last, so
#: its curve is drawn over the twin-on-PCM one it equals with matching code.
ANSWERS = (("twin_clean", "twin clean", PALETTE[2]),
           ("twin_board_pcm", "twin PCM", PALETTE[1]),
           ("board", "board", PALETTE[0]))
#: The top of the F1 axes: above 1 leaves a band for the legend.
F1_TOP = 1.4
SWEEP_KEYS = {"board": "board_macro_f1", "twin_clean": "twin_macro_f1",
              "twin_board_pcm": "twin_board_pcm_macro_f1"}


def _macro(metrics: Mapping[str, Any], key: str) -> float:
    value = ((metrics.get("answers") or {}).get(key) or {}).get("macro_f1")
    return float(value) if isinstance(value, int | float) else np.nan


class CorpusPlots(QWidget):
    """Board and twin matrices on top; F1 curves, per-class bars and the sweep below.

    Legends: "twin clean" is the twin on the clean clip, "twin PCM" the twin on the board's
    microphone PCM.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.board_matrix = ConfusionMatrix("board")
        self.twin_matrix = ConfusionMatrix("twin, clean clip")
        self.curves_plot = make_plot("macro F1 over clips", ("clips scored", None),
                                     ("macro F1", None), legend=True, legend_columns=3)
        self.curves_plot.getPlotItem().setYRange(0, F1_TOP, padding=0)
        self.curves = {key: fast_curve(self.curves_plot, name, colour, symbol="o")
                       for key, name, colour in ANSWERS}
        self.bars = ClassBars("F1 per class", "F1", [(name, c) for _, name, c in ANSWERS])
        self.sweep_plot = make_plot("sweep: macro F1 against SNR", ("SNR", "dB"),
                                    ("macro F1", None), legend=True, legend_columns=3)
        self.sweep_plot.getPlotItem().setYRange(0, F1_TOP, padding=0)
        self.sweep_curves = {key: fast_curve(self.sweep_plot, name, colour, symbol="o")
                             for key, name, colour in ANSWERS}
        top = QHBoxLayout()
        top.addWidget(self.board_matrix)
        top.addWidget(self.twin_matrix)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addLayout(top, 0, 0, 1, 2)
        grid.addWidget(self.curves_plot, 1, 0)
        grid.addWidget(self.bars, 1, 1)
        grid.addWidget(self.sweep_plot, 2, 0, 1, 2)
        grid.setRowStretch(0, 5)
        grid.setRowStretch(1, 4)
        grid.setRowStretch(2, 3)
        self.sweep_plot.hide()

    def clear(self) -> None:
        """Empty every figure (a new run starts)."""
        for curve in [*self.curves.values(), *self.sweep_curves.values()]:
            curve.setData([], [])
        self.bars.set_values([], {})
        self.sweep_plot.hide()

    def show_metrics(self, history: Sequence[Mapping[str, Any]],
                     class_names: Sequence[str],
                     final: Mapping[str, Any] | None = None) -> None:
        """Draw every metrics event so far (curves) and, in the matrices and bars, the final
        figures when the run has them (a sweep's pool every setting), else the latest event."""
        if not history:
            return
        latest = final if final and final.get("answers") else history[-1]
        names = list(class_names) or list(latest.get("class_names") or [])
        answers = latest.get("answers") or {}
        for widget, key in ((self.board_matrix, "board"), (self.twin_matrix, "twin_clean")):
            confusion = (answers.get(key) or {}).get("confusion")
            if confusion is not None and names:
                widget.set_matrix(confusion, names)
        x = np.arange(1, len(history) + 1, dtype=float)
        for key, curve in self.curves.items():
            curve.setData(x, np.array([_macro(m, key) for m in history]))
        per_class = {name: [float(((answers.get(key) or {}).get("per_class") or {})
                                  .get(c, {}).get("f1", np.nan)) for c in names]
                     for key, name, _ in ANSWERS}
        self.bars.set_values(names, per_class)

    def show_sweep(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Draw macro F1 against SNR, one point per sweep setting (hidden without a sweep)."""
        points = sorted((r for r in rows if isinstance(r.get("snr_db"), int | float)),
                        key=lambda r: float(r["snr_db"]))
        if not points:
            self.sweep_plot.hide()
            return
        snr = np.array([float(r["snr_db"]) for r in points])
        for key, curve in self.sweep_curves.items():
            curve.setData(snr, np.array([float(r[SWEEP_KEYS[key]])
                                         if isinstance(r.get(SWEEP_KEYS[key]), int | float)
                                         else np.nan for r in points]))
        self.sweep_plot.show()

    def curve_points(self, key: str) -> int:
        """How many points the F1 curve of answer ``key`` has."""
        x, _ = self.curves[key].getData()
        return 0 if x is None else len(x)
