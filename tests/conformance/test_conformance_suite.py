"""`bench_app.core.conformance` and `bench-app conformance` on sound and broken virtual boards.

A sound virtual board (unpaced, the untrained paper-shape model, -50 dBFS noise at its
microphone) passes every level, L4 with a 1 s soak; boards started with a ``--fault`` fail the
level that fault breaks, with a reason that names or counts what went wrong.
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from bench_app.cli import main
from bench_app.core.conformance import FAIL, NA, PASS, ConformanceOptions, run_conformance
from bench_app.core.device.client import BoardClient
from bench_app.core.device.emulator.board_faults import BoardFaults
from bench_app.core.device.emulator.channel import ChannelConfig
from bench_app.core.errors import ConfigError
from bench_app.core.frontend import FrontendConfig
from bench_app.testing.running_board import MODEL, running_board

pytestmark = pytest.mark.timeout(120)


def conformance(faults=(), soak_s=0.0, model=True):
    """Run every level on a virtual board in this process; the report."""
    with running_board(fast=True, model=str(MODEL) if model else None,
                       channel=ChannelConfig.parse("noise_dbfs=-50"),
                       board_faults=BoardFaults.parse(list(faults))) as board, \
            BoardClient.open(board.port_path, timeout=5.0) as client:  # fmt: skip
        return run_conformance(client, "test", ConformanceOptions(listen_s=1.0, soak_s=soak_s))


def verdicts(report):
    return {(c.level, c.name): c for c in report.checks}


@pytest.mark.skipif(not MODEL.is_file(), reason="models/untrained_paper_shape.tflite is missing")
def test_a_sound_virtual_board_passes_every_level():
    report = conformance(soak_s=1.0)
    assert [c.line() for c in report.failed] == []
    assert {lv: report.status(lv) for lv in ("L0", "L1", "L2", "L3", "L4")} == dict.fromkeys(
        ("L0", "L1", "L2", "L3", "L4"), PASS)
    v = verdicts(report)
    assert "625 frames" in v["L1", "frames-bit-exact"].reason
    assert "equal the host twin" in v["L2", "result-scores"].reason
    assert report.exit_code == 0 and report.to_dict()["result"] == "pass"


def test_wrong_band_fails_l1_naming_the_first_differing_frame_and_channel():
    report = conformance(["frontend-band=300-3000"], model=False)
    v = verdicts(report)
    check = v["L1", "frames-bit-exact"]
    assert check.status == FAIL and report.exit_code == 1
    assert "frame" in check.reason and "channel" in check.reason and "reference" in check.reason
    assert check.reason.count(".") <= 2  # one sentence (plus the clip's name)
    assert v["L2", "result-scores"].status == NA
    assert "no model runtime" in v["L2", "result-scores"].reason
    assert report.status("L0") == report.status("L3") == PASS


def test_dropped_frames_fail_l1_and_l3_and_are_counted():
    report = conformance(["drop-frames=0.05", "seed=3"], model=False)
    v = verdicts(report)
    missing = v["L1", "frames-complete"]
    assert missing.status == FAIL and "never arrived" in missing.reason
    assert int(missing.reason.split()[0]) > 0  # "N of 625 frames never arrived"
    assert v["L1", "frames-bit-exact"].status == PASS  # the frames that came are right
    cadence = v["L3", "frame-cadence"]
    assert cadence.status == FAIL and "never sent" in cadence.reason


@pytest.mark.skipif(not MODEL.is_file(), reason="models/untrained_paper_shape.tflite is missing")
def test_offset_scores_fail_l2_only():
    report = conformance(["result-offset=2"])
    v = verdicts(report)
    check = v["L2", "result-scores"]
    assert check.status == FAIL and "host twin" in check.reason and "differ" in check.reason
    assert [c.level for c in report.failed] == ["L2"]


def test_bad_fault_options_are_one_sentence_errors():
    for bad in (["frontend-band=3000-300"], ["drop-frames=1.5"], ["nonsense=1"],
                ["result-offset=x"]):  # fmt: skip
        with pytest.raises(ConfigError, match=r"^(Unknown|Bad) --fault"):
            BoardFaults.parse(bad)
    with pytest.raises(ConfigError):  # a band above Nyquist is refused by the front end
        BoardFaults.parse(["frontend-band=100-9000"]).computing_frontend(FrontendConfig())


def cli(*argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


def test_cli_exit_status_and_report_file(tmp_path):
    out = tmp_path / "r.json"
    code, text = cli("conformance", "--device", "sim", "--listen-s", "1", "--out", str(out),
                     "--sim", "--fast --channel noise_dbfs=-50 --fault result-offset=1 "
                     f"--model {MODEL}")  # fmt: skip
    assert code == 1
    lines = text.splitlines()
    assert any(ln.startswith("L2  result-scores") and "FAIL" in ln for ln in lines)
    assert lines[-1].startswith("result: FAIL")
    doc = json.loads(out.read_text())
    assert doc["exit_code"] == 1 and doc["levels"]["L2"] == "fail"
    assert doc["levels"]["L1"] == "pass" and doc["info"]["protocol_version"] == 1
