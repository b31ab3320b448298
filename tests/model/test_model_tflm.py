"""The TFLM runner: the smallest arena that allocates, invoke, quantization, bad files."""

from __future__ import annotations

import numpy as np
import pytest

from bench_app.core.errors import ModelFileError
from bench_app.core.model import TflmModel, allocates, smallest_arena


@pytest.fixture(scope="module")
def tflm(model_path):
    return TflmModel(model_path)  # searches the smallest arena


def test_smallest_arena_is_the_smallest_that_allocates(tflm, model_bytes, sidecar):
    arena = tflm.arena_size
    assert arena == smallest_arena(model_bytes) == sidecar["arena_bytes"]
    assert allocates(model_bytes, arena)
    assert not allocates(model_bytes, arena - 1)  # one byte less and TFLM gives up
    assert not allocates(model_bytes, arena - 16)


def test_a_model_that_allocates_nowhere_says_so(model_bytes):
    with pytest.raises(ModelFileError, match="does not allocate in a 524,288-byte arena"):
        smallest_arena(model_bytes, hi=1 << 19)  # the model needs 861,552 B


def test_quantization_and_invoke_match_the_tflite_reference_kernels(tflm, model_path):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    ref = Interpreter(model_path=str(model_path),
                      experimental_op_resolver_type=OpResolverType.BUILTIN_REF)  # fmt: skip
    ref.allocate_tensors()
    inp, out = ref.get_input_details()[0], ref.get_output_details()[0]
    assert tflm.input_shape == tuple(inp["shape"]) and tflm.input_dtype == inp["dtype"]
    assert tflm.output_shape == tuple(out["shape"]) and tflm.output_dtype == out["dtype"]
    assert (tflm.input_scale, tflm.input_zero_point) == pytest.approx(inp["quantization"])
    assert (tflm.output_scale, tflm.output_zero_point) == pytest.approx(out["quantization"])
    x = np.random.default_rng(1).integers(-128, 128, size=(498, 32)).astype(np.int8)
    ours = tflm.invoke(x)
    ref.set_tensor(inp["index"], x[None])
    ref.invoke()
    theirs = ref.get_tensor(out["index"]).reshape(-1)
    assert ours.shape == (5,) and np.max(np.abs(ours.astype(int) - theirs.astype(int))) <= 2


@pytest.mark.parametrize("data, words", [
    (b"", "empty"), (b"\x00" * 64, "not b'TFL3'"), ("cut", "cut short or damaged"),
])  # fmt: skip
def test_bad_files_give_one_sentence(tmp_path, model_bytes, data, words):
    path = tmp_path / "bad.tflite"
    path.write_bytes(model_bytes[:500] if data == "cut" else data)
    with pytest.raises(ModelFileError) as err:
        TflmModel(path)
    text = str(err.value)
    assert text.startswith(f"{path} is not a TFLite model the TFLM interpreter can load")
    assert words in text and text.endswith(".") and "\n" not in text
