"""The PDF report, read back with poppler (pdfinfo, pdftotext, pdfimages)."""

from __future__ import annotations

import re
import subprocess

import pytest

from bench_app.core.report import ReportInput, write_report
from bench_app.core.report.samples import alignment_input, latency_input

HOSTILE = '<script>alert("x")</script>'


def _poppler(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def _pages(path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", _poppler("pdfinfo", str(path)), re.M).group(1))


def _text(path, page: int | None = None) -> str:
    args = ["pdftotext", "-layout"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return _poppler(*args, str(path), "-")


def _images(path) -> int:
    lines = _poppler("pdfimages", "-list", str(path)).splitlines()[2:]
    return sum(1 for line in lines if line.split()[2] == "image")


def _check_pages(path, pages: int) -> str:
    """Every page carries 'page i of N' and N is poppler's page count; returns all text."""
    assert _pages(path) == pages
    for i in range(1, pages + 1):
        assert f"page {i} of {pages}" in _text(path, i)
    return _text(path)


@pytest.fixture(scope="module")
def alignment_pdf(tmp_path_factory):
    inp = alignment_input(seed=2, board_upper_hz=7500.0)
    inp.run["parameters"]["stimulus"] = HOSTILE
    inp.run["parameters"]["note"] = "cost $5 and $x^2$"
    path = tmp_path_factory.mktemp("pdf") / "alignment.pdf"
    files = write_report(inp, pdf=path)
    return inp, path, files.pdf_pages


def test_alignment_pdf_pages_text_and_figures(alignment_pdf):
    inp, path, pages = alignment_pdf
    assert pages >= 3
    text = _check_pages(path, pages)
    for expected in ("Verdict: FAIL", "MISMATCH", "fe.filterbank_upper_band_limit",
                     "Lint findings", "Metrics", "Spectrograms", "Per channel",
                     inp.uid, "samples", "dBFS"):
        assert expected in text, expected
    assert _images(path) == 4


def test_pdf_prints_stored_text_literally(alignment_pdf):
    _, path, _ = alignment_pdf
    text = _text(path)
    assert HOSTILE in text
    assert "cost $5 and $x^2$" in text  # mathtext is off: dollar signs stay dollar signs


def test_latency_pdf(tmp_path):
    inp = latency_input(count=120)
    files = write_report(inp, pdf=tmp_path / "latency.pdf")
    text = _check_pages(files.pdf, files.pdf_pages)
    for expected in ("Verdict: PASS", "Latency", "board total", "UNTRAINED",
                     "Latency histograms", "Latency per inference", "budget"):
        assert expected in text, expected
    assert _images(files.pdf) == 2


def test_interrupted_run_still_renders_and_says_what_is_missing(tmp_path):
    full = alignment_input(seed=4)
    inp = ReportInput(run={**full.run, "status": "interrupted"}, board_info=full.board_info,
                      host_frontend=full.host_frontend,
                      arrays={"board_frames": full.arrays["board_frames"]})
    files = write_report(inp, html=tmp_path / "r.html", pdf=tmp_path / "r.pdf")
    text = " ".join(_check_pages(files.pdf, files.pdf_pages).split())
    assert "NO VERDICT" in text and "'interrupted'" in text
    missing = text.split("Missing from this run (not stored):", 1)[1].split(".", 1)[0]
    for name in ("reference_frames", "parity_per_channel", "board_pcm", "stimulus"):
        assert name in missing
    assert "board_frames" not in missing
    assert "No summary was stored" in text
    assert _images(files.pdf) == 1  # the board spectrogram alone
    assert "NO VERDICT" in files.html.read_text(encoding="utf-8")


def test_long_tables_continue_on_the_next_page(tmp_path):
    inp = latency_input(count=20)
    inp.board_info.update({f"extra_{i:03d}": f"value {i}" for i in range(150)})
    files = write_report(inp, pdf=tmp_path / "long.pdf")
    text = _check_pages(files.pdf, files.pdf_pages)
    assert "Board INFO (continued)" in text
    assert all(f"extra_{i:03d}" in text for i in range(150))


def test_pcan_paragraph_only_when_pcan_is_on(tmp_path):
    on = alignment_input(seed=5)
    off = alignment_input(seed=5)
    for config in (off.host_frontend, off.board_info["frontend"]):
        config["fe.pcan_enable"] = False
    texts = []
    for name, inp in (("on", on), ("off", off)):
        files = write_report(inp, html=tmp_path / f"{name}.html")
        texts.append(files.html.read_text(encoding="utf-8"))
    assert texts[0].count('class="note"') == 1 and "PCAN" in texts[0].split('class="note"')[1]
    assert 'class="note"' not in texts[1]
