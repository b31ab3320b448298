"""Reports of the real alignment analysis: its nested summary and arrays show as they should."""

from __future__ import annotations

import json
from html import escape

import numpy as np
import pytest

from bench_app.core.analysis.alignment import analyse_alignment
from bench_app.core.analysis.verdict import PCAN_NOTE
from bench_app.core.frontend import FrontendConfig
from bench_app.core.report import ReportInput, write_report
from bench_app.testing.report_html import table_rows
from bench_app.testing.signals import channel, frontend, tonal_bursts

FE = frontend()
CFG = FrontendConfig()


def _report_input(board_cfg: FrontendConfig) -> tuple[ReportInput, dict]:
    stim, timeline = tonal_bursts(CFG, levels=(-12.0,), tone_s=0.08, gap_s=0.06)
    pcm = channel(stim, delay_ms=137, gain_db=-6, noise_dbfs=-60)
    frames = FE(pcm, board_cfg)
    rep = analyse_alignment(stim, frames, CFG, board_pcm=pcm, board_config=board_cfg.to_dict(),
                            timeline=timeline, frontend=FE)
    summary = json.loads(json.dumps(rep.to_dict(), allow_nan=False))  # as the store keeps it
    inp = ReportInput(
        run={"uid": "0123abcd", "procedure": "alignment", "status": "success",
             "parameters": {"path": "acoustic"}},
        board_info={"firmware_version": "0.3.1", "model_sha256": None,
                    "frontend": board_cfg.to_dict()},
        host_frontend=CFG.to_dict(), lint=summary["lint"], summary=summary,
        verdict={"pass": summary["pass"], "reasons": summary["reasons"]},
        arrays={**rep.arrays(), "frames": frames, "pcm": pcm, "stimulus": stim})
    return inp, summary


@pytest.fixture(scope="module")
def matching(tmp_path_factory):
    inp, summary = _report_input(CFG)
    folder = tmp_path_factory.mktemp("analysis")
    files = write_report(inp, html=folder / "r.html", pdf=folder / "r.pdf")
    return inp, summary, files.html.read_text(encoding="utf-8"), files


def test_analysis_arrays_are_found_under_their_stored_names(matching):
    inp, summary, _, _ = matching
    assert inp.missing_arrays() == []
    np.testing.assert_array_equal(inp.array("reference_frames"), inp.arrays["parity_host"])
    np.testing.assert_array_equal(inp.array("parity_per_channel"),
                                  np.asarray(summary["parity"]["per_channel"], float))


def test_report_shows_the_analysis_figures_once(matching):
    inp, summary, html, files = matching
    assert "Verdict: PASS" in html
    assert html.count(escape(PCAN_NOTE)) == 1  # the analysis's note, not repeated
    assert escape(summary["reasons"][0]) in html
    assert table_rows(html, "Metrics")["delay"] == (str(summary["delay_samples"]), "samples")
    parity = table_rows(html, "Pipeline parity")
    assert parity["exact"] == ("yes", "") and parity["mean relative error"] == ("0", "%")
    acoustic = table_rows(html, "Acoustic path (information only)")
    assert acoustic["noise floor"] == (f"{summary['noise_floor_dbfs']:.1f}", "dBFS")
    assert "mean relative error" not in acoustic  # the parts stay apart
    assert html.count("<img ") == 4 and files.pdf_pages >= 3


def test_board_at_125_7500_hz_is_highlighted_and_fails(tmp_path):
    board = CFG.replace(filterbank_lower_band_limit=125.0, filterbank_upper_band_limit=7500.0)
    inp, summary = _report_input(board)
    html = write_report(inp, html=tmp_path / "f.html").html.read_text(encoding="utf-8")
    assert "Verdict: FAIL" in html
    for key in ("fe.filterbank_lower_band_limit", "fe.filterbank_upper_band_limit"):
        assert f'<tr class="lint"><td>{key}</td>' in html
    mre = summary["mean_relative_error"]
    assert mre > 0.05
    assert f"<td>mean relative error</td><td>{mre * 100:.4g}</td><td>%</td>" in html
