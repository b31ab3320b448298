"""Reading a .tflite: the shipped model against LiteRT's and TFLM's own view; bad files."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from bench_app.core.errors import BenchError, ModelFileError
from bench_app.core.model import read_model, read_tflite


@pytest.fixture(scope="module")
def litert(model_path):
    from ai_edge_litert.interpreter import Interpreter

    return Interpreter(model_path=str(model_path))


def test_ops_and_count_equal_litert(model_path, litert):
    facts = read_tflite(model_path)
    details = litert._get_ops_details()
    assert list(facts.ops) == sorted({d["op_name"] for d in details})
    assert facts.op_count == len(details)
    assert "BATCH_MATMUL" in facts.ops  # the op the Edge TPU does not map (FACTS.md)


def test_tensors_dtypes_and_shapes_equal_litert(model_path, litert):
    facts = read_tflite(model_path)
    theirs = litert.get_tensor_details()
    assert len(facts.tensors) == len(theirs)
    for ours, ref in zip(facts.tensors, sorted(theirs, key=lambda d: d["index"]), strict=True):
        assert ours.name == ref["name"]
        assert np.dtype(ours.dtype.lower()) == np.dtype(ref["dtype"])
        assert ours.shape == tuple(int(d) for d in ref["shape"])
    floats = sum(np.issubdtype(np.dtype(d["dtype"]), np.floating) for d in theirs)
    assert facts.float_tensors == floats == 0 and not facts.has_float


def test_inputs_outputs_and_sizes_equal_tflm_and_the_file(model_path, model_bytes, sidecar):
    from tflite_micro import runtime

    facts = read_tflite(model_path)
    it = runtime.Interpreter.from_bytes(model_bytes, arena_size=sidecar["arena_bytes"])
    for ours, ref in ((facts.inputs[0], it.get_input_details(0)),
                      (facts.outputs[0], it.get_output_details(0))):
        assert ours.shape == tuple(int(d) for d in ref["shape"])
        assert np.dtype(ours.dtype.lower()) == np.dtype(ref["dtype"]) == np.int8
    assert facts.size_bytes == len(model_bytes) == model_path.stat().st_size
    assert facts.sha256 == hashlib.sha256(model_bytes).hexdigest() == sidecar["sha256"]
    weights = sum(t.buffer_bytes for t in facts.tensors)
    assert 0.8 * len(model_bytes) < weights < len(model_bytes)  # the constants are most of it
    assert read_tflite(model_bytes).to_dict() == facts.to_dict()  # bytes or path: the same


def bad_files(model: bytes) -> dict[str, bytes]:
    return {
        "garbage": np.random.default_rng(3).bytes(4000),
        "empty": b"",
        "short": b"TFL",
        "not_tfl3": model[:4] + b"ABCD" + model[8:],
        "truncated": model[:500],
        "truncated_late": model[: len(model) - 300],
    }


@pytest.mark.parametrize("kind, words", [
    ("garbage", "not b'TFL3'"), ("empty", "empty"), ("short", "too short"),
    ("not_tfl3", "b'ABCD'"), ("truncated", "cut short"), ("truncated_late", "cut short"),
])  # fmt: skip
def test_bad_files_give_one_sentence(tmp_path, model_bytes, kind, words):
    path = tmp_path / f"{kind}.tflite"
    path.write_bytes(bad_files(model_bytes)[kind])
    with pytest.raises(ModelFileError) as err:
        read_tflite(path)
    text = str(err.value)
    assert isinstance(err.value, BenchError)
    assert text.startswith(f"{path} is not a TFLite model") and words in text
    assert text.endswith(".") and "\n" not in text
    entry = read_model(path)  # the catalog lists it with the same sentence, never raises
    assert entry.error == text.replace(str(path), path.name) and entry.ops == []


def test_missing_file_says_so(tmp_path):
    with pytest.raises(ModelFileError, match=r"Cannot read the model file .*nothing\.tflite"):
        read_tflite(tmp_path / "nothing.tflite")
