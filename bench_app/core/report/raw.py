"""The run's raw data beside the report: one NPZ of every array, one CSV per array, the
metrics as CSV and the whole record as JSON.

CSV numbers are written so they read back exactly (integers as integers, floats with 17
significant digits); every file name is sanitised and kept inside the raw-data folder.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from bench_app.core.report.metrics import metric_items
from bench_app.core.report.model import ReportInput
from bench_app.core.report.paths import inside, output_folder, sanitize_filename

NPZ_NAME = "arrays.npz"
METRICS_NAME = "metrics.csv"
RECORD_NAME = "run.json"
CLIPS_NAME = "clips.csv"


def array_file_names(names: list[str]) -> dict[str, str]:
    """Unique sanitised base names (no extension) for the given array names."""
    out: dict[str, str] = {}
    used: set[str] = {"metrics", "run", "clips"}  # METRICS_NAME, RECORD_NAME, CLIPS_NAME
    for name in names:
        base = sanitize_filename(name, default="array")
        candidate, n = base, 1
        while candidate.lower() in used:
            n += 1
            candidate = f"{base}_{n}"
        used.add(candidate.lower())
        out[name] = candidate
    return out


def _csv_for_array(path: Path, array: np.ndarray) -> None:
    data = np.asarray(array)
    if data.dtype == bool:
        data = data.astype(np.uint8)
    table = data.reshape(-1, 1) if data.ndim <= 1 else data
    columns = ["value"] if data.ndim <= 1 else [f"col{i}" for i in range(table.shape[1])]
    integer = np.issubdtype(data.dtype, np.integer)
    body = table.astype(np.int64 if integer else np.float64)
    index = np.arange(table.shape[0], dtype=body.dtype).reshape(-1, 1)
    value_fmt = "%d" if integer else "%.17g"
    with path.open("w", newline="") as handle:
        handle.write(",".join(["index", *columns]) + "\n")
        np.savetxt(handle, np.hstack([index, body]), delimiter=",",
                   fmt=["%d", *[value_fmt] * body.shape[1]])


def write_raw(inp: ReportInput, folder: Path | str) -> list[Path]:
    """Write the raw data into ``folder``; return the files written."""
    root = output_folder(folder)
    names = array_file_names(list(inp.arrays))
    written = []
    npz = inside(root, NPZ_NAME)
    np.savez_compressed(npz, **{names[k]: np.asarray(v) for k, v in inp.arrays.items()})
    written.append(npz)
    for key, array in inp.arrays.items():
        data = np.asarray(array)
        if data.ndim > 2 or data.dtype.kind not in "biuf":
            continue  # kept in the NPZ only: a CSV would need a convention for it
        path = inside(root, names[key] + ".csv")
        _csv_for_array(path, array)
        written.append(path)
    if inp.corpus is not None:  # a corpus run's clips, as `bench-app runs export` writes them
        from bench_app.core.report.corpus_csv import corpus_csv_text

        clips = inside(root, CLIPS_NAME)
        clips.write_text(corpus_csv_text(inp.corpus), encoding="utf-8")
        written.append(clips)
    metrics = inside(root, METRICS_NAME)
    with metrics.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("key", "stored_value", "metric", "shown_value", "shown_unit"))
        for key, value, label, shown, unit in metric_items(inp.summary):
            writer.writerow((key, json.dumps(value, default=str), label, shown, unit))
    written.append(metrics)
    record = {"run": inp.run, "board_info": inp.board_info, "host_frontend": inp.host_frontend,
              "lint": inp.lint, "summary": inp.summary, "verdict": inp.verdict,
              "arrays": {k: {"file": names[k], "shape": list(np.shape(v)),
                             "dtype": str(np.asarray(v).dtype)} for k, v in inp.arrays.items()},
              "notes": inp.notes}
    path = inside(root, RECORD_NAME)
    path.write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
    written.append(path)
    return written
