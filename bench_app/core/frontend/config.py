"""`FrontendConfig`: the MicroFrontend settings, with MLTK's ``fe.*`` names and the paper's values.

The record is frozen and validated on construction, so a config that exists can always be run.
Keys follow MLTK's ``AudioFeatureGeneratorSettings`` (``fe.`` prefix in dicts and JSON), plus one
key MLTK lacks, ``fe.window_variant``:

- ``"float"``: Hann coefficients and filterbank weights computed in single precision (``cosf``,
  ``log1pf``) as TFLM and MLTK compute them; this also reproduces TFLM micro_speech's own
  expected feature vectors.
- ``"double"``: computed in double precision as TensorFlow's ``audio_microfrontend`` op does.
  The two agree at 25 ms windows and differ at e.g. 30 ms.

MLTK keys the board's TFLM front end does not have (``activity_detection_*``,
``dc_notch_filter_*``, ``quantize_dynamic_scale_*``) are **accepted while disabled and rejected
with a `ConfigError` when enabled**: the bench's reference must compute what the board computes,
and silently ignoring an enabled MLTK-only block would give features the board never produces.
``sample_length_ms`` and ``fft_length`` are accepted and ignored (the first is a property of the
signal, the second is derived from the window).
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

from bench_app.core.errors import ConfigError
from bench_app.core.frontend.geometry import FrameGeometry, ms_to_samples

PREFIX = "fe."
WINDOW_VARIANTS = ("float", "double")

#: MLTK settings keys that carry no front end parameter here (see module docstring).
_IGNORED_MLTK_KEYS = frozenset({"sample_length_ms", "fft_length"})
#: MLTK-only blocks: the ``*_enable`` key must be false; their other keys are then ignored.
_MLTK_ONLY_BLOCKS = {
    "activity_detection_enable": (
        "activity_detection_alpha_a",
        "activity_detection_alpha_b",
        "activity_detection_arm_threshold",
        "activity_detection_trip_threshold",
    ),
    "dc_notch_filter_enable": ("dc_notch_filter_coefficient",),
    "quantize_dynamic_scale_enable": ("quantize_dynamic_scale_range_db",),
}
_MLTK_ONLY_KEYS = frozenset(_MLTK_ONLY_BLOCKS) | frozenset(
    k for keys in _MLTK_ONLY_BLOCKS.values() for k in keys
)


@dataclasses.dataclass(frozen=True)
class FrontendConfig:
    """MicroFrontend settings (MLTK ``AudioFeatureGeneratorSettings`` names), paper defaults.

    Attributes
    ----------
    sample_rate_hz, window_size_ms, window_step_ms : int
        Input rate and the analysis window / hop in milliseconds (truncated to whole samples).
    filterbank_n_channels : int
        Mel filterbank channels (the feature width).
    filterbank_lower_band_limit, filterbank_upper_band_limit : float
        Filterbank band edges in Hz.
    noise_reduction_enable, noise_reduction_* : bool, int, float
        Per-channel stationary noise subtraction (TFLM ``NoiseReduction``).
    pcan_enable, pcan_* : bool, float, int
        Per-channel automatic gain normalisation (TFLM ``PcanGainControl``).
    log_scale_enable, log_scale_shift : bool, int
        Fixed-point natural log scaled by ``2**log_scale_shift``.
    window_variant : {"float", "double"}
        Precision of the window/filterbank tables (see module docstring).
    """

    sample_rate_hz: int = 16000
    window_size_ms: int = 25
    window_step_ms: int = 10
    filterbank_n_channels: int = 32
    filterbank_lower_band_limit: float = 80.0
    filterbank_upper_band_limit: float = 7600.0
    noise_reduction_enable: bool = True
    noise_reduction_smoothing_bits: int = 10
    noise_reduction_even_smoothing: float = 0.025
    noise_reduction_odd_smoothing: float = 0.06
    noise_reduction_min_signal_remaining: float = 0.05
    pcan_enable: bool = True
    pcan_strength: float = 0.95
    pcan_offset: float = 80.0
    pcan_gain_bits: int = 21
    log_scale_enable: bool = True
    log_scale_shift: int = 6
    window_variant: str = "float"

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = _coerce(field.name, field.type, getattr(self, field.name))
            object.__setattr__(self, field.name, value)
        _validate(self)

    # -- derived sizes -------------------------------------------------------------------------
    @property
    def geometry(self) -> FrameGeometry:
        """How this front end cuts samples into frames (`FrameGeometry`, TFLM's truncation)."""
        return FrameGeometry.from_ms(self.sample_rate_hz, self.window_size_ms,
                                     self.window_step_ms)

    @property
    def window_samples(self) -> int:
        """Window length in samples, as TFLM computes it (``size_ms * rate / 1000``, truncated)."""
        return ms_to_samples(self.window_size_ms, self.sample_rate_hz)

    @property
    def step_samples(self) -> int:
        """Hop length in samples (``step_ms * rate / 1000``, truncated)."""
        return ms_to_samples(self.window_step_ms, self.sample_rate_hz)

    @property
    def fft_size(self) -> int:
        """The smallest power of two not below the window length (TFLM's FFT size)."""
        size = 1
        while size < self.window_samples:
            size <<= 1
        return size

    def frames_for(self, n_samples: int) -> int:
        """Number of frames a fresh front end produces from ``n_samples`` samples."""
        return self.geometry.frames_for(n_samples)

    def samples_for(self, n_frames: int) -> int:
        """The fewest samples that give ``n_frames`` frames (0 for none)."""
        return self.geometry.samples_for(n_frames)

    # -- conversions ---------------------------------------------------------------------------
    def replace(self, **changes: Any) -> FrontendConfig:
        """Return a new validated config with ``changes`` applied (field names, no prefix)."""
        unknown = sorted(set(changes) - _FIELD_NAMES)
        if unknown:
            raise ConfigError(f"Unknown front end setting '{unknown[0]}'.")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """All settings as ``{"fe.<name>": value}`` (MLTK's key names plus fe.window_variant)."""
        return {PREFIX + f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FrontendConfig:
        """Build a config from ``fe.*`` keys (prefix optional); missing keys keep the defaults.

        Raises
        ------
        ConfigError
            For an unknown key, a wrong type, an out-of-range value, or an enabled MLTK-only block.
        """
        if not isinstance(data, dict):
            raise ConfigError("A front end config must be a JSON object of fe.* settings.")
        values: dict[str, Any] = {}
        for key, value in data.items():
            name = str(key).removeprefix(PREFIX)
            if name in _FIELD_NAMES:
                values[name] = value
            elif name in _IGNORED_MLTK_KEYS:
                continue
            elif name in _MLTK_ONLY_KEYS:
                if name in _MLTK_ONLY_BLOCKS and value not in (False, 0):
                    raise ConfigError(
                        f"Setting '{key}' is an MLTK-only block the board's TFLM front end "
                        "does not have; set it to false."
                    )
            else:
                raise ConfigError(f"Unknown front end setting '{key}'.")
        return cls(**values)

    def to_json(self, indent: int | None = 2) -> str:
        """The ``to_dict`` form as JSON text."""
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, source: str | Path) -> FrontendConfig:
        """Read a config from JSON text or from the path of a JSON file.

        Errors name the file they come from (one sentence, `ConfigError`).
        """
        text = str(source)
        path = None
        if isinstance(source, Path) or not text.lstrip().startswith(("{", "[")):
            from bench_app.core.input_limits import read_text_input

            path = Path(source)
            text = read_text_input(path, "front end config file", ConfigError)  # regular, bounded
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            where = "front end config" if path is None else f"front end config file {path}"
            raise ConfigError(f"The {where} is not valid JSON ({exc.msg} at line {exc.lineno}, "
                              f"column {exc.colno}).") from None  # fmt: skip
        try:
            return cls.from_dict(data)
        except ConfigError as exc:
            if path is None:
                raise
            raise ConfigError(f"{str(exc).rstrip('.')} (in the front end config file "
                              f"{path}).") from None  # fmt: skip

    def to_mltk_settings(self) -> dict[str, Any]:
        """Settings as MLTK ``AudioFeatureGeneratorSettings`` attribute names (no window_variant).

        MLTK-only blocks are included, switched off, so the dict configures MLTK completely.
        """
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        del out["window_variant"]
        out.update(
            activity_detection_enable=False,
            dc_notch_filter_enable=False,
            quantize_dynamic_scale_enable=False,
        )
        return out

    @classmethod
    def from_mltk_settings(cls, settings: dict[str, Any]) -> FrontendConfig:
        """Build a config from MLTK settings (attribute names or ``fe.`` keys); variant "float"."""
        data = {str(k).removeprefix(PREFIX): v for k, v in dict(settings).items()}
        data.pop("window_variant", None)
        return cls.from_dict(data)


_FIELD_NAMES = frozenset(f.name for f in dataclasses.fields(FrontendConfig))


def _coerce(name: str, type_name: Any, value: Any) -> Any:
    """Check and normalise one field's type (JSON gives ints for floats, never bools for ints)."""
    key = PREFIX + name
    if type_name in ("bool", bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise ConfigError(f"Setting '{key}' must be true or false, not {value!r}.")
    if type_name in ("int", int):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"Setting '{key}' must be an integer, not {value!r}.")
        if isinstance(value, float) and not value.is_integer():
            raise ConfigError(f"Setting '{key}' must be an integer, not {value!r}.")
        return int(value)
    if type_name in ("float", float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"Setting '{key}' must be a number, not {value!r}.")
        if not math.isfinite(value):
            raise ConfigError(f"Setting '{key}' must be a finite number, not {value!r}.")
        return float(value)
    if not isinstance(value, str):
        raise ConfigError(f"Setting '{key}' must be a string, not {value!r}.")
    return value


def _check(ok: bool, name: str, value: Any, rule: str) -> None:
    if not ok:
        raise ConfigError(f"Setting '{PREFIX}{name}' = {value!r} is out of range: {rule}.")


def _validate(cfg: FrontendConfig) -> None:
    """Range checks: every accepted config runs through the C algorithm without undefined shifts."""
    _check(1000 <= cfg.sample_rate_hz <= 384000, "sample_rate_hz", cfg.sample_rate_hz,
           "it must be 1000..384000")
    _check(cfg.window_size_ms >= 1, "window_size_ms", cfg.window_size_ms, "it must be >= 1")
    _check(8 <= cfg.window_samples <= 16384, "window_size_ms", cfg.window_size_ms,
           "the window must hold 8..16384 samples")
    _check(cfg.window_step_ms >= 1 and 1 <= cfg.step_samples <= cfg.window_samples,
           "window_step_ms", cfg.window_step_ms,
           "the step must be at least one sample and no longer than the window")
    _check(1 <= cfg.filterbank_n_channels <= 1024, "filterbank_n_channels",
           cfg.filterbank_n_channels, "it must be 1..1024")
    _check(cfg.filterbank_lower_band_limit >= 0.0, "filterbank_lower_band_limit",
           cfg.filterbank_lower_band_limit, "it must be >= 0 Hz")
    _check(cfg.filterbank_lower_band_limit < cfg.filterbank_upper_band_limit
           <= cfg.sample_rate_hz / 2, "filterbank_upper_band_limit",
           cfg.filterbank_upper_band_limit,
           "it must be above the lower band limit and at most half the sample rate")
    _check(0 <= cfg.noise_reduction_smoothing_bits <= 16, "noise_reduction_smoothing_bits",
           cfg.noise_reduction_smoothing_bits, "it must be 0..16")
    for name in ("noise_reduction_even_smoothing", "noise_reduction_odd_smoothing",
                 "noise_reduction_min_signal_remaining"):
        value = getattr(cfg, name)
        _check(0.0 <= value <= 1.0, name, value, "it must be 0..1")
    _check(0.0 <= cfg.pcan_strength <= 10.0, "pcan_strength", cfg.pcan_strength,
           "it must be 0..10")
    _check(0.0 < cfg.pcan_offset <= 1e9, "pcan_offset", cfg.pcan_offset, "it must be > 0")
    correction_bits = cfg.fft_size.bit_length() - 1 - 6
    _check(12 + correction_bits <= cfg.pcan_gain_bits <= 31 or not cfg.pcan_enable,
           "pcan_gain_bits", cfg.pcan_gain_bits,
           f"with this window it must be {12 + correction_bits}..31")
    _check(cfg.noise_reduction_smoothing_bits >= correction_bits or not cfg.pcan_enable,
           "noise_reduction_smoothing_bits", cfg.noise_reduction_smoothing_bits,
           f"with PCAN on and this window it must be >= {correction_bits}")
    _check(cfg.noise_reduction_enable or not cfg.pcan_enable, "pcan_enable", cfg.pcan_enable,
           "PCAN reads the noise estimate, so it needs noise reduction on (as in MLTK); to pass "
           "the signal unreduced, set noise_reduction_min_signal_remaining to 1.0")
    _check(0 <= cfg.log_scale_shift <= 16, "log_scale_shift", cfg.log_scale_shift,
           "it must be 0..16")
    _check(cfg.window_variant in WINDOW_VARIANTS, "window_variant", cfg.window_variant,
           "it must be 'float' or 'double'")
