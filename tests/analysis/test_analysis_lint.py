"""Config lint: the board's INFO front-end config vs the host's; never raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bench_app.core.analysis.config_lint import has_errors, lint_frontend
from bench_app.core.frontend import FrontendConfig

HOST = FrontendConfig()


def by_key(findings):
    return {f.key: f for f in findings}


def test_identical_configs_give_no_finding():
    assert lint_frontend(HOST, HOST.to_dict()) == []
    # MLTK's own extra keys, disabled, and sample_length_ms are not findings either.
    extra = {**HOST.to_dict(), "fe.sample_length_ms": 5000, "fe.dc_notch_filter_enable": False,
             "fe.dc_notch_filter_coefficient": 0.95}
    assert lint_frontend(HOST, extra) == []


def test_every_mismatching_setting_is_an_error_with_both_values():
    board = FrontendConfig(
        sample_rate_hz=48000, window_size_ms=30, window_step_ms=20, filterbank_n_channels=40,
        filterbank_lower_band_limit=125.0, filterbank_upper_band_limit=7500.0,
        noise_reduction_smoothing_bits=5, noise_reduction_even_smoothing=0.1,
        noise_reduction_odd_smoothing=0.1, noise_reduction_min_signal_remaining=1.0,
        pcan_strength=0.5, pcan_offset=10.0, pcan_gain_bits=20, log_scale_shift=5,
        window_variant="double",
    ).to_dict()
    found = by_key(lint_frontend(HOST, board))
    changed = {k for k, v in board.items() if v != HOST.to_dict()[k]}
    assert set(found) == changed and len(changed) == 15
    assert all(f.severity == "error" for f in found.values())
    low = found["fe.filterbank_lower_band_limit"]
    assert (low.host, low.board) == (80.0, 125.0)
    assert "125.0" in low.message and "80.0" in low.message and low.message.endswith(".")


def test_block_switched_off_makes_its_parameters_info():
    host = HOST.replace(pcan_enable=False)
    board = {**host.to_dict(), "fe.pcan_strength": 0.5, "fe.pcan_enable": False}
    f = by_key(lint_frontend(host, board))
    assert f["fe.pcan_strength"].severity == "info"
    board = {**HOST.to_dict(), "fe.pcan_enable": False, "fe.pcan_offset": 1.0}
    f = by_key(lint_frontend(HOST, board))
    assert f["fe.pcan_enable"].severity == "error" and f["fe.pcan_offset"].severity == "info"


def test_partial_unknown_and_badly_typed_configs():
    board = {"fe.filterbank_n_channels": "32", "filterbank_lower_band_limit": 80,
             "fe.pcan_enable": "yes please", "fe.log_scale_shift": 6.5, "fe.mystery": 1,
             "fe.activity_detection_enable": True}
    f = by_key(lint_frontend(HOST, board))
    assert f["fe.filterbank_n_channels"].severity == "warning"  # "32" reads as 32
    assert "fe.filterbank_lower_band_limit" not in f  # prefix optional, 80 == 80.0
    assert f["fe.pcan_enable"].severity == "error"
    assert f["fe.log_scale_shift"].severity == "error"
    assert f["fe.mystery"].severity == "warning"
    assert f["fe.activity_detection_enable"].severity == "error"
    assert f["fe.window_step_ms"].severity == "warning" and f["fe.window_step_ms"].board is None
    assert f["fe.window_variant"].severity == "info"
    severities = [x.severity for x in lint_frontend(HOST, board)]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
    assert has_errors(list(f.values()))


def test_not_a_dict_is_one_error():
    for junk in (None, [1, 2], "fe.pcan_enable=1", 3.5):
        findings = lint_frontend(HOST, junk)
        assert len(findings) == 1 and findings[0].severity == "error"


_values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5),
                    st.lists(st.integers(), max_size=2))


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(HOST.to_dict()) + ["fe.x", "y", 3]), _values))
def test_lint_never_raises_and_its_output_is_json(board):
    import json

    for f in lint_frontend(HOST, board):
        assert f.severity in ("error", "warning", "info") and f.message
        json.dumps(f.to_dict(), allow_nan=False, default=str)
