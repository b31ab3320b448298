"""Summary values as table rows with labels and units.

Units follow the key's suffix (``_us`` microseconds, ``_db`` decibels, ...) so that a value the
analysis adds later still shows with its unit; relative errors are fractions in the summary and
shown in percent.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

#: (suffix, unit, factor) tried in order on the last part of a key.
_SUFFIX_UNITS: tuple[tuple[str, str, float], ...] = (
    ("_dbfs", "dBFS", 1.0),
    ("_db", "dB", 1.0),
    ("_us", "µs", 1.0),
    ("_ms", "ms", 1.0),
    ("_hz", "Hz", 1.0),
    ("_samples", "samples", 1.0),
    ("_cells", "cells", 1.0),
    ("_frames", "frames", 1.0),
    ("_seconds", "s", 1.0),
    ("_s", "s", 1.0),
    ("_pct", "%", 1.0),
    ("_percent", "%", 1.0),
)
#: Units of keys whose suffix does not say it.
KEY_UNITS: dict[str, str] = {
    "delay_samples_fine": "samples", "pcm_trim": "samples", "frame_offset": "frames",
    "max_abs_diff": "uint16", "cell_floor": "uint16", "cells": "cells",
    "over_budget": "inferences", "n": "inferences",
}
#: Keys whose value is a fraction shown in percent.
_FRACTION_MARKERS = ("relative_error", "mre", "fraction", "_used", "threshold")
#: Top-level keys the report shows elsewhere (verdict, latency table), not as metrics.
SKIPPED_TOP = frozenset({"pass", "verdict", "series", "percentiles_ms", "host_frontend",
                         "board_frontend"})
#: Keys, at any depth, shown elsewhere (lint table, reasons and notes as paragraphs).
SKIPPED_ANYWHERE = frozenset({"lint", "reasons", "notes"})
#: Lists longer than this are per-channel or per-frame data: shown as figures, not cells.
MAX_INLINE_LIST = 6


def unit_of(key: str) -> tuple[str, float]:
    """The unit and display factor of the summary value named ``key`` (dotted path allowed)."""
    leaf = key.rsplit(".", 1)[-1].lower()
    if leaf in KEY_UNITS:
        return KEY_UNITS[leaf], 1.0
    for suffix, unit, factor in _SUFFIX_UNITS:
        if leaf.endswith(suffix):
            return unit, factor
    if any(marker in leaf for marker in _FRACTION_MARKERS):
        return "%", 100.0
    return "", 1.0


#: Labels of keys the suffix rule would mangle (a count or a duration named by its unit:
#: ``broken_frames`` is not "broken, in frames", ``stimulus_s`` is not a second "stimulus").
KEY_LABELS: dict[str, str] = {
    "broken_frames": "broken frames",
    "stimulus_s": "stimulus length",
    "stimulus_seconds": "stimulus length",
    "analysis_seconds": "analysis time",
    "noise_samples": "noise floor samples",
    "pcm_samples": "PCM received",
    "analysis_s": "analysis time",
    "board_frames": "board frames",
    "host_frames": "host frames",
    "delay_ms": "delay (time)",
    "lag_ms": "lag (time)",
    "elapsed_s": "elapsed time",
}


def label_of(key: str) -> str:
    """A readable label for a (dotted) summary key, its unit suffix dropped (the unit column
    shows it): ``lag_frames`` -> ``lag``, ``stimulus_mre`` -> ``stimulus MRE``; `KEY_LABELS`
    first."""
    parts = key.split(".")
    leaf = parts[-1]
    if leaf.lower() in KEY_LABELS:
        return " / ".join([*(p.replace("_", " ") for p in parts[:-1]), KEY_LABELS[leaf.lower()]])
    for suffix, _, _ in _SUFFIX_UNITS:
        if suffix == "_cells":  # a count, not a unit: "stimulus MRE cells" must say so
            continue
        if leaf.lower().endswith(suffix) and len(leaf) > len(suffix):
            leaf = leaf[: -len(suffix)]
            break
    words = " / ".join([*parts[:-1], leaf]).replace("_", " ").split(" ")
    return " ".join(_WORDS.get(w.lower(), w) for w in words)


#: Words shown in a fixed spelling in labels.
_WORDS = {"mre": "MRE", "db": "dB", "dbfs": "dBFS", "pcm": "PCM", "fe": "fe"}


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


def flatten(mapping: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (dotted key, value) for every leaf of a nested mapping, in order."""
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from flatten(value, name + ".")
        else:
            yield name, value


