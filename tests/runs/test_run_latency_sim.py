"""Latency run on the virtual board with the untrained paper-shape model (`bench-app run latency`).

The virtual board runs the model in the TFLM interpreter and reports its own latency split in
each RESULT; these tests check the run collects, summarises, stores and reports them, with the
summary's percentiles recomputed here with numpy from the stored per-inference records.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench_app.cli import main
from bench_app.core.store import RunStore

COUNT = 5
#: Clock quantisation and host stamping allowed below the physical bound (ms).
TOLERANCE_MS = 2.0


@pytest.fixture(scope="module")
def latency_run(tmp_path_factory):
    store = tmp_path_factory.mktemp("latency_store")
    import contextlib
    import io

    buf = io.StringIO()
    # the untrained model by name: it is no longer the virtual board's default
    model = Path(__file__).resolve().parents[2] / "models" / "untrained_paper_shape.tflite"
    with contextlib.redirect_stdout(buf):
        code = main(["run", "latency", "--device", "sim", "--count", str(COUNT), "--json",
                     "--store", str(store), "--model", str(model)])
    return code, json.loads(buf.getvalue()), store


def test_latency_summary_is_complete_and_sane(latency_run):
    code, out, _ = latency_run
    assert code == 0 and out["status"] == "success" and out["count"] == COUNT, out["reason"]
    pct = out["percentiles_ms"]
    assert set(pct) == {"frontend", "invoke", "total", "onset_to_result"}
    for name, values in pct.items():
        assert values["min_ms"] <= values["median_ms"] <= values["p95_ms"] <= values["p99_ms"]
        assert values["p99_ms"] <= values["max_ms"], (name, values)
        assert values["min_ms"] > 0, (name, values, out["notes"])
    assert pct["total"]["min_ms"] >= pct["invoke"]["min_ms"]
    assert out["board_total_ge_invoke"] is True
    assert out["budget_ms"] == pytest.approx(1000.0)  # the virtual board's default 1 s hop
    assert out["model_untrained"] is True
    assert any("UNTRAINED" in n for n in out["notes"])


def test_latency_records_are_stored_and_match_the_summary(latency_run):
    _, out, store = latency_run
    with RunStore.open(store) as st:
        record = st.get_run(out["run_id"])
        rows = [d.doc["data"] for d in st.documents(out["run_id"], "results")
                if d.kind == "event"]
    assert record.status == "success" and record.board_info["model_untrained"] is True
    # the model facts the run saw are stored with it (bench_app.core.model.run_facts)
    model = record.board_info["model"]
    assert model["sha256"] == record.board_info["model_sha256"] and model["untrained"] is True
    assert model["name"] == "untrained_paper_shape.tflite" and model["bytes"] == 1_082_384
    assert model["arena_bytes"] == 861_552 and "BATCH_MATMUL" in model["ops"]
    assert model["budget"]["fits"] is False
    assert len(rows) == COUNT
    for row in rows:
        assert row["total_us"] >= row["invoke_us"] and row["total_us"] >= row["frontend_us"]
        assert row["window_end_sample"] > row["window_start_sample"]
    total = np.array([r["total_us"] for r in rows]) / 1000.0
    assert out["percentiles_ms"]["total"]["median_ms"] == pytest.approx(np.median(total))
    assert out["percentiles_ms"]["total"]["p99_ms"] == pytest.approx(np.percentile(total, 99))


def test_latency_run_gives_a_report(latency_run, tmp_path, capsys):
    _, out, store = latency_run
    pdf = tmp_path / "latency.pdf"
    assert main(["report", out["run_id"], "--pdf", str(pdf), "--no-raw", "--json",
                 "--store", str(store)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["missing"] == [] and report["pdf_pages"] >= 1
    assert pdf.read_bytes().startswith(b"%PDF")


def test_host_view_is_never_shorter_than_the_boards_invoke(latency_run):
    # After the window's last sample enters the board it still runs the model (invoke_us,
    # timed by the board itself) before sending the RESULT: the host's sound-in to RESULT
    # time cannot be shorter. It should not be much longer either: the rest of the sample's
    # block through the front end (ten 10 ms steps), the link and the host's poll.
    _, out, store = latency_run
    with RunStore.open(store) as st:
        rows = [d.doc["data"] for d in st.documents(out["run_id"], "results")
                if d.kind == "event"]
    host = np.array([r["onset_to_result_ms"] for r in rows])
    invoke = np.array([r["invoke_us"] for r in rows]) / 1000.0
    assert {r["onset_source"] for r in rows} == {"speaker_report"}
    assert np.all(host >= invoke - TOLERANCE_MS), np.c_[host, invoke]
    assert np.median(host) >= np.median(invoke)
    assert np.median(host - invoke) < 50.0, np.c_[host, invoke]
