"""The corpus section's figures: confusion matrices side by side, per-class F1 bars, macro F1
over clips, and F1 against SNR for a sweep.

Drawn with matplotlib's Agg canvas (no pyplot) like `bench_app.core.report.figures`; the
numbers come from what the run stored (its summary and metrics events), never recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from bench_app.core.report.blocks import FigureBlock
from bench_app.core.report.figures import _block, _figure

#: (summary answer key, title, colour) in the order every corpus figure uses.
ANSWERS = (("board", "Board", "#0072B2"),
           ("twin_clean", "Twin on the clean clip", "#009E73"),
           ("twin_board_pcm", "Twin on the board's PCM", "#D55E00"))


def confusion_figure(answers: Mapping[str, Any], class_names: Sequence[str],
                     ) -> FigureBlock | None:
    """Board, twin-on-clean and twin-on-board-PCM confusion matrices side by side.

    Rows are the true class, columns the predicted class (scikit-learn's convention); each
    cell shows its count, shaded by the share of its row.
    """
    panels = [(title, np.asarray(answers[key]["confusion"], dtype=np.int64))
              for key, title, _ in ANSWERS
              if isinstance(answers.get(key), Mapping) and answers[key].get("n")]
    if not panels or not class_names:
        return None
    n = len(class_names)
    fig = _figure(2.2 + 0.22 * n)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    short = [str(c)[:8] for c in class_names]
    for ax, (title, matrix) in zip(axes, panels, strict=True):
        rows = matrix.sum(axis=1, keepdims=True)
        share = np.divide(matrix, rows, out=np.zeros(matrix.shape, float), where=rows > 0)
        ax.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0)
        for i in range(n):
            for j in range(n):
                ax.text(j, i, str(int(matrix[i, j])), ha="center", va="center", fontsize=8,
                        color="white" if share[i, j] > 0.6 else "black")
        ax.set_xticks(range(n), short, rotation=45, ha="right", fontsize=7)
        ax.set_yticks(range(n), short, fontsize=7)
        ax.set_xlabel("predicted class", fontsize=8)
        ax.set_title(f"{title}\n({int(matrix.sum())} clips)", fontsize=8)
    axes[0].set_ylabel("true class", fontsize=8)
    return _block(fig, "Confusion matrices", "rows = true class; counts, shaded by row share")


def per_class_figure(answers: Mapping[str, Any], class_names: Sequence[str],
                     ) -> FigureBlock | None:
    """F1 per class, one bar per answer."""
    series = [(title, colour, [float(answers[key]["per_class"].get(c, {}).get("f1", 0.0))
                               for c in class_names])
              for key, title, colour in ANSWERS
              if isinstance(answers.get(key), Mapping) and answers[key].get("per_class")]
    if not series or not class_names:
        return None
    fig = _figure(2.3)
    ax = fig.subplots()
    x = np.arange(len(class_names))
    width = 0.8 / len(series)
    for k, (title, colour, values) in enumerate(series):
        ax.bar(x + (k - (len(series) - 1) / 2) * width, values, width, label=title, color=colour)
    ax.set_xticks(x, list(class_names), fontsize=8)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("F1")
    ax.set_xlabel("class")
    ax.legend(fontsize=7, ncols=len(series), loc="upper center")
    ax.grid(axis="y", alpha=0.3)
    return _block(fig, "F1 per class")


def f1_over_clips_figure(metrics: Sequence[Mapping[str, Any]]) -> FigureBlock | None:
    """Macro F1 of each answer after each clip, from the run's live metrics events."""
    if len(metrics) < 2:
        return None
    fig = _figure(2.5)
    ax = fig.subplots()
    x = np.arange(1, len(metrics) + 1)
    for key, title, colour in ANSWERS:
        y = [_macro(m, key) for m in metrics]
        ax.plot(x, y, label=title, color=colour, linewidth=1.4)
    settings = [str(m.get("setting", "")) for m in metrics]
    for i in range(1, len(settings)):
        if settings[i] != settings[i - 1]:
            ax.axvline(i + 0.5, color="#888", linestyle=":", linewidth=1)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("clips scored")
    ax.set_ylabel("macro F1")
    ax.legend(fontsize=7, ncols=3, loc="lower right")
    ax.grid(alpha=0.3)
    caption = "the run's own metrics after each clip"
    if len(set(settings)) > 1:
        caption += "; dotted: next sweep setting"
    return _block(fig, "Macro F1 over clips", caption)


def _macro(metrics: Mapping[str, Any], key: str) -> float:
    answers = metrics.get("answers") or {}
    value = (answers.get(key) or {}).get("macro_f1")
    return float(value) if isinstance(value, int | float) else np.nan


def sweep_figure(rows: Sequence[Mapping[str, Any]]) -> FigureBlock | None:
    """Macro F1 against SNR for board and twin, one point per sweep setting."""
    points = [r for r in rows if isinstance(r.get("snr_db"), int | float)]
    if not points:
        return None
    points = sorted(points, key=lambda r: float(r["snr_db"]))
    snr = [float(r["snr_db"]) for r in points]
    fig = _figure(2.8)
    ax = fig.subplots()
    for key, (_, title, colour) in zip(("board_macro_f1", "twin_macro_f1",
                                        "twin_board_pcm_macro_f1"), ANSWERS, strict=True):
        y = [float(r[key]) if isinstance(r.get(key), int | float) else np.nan for r in points]
        ax.plot(snr, y, marker="o", label=title, color=colour)
    ax.set_xticks(snr, [f"{x:g}\n{r.get('setting', '')}" for x, r in zip(snr, points,
                                                                       strict=True)],
                  fontsize=7)
    span = (max(snr) - min(snr)) or 10.0
    ax.set_xlim(min(snr) - 0.08 * span, max(snr) + 0.08 * span)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("SNR (dB)")
    ax.set_ylabel("macro F1")
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3)
    return _block(fig, "Sweep: macro F1 against SNR", "one point per channel setting")
