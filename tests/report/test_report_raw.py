"""Raw data beside the report reads back exactly: NPZ, one CSV per array, metrics, JSON."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from bench_app.core.report import write_report
from bench_app.core.report.samples import alignment_input, latency_input


@pytest.fixture(scope="module", params=["alignment", "latency"])
def raw(request, tmp_path_factory):
    inp = alignment_input(seed=6, frames=120) if request.param == "alignment" else latency_input()
    inp.arrays["mask"] = np.array([True, False, True])
    inp.arrays["cube"] = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    folder = tmp_path_factory.mktemp("raw") / "data"
    files = write_report(inp, raw_dir=folder)
    return inp, folder, files


def test_npz_round_trip_is_exact(raw):
    inp, folder, _ = raw
    with np.load(folder / "arrays.npz") as data:
        assert sorted(data.files) == sorted(inp.arrays)
        for name, array in inp.arrays.items():
            assert data[name].dtype == np.asarray(array).dtype
            np.testing.assert_array_equal(data[name], array)


def test_csv_round_trip_is_exact(raw):
    inp, folder, _ = raw
    for name, array in inp.arrays.items():
        array = np.asarray(array)
        path = folder / f"{name}.csv"
        if array.ndim > 2:
            assert not path.exists()  # NPZ only
            continue
        header = path.read_text().splitlines()[0].split(",")
        table = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
        assert header[0] == "index" and len(header) == table.shape[1]
        np.testing.assert_array_equal(table[:, 0], np.arange(len(table)))
        values = table[:, 1:] if array.ndim == 2 else table[:, 1]
        np.testing.assert_array_equal(values, array.astype(np.float64))


def test_metrics_csv_keeps_stored_values(raw):
    inp, folder, _ = raw
    with (folder / "metrics.csv").open(newline="") as handle:
        rows = {r["key"]: r for r in csv.DictReader(handle)}
    if inp.procedure == "alignment":
        assert json.loads(rows["mean_relative_error"]["stored_value"]) == \
            inp.summary["mean_relative_error"]
        assert rows["delay_samples"]["shown_unit"] == "samples"
        assert rows["gain_db"]["shown_unit"] == "dB"
    else:
        stored = inp.summary["budget_used_p99"]
        assert json.loads(rows["budget_used_p99"]["stored_value"]) == stored
        assert float(rows["budget_used_p99"]["shown_value"]) == pytest.approx(stored * 100, 1e-3)


def test_run_json_holds_the_record(raw):
    inp, folder, files = raw
    record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert record["run"] == inp.run and record["summary"] == inp.summary
    assert record["lint"] == inp.lint
    assert record["arrays"]["cube"] == {"file": "cube", "shape": [2, 3, 4], "dtype": "int32"}
    assert {p.name for p in files.raw} >= {"arrays.npz", "metrics.csv", "run.json"}
