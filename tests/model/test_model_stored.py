"""Runs store the model facts they saw; reports read them, not ``models/``."""

from __future__ import annotations

from bench_app.core.model import run_facts
from bench_app.core.report.content import header
from bench_app.core.report.samples import latency_input


def _rows(tmp_path, info):
    """The report's "Run" table (the blocks both the HTML and the PDF are made from)."""
    inp = latency_input(count=10)
    inp.board_info = {"firmware_version": "0.3.1", **info}
    table = next(b for b in header(inp, "now") if getattr(b, "title", None) == "Run")
    return {row[0]: tuple(row[1:]) for row in table.rows}, table


def test_the_report_shows_the_stored_facts(tmp_path, sidecar):
    facts = run_facts({"model_sha256": sidecar["sha256"]})  # what a run stores at its start
    rows, _ = _rows(tmp_path, {"model_sha256": sidecar["sha256"], "model": facts})
    assert rows["model"] == ("untrained_paper_shape.tflite",)
    assert "UNTRAINED" in rows["model sha256"][0]
    memory = rows["model memory (1.8 MB budget)"][0]
    assert "model 1,082,384 B + arena 861,552 B = 1,943,936 B: OVER" in memory
    assert rows["model operators"][0].split(", ") == sidecar["ops"]


def test_the_report_believes_the_store_not_the_models_folder(tmp_path, sidecar):
    # the shipped model's hash, which the cards in models/ call untrained, stored as trained:
    # the report says what the run stored
    stored = {"sha256": sidecar["sha256"], "untrained": False, "name": "renamed.tflite"}
    rows, _ = _rows(tmp_path, {"model_sha256": sidecar["sha256"], "model": stored})
    assert rows["model"] == ("renamed.tflite",)
    assert "UNTRAINED" not in rows["model sha256"][0]
    assert "model memory (1.8 MB budget)" not in rows  # nothing stored, nothing recomputed
    # and a hash no card knows, stored as untrained, is flagged
    stored = {"sha256": "ab" * 32, "untrained": True}
    rows, _ = _rows(tmp_path, {"model_sha256": "ab" * 32, "model": stored})
    assert "UNTRAINED" in rows["model sha256"][0]
