"""Lint the board's front-end config (from its INFO) against the host's, before anything plays.

Every difference that changes the features is an ``error`` (the training pipeline would not be
the device pipeline). A parameter of a block that is off on either side (noise reduction, PCAN,
log scale) is only ``info``: it cannot change the features while the block is off, and the
block's ``*_enable`` mismatch, if any, is the error. A key the board does not report is a
``warning`` (it cannot be checked), as is a key the host does not know or a value of the wrong
type that still reads as the host's value; a value that cannot be read at all is an ``error``.
MLTK-only blocks (activity detection, DC notch, dynamic quantisation) enabled on the board are
errors: the board's TFLM front end and the host's reference have no such stage. The lint never
raises: whatever the board sent becomes findings.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bench_app.core.analysis.jsonable import clean

PREFIX = "fe."
SEVERITIES = ("error", "warning", "info")

#: Why a mismatch of each key matters, completing "... on the host, which ...".
_EFFECT = {
    "sample_rate_hz": "changes every frequency the front end sees",
    "window_size_ms": "changes the analysis window and so every frame's spectrum",
    "window_step_ms": "changes the frame rate and the time grid",
    "filterbank_n_channels": "changes the number and width of the mel channels",
    "filterbank_lower_band_limit": "moves the band edges of every mel channel",
    "filterbank_upper_band_limit": "moves the band edges of every mel channel",
    "noise_reduction_enable": "adds or removes the noise subtraction stage",
    "pcan_enable": "adds or removes the per-channel gain normalisation",
    "log_scale_enable": "switches between log and linear features",
    "log_scale_shift": "rescales every log feature",
    "window_variant": "changes the Hann coefficients for some window lengths",
}
#: Parameters that matter only while their block is enabled (both sides).
_BLOCKS = {
    "noise_reduction_": "noise_reduction_enable",
    "pcan_": "pcan_enable",
    "log_scale_shift": "log_scale_enable",
}
#: MLTK keys the host accepts while disabled (its own reference has no such stage).
_MLTK_ONLY_ENABLES = (
    "activity_detection_enable",
    "dc_notch_filter_enable",
    "quantize_dynamic_scale_enable",
)
_MLTK_ONLY_PREFIXES = ("activity_detection_", "dc_notch_filter_", "quantize_dynamic_scale_")
#: MLTK keys that carry no front-end parameter (a property of the clip, or derived).
_BENIGN = frozenset({"sample_length_ms", "fft_length"})


@dataclass(frozen=True)
class LintFinding:
    """One difference between the board's and the host's front-end configs."""

    key: str
    host: Any
    board: Any
    severity: str
    message: str

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return clean(dataclasses.asdict(self))


class _Unreadable(Exception):
    pass


def _coerce(value: Any, like: Any) -> Any:
    """Read ``value`` as the type of ``like`` (bool, int, float, str) or raise `_Unreadable`."""
    if isinstance(like, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
            return value.strip().lower() in ("true", "1")
        raise _Unreadable
    if isinstance(like, int | float):
        if isinstance(value, bool):
            raise _Unreadable
        try:
            f = float(value)
        except (TypeError, ValueError):
            raise _Unreadable from None
        if not math.isfinite(f):
            raise _Unreadable
        if isinstance(like, float):
            return f
        if f != int(f):
            raise _Unreadable
        return int(f)
    if isinstance(value, str):
        return value
    raise _Unreadable


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _int_for_float(raw: Any, host_value: Any) -> bool:
    """JSON writes 80.0 as 80: an int where a float is expected is not worth a warning."""
    return isinstance(host_value, float) and isinstance(raw, int) and not isinstance(raw, bool)


def _block_enable(name: str) -> str | None:
    for prefix, enable in _BLOCKS.items():
        if name.startswith(prefix) and name != enable:
            return enable
    return None


def _enabled(board: Mapping[str, Any], host_values: Mapping[str, Any], enable: str) -> bool:
    try:
        return bool(_coerce(board.get(enable, host_values[enable]), True))
    except _Unreadable:
        return True


def lint_frontend(host, board: Any) -> list[LintFinding]:
    """Compare the board's INFO front-end config with the host's `FrontendConfig`.

    Parameters
    ----------
    host
        The host's `FrontendConfig` (anything with ``to_dict() -> {"fe.<name>": value}``).
    board
        The board's config as received: ideally a dict of ``fe.*`` keys (the prefix is
        optional); partial, unknown keys, wrong types and non-dicts all become findings.

    Returns
    -------
    list of LintFinding
        Errors first, then warnings, then info; empty when the configs agree.
    """
    host_values = {k.removeprefix(PREFIX): v for k, v in host.to_dict().items()}
    if not isinstance(board, Mapping):
        return [LintFinding("fe.*", None, None if board is None else repr(board), "error",
                            "The board's front-end config is not a JSON object, so none of its "
                            "settings can be checked.")]
    board_values = {str(k).removeprefix(PREFIX): v for k, v in board.items()}
    findings: list[LintFinding] = []

    def add(name: str, board_value: Any, severity: str, message: str) -> None:
        findings.append(LintFinding(PREFIX + name, host_values.get(name),
                                    clean(board_value), severity, message))

    for name, host_value in host_values.items():
        key = PREFIX + name
        if name not in board_values:
            severity = "info" if name == "window_variant" else "warning"
            add(name, None, severity,
                f"The board does not report {key}, so it cannot be checked (host: {host_value!r}).")
            continue
        raw = board_values[name]
        try:
            value = _coerce(raw, host_value)
        except _Unreadable:
            add(name, raw, "error",
                f"The board reports {key} as {raw!r}, which cannot be read as a "
                f"{type(host_value).__name__}.")
            continue
        if not _same(value, host_value):
            enable = _block_enable(name)
            live = enable is None or (
                _enabled(board_values, host_values, enable) and bool(host_values[enable]))
            effect = _EFFECT.get(name, "changes the features")
            if live:
                add(name, raw, "error",
                    f"{key} is {value!r} on the board and {host_value!r} on the host, which "
                    f"{effect}.")
            else:
                add(name, raw, "info",
                    f"{key} is {value!r} on the board and {host_value!r} on the host, which does "
                    f"not matter while fe.{enable} is off on one side.")
        elif type(raw) is not type(host_value) and not _int_for_float(raw, host_value):
            add(name, raw, "warning",
                f"The board reports {key} as {raw!r} ({type(raw).__name__}), read as the host's "
                f"{host_value!r}.")
    for name, raw in board_values.items():
        if name in host_values or name in _BENIGN:
            continue
        if name in _MLTK_ONLY_ENABLES:
            try:
                on = _coerce(raw, True)
            except _Unreadable:
                on = True
            if on:
                add(name, raw, "error",
                    f"The board enables fe.{name}, a stage the host's reference front end does "
                    "not have, so its features cannot match.")
        elif not name.startswith(_MLTK_ONLY_PREFIXES):
            add(name, raw, "warning",
                f"The board reports fe.{name}, which the host does not know, so it is not checked.")
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: order[f.severity])


def has_errors(findings: list[LintFinding]) -> bool:
    """True when any finding is an error."""
    return any(f.severity == "error" for f in findings)
