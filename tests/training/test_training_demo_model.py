"""The shipped demo model (models/demo/), checked against the file itself, not its card alone:
TFLM loads it, weights + arena fit the budget, no float tensor, the card is the one the core
reads and says what the model was trained on, and TFLM agrees with LiteRT on real windows."""

import json

import numpy as np

from bench_app.core.model import MEMORY_BUDGET_BYTES, MODELS_DIR, read_card, read_tflite
from bench_app.core.model.card import card_path, untrained
from bench_app.core.model.tflm import TflmModel

DEMO = MODELS_DIR / "demo"


def test_demo_card_is_the_one_the_core_reads_and_matches_the_file():
    model = DEMO / "model.tflite"
    facts = read_tflite(model)
    path = card_path(model)
    assert path == DEMO / "card.json"
    card = read_card(path)
    assert card.sha256 == facts.sha256 and card.untrained is False
    assert untrained({"model_sha256": facts.sha256}) is not True
    doc = json.loads(path.read_text())
    assert "synthetic" in doc["description"].lower() and "iemocap" in doc["description"].lower()
    assert doc["seed"] == 0 and doc["versions"]["tensorflow-cpu"]
    f8 = doc["metrics"]["float_vs_int8"]
    assert abs(f8["float"]["macro_f1"] - f8["int8"]["macro_f1"]) <= 0.02
    assert doc["metrics"]["tflm_vs_litert"]["class_agreement"] == 1.0
    assert f"_len = {facts.size_bytes};" in (DEMO / "model_data.h").read_text()


def test_demo_model_loads_in_tflm_fits_the_budget_and_has_no_float_tensor():
    facts = read_tflite(DEMO / "model.tflite")
    assert facts.float_tensors == 0
    tflm = TflmModel(DEMO / "model.tflite")  # searches the smallest arena itself
    card = read_card(DEMO / "card.json")
    assert tflm.arena_size == card.arena_bytes
    assert facts.size_bytes + tflm.arena_size <= MEMORY_BUDGET_BYTES
    assert tflm.input_dtype == np.int8 and tflm.input_shape == (1, 498, 32)


def test_demo_model_tflm_agrees_with_litert_on_front_end_windows():
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    from bench_app.core.frontend import FrontendConfig, compute_features_batch, to_int8
    from bench_app.testing.running_board import test_signal

    cfg = FrontendConfig()
    audio = test_signal(12.0, seed=4)
    feats = to_int8(compute_features_batch(audio[None, :], cfg)[0])
    windows = [feats[i:i + 498] for i in range(0, len(feats) - 498, 150)][:4]
    assert len(windows) >= 3
    tflm = TflmModel(DEMO / "model.tflite", arena_size=read_card(DEMO / "card.json").arena_bytes)
    it = Interpreter(model_path=str(DEMO / "model.tflite"),
                     experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    for w in windows:
        a = tflm.invoke(w)
        it.set_tensor(inp["index"], w.reshape(inp["shape"]).astype(np.int8))
        it.invoke()
        b = it.get_tensor(out["index"]).reshape(-1)
        assert a.argmax() == b.argmax()
        # LiteRT reference kernels vs TFLM: a few LSB apart (card: max 7 on 200 windows)
        assert np.abs(a.astype(int) - b.astype(int)).max() <= 8


def test_demo_ablation_ranks_late_fusion_above_each_branch_alone():
    """Paper 000's claim on the demo corpus: late fusion beats the acoustic branch alone and the
    keyword branch alone (macro and micro F1) under the same augmentation setting; the table in
    ablation.json, ablation.md and the card is one table."""
    table = json.loads((DEMO / "ablation.json").read_text())
    rows = {(r["variant"], r["augmentation"]): r for r in table["rows"]}
    for aug in (False, True):
        late = rows[("late", aug)]
        for alone in ("acoustic", "keyword"):
            for metric in ("macro_f1", "micro_f1"):
                assert late[metric] > rows[(alone, aug)][metric], (aug, alone, metric)
    md = (DEMO / "ablation.md").read_text()
    assert all(f"{r['macro_f1']:.3f} | {r['micro_f1']:.3f}" in md for r in table["rows"])
    assert json.loads((DEMO / "card.json").read_text())["ablation"]["rows"] == table["rows"]
