"""The committed untrained paper-shape model: its sidecar tells the truth, TFLM runs it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from bench_app.core.device.emulator.model_runner import ModelRunner, smallest_arena

MODELS = Path(__file__).resolve().parents[2] / "models"
MODEL = MODELS / "untrained_paper_shape.tflite"


@pytest.fixture(scope="module")
def sidecar():
    return json.loads(MODEL.with_suffix(".json").read_text())


def test_sidecar_says_untrained_and_matches_the_file(sidecar):
    data = MODEL.read_bytes()
    assert sidecar["untrained"] is True and "UNTRAINED" in sidecar["description"]
    assert sidecar["sha256"] == hashlib.sha256(data).hexdigest()
    assert sidecar["size_bytes"] == len(data) <= 1.8 * 1024 * 1024
    assert sidecar["float_tensors"] == 0
    assert smallest_arena(data) == sidecar["arena_bytes"]


def test_tflm_runs_it_like_the_tflite_reference_kernels(sidecar):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    runner = ModelRunner(MODEL, hop_frames=100, arena_size=sidecar["arena_bytes"])
    assert runner.input_shape == (1, 498, 32) and runner.window_frames == 498
    ref = Interpreter(model_path=str(MODEL),
                      experimental_op_resolver_type=OpResolverType.BUILTIN_REF)  # fmt: skip
    ref.allocate_tensors()
    rng = np.random.default_rng(0)
    outs = []
    for _ in range(3):
        x = rng.integers(-128, 128, size=(498, 32)).astype(np.int8)
        ours = runner.infer_window(x)
        ref.set_tensor(ref.get_input_details()[0]["index"], x[None])
        ref.invoke()
        theirs = ref.get_tensor(ref.get_output_details()[0]["index"]).reshape(-1)
        assert ours.dtype == np.int8 and ours.shape == (5,)
        assert np.max(np.abs(ours.astype(int) - theirs.astype(int))) <= 2
        outs.append(ours)
    assert len({o.tobytes() for o in outs}) > 1  # untrained, but not constant
