"""Write a run's report: raw data first, then the HTML, then the PDF.

The order keeps what is most valuable safe: if drawing the PDF fails, the raw data and the
HTML are already on disk. The HTML and PDF are written at exactly the paths given (the CLI
has checked them); names that come from stored data (raw files) are sanitised inside their folder.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from bench_app.core.report.blocks import Block
from bench_app.core.report.content import build_blocks
from bench_app.core.report.html import render_html
from bench_app.core.report.model import ReportInput
from bench_app.core.report.paths import ReportPathError, inside, output_folder, sanitize_filename
from bench_app.core.report.pdf import write_pdf
from bench_app.core.report.raw import write_raw


@dataclass
class ReportFiles:
    """What `write_report` wrote."""

    html: Path | None = None
    pdf: Path | None = None
    pdf_pages: int = 0
    raw: list[Path] = field(default_factory=list)


def _target(path: Path | str) -> Path:
    """``path`` exactly as the user named it (no character replaced, no suffix added)."""
    given = Path(path).expanduser()
    if not given.name or given.name in (".", ".."):
        raise ReportPathError(f"The report path {given} does not name a file.")
    if given.is_dir() or (given.exists() and not given.is_file()):
        raise ReportPathError(f"The report path {given} is not a regular file.")
    return output_folder(given.parent) / given.name


def _replace_from_temp(path: Path, write) -> None:
    """Write through ``<name>.part`` beside ``path``, then rename; no ``.part`` survives."""
    temp = path.with_name(path.name + ".part")
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def default_stem(inp: ReportInput) -> str:
    """A file stem naming the run: ``<procedure>_<run id>``, sanitised."""
    return sanitize_filename(f"{inp.procedure}_{inp.uid}", default="run")


def write_report(inp: ReportInput, html: Path | str | None = None,
                 pdf: Path | str | None = None, raw_dir: Path | str | None = None,
                 made_at: str | None = None) -> ReportFiles:
    """Write the HTML and / or PDF report and the raw data of one run.

    Parameters
    ----------
    inp
        The run's report input.
    html, pdf
        Output files, written at exactly these paths (their folders are created).
    raw_dir
        Folder for the raw data (CSV + NPZ + JSON); none written when None.
    made_at
        Timestamp text shown as the report's date (now, in UTC, when None).
    """
    files = ReportFiles()
    raw_names: list[str] = []
    if raw_dir is not None:
        files.raw = write_raw(inp, raw_dir)
        folder = files.raw[0].parent
        base = Path(html or pdf or folder).expanduser().resolve().parent
        shown = os.path.relpath(folder, base) if folder.is_relative_to(base) else str(folder)
        raw_names = [f"{shown}/{p.name}" for p in files.raw]
    blocks: list[Block] = build_blocks(inp, raw_names, made_at)
    title = f"Bench report: {inp.procedure} run {inp.uid}"
    if html is not None:
        files.html = _target(html)
        text = render_html(blocks, title)
        _replace_from_temp(files.html, lambda t: t.write_text(text, encoding="utf-8"))
    if pdf is not None:
        files.pdf = _target(pdf)
        footer = f"bench-app report · run {inp.uid}"

        def draw(temp: Path) -> None:
            files.pdf_pages = write_pdf(blocks, temp, footer, title)

        _replace_from_temp(files.pdf, draw)
    return files


def write_report_folder(inp: ReportInput, folder: Path | str,
                        made_at: str | None = None) -> ReportFiles:
    """Write ``<stem>.html``, ``<stem>.pdf`` and ``<stem>_raw/`` into ``folder``."""
    root = output_folder(folder)
    stem = default_stem(inp)
    return write_report(inp, html=root / f"{stem}.html", pdf=root / f"{stem}.pdf",
                        raw_dir=inside(root, f"{stem}_raw"), made_at=made_at)
