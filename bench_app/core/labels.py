"""One table of what every stored summary key is called, its unit and how its number is written.

The CLI, the report and the window all read figures from a run's summary; they label and format
them only through this module, so a figure has one name everywhere. Lookup of a (dotted) key:
its full path in `PATH_LABELS` (where a section changes the meaning, e.g. the headline
``mean_relative_error`` is the pipeline-parity MRE), else its last part in `LABELS`, else a
fallback from the key's unit suffix (``_ms``, ``_db``, ...) so that a value the analysis adds
later still shows with its unit (tests/report/test_report_label_table.py checks that every key a
stored alignment or latency summary holds is in the table, not left to the fallback).

Relative errors and budget shares are fractions in the summary and shown in percent
(``factor`` 100); levels in dB have fixed decimals (2 for dB offsets, 1 for dBFS), never -0.00.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Label:
    """How one stored value is shown.

    Attributes
    ----------
    text
        The human label (a count named by its unit says what it counts: "PCM received").
    unit
        The unit shown beside the value ("" for none).
    factor
        Stored value times this is the shown value (fractions shown in percent: 100).
    decimals
        Fixed decimals; None writes numbers to 4 significant digits (`format_value`).
    short
        A shorter label for narrow columns and plot legends (defaults to ``text``).
    """

    text: str
    unit: str = ""
    factor: float = 1.0
    decimals: int | None = None
    short: str | None = None

    @property
    def brief(self) -> str:
        """The label for narrow places: ``short`` when there is one, else ``text``."""
        return self.short or self.text

    def value_text(self, value: Any) -> str:
        """The stored ``value`` written as this label shows it (without the unit)."""
        number = _number(value)
        if self.decimals is not None and number is not None and math.isfinite(number):
            return db_text(number * self.factor, self.decimals, signed=False)
        return format_value(value, self.factor)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def db_text(value: float, digits: int = 2, signed: bool = True) -> str:
    """A number with fixed decimals (a ``+`` on gains when ``signed``), where a value that
    rounds to zero reads ``0.00`` (not ``-0.00`` or ``+0.00``)."""
    text = f"{value:{'+' if signed else ''}.{digits}f}"
    return text.lstrip("+-") if float(text) == 0 else text


def format_value(value: Any, factor: float = 1.0) -> str:
    """Format one value: numbers to 4 significant digits, the rest as text."""
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "-"}[value]
    if isinstance(value, int) and factor == 1.0:
        return str(value)
    if isinstance(value, int | float):
        number = float(value) * factor
        if not math.isfinite(number):
            return "n/a"
        if abs(number) >= 1e6 or 0 < abs(number) < 1e-3:
            return f"{number:.3e}"
        if abs(number) >= 100:
            return f"{number:.1f}"
        return f"{number:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v, factor) for v in value) if value else "none"
    return str(value)


def _pct(text: str) -> Label:
    return Label(text, "%", 100.0)


def _db(text: str) -> Label:
    return Label(text, "dB", decimals=2)


def _dbfs(text: str) -> Label:
    return Label(text, "dBFS", decimals=1)


def _ms(text: str) -> Label:
    return Label(text, "ms")


#: Latency statistics (`LatencyStats.to_dict()` keys) in the order every table shows them.
STAT_LABELS: dict[str, Label] = {
    "n": Label("n", "inferences"), "min_ms": Label("min", "ms", decimals=2),
    "median_ms": Label("median", "ms", decimals=2), "p95_ms": Label("p95", "ms", decimals=2),
    "p99_ms": Label("p99", "ms", decimals=2), "max_ms": Label("max", "ms", decimals=2),
    "jitter_ms": Label("jitter p95−p5", "ms", decimals=2),
}
#: Statistics stored with them but not in the percentile tables.
_MORE_STATS: dict[str, Label] = {
    "mean_ms": _ms("mean"), "p5_ms": _ms("p5"), "std_ms": _ms("std"), "edges_ms": _ms("edges"),
    "counts": Label("counts"),
}

#: Labels by the last part of a key.
LABELS: dict[str, Label] = {
    # alignment headline (docs/metrics.md)
    "mean_relative_error": _pct("mean relative error"),
    "stimulus_mre": _pct("stimulus MRE"), "matched_mre": _pct("channel-matched MRE"),
    "delay_samples": Label("delay", "samples"), "lag_frames": Label("lag", "frames"),
    "gain_db": _db("level offset"), "noise_floor_dbfs": _dbfs("noise floor"),
    "lint": Label("lint findings"), "pass": Label("pass"), "reasons": Label("reasons"),
    "notes": Label("notes"), "interrupted": Label("interrupted by"),
    # pipeline parity
    "available": Label("available"), "reason": Label("reason"),
    "median_relative_error": _pct("median relative error"),
    "p95_relative_error": _pct("p95 relative error"),
    "max_relative_error": _pct("max relative error"),
    "cells": Label("cells", "cells"), "cell_floor": Label("cell floor", "uint16"),
    "floor_fraction": _pct("floor fraction"), "threshold": _pct("threshold"),
    "exact": Label("exact"), "max_abs_diff": Label("max abs diff", "uint16"),
    "frame_offset": Label("frame offset", "frames"), "offset_source": Label("offset source"),
    "pcm_trim": Label("PCM trim", "samples"), "board_frames": Label("board frames", "frames"),
    "host_frames": Label("host frames", "frames"), "frames_compared": Label("frames compared"),
    "per_channel": Label("per channel"), "per_frame": Label("per frame"),
    # a stimulus segment (the worst one)
    "index": Label("index"), "kind": Label("kind"), "start": Label("start"),
    "end": Label("end"), "channel": Label("channel"),
    "frequency_hz": Label("frequency", "Hz"), "level_dbfs": _dbfs("level"),
    "label": Label("label"),
    # acoustic path
    "delay_samples_fine": Label("delay samples fine", "samples"),
    "delay_ms": _ms("delay (time)"), "delay_correlation": Label("delay correlation"),
    "lag_ms": _ms("lag (time)"), "gain_per_burst_db": _db("gain per burst"),
    "noise_samples": Label("noise floor samples", "samples"),
    "response_db": _db("response"), "response_method": Label("response method"),
    "most_attenuated": Label("most attenuated"),
    "stimulus_mre_median": _pct("stimulus MRE median"),
    "stimulus_mre_p95": _pct("stimulus MRE p95"),
    "stimulus_mre_cells": Label("stimulus MRE cells", "cells"),
    "matched_mre_median": _pct("channel-matched MRE median"),
    "matched_mre_p95": _pct("channel-matched MRE p95"),
    "matched_mre_cells": Label("channel-matched MRE cells", "cells"),
    "reference_delay_samples": Label("reference delay", "samples"),
    "pcan_enable": Label("pcan enable"),
    # analysis options
    "floor_abs": Label("floor abs"), "max_frame_offset": Label("max frame offset"),
    "margin_ms": _ms("margin"), "max_delay_s": Label("max delay", "s"),
    "attenuated_db": _db("attenuated"), "seed": Label("seed"),
    # the run's own facts
    "path": Label("path"), "output": Label("output"), "stimulus": Label("stimulus"),
    "stimulus_s": Label("stimulus length", "s"), "stimulus_seconds": Label("stimulus length", "s"),
    "run_start_sample": Label("run start sample"),
    "stimulus_onset_sample": Label("stimulus onset sample"),
    "stimulus_pad_samples": Label("stimulus pad", "samples"),
    "frames_received": Label("frames received"), "pcm_samples": Label("PCM received", "samples"),
    "pcm_missing_samples": Label("PCM missing", "samples"),
    "stimulus_continuous": Label("stimulus continuous"),
    "playback_underflows": Label("playback underflows"),
    "analysis_seconds": Label("analysis time", "s"), "analysis_s": Label("analysis time", "s"),
    "elapsed_s": Label("elapsed time", "s"),
    # link statistics (`LinkStats.as_dict()`)
    "bytes_in": Label("bytes in"), "bytes_out": Label("bytes out"), "packets": Label("packets"),
    "frames": Label("frames"), "pcm_chunks": Label("PCM chunks"), "results": Label("results"),
    "crc_errors": Label("crc errors"), "broken_frames": Label("broken frames", "frames"),
    "unknown_types": Label("unknown types"), "resyncs": Label("resyncs"),
    "garbage_bytes": Label("garbage bytes"), "stale": Label("stale"),
    "disconnects": Label("disconnects"), "reconnect_attempts": Label("reconnect attempts"),
    "reconnects": Label("reconnects"), "queue_overflows": Label("queue overflows"),
    "logs": Label("logs"), "board_errors": Label("board errors"),
    "heartbeats": Label("heartbeats"), "board_audio_overruns": Label("board audio overruns"),
    "board_tx_overflows": Label("board tx overflows"), "inject_resends": Label("inject resends"),
    "total_drops": Label("total drops"),
    # latency
    **STAT_LABELS, **_MORE_STATS,
    "budget_ms": _ms("budget"), "budget_used_median": _pct("budget used median"),
    "budget_used_p99": _pct("budget used p99"), "budget_used_max": _pct("budget used max"),
    "over_budget": Label("over budget", "inferences"), "count": Label("count"),
    "model_untrained": Label("model untrained"), "model_sha256": Label("model sha256"),
    "onset_source": Label("onset source"),
    "board_total_ge_invoke": Label("board total ≥ invoke"),
}

#: Labels of full (dotted) keys whose section changes what they mean.
PATH_LABELS: dict[str, Label] = {
    "mean_relative_error": _pct("pipeline parity MRE"),
}

#: Titles of a summary's sections (its top-level mappings), each shown as its own table.
SECTION_TITLES: dict[str, str] = {
    "parity": "Pipeline parity", "acoustic": "Acoustic path (information only)",
    "options": "Analysis options",
}

#: The alignment figures every view leads with, in order (summary keys).
ALIGNMENT_HEADLINES = ("mean_relative_error", "stimulus_mre", "matched_mre", "delay_samples",
                       "lag_frames", "gain_db", "noise_floor_dbfs")


@dataclass(frozen=True)
class LatencySeries:
    """One latency series under each of the names it is stored by."""

    label: Label
    result_field: str  # RESULT record field
    to_ms: float  # record / array value times this is milliseconds
    array: str  # the run's stored array
    stored: str  # key in the summary's ``series``
    short_key: str  # key in the summary's ``percentiles_ms``


#: The latency series, board total first (the figure the budget is about).
LATENCY_SERIES: tuple[LatencySeries, ...] = (
    LatencySeries(Label("board total", "ms"), "total_us", 1e-3, "latency_total_us",
                  "total_ms", "total"),
    LatencySeries(Label("board front end", "ms"), "frontend_us", 1e-3, "latency_frontend_us",
                  "frontend_ms", "frontend"),
    LatencySeries(Label("board invoke", "ms"), "invoke_us", 1e-3, "latency_invoke_us",
                  "invoke_ms", "invoke"),
    LatencySeries(Label("host: sound onset to RESULT", "ms", short="host onset→result"),
                  "onset_to_result_ms", 1.0, "latency_host_ms", "onset_to_result_ms",
                  "onset_to_result"),
)

#: The latency series by their short key (``total``, ``frontend``, ``invoke``,
#: ``onset_to_result``).
LATENCY: dict[str, LatencySeries] = {s.short_key: s for s in LATENCY_SERIES}

#: (suffix, unit, factor) tried in order on the last part of a key the table does not hold.
_SUFFIX_UNITS: tuple[tuple[str, str, float], ...] = (
    ("_dbfs", "dBFS", 1.0), ("_db", "dB", 1.0), ("_us", "µs", 1.0), ("_ms", "ms", 1.0),
    ("_hz", "Hz", 1.0), ("_samples", "samples", 1.0), ("_cells", "cells", 1.0),
    ("_frames", "frames", 1.0), ("_seconds", "s", 1.0), ("_s", "s", 1.0),
    ("_pct", "%", 1.0), ("_percent", "%", 1.0),
)
#: Parts of a key that mark a fraction shown in percent (for keys the table does not hold).
_FRACTION_MARKERS = ("relative_error", "mre", "fraction", "_used", "threshold")
#: Words shown in a fixed spelling in labels made from a key.
_WORDS = {"mre": "MRE", "db": "dB", "dbfs": "dBFS", "pcm": "PCM", "fe": "fe"}


def _from_key(leaf: str) -> Label:
    """The fallback for a key not in the table: words from the key, unit from its suffix."""
    lower = leaf.lower()
    unit, factor, stem = "", 1.0, leaf
    for suffix, suffix_unit, suffix_factor in _SUFFIX_UNITS:
        if lower.endswith(suffix):
            unit, factor = suffix_unit, suffix_factor
            if suffix != "_cells" and len(leaf) > len(suffix):  # "_cells" is a count
                stem = leaf[: -len(suffix)]
            break
    else:
        if any(marker in lower for marker in _FRACTION_MARKERS):
            unit, factor = "%", 100.0
    text = " ".join(_WORDS.get(w.lower(), w) for w in stem.replace("_", " ").split(" "))
    decimals = {"dB": 2, "dBFS": 1}.get(unit)
    return Label(text, unit, factor, decimals)


def label_for(key: str) -> Label:
    """The `Label` of a (dotted) summary key: `PATH_LABELS`, `LABELS`, else the fallback."""
    if key in PATH_LABELS:
        return PATH_LABELS[key]
    leaf = key.rsplit(".", 1)[-1]
    return LABELS.get(leaf) or LABELS.get(leaf.lower()) or _from_key(leaf)


def is_known(key: str) -> bool:
    """Whether the table itself holds ``key`` (not the suffix fallback)."""
    leaf = key.rsplit(".", 1)[-1]
    return key in PATH_LABELS or leaf in LABELS or leaf.lower() in LABELS


def label_of(key: str) -> str:
    """The label of a (dotted) key, its sections first: ``link.broken_frames`` ->
    ``link / broken frames``."""
    *sections, _ = key.split(".")
    return " / ".join([*(s.replace("_", " ") for s in sections), label_for(key).text])


def unit_of(key: str) -> tuple[str, float]:
    """The unit and display factor of the value stored under the (dotted) ``key``."""
    label = label_for(key)
    return label.unit, label.factor


def figure_text(key: str, value: Any, summary: Mapping[str, Any] | None = None,
                ) -> tuple[str, str, str]:
    """(label, shown value, unit) of one stored figure, as every view writes it.

    A null noise floor (JSON has no -inf dBFS) reads "digital silence" when ``summary`` (the
    run's whole summary) says silent samples were measured (``noise_samples`` > 0), else "-".
    """
    label = label_for(key)
    shown, unit = label.value_text(value), label.unit
    leaf = key.rsplit(".", 1)[-1]
    if (unit == "dBFS" and value is None and leaf.startswith("noise_floor")
            and summary is not None and _silence_measured(summary)):
        shown, unit = "digital silence", ""
    return label_of(key), shown, unit


def _silence_measured(summary: Mapping[str, Any]) -> bool:
    """Whether ``noise_samples`` > 0 anywhere in the (nested) summary."""
    for key, value in summary.items():
        if isinstance(value, Mapping) and _silence_measured(value):
            return True
        if key == "noise_samples" and _number(value) is not None and value > 0:
            return True
    return False


def figure_line(key: str, value: Any, summary: Mapping[str, Any] | None = None) -> str:
    """The value and its unit as one string ("-6.02 dB", "digital silence", "-")."""
    _, shown, unit = figure_text(key, value, summary)
    return f"{shown} {unit}" if unit and shown != "-" else shown


def latency_row(name: str, stats: Mapping[str, Any],
                keys: tuple[str, ...] = ("median_ms", "p95_ms", "p99_ms", "max_ms"),
                ) -> tuple[str, str]:
    """(label, text) of one latency series on one line, e.g. ("board total (ms)",
    "median 231.33 p95 414.40 ..."), from its ``percentiles_ms`` or ``series`` entry."""
    series = LATENCY.get(name) or next((s for s in LATENCY_SERIES if s.stored == name), None)
    title = series.label.brief if series else name
    text = " ".join(f"{STAT_LABELS[k].text} {STAT_LABELS[k].value_text(stats[k])}"
                    for k in keys if k in stats)
    return f"{title} (ms)", text
