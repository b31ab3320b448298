"""The combined alignment analysis: parts kept apart, headline JSON keys, verdict and notes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bench_app.core.analysis.alignment import AlignmentOptions, analyse_alignment
from bench_app.core.analysis.verdict import PCAN_NOTE
from bench_app.core.frontend import FrontendConfig
from bench_app.testing.signals import channel, frontend, tonal_bursts

FE = frontend()
CFG = FrontendConfig()
HEADLINE = ("mean_relative_error", "stimulus_mre", "matched_mre", "delay_samples", "lag_frames",
            "gain_db", "noise_floor_dbfs", "lint", "pass")


@pytest.fixture(scope="module")
def capture():
    stim, timeline = tonal_bursts(CFG, levels=(-12.0,), tone_s=0.1, gap_s=0.08)
    pcm = channel(stim, delay_ms=137, gain_db=-6, noise_dbfs=-60)
    return stim, timeline, pcm


def test_matching_board_passes_with_the_acoustic_path_kept_apart(capture):
    stim, timeline, pcm = capture
    frames = FE(pcm, CFG)
    rep = analyse_alignment(stim, frames, CFG, board_pcm=pcm, board_config=CFG.to_dict(),
                            timeline=timeline, frontend=FE)
    d = json.loads(json.dumps(rep.to_dict(), allow_nan=False))
    assert set(HEADLINE) <= set(d)
    assert d["pass"] is True and d["mean_relative_error"] == 0.0 and d["lint"] == []
    assert abs(d["delay_samples"] - 2192) <= 2 and abs(d["lag_frames"] - 13.7) <= 1
    assert abs(d["gain_db"] + 6) <= 0.5 and abs(d["noise_floor_dbfs"] + 60) <= 3
    assert d["stimulus_mre"] > 0.05  # large (PCAN on) and still a pass: it is not parity
    assert d["matched_mre"] < d["stimulus_mre"]
    assert d["parity"]["exact"] is True and "delay_samples" not in d["parity"]
    assert "mean_relative_error" not in d["acoustic"]
    assert d["notes"] == [PCAN_NOTE]
    assert d["reasons"][0].startswith("Pipeline parity passes")
    assert any(r.startswith("Acoustic path (information") for r in d["reasons"])
    arrays = rep.arrays()
    assert arrays["parity_host"].shape == frames.shape
    assert arrays["acoustic_stimulus_reference"].shape == frames.shape


def test_board_at_125_7500_hz_is_flagged_and_fails(capture):
    stim, timeline, pcm = capture
    board_cfg = CFG.replace(filterbank_lower_band_limit=125.0, filterbank_upper_band_limit=7500.0)
    frames = FE(pcm, board_cfg)
    rep = analyse_alignment(stim, frames, CFG, board_pcm=pcm, board_config=board_cfg.to_dict(),
                            timeline=timeline, frontend=FE)
    d = rep.to_dict()
    assert d["pass"] is False
    assert {f["key"] for f in d["lint"]} == {"fe.filterbank_lower_band_limit",
                                            "fe.filterbank_upper_band_limit"}
    assert d["mean_relative_error"] > 0.05 and not rep.parity.passed
    assert "differs from the host's in 2 setting(s)" in d["reasons"][0]
    assert d["parity"]["worst_segment"] is not None


def test_pcan_off_has_no_note_and_threshold_is_configurable(capture):
    stim, timeline, pcm = capture
    off = CFG.replace(pcan_enable=False)
    frames = FE(pcm, off).astype(np.int64)
    frames[frames > 0] += 3  # small drift everywhere
    frames = frames.astype(np.uint16)
    rep = analyse_alignment(stim, frames, off, board_pcm=pcm, timeline=timeline, frontend=FE,
                            frame_offset=0)
    assert rep.notes == () and rep.passed and 0 < rep.parity.mean_relative_error < 0.05
    strict = analyse_alignment(stim, frames, off, board_pcm=pcm, timeline=timeline,
                               frontend=FE, frame_offset=0,
                               options=AlignmentOptions(threshold=0.001))
    assert not strict.passed and "fails" in strict.verdict.reasons[0]


def test_frames_only_board_cannot_pass_but_keeps_the_lag(capture):
    stim, timeline, pcm = capture
    rep = analyse_alignment(stim, FE(pcm, CFG), CFG, timeline=timeline, frontend=FE)
    d = rep.to_dict()
    assert d["pass"] is False and "no microphone PCM" in d["reasons"][0]
    assert abs(d["lag_frames"] - 13.7) <= 1 and d["delay_samples"] is None
    assert d["mean_relative_error"] is None


@pytest.mark.parametrize("case", ["no frames", "few frames", "short pcm", "silent", "wide"])
def test_degenerate_captures_give_a_report_not_an_exception(capture, case):
    stim, timeline, pcm = capture
    frames = FE(pcm, CFG)
    kw = {"board_pcm": pcm, "timeline": timeline}
    if case == "no frames":
        frames = np.zeros((0, 32), np.uint16)
    elif case == "few frames":
        frames = frames[:3]
    elif case == "short pcm":
        kw["board_pcm"] = pcm[:200]
    elif case == "silent":
        kw["board_pcm"] = np.zeros_like(pcm)
        frames = np.zeros_like(frames)
    else:
        frames = np.zeros((len(frames), 40), np.uint16)
    rep = analyse_alignment(stim, frames, CFG, board_config={"fe.pcan_enable": "x"}, **kw)
    d = json.loads(json.dumps(rep.to_dict(), allow_nan=False))
    assert d["pass"] is False and d["reasons"]
    assert not any("analysis failed" in n for n in d["acoustic"]["notes"])
    assert all(n.endswith(".") for n in d["acoustic"]["notes"])
