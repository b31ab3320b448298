"""FrontendConfig: MLTK key names and values, JSON round trips, clear errors for bad keys.

The reference for key names and for what MLTK accepts is MLTK's own
``AudioFeatureGeneratorSettings`` (silabs-mltk 0.20.0, loaded the light way by tests/oracles.py).
"""

from __future__ import annotations

import json

import pytest

from bench_app.core.errors import BenchError, ConfigError
from bench_app.core.frontend import FrontendConfig
from bench_app.testing.oracles import mltk_module


def test_defaults_are_the_papers_settings():
    cfg = FrontendConfig()
    d = cfg.to_dict()
    assert d["fe.sample_rate_hz"] == 16000
    assert (d["fe.window_size_ms"], d["fe.window_step_ms"]) == (25, 10)
    assert d["fe.filterbank_n_channels"] == 32
    assert (d["fe.filterbank_lower_band_limit"], d["fe.filterbank_upper_band_limit"]) == (
        80.0,
        7600.0,
    )
    assert d["fe.noise_reduction_enable"] and d["fe.pcan_enable"] and d["fe.log_scale_enable"]
    assert d["fe.log_scale_shift"] == 6
    assert d["fe.window_variant"] == "float"
    assert (cfg.window_samples, cfg.step_samples, cfg.fft_size) == (400, 160, 512)
    assert cfg.frames_for(32000) == 198


def test_keys_are_mltk_settings_keys():
    """Every key we write (but window_variant) is a key MLTK's settings object holds."""
    mltk_keys = set(mltk_module().AudioFeatureGeneratorSettings().keys())
    ours = set(FrontendConfig().to_dict()) - {"fe.window_variant"}
    assert ours <= mltk_keys
    # and the MLTK keys we do not model are exactly the MLTK-only blocks and derived sizes
    extra = {k.removeprefix("fe.") for k in mltk_keys - ours}
    assert extra == {
        "sample_length_ms", "fft_length", "activity_detection_enable",
        "activity_detection_alpha_a", "activity_detection_alpha_b",
        "activity_detection_arm_threshold", "activity_detection_trip_threshold",
        "dc_notch_filter_enable", "dc_notch_filter_coefficient",
        "quantize_dynamic_scale_enable", "quantize_dynamic_scale_range_db",
    }


def test_mltk_settings_round_trip():
    mod = mltk_module()
    cfg = FrontendConfig().replace(window_size_ms=30, filterbank_n_channels=40, pcan_enable=False)
    s = mod.AudioFeatureGeneratorSettings()
    for key, value in cfg.to_mltk_settings().items():
        setattr(s, key, value)  # MLTK's setters validate too
    back = FrontendConfig.from_mltk_settings(s)  # a full MLTK dict, fe.* keys and extras
    assert back == cfg
    assert FrontendConfig.from_mltk_settings(cfg.to_mltk_settings()) == cfg


def test_mltk_defaults_load_and_mltk_only_blocks_enabled_are_refused():
    mod = mltk_module()
    s = mod.AudioFeatureGeneratorSettings()
    cfg = FrontendConfig.from_mltk_settings(s)
    assert cfg.filterbank_lower_band_limit == 125.0 and not cfg.pcan_enable
    for key in ("dc_notch_filter_enable", "activity_detection_enable",
                "quantize_dynamic_scale_enable"):
        t = mod.AudioFeatureGeneratorSettings()
        setattr(t, key, True)
        with pytest.raises(ConfigError, match=key):
            FrontendConfig.from_mltk_settings(t)


def test_json_round_trip(tmp_path):
    cfg = FrontendConfig().replace(
        window_variant="double", noise_reduction_enable=False, pcan_enable=False
    )
    assert FrontendConfig.from_json(cfg.to_json()) == cfg
    path = tmp_path / "fe.json"
    path.write_text(cfg.to_json())
    assert FrontendConfig.from_json(path) == cfg
    assert FrontendConfig.from_json(str(path)) == cfg
    # keys without the prefix are accepted too, and missing keys keep the defaults
    assert FrontendConfig.from_dict({"window_size_ms": 30}).window_size_ms == 30


def test_replace_returns_a_new_frozen_config():
    cfg = FrontendConfig()
    other = cfg.replace(pcan_enable=False)
    assert cfg.pcan_enable and not other.pcan_enable
    with pytest.raises(AttributeError):
        cfg.pcan_enable = False  # type: ignore[misc]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"fe.bogus": 1}, "fe.bogus"),
        ({"fe.window_size_ms": 0}, "window_size_ms"),
        ({"fe.window_step_ms": 50}, "window_step_ms"),
        ({"fe.filterbank_upper_band_limit": 9000.0}, "filterbank_upper_band_limit"),
        ({"fe.filterbank_lower_band_limit": -1.0}, "filterbank_lower_band_limit"),
        ({"fe.filterbank_n_channels": "32"}, "filterbank_n_channels"),
        ({"fe.noise_reduction_odd_smoothing": 1.5}, "noise_reduction_odd_smoothing"),
        ({"fe.pcan_enable": "yes"}, "pcan_enable"),
        ({"fe.log_scale_shift": 2.5}, "log_scale_shift"),
        ({"fe.window_variant": "half"}, "window_variant"),
        ({"fe.pcan_gain_bits": 5}, "pcan_gain_bits"),
        ({"fe.noise_reduction_enable": False}, "pcan_enable"),  # MLTK refuses this pair too
    ],
)
def test_bad_keys_raise_one_sentence_naming_the_key(data, key):
    with pytest.raises(ConfigError, match=key) as info:
        FrontendConfig.from_dict(data)
    assert isinstance(info.value, BenchError)
    msg = str(info.value)
    assert msg.endswith(".") and "\n" not in msg


def test_bad_json_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        FrontendConfig.from_json("{not json")
    with pytest.raises(ConfigError, match="Cannot read"):
        FrontendConfig.from_json(tmp_path / "missing.json")
    with pytest.raises(ConfigError):
        FrontendConfig.from_json(json.dumps([1, 2]))


def test_config_file_errors_name_the_file_in_one_clean_sentence(tmp_path):
    bad = tmp_path / "board_fe.json"
    bad.write_text('{"fe.window_size_ms": 25,\n "fe.pcan_enable": tru}')
    unknown = tmp_path / "typo_fe.json"
    unknown.write_text('{"fe.window_sise_ms": 25}')
    missing = tmp_path / "missing_fe.json"
    cases = [
        (bad, f"The front end config file {bad} is not valid JSON (Expecting value at line 2, "
              "column 20)."),
        (str(unknown), f"Unknown front end setting 'fe.window_sise_ms' (in the front end config "
                       f"file {unknown})."),
        (missing, f"Cannot read the front end config file {missing}: No such file or "
                  "directory."),
        (tmp_path, f"Cannot read the front end config file {tmp_path}: Is a directory."),
    ]  # fmt: skip
    for source, message in cases:
        with pytest.raises(ConfigError) as info:
            FrontendConfig.from_json(source)
        assert str(info.value) == message
    # JSON text (no file) keeps its file-less wording
    with pytest.raises(ConfigError, match=r"^The front end config is not valid JSON \("):
        FrontendConfig.from_json("{not json")
