"""Report wording: metric labels that the unit-suffix rule would mangle, levels with fixed
decimals, digital silence in words, and a latency run's verdict box that does not read like a
failure. The summaries are shaped like those stored by real runs (keys taken from a stored
alignment and latency run)."""

from __future__ import annotations

from bench_app.core.report.blocks import Paragraph
from bench_app.core.report.content import MEASURES_ONLY, verdict
from bench_app.core.report.metrics import metric_rows
from bench_app.core.report.samples import latency_input

#: Keys and values as a default `bench-app run alignment --device sim` stores them.
ALIGNMENT = {
    "gain_db": -7.420896210796588e-07, "noise_floor_dbfs": None, "stimulus": "tonal bursts",
    "stimulus_seconds": 32.85, "pcm_samples": 545600, "analysis_seconds": 0.6666,
    "acoustic": {"noise_samples": 225760, "noise_floor_dbfs": None, "delay_ms": 0.0},
    "parity": {"board_frames": 3408, "host_frames": 3408},
    "link": {"broken_frames": 0, "frames": 3409},
}


def test_alignment_metric_labels_are_unique_and_say_what_they_count():
    rows = metric_rows(ALIGNMENT)
    labels = [label for label, _, _ in rows]
    assert len(labels) == len(set(labels)), labels
    by_label = {label: (value, unit) for label, value, unit in rows}
    assert by_label["stimulus"] == ("tonal bursts", "")
    assert by_label["stimulus length"] == ("32.85", "s")
    assert by_label["PCM received"] == ("545600", "samples")
    assert by_label["analysis time"] == ("0.6666", "s")
    assert by_label["acoustic / noise floor samples"] == ("225760", "samples")
    assert by_label["link / broken frames"] == ("0", "frames")
    assert by_label["parity / board frames"] == ("3408", "frames")
    for bad in ("broken", "noise", "PCM", "analysis", "board", "host"):
        assert not any(label.endswith(f"/ {bad}") or label == bad for label in labels), bad


def test_levels_have_fixed_decimals_and_silence_is_named():
    by_label = {label: (value, unit) for label, value, unit in metric_rows(ALIGNMENT)}
    assert by_label["level offset"] == ("0.00", "dB")  # not -7.421e-07
    assert by_label["noise floor"] == ("digital silence", "")
    assert by_label["acoustic / noise floor"] == ("digital silence", "")
    rows = {label: value for label, value, _ in metric_rows({"gain_db": -6.0213,
                                                             "noise_floor_dbfs": -60.44})}
    assert rows == {"level offset": "-6.02", "noise floor": "-60.4"}
    # A null floor with no silent samples measured stays unknown, not "silence".
    assert metric_rows({"noise_floor_dbfs": None})[0][1] == "-"


def test_latency_verdict_box_says_it_measures():
    inp = latency_input(count=20)
    inp.verdict = {}
    texts = [b.text for b in verdict(inp) if isinstance(b, Paragraph)]
    assert texts[0] == MEASURES_ONLY and "NO VERDICT" not in " ".join(texts)
    assert "No pass/fail" in MEASURES_ONLY


def test_headline_table_names_digital_silence_measured_in_a_section():
    from bench_app.core.report.content import metric_tables

    headline = metric_tables(ALIGNMENT)[0]
    assert ("noise floor", "digital silence", "") in headline.rows