def metric_items(summary: Mapping[str, Any], whole: Mapping[str, Any] | None = None,
                 ) -> list[tuple[str, Any, str, str, str]]:
    """(key, stored value, label, shown value, unit) for the summary's scalars and short lists.

    ``whole`` is the run's whole summary when ``summary`` is a part of it (it tells whether a
    null noise floor is digital silence)."""
    from bench_app.core.analysis.verdict import db_text  # (imports scipy: not at module top)

    items = []
    for key, value in flatten(summary):
        parts = key.split(".")
        if parts[0] in SKIPPED_TOP or SKIPPED_ANYWHERE.intersection(parts):
            continue
        if isinstance(value, list | tuple) and (
            len(value) > MAX_INLINE_LIST or any(isinstance(v, Mapping | list) for v in value)
        ):
            continue
        unit, factor = unit_of(key)
        shown = format_value(value, factor)
        if unit in ("dB", "dBFS") and isinstance(value, int | float) and math.isfinite(value):
            # fixed decimals (2 for dB offsets, 1 for dBFS), never -0.00
            shown = db_text(float(value), 2 if unit == "dB" else 1, signed=False)
        elif unit == "dBFS" and value is None and _silent_samples(whole or summary, parts):
            shown, unit = "digital silence", ""  # stored as null: JSON has no -inf dBFS
        items.append((key, value, label_of(key), shown, unit))
    return items


def _silent_samples(summary: Mapping[str, Any], parts: list[str]) -> bool:
    """True when a null noise floor was measured on silent samples (``noise_samples`` > 0 in
    the summary): digital silence, -inf dBFS, which JSON stores as null."""
    if not parts[-1].startswith("noise_floor"):
        return False
    return any(k.rsplit(".", 1)[-1] == "noise_samples" and isinstance(v, int) and v > 0
               for k, v in flatten(summary))


def metric_rows(summary: Mapping[str, Any], whole: Mapping[str, Any] | None = None,
                ) -> list[tuple[str, str, str]]:
    """Rows (metric, value, unit) of the metrics table (``whole``: see `metric_items`)."""
    return [(label, shown, unit) for _, _, label, shown, unit in metric_items(summary, whole)]


def find_lists(summary: Mapping[str, Any], leaf_name: str) -> list[tuple[str, list]]:
    """(dotted key, list) for every list in the summary stored under ``leaf_name``."""
    return [(k, list(v)) for k, v in flatten(summary)
            if k.rsplit(".", 1)[-1] == leaf_name and isinstance(v, list | tuple)]


def record_tables(summary: Mapping[str, Any]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """(dotted key, records) for every list of mappings in the summary (e.g. the most
    attenuated channels), shown as tables; lint findings are left to the lint table."""
    return [(k, list(v)) for k, v in flatten(summary)
            if isinstance(v, list | tuple) and v and all(isinstance(r, Mapping) for r in v)
            and not SKIPPED_ANYWHERE.intersection(k.split("."))]


def find_number(summary: Mapping[str, Any], *leaf_names: str) -> float | None:
    """The first numeric summary value whose last key part is one of ``leaf_names``."""
    for key, value in flatten(summary):
        leaf = key.rsplit(".", 1)[-1]
        if leaf in leaf_names and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None
