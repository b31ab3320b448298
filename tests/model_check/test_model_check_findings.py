"""`check_model`: each kind of bad model gives one sentence; a good one gives none."""

from __future__ import annotations

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from bench_app.core.frontend import FrontendConfig
from bench_app.core.model.budget import MEMORY_BUDGET_BYTES
from bench_app.core.model.check import check_lines, check_model
from bench_app.core.model.tflm import allocates


def _one_sentence(text: str) -> bool:
    return text.endswith(".") and "Traceback" not in text and "\n" not in text


def test_good_int8_model_has_no_findings_and_its_figures_match_the_runtimes(write_model):
    path = write_model("good")
    check = check_model(path)
    assert check.ok, check.findings
    assert check.readable and check.tflm_loaded and not check.missing_ops
    data = path.read_bytes()
    # The arena is the smallest that allocates: 16 bytes less does not.
    assert allocates(data, check.arena_bytes) and not allocates(data, check.arena_bytes - 16)
    assert check.budget.model_bytes == len(data) and check.budget.fits
    # Input / output quantization as LiteRT reads it.
    it = Interpreter(model_content=data)
    for ours, theirs in ((check.io["inputs"][0], it.get_input_details()[0]),
                         (check.io["outputs"][0], it.get_output_details()[0])):
        assert (ours["scale"], ours["zero_point"]) == theirs["quantization"]
        assert ours["shape"] == list(theirs["shape"])
        assert np.dtype(ours["dtype"]) == theirs["dtype"]
    assert check.agreement.windows == 3 and check.agreement.max_abs_diff <= 1
    assert check.to_json()["ok"] is True
    assert check_lines(check)[-1].startswith("verdict   OK")


def test_float_model_is_one_finding(write_model):
    check = check_model(write_model("float", dtype="float32"))
    assert check.tflm_loaded  # TFLM runs floats; the board's model must not have them
    assert len(check.findings) == 1 and "float tensor" in check.findings[0]
    assert _one_sentence(check.findings[0])
    assert check.to_json()["float_tensors"] == ["input", "weights", "bias", "output"]


def test_op_tflm_lacks_is_named(write_model):
    check = check_model(write_model("skipgram", op="SKIP_GRAM"))
    assert not check.tflm_loaded and check.missing_ops == ["SKIP_GRAM"]
    assert check.arena_bytes is None and check.agreement is None
    assert len(check.findings) == 1 and "SKIP_GRAM" in check.findings[0]
    assert _one_sentence(check.findings[0])


def test_model_over_budget_shows_each_part(write_model):
    check = check_model(write_model("big", units=1000, features=1900))
    size = check.facts.size_bytes
    assert size > MEMORY_BUDGET_BYTES and check.budget.fits is False
    assert check.budget.model_bytes == size and check.budget.arena_bytes == check.arena_bytes
    assert len(check.findings) == 1 and "budget" in check.findings[0]
    assert f"{size:,} B" in check.findings[0] and f"{check.arena_bytes:,} B" in check.findings[0]


def test_paper_model_over_budget_with_batch_matmul_on_cpu(paper_model):
    check = check_model(paper_model, FrontendConfig())
    assert check.budget.fits is False and check.arena_bytes > 800_000
    assert [f for f in check.findings if "budget" in f] == check.findings  # only the budget
    assert check.edgetpu.unmapped == ["BATCH_MATMUL"]
    assert check.edgetpu.cpu_ops[0] == "BATCH_MATMUL"


def test_garbage_empty_and_missing_files_are_unreadable(tmp_path):
    garbage = tmp_path / "garbage.tflite"
    garbage.write_bytes(b"this is not a flatbuffer at all")
    empty = tmp_path / "empty.tflite"
    empty.write_bytes(b"")
    cut = tmp_path / "cut.tflite"
    from bench_app.testing.tiny_tflite import fully_connected_model

    cut.write_bytes(fully_connected_model()[:40])
    for path in (garbage, empty, cut, tmp_path / "missing.tflite"):
        check = check_model(path)
        assert not check.readable and not check.ok
        assert len(check.findings) == 1 and _one_sentence(check.findings[0]), check.findings
        assert str(path) in check.findings[0]
        assert check.to_json()["readable"] is False


def test_frontend_config_checks_the_input(write_model):
    cfg = FrontendConfig()
    narrow = check_model(write_model("narrow"), cfg)
    assert any("32 channels" in f for f in narrow.findings)
    fits = check_model(write_model("fits", features=32), cfg)
    assert fits.ok, fits.findings
    rows = check_model(write_model("rows", features=32, batch_shape=(1, 10)), cfg)
    assert len(rows.findings) == 1 and "(10, 3)" in rows.findings[0], rows.findings
    floaty = check_model(write_model("floaty", dtype="float32", features=32), cfg)
    assert len(floaty.findings) == 1 and "float tensor" in floaty.findings[0]


def test_given_inputs_are_the_compared_windows(write_model):
    windows = np.arange(5 * 4, dtype=np.int8).reshape(5, 1, 4)
    check = check_model(write_model("given"), inputs=windows)
    assert check.agreement.windows == 5 and check.agreement.class_agreement == 1.0


def test_runtime_agreement_rules():
    from bench_app.core.model.runtime_agreement import Agreement, _near_tie

    assert Agreement(windows=3, max_abs_diff=1).findings() == []
    apart = Agreement(windows=3, max_abs_diff=2)
    assert apart.findings() == [] and "up to 2 LSB" in apart.notes()[0]
    split = Agreement(windows=4, max_abs_diff=1, class_agreement=0.75, disagreeing=[2])
    assert split.findings() == ["TFLM and LiteRT pick different classes on 1 of 4 test "
                                "inputs ([2])."]
    assert _near_tie(np.array([5, 9, 8], np.int8), 1)
    assert not _near_tie(np.array([5, 9, 7], np.int8), 1)
