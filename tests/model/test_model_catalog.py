"""The models folder as the window lists it, and the model facts a run stores."""

from __future__ import annotations

import pytest

from bench_app.core.model import (
    MEMORY_BUDGET_BYTES,
    find_model,
    list_models,
    read_model,
    run_facts,
)


def test_model_operators_match_tflite_interpreter(model_path, sidecar):
    # moved from tests/ui/test_ui_parts.py with bench_app.ui.model_catalog
    from ai_edge_litert.interpreter import Interpreter

    entry = read_model(model_path)
    interp = Interpreter(model_path=str(model_path))
    details = interp._get_ops_details()
    assert entry.ops == sorted({d["op_name"] for d in details})
    assert entry.op_count == len(details)
    assert sidecar["budget_bytes"] == MEMORY_BUDGET_BYTES
    assert entry.fits_budget == sidecar["fits_budget"] is False  # weights + arena: 1.94 MB
    assert entry.budget.to_dict() == sidecar["budget"]
    assert entry.size_bytes == model_path.stat().st_size


def test_damaged_model_is_described_not_raised(tmp_path, model_bytes):
    # moved from tests/ui/test_ui_parts.py with bench_app.ui.model_catalog
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(model_bytes[:3000])
    entry = read_model(bad)
    assert entry.error and "bad.tflite" in entry.error
    junk = tmp_path / "junk.tflite"
    junk.write_bytes(b"hello")
    assert "TFL3" in read_model(junk).error


def test_folder_lists_sidecar_and_folder_models(models_folder, sidecar):
    folder, flat = models_folder("sidecar", {"untrained": True, "arena_bytes": 1000})
    _, nested = models_folder("folder", {"untrained": False, "arena_bytes": 2000}, name="demo")
    (folder / "broken.json").write_text("{")  # a damaged card of no model: skipped
    entries = {e.path: e for e in list_models(folder)}
    assert set(entries) == {flat, nested}
    assert (entries[flat].untrained, entries[flat].arena_bytes) == (True, 1000)
    assert (entries[nested].untrained, entries[nested].arena_bytes) == (False, 2000)
    assert entries[nested].card == str(nested.parent / "card.json")
    assert entries[flat].sha256 == entries[nested].sha256 == sidecar["sha256"]


def test_run_facts_of_the_shipped_model(sidecar):
    facts = run_facts({"model_sha256": sidecar["sha256"].upper(), "board": "virtual"})
    assert facts["sha256"] == sidecar["sha256"] and facts["untrained"] is True
    assert facts["name"] == "untrained_paper_shape.tflite"
    assert facts["card"] == "untrained_paper_shape.json"
    assert (facts["bytes"], facts["arena_bytes"]) == (sidecar["size_bytes"],
                                                      sidecar["arena_bytes"])
    assert facts["ops"] == sidecar["ops"]
    assert facts["budget"]["total_bytes"] == sidecar["size_bytes"] + sidecar["arena_bytes"]
    assert facts["budget"]["fits"] is False
    assert find_model(sidecar["sha256"]).path.name == facts["name"]


@pytest.mark.parametrize("info, expect", [
    ({"model_sha256": None}, None),
    ({}, None),
    ({"model_sha256": "ab" * 32}, {"sha256": "ab" * 32, "untrained": None, "bytes": None}),
    ({"model_sha256": "ab" * 32, "model_untrained": True}, {"untrained": True, "name": None}),
])  # fmt: skip
def test_run_facts_of_other_boards(info, expect):
    facts = run_facts(info)
    if expect is None:
        assert facts is None
    else:
        assert {k: facts[k] for k in expect} == expect
