"""Write a run's report: raw data first, then the HTML, then the PDF.

The order keeps what is most valuable safe: if drawing the PDF fails, the raw data and the
HTML are already on disk. Every output path is reduced to a sanitised name inside its folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bench_app.core.report.blocks import Block
from bench_app.core.report.content import build_blocks
from bench_app.core.report.html import render_html
from bench_app.core.report.model import ReportInput
from bench_app.core.report.paths import inside, output_folder, sanitize_filename
from bench_app.core.report.pdf import write_pdf
from bench_app.core.report.raw import write_raw


@dataclass
class ReportFiles:
    """What `write_report` wrote."""

    html: Path | None = None
    pdf: Path | None = None
    pdf_pages: int = 0
    raw: list[Path] = field(default_factory=list)


def _target(path: Path | str, suffix: str) -> Path:
    """``path`` with a sanitised name (forced to ``suffix``), inside its own folder."""
    given = Path(path).expanduser()
    name = sanitize_filename(given.name, default="report")
    if not name.lower().endswith(suffix):
        name += suffix
    return inside(output_folder(given.parent), name)


def _atomic_write(path: Path, text: str) -> None:
    temp = path.with_name(path.name + ".part")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


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
        Output files; their names are sanitised and they stay inside their folders.
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
        files.html = _target(html, ".html")
        _atomic_write(files.html, render_html(blocks, title))
    if pdf is not None:
        files.pdf = _target(pdf, ".pdf")
        temp = files.pdf.with_name(files.pdf.name + ".part")
        files.pdf_pages = write_pdf(blocks, temp, f"bench-app report · run {inp.uid}", title)
        os.replace(temp, files.pdf)
    return files


def write_report_folder(inp: ReportInput, folder: Path | str,
                        made_at: str | None = None) -> ReportFiles:
    """Write ``<stem>.html``, ``<stem>.pdf`` and ``<stem>_raw/`` into ``folder``."""
    root = output_folder(folder)
    stem = default_stem(inp)
    return write_report(inp, html=root / f"{stem}.html", pdf=root / f"{stem}.pdf",
                        raw_dir=inside(root, f"{stem}_raw"), made_at=made_at)
