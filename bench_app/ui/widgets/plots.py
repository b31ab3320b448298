"""pyqtgraph set-up and the few plot helpers every view uses (labels with units, fast curves)."""

from __future__ import annotations

import pyqtgraph as pg

#: Curve colours (colour-blind-safe, Okabe-Ito order).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


#: pyqtgraph's GarbageCollector, once started (one per process).
_COLLECTOR = None


def configure() -> None:
    """Global pyqtgraph options: light background, no antialiasing (speed), row-major images.

    Also moves Python's cyclic garbage collection to the GUI thread (pyqtgraph's
    `GarbageCollector`: automatic collection off, a 1 s timer collects instead). The run,
    link, store and job threads allocate a lot; any of them could otherwise be the thread that
    collects a closed dialog's or a replaced plot's widgets, and Qt objects destroyed outside
    the GUI thread crash or deadlock the window.
    """
    global _COLLECTOR
    pg.setConfigOptions(
        background="w", foreground="#222", antialias=False, imageAxisOrder="row-major"
    )
    if _COLLECTOR is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _COLLECTOR = GarbageCollector(interval=1.0)


def make_plot(title: str, x: tuple[str, str | None], y: tuple[str, str | None],
              legend: bool = False, grid: bool = True, legend_columns: int = 1,
              ) -> pg.PlotWidget:
    """A plot with a title, axis labels and units (``(label, units)`` pairs), grid on.

    ``legend_columns`` > 1 lays the legend out in that many columns (a flatter box that
    covers less of the curves).

    The grid is drawn by the axes on every repaint (the costliest part of a scrolling plot),
    so plots an image covers go without it.
    """
    w = pg.PlotWidget()
    item = w.getPlotItem()
    item.setTitle(title, size="10pt")
    item.setLabel("bottom", x[0], units=x[1])
    item.setLabel("left", y[0], units=y[1])
    if grid:
        item.showGrid(x=True, y=True, alpha=0.25)
    for side in ("bottom", "left"):
        item.getAxis(side).enableAutoSIPrefix(False)  # "%" and "FS" never become "m%", "mFS"
    item.setMenuEnabled(True)
    if legend:
        item.addLegend(offset=(-10, 10), labelTextSize="8pt", colCount=legend_columns)
    w.setMinimumHeight(120)
    return w


def fast_curve(plot: pg.PlotWidget, name: str | None, color: str, width: float = 1.5,
               symbol: str | None = None) -> pg.PlotDataItem:
    """A curve drawn the cheap way: peak downsampling, clip-to-view, no finite check."""
    curve = plot.plot(
        [], [], name=name, pen=pg.mkPen(color, width=width), symbol=symbol,
        symbolSize=5, symbolBrush=color, symbolPen=None, skipFiniteCheck=True,
    )
    curve.setDownsampling(auto=True, method="peak")
    curve.setClipToView(True)
    return curve


#: Head room kept above a budget line (a fraction of its value) for its label and the legend.
BUDGET_HEADROOM = 0.45


def budget_line(plot: pg.PlotWidget, value: float, text: str) -> pg.InfiniteLine:
    """A dashed horizontal line marking a limit, labelled above its left end.

    An invisible point ``BUDGET_HEADROOM`` above the line joins the plot's auto-range, so
    the y axis always reaches past the line: its label is never cut at the top of the plot
    and the legend sits in the free band above the curves.
    """
    dash = pg.QtCore.Qt.PenStyle.DashLine
    line = pg.InfiniteLine(
        pos=value, angle=0, pen=pg.mkPen("#B91C1C", width=1.5, style=dash),
        label=text, labelOpts={"position": 0.05, "color": "#B91C1C", "anchors": [(0, 1), (0, 1)]},
    )
    plot.addItem(line)
    line.headroom = pg.ScatterPlotItem([0.0], [value * (1 + BUDGET_HEADROOM)], size=0,
                                       pen=None, brush=None)
    plot.addItem(line.headroom)
    return line


def move_budget_line(line: pg.InfiniteLine, value: float, text: str) -> None:
    """Move a `budget_line` (and its head room) to ``value`` with a new label."""
    line.setValue(value)
    line.label.setFormat(text)
    line.headroom.setData([0.0], [value * (1 + BUDGET_HEADROOM)])
