"""User-facing figures read plainly: no "-inf dBFS", no "-0.00 dB", no "-7.421e-07 dB", and no
PCAN paragraph explaining stimulus errors that are 0 % (the injected path)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from bench_app.cli.run_cmd import _print_text
from bench_app.core.analysis.acoustic import AcousticResult
from bench_app.core.analysis.parity import ParityResult
from bench_app.core.analysis.relerr import ErrorStats
from bench_app.core.analysis.verdict import (
    PCAN_NOTE,
    db_text,
    decide,
    noise_floor_text,
    pcan_note,
)


@settings(max_examples=200, deadline=None)
@given(st.floats(-200, 200, allow_nan=False))
def test_db_text_has_fixed_decimals_and_no_negative_zero(x):
    text = db_text(x)
    assert text not in ("-0.00", "+0.00") and "e" not in text
    assert float(text) == float(f"{x:.2f}")  # Python's own rounding of the same value
    assert text.split(".")[1].isdigit() and len(text.split(".")[1]) == 2


def test_db_text_of_the_values_seen_in_runs():
    assert db_text(-0.0) == "0.00"
    assert db_text(-7.421e-07) == "0.00"
    assert db_text(-6.02) == "-6.02"
    assert db_text(1.5) == "+1.50"


def test_noise_floor_of_digital_silence_is_said_in_words():
    assert noise_floor_text(-math.inf) == "digital silence"
    assert noise_floor_text(-60.44) == "-60.4 dBFS"


def _stats(mean: float) -> ErrorStats:
    return ErrorStats(mean=mean, median=mean, p95=mean, max=mean, n_cells=10, floor=1.0)


def test_verdict_reason_of_an_injected_run_reads_plainly():
    parity = ParityResult(available=True, stats=_stats(0.0), exact=True, frames_compared=100)
    acoustic = AcousticResult(delay_samples=0, lag_frames=0.0, gain_db=-7.421e-07,
                              noise_floor_dbfs=-math.inf, stimulus=_stats(0.0),
                              matched=_stats(0.0))  # fmt: skip
    text = " ".join(decide([], parity, acoustic).reasons)
    assert "noise floor: digital silence" in text and "level offset 0.00 dB" in text
    assert "-inf" not in text and "-0.00" not in text and "e-0" not in text


def test_pcan_paragraph_only_when_there_is_a_stimulus_error_to_explain():
    assert pcan_note(True, {}, 0.0) is None  # injected path: both stimulus errors 0 %
    assert pcan_note(True, {}, math.nan) is None  # not measured
    assert pcan_note(True, {}, 0.534) == PCAN_NOTE
    assert pcan_note(False, {"fe.pcan_enable": True}, 0.1) == PCAN_NOTE
    assert pcan_note(False, {"fe.pcan_enable": False}, 0.1) is None


def test_cli_text_output_has_fixed_decimals(capsys):
    out = {"run_id": "r1", "procedure": "alignment", "status": "success", "reason": "done",
           "store": "S", "pass": True, "gain_db": -7.421e-07, "noise_floor_dbfs": None,
           "noise_samples": 225760, "delay_samples": 0, "lag_frames": 0.0}  # fmt: skip
    _print_text(out)
    text = capsys.readouterr().out
    assert "level offset           0.00 dB" in text
    assert "noise floor            digital silence" in text
    _print_text({**out, "gain_db": -6.0213, "noise_floor_dbfs": -60.44})
    text = capsys.readouterr().out
    assert "-6.02 dB" in text and "-60.4 dBFS" in text


def test_report_shows_the_pcan_paragraph_only_beside_a_stimulus_error():
    from bench_app.core.report.content import results
    from bench_app.core.report.samples import alignment_input

    def paragraphs(stimulus_mre):
        inp = alignment_input()
        inp.summary = {**inp.summary, "stimulus_mre": stimulus_mre}
        inp.host_frontend = {**inp.host_frontend, "fe.pcan_enable": True}
        return [getattr(b, "text", "") for b in results(inp)]

    assert PCAN_NOTE in paragraphs(0.57)
    assert PCAN_NOTE not in paragraphs(0.0) and PCAN_NOTE not in paragraphs(None)
