"""The report's figures, drawn with matplotlib's Agg canvas into PNG bytes.

No pyplot and no global backend switch: each figure is a `matplotlib.figure.Figure` on its own
Agg canvas, so making a report never touches a GUI toolkit. matplotlib is imported inside the
functions, so importing the report package stays cheap.
"""

from __future__ import annotations

import io

import numpy as np

from bench_app.core.labels import LATENCY, LATENCY_SERIES
from bench_app.core.report.blocks import FigureBlock
from bench_app.core.report.metrics import find_number
from bench_app.core.report.model import ReportInput

DPI = 110
WIDTH_IN = 7.4
#: Percentile lines drawn on latency figures: (percentile, colour, line style).
PERCENTILE_LINES = ((50, "#2b6cb0", "-"), (95, "#dd6b20", "--"), (99, "#c53030", ":"))
BUDGET_COLOUR = "#000000"


def _figure(height_in: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _block(fig, title: str, caption: str = "") -> FigureBlock:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    width, height = fig.get_size_inches()
    return FigureBlock(title, buffer.getvalue(), float(width), float(height), caption)


def _frames(inp: ReportInput, name: str) -> np.ndarray | None:
    array = inp.array(name)
    if array is None or array.ndim != 2 or array.size == 0:
        return None
    return array


def _series(inp: ReportInput, name: str) -> np.ndarray | None:
    array = inp.array(name)
    if array is None or array.size == 0:
        return None
    values = np.asarray(array, dtype=float).ravel()
    return values if np.isfinite(values).any() else None


def spectrograms(inp: ReportInput) -> FigureBlock | None:
    """Reference, board and difference spectrograms on one time axis (seconds)."""
    reference, board = _frames(inp, "reference_frames"), _frames(inp, "board_frames")
    panels = []
    if reference is not None:
        panels.append(("Host reference (host front end on the board's PCM)", reference))
    if board is not None:
        panels.append(("Board frames", board))
    if not panels:
        return None
    step = inp.window_step_s()
    level_max = max(float(p.max()) for _, p in panels) or 1.0
    count = len(panels) + (1 if len(panels) == 2 else 0)
    fig = _figure(2.2 * count + 0.4)
    axes = fig.subplots(count, 1, sharex=True, sharey=True, squeeze=False)[:, 0]
    pooled = 1
    for ax, (title, frames) in zip(axes, panels, strict=False):
        data, pooled = pool_frames(frames, extreme=False)
        image = _image(ax, data.T, len(frames) * step, "magma", 0.0, level_max)
        ax.set_title(title, fontsize=9)
        fig.colorbar(image, ax=ax, label="level (uint16)", pad=0.01)
    if len(panels) == 2:
        n = min(len(reference), len(board))
        channels = min(reference.shape[1], board.shape[1])
        diff = board[:n, :channels].astype(np.int64) - reference[:n, :channels].astype(np.int64)
        limit = max(float(np.abs(diff).max()), 1.0)
        data, _ = pool_frames(diff, extreme=True)
        image = _image(axes[-1], data.T, n * step, "RdBu_r", -limit, limit)
        title = f"Board − reference (first {n} frames"
        title += f"; each column the largest difference of {pooled} frames)" if pooled > 1 else ")"
        if not diff.any():
            title += ": identical, bit for bit"
        axes[-1].set_title(title, fontsize=9)
        fig.colorbar(image, ax=axes[-1], label="difference (uint16)", pad=0.01)
    axes[-1].set_xlabel("time (s)")
    for ax in axes:
        ax.set_ylabel("channel")
    caption = f"Frame hop {step * 1000:g} ms; channel 0 is the lowest"
    if pooled > 1:
        caption += f"; levels averaged over {pooled} frames per column"
    return _block(fig, "Spectrograms", caption + ".")


#: Widest spectrogram drawn frame by frame; longer ones are pooled so no difference vanishes
#: in the image's resampling.
MAX_COLUMNS = 800


def pool_frames(frames: np.ndarray, extreme: bool) -> tuple[np.ndarray, int]:
    """Pool (frames, channels) over time to at most `MAX_COLUMNS` columns.

    Levels are averaged; with ``extreme`` each column keeps the value of largest magnitude (so
    one differing frame in a minute of audio still shows). Returns the pooled array and the
    number of frames per column.
    """
    data = np.asarray(frames, dtype=np.float64)
    k = -(-len(data) // MAX_COLUMNS)
    if k <= 1:
        return data, 1
    pad = (-len(data)) % k
    padded = np.concatenate([data, np.full((pad, data.shape[1]), np.nan)])
    blocks = padded.reshape(-1, k, data.shape[1])
    if not extreme:
        return np.nanmean(blocks, axis=1), k
    pick = np.nanargmax(np.abs(np.nan_to_num(blocks, nan=0.0)), axis=1)
    return np.take_along_axis(blocks, pick[:, None, :], axis=1)[:, 0, :], k


def _image(ax, data: np.ndarray, duration: float, cmap: str, vmin: float, vmax: float):
    extent = (0.0, duration, -0.5, data.shape[0] - 0.5)
    return ax.imshow(
        data, aspect="auto", origin="lower", extent=extent, cmap=cmap, vmin=vmin, vmax=vmax,
        interpolation="nearest",
    )


def _channel_bars(inp: ReportInput, name: str, title: str, ylabel: str, colour: str,
                  factor: float, with_threshold: bool) -> FigureBlock | None:
    values = _series(inp, name)
    if values is None:
        return None
    fig = _figure(2.6)
    ax = fig.subplots()
    ax.bar(np.arange(values.size), values * factor, color=colour)
    ax.axhline(0.0, color="black", linewidth=0.8)
    if with_threshold:
        _threshold_line(ax, inp)
    if not np.nan_to_num(values).any():
        ax.text(0.5, 0.5, "0 in every channel", transform=ax.transAxes, ha="center",
                va="center", fontsize=10, color="#2d3748")
    ax.set_xlabel("channel")
    ax.set_ylabel(ylabel)
    ax.set_xlim(-0.6, values.size - 0.4)
    return _block(fig, title)


def per_channel_error(inp: ReportInput) -> FigureBlock | None:
    """Pipeline-parity relative error per channel, in percent, with the pass threshold."""
    return _channel_bars(inp, "parity_per_channel", "Pipeline parity per channel",
                         "mean relative error (%)", "#3182ce", 100.0, True)


def error_over_time(inp: ReportInput) -> FigureBlock | None:
    """Pipeline-parity relative error per frame over time, in percent."""
    errors = _series(inp, "parity_over_time")
    if errors is None:
        return None
    fig = _figure(2.6)
    ax = fig.subplots()
    times = np.arange(errors.size) * inp.window_step_s()
    ax.plot(times, errors * 100.0, color="#3182ce", linewidth=0.9)
    _threshold_line(ax, inp)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("relative error (%)")
    ax.set_xlim(0.0, max(times[-1], inp.window_step_s()))
    return _block(fig, "Pipeline parity over time")


def _threshold_line(ax, inp: ReportInput) -> None:
    threshold = find_number(inp.summary, "threshold", "mre_threshold", "pass_threshold")
    if threshold is not None:
        ax.axhline(threshold * 100.0, color="#c53030", linestyle="--", linewidth=1,
                   label=f"pass threshold {threshold * 100:g} %")
        _legend_above(ax, ncols=1)


def acoustic_response(inp: ReportInput) -> FigureBlock | None:
    """Per-channel level of the acoustic path (board vs stimulus), in dB."""
    return _channel_bars(inp, "acoustic_response_db", "Acoustic path response per channel",
                         "response (dB re stimulus)", "#805ad5", 1.0, False)


def _latency_ms(inp: ReportInput) -> list[tuple[str, np.ndarray]]:
    out = []
    for s in LATENCY_SERIES:
        series = _series(inp, s.array)
        if series is not None:
            out.append((s.label.text, series * s.to_ms))
    return out


def latency_budget_ms(inp: ReportInput) -> float | None:
    """The real-time budget stored with the run (summary, else parameters), or None."""
    for source in (inp.summary, inp.run.get("parameters") or {}):
        budget = find_number(source, "budget_ms")
        if budget is not None and budget > 0:
            return budget
    return None


def ms_text(value: float) -> str:
    """A duration in milliseconds as short plain text (no exponent)."""
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"


def _percentile_lines(ax, values: np.ndarray, vertical: bool) -> None:
    from bench_app.core.analysis.latency import latency_stats

    stats = latency_stats(values)
    for (q, colour, style), value in zip(PERCENTILE_LINES, (stats.median, stats.p95, stats.p99),
                                         strict=True):
        draw = ax.axvline if vertical else ax.axhline
        draw(value, color=colour, linestyle=style, linewidth=1, label=f"p{q} {ms_text(value)} ms")


def _budget_line(ax, budget: float | None, values: np.ndarray, vertical: bool) -> None:
    """The budget line, or a legend entry saying it is off scale (it would squash the data)."""
    if budget is None:
        return
    label = f"budget {ms_text(budget)} ms"
    if budget > 1.5 * float(values.max()):
        ax.plot([], [], color=BUDGET_COLOUR, linewidth=1.5, label=label + " (off scale)")
        return
    draw = ax.axvline if vertical else ax.axhline
    draw(budget, color=BUDGET_COLOUR, linewidth=1.5, label=label)


def _legend_above(ax, ncols: int) -> None:
    """Legend in a row above the plot, right-aligned, so it never hides data."""
    ax.legend(fontsize=7, ncols=ncols, loc="lower right", bbox_to_anchor=(1.0, 1.0),
              frameon=False, borderaxespad=0.2, handlelength=1.6, columnspacing=1.0)


def latency_histograms(inp: ReportInput) -> FigureBlock | None:
    """Histograms of board total and host latency with percentile and budget lines."""
    total, host = LATENCY["total"].label.text, LATENCY["onset_to_result"].label.text
    series = [s for s in _latency_ms(inp) if s[0] in (total, host)]
    if not series:
        return None
    from matplotlib.ticker import MaxNLocator

    budget = latency_budget_ms(inp)
    fig = _figure(2.2 * len(series) + 0.2)
    axes = fig.subplots(len(series), 1, squeeze=False)[:, 0]
    for ax, (label, values) in zip(axes, series, strict=True):
        ax.hist(values, bins=min(60, max(10, values.size // 5)), color="#a0aec0")
        _percentile_lines(ax, values, vertical=True)
        if label == total:
            _budget_line(ax, budget, values, vertical=True)
        ax.set_title(label, fontsize=9, loc="left")
        ax.set_xlabel("latency (ms)")
        ax.set_ylabel("inferences")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        _legend_above(ax, ncols=4)
    return _block(fig, "Latency histograms")


def latency_series(inp: ReportInput) -> FigureBlock | None:
    """Per-inference latency of each stage, with percentile lines and the budget line."""
    series = _latency_ms(inp)
    if not series:
        return None
    budget = latency_budget_ms(inp)
    fig = _figure(1.9 * len(series) + 0.4)
    axes = fig.subplots(len(series), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (label, values) in zip(axes, series, strict=True):
        ax.plot(np.arange(values.size), values, color="#2d3748", linewidth=0.8)
        _percentile_lines(ax, values, vertical=False)
        if label == LATENCY["total"].label.text:
            _budget_line(ax, budget, values, vertical=False)
        ax.set_title(label, fontsize=9, loc="left")
        ax.set_ylabel("ms")
        _legend_above(ax, ncols=4)
    from matplotlib.ticker import MaxNLocator

    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[-1].set_xlabel("inference")
    return _block(fig, "Latency per inference")


def all_figures(inp: ReportInput) -> list[FigureBlock]:
    """Every figure the run's stored arrays allow, in report order."""
    makers = (spectrograms, per_channel_error, error_over_time, acoustic_response,
              latency_histograms, latency_series)
    return [block for make in makers if (block := make(inp)) is not None]
