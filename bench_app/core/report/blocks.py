"""The report as a list of plain blocks, rendered the same way to HTML and to PDF.

Building the content once (`content.build_blocks`) and rendering it twice keeps the two files
saying the same thing; the renderers only decide how a block looks.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    """A section title; level 1 is the report title."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text; ``tone`` is "normal", "pass", "fail", "warn" or "note"."""

    text: str
    tone: str = "normal"


@dataclass(frozen=True)
class Table:
    """A table of text cells; rows listed in ``highlight`` are marked (lint mismatches)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    highlight: frozenset[int] = field(default_factory=frozenset)
    caption: str = ""


@dataclass(frozen=True)
class FigureBlock:
    """A rendered figure: PNG bytes and its size in inches at the PNG's resolution."""

    title: str
    png: bytes
    width_in: float
    height_in: float
    caption: str = ""


Block = Heading | Paragraph | Table | FigureBlock
