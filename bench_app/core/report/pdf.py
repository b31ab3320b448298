"""A paginated A4 PDF from report blocks, drawn with matplotlib (PdfPages, no pyplot).

A small flow layout places blocks top to bottom: text is wrapped by character count (tables in
a monospaced font so columns line up), long tables continue on the next page with their header
repeated, figures are the same PNGs as in the HTML, scaled to the text width. Text is drawn with
mathtext off, so ``$`` in stored strings prints as itself.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

from bench_app.core.report.blocks import Block, FigureBlock, Heading, Paragraph, Table

PAGE_W, PAGE_H = 8.27, 11.69  # A4, inches
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 0.6, 0.6, 0.75
TEXT_W = PAGE_W - 2 * MARGIN_X
BODY_PT, TABLE_PT = 9.0, 7.5
MONO_CHAR_IN = 0.602 * TABLE_PT / 72  # DejaVu Sans Mono advance width
BODY_CHARS = 100
TABLE_CHARS = int(TEXT_W / MONO_CHAR_IN)
COLUMN_GAP = 2
TONE_COLOURS = {"pass": "#c6f6d5", "fail": "#fed7d7", "warn": "#fefcbf", "note": "#ebf8ff"}
HIGHLIGHT = "#fed7d7"

Op = Callable[[object], None]


def _line_h(points: float) -> float:
    return points * 1.35 / 72


def _text(fig, x_in: float, y_in: float, text: str, **kw) -> None:
    fig.text(x_in / PAGE_W, 1 - y_in / PAGE_H, text, va="top", ha="left", parse_math=False, **kw)


def _box(fig, x_in: float, y_in: float, w_in: float, h_in: float, colour: str) -> None:
    from matplotlib.patches import Rectangle

    fig.patches.append(Rectangle((x_in / PAGE_W, 1 - (y_in + h_in) / PAGE_H), w_in / PAGE_W,
                                 h_in / PAGE_H, transform=fig.transFigure, facecolor=colour,
                                 edgecolor="none", zorder=-1))


class _Flow:
    """Top-to-bottom placement of drawing operations onto pages."""

    def __init__(self) -> None:
        self.pages: list[list[Op]] = [[]]
        self.y = MARGIN_TOP

    @property
    def room(self) -> float:
        return PAGE_H - MARGIN_BOTTOM - self.y

    def need(self, height: float) -> None:
        if height > self.room and self.y > MARGIN_TOP:
            self.pages.append([])
            self.y = MARGIN_TOP

    def draw(self, op: Op) -> None:
        self.pages[-1].append(op)


def _start_height(block: Block | None) -> float:
    """Height of the start of ``block`` that must share a page with the heading above it."""
    if isinstance(block, Paragraph):
        return _line_h(BODY_PT) * len(textwrap.wrap(block.text, BODY_CHARS - 8)) + 0.12
    if isinstance(block, Table):
        return _line_h(BODY_PT) + _line_h(TABLE_PT) * (1 + min(len(block.rows), 3))
    if isinstance(block, FigureBlock):
        return min(block.height_in * TEXT_W / block.width_in, 4.0)
    return 0.5


def _heading(flow: _Flow, block: Heading, following: Block | None = None) -> None:
    size = {1: 15.0, 2: 12.0}.get(block.level, 10.0)
    flow.need(_line_h(size) + 0.2 + _start_height(following))  # keep it with what follows
    flow.y += 0.12 if flow.y > MARGIN_TOP else 0.0
    y, text = flow.y, textwrap.fill(block.text, int(BODY_CHARS * BODY_PT / size))
    flow.draw(lambda f: _text(f, MARGIN_X, y, text, fontsize=size, fontweight="bold"))
    flow.y += _line_h(size) * (text.count("\n") + 1) + 0.08


def _paragraph(flow: _Flow, block: Paragraph) -> None:
    lines = textwrap.wrap(block.text, BODY_CHARS - 8) or [""]
    pad = 0.06 if block.tone in TONE_COLOURS else 0.0
    height = _line_h(BODY_PT) * len(lines) + 2 * pad
    flow.need(height)
    y, colour = flow.y, TONE_COLOURS.get(block.tone)
    weight = "bold" if block.tone in ("pass", "fail") else "normal"

    def op(fig) -> None:
        if colour:
            _box(fig, MARGIN_X, y, TEXT_W, height, colour)
        _text(fig, MARGIN_X + 0.08, y + pad, "\n".join(lines), fontsize=BODY_PT,
              fontweight=weight, linespacing=1.35)

    flow.draw(op)
    flow.y += height + 0.08


def column_widths(natural: Sequence[int], available: int) -> list[int]:
    """Share ``available`` characters between columns: narrow ones get what they need."""
    widths = [0] * len(natural)
    remaining = available - COLUMN_GAP * (len(natural) - 1)
    order = sorted(range(len(natural)), key=lambda i: natural[i])
    for rank, i in enumerate(order):
        share = remaining // (len(natural) - rank)
        widths[i] = max(4, min(natural[i], share))
        remaining -= widths[i]
    return widths


def _table(flow: _Flow, block: Table) -> None:
    natural = [max([len(c) for c in (col, *(r[i] for r in block.rows))]) or 1
               for i, col in enumerate(block.columns)]
    widths = column_widths(natural, TABLE_CHARS)
    line_h = _line_h(TABLE_PT)

    def wrap(row: Sequence[str]) -> list[list[str]]:
        return [textwrap.wrap(cell, w, break_on_hyphens=False) or [""]
                for cell, w in zip(row, widths, strict=True)]

    def put_row(cells: list[list[str]], bold: bool, colour: str | None) -> None:
        height = line_h * max(len(c) for c in cells)
        y = flow.y

        def op(fig) -> None:
            if colour:
                _box(fig, MARGIN_X, y, TEXT_W, height, colour)
            x = MARGIN_X
            for lines, w in zip(cells, widths, strict=True):
                _text(fig, x, y, "\n".join(lines), fontsize=TABLE_PT, family="DejaVu Sans Mono",
                      fontweight="bold" if bold else "normal", linespacing=1.35)
                x += (w + COLUMN_GAP) * MONO_CHAR_IN

        flow.draw(op)
        flow.y += height

    def put_title(title: str) -> None:
        y = flow.y
        flow.draw(lambda f: _text(f, MARGIN_X, y, title, fontsize=BODY_PT, fontweight="bold"))
        flow.y += _line_h(BODY_PT)
        put_row(wrap(block.columns), True, "#edf2f7")

    head_h = _line_h(BODY_PT) + line_h
    heights = [line_h * max(len(c) for c in wrap(row)) for row in block.rows] or [line_h]
    whole = head_h + sum(heights)
    # A table that fits on one page starts a new one rather than leave most of itself behind.
    flow.need(whole if whole <= PAGE_H - MARGIN_TOP - MARGIN_BOTTOM and flow.room < 0.6 * whole
              else head_h + heights[0])
    put_title(block.title)
    for i, row in enumerate(block.rows):
        cells = wrap(row)
        height = line_h * max(len(c) for c in cells)
        if height > flow.room:
            flow.need(PAGE_H)
            put_title(block.title + " (continued)")
        put_row(cells, False, HIGHLIGHT if i in block.highlight else None)
    if block.caption:
        _paragraph(flow, Paragraph(block.caption))
    flow.y += 0.12


def _figure(flow: _Flow, block: FigureBlock) -> None:
    scale = min(TEXT_W / block.width_in, 1.0)
    width, height = block.width_in * scale, block.height_in * scale
    title_h = _line_h(BODY_PT) + 0.04
    full = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM - title_h - 0.3
    if height > full:
        width, height = width * full / height, full
    room = flow.room - title_h
    if height > room >= 0.75 * height:  # shrink a little rather than leave a half-empty page
        width, height = width * room / height, room
    flow.need(title_h + height)
    y, png = flow.y, block.png
    title = block.title + (f": {block.caption}" if block.caption else "")

    def op(fig) -> None:
        from matplotlib.image import imread

        _text(fig, MARGIN_X, y, title, fontsize=BODY_PT, fontweight="bold")
        ax = fig.add_axes((MARGIN_X / PAGE_W, 1 - (y + title_h + height) / PAGE_H,
                           width / PAGE_W, height / PAGE_H))
        ax.imshow(imread(io.BytesIO(png), format="png"), interpolation="none")
        ax.set_axis_off()

    flow.draw(op)
    flow.y += title_h + height + 0.15


def layout(blocks: Sequence[Block]) -> list[list[Op]]:
    """Place the blocks on pages; returns each page's drawing operations."""
    flow = _Flow()
    placers = {Heading: _heading, Paragraph: _paragraph, Table: _table, FigureBlock: _figure}
    for i, block in enumerate(blocks):
        if isinstance(block, Heading):
            _heading(flow, block, blocks[i + 1] if i + 1 < len(blocks) else None)
        else:
            placers[type(block)](flow, block)
    return flow.pages


def write_pdf(blocks: Sequence[Block], path: Path, footer: str, title: str) -> int:
    """Write the PDF to ``path``; return its page count."""
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    pages = layout(blocks)
    metadata = {"Title": title, "Creator": "bench-app"}
    with PdfPages(path, metadata=metadata) as pdf:
        for number, ops in enumerate(pages, start=1):
            fig = Figure(figsize=(PAGE_W, PAGE_H))
            for op in ops:
                op(fig)
            _text(fig, MARGIN_X, PAGE_H - MARGIN_BOTTOM + 0.3,
                  f"{footer} · page {number} of {len(pages)}", fontsize=7, color="#4a5568")
            pdf.savefig(fig)
    return len(pages)
