"""Summary values as table rows with labels and units, from the one table in
`bench_app.core.labels` (which the CLI and the window use too)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from bench_app.core.labels import figure_text

#: Top-level keys the report shows elsewhere (verdict, latency table), not as metrics.
SKIPPED_TOP = frozenset({"pass", "verdict", "series", "percentiles_ms", "host_frontend",
                         "board_frontend"})
#: Keys, at any depth, shown elsewhere (lint table, reasons and notes as paragraphs).
SKIPPED_ANYWHERE = frozenset({"lint", "reasons", "notes"})
#: Lists longer than this are per-channel or per-frame data: shown as figures, not cells.
MAX_INLINE_LIST = 6


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
    items = []
    for key, value in flatten(summary):
        parts = key.split(".")
        if parts[0] in SKIPPED_TOP or SKIPPED_ANYWHERE.intersection(parts):
            continue
        if isinstance(value, list | tuple) and (
            len(value) > MAX_INLINE_LIST or any(isinstance(v, Mapping | list) for v in value)
        ):
            continue
        label, shown, unit = figure_text(key, value, whole or summary)
        items.append((key, value, label, shown, unit))
    return items


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
