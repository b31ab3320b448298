"""Fixtures of the hardening tests: valid TFLite models a board cannot serve.

Each is the shipped untrained paper-shape model with its flatbuffer edited through the TFLite
schema's object API that ships in ``tflite_micro`` (the bench's own reader uses the same
schema), so no TensorFlow is needed and each takes a fraction of a second:

- ``flat_input``: a RESHAPE in front, so the model takes a 2-D ``(1, 15936)`` input;
- ``image_input``: the same with a ``(1, 498, 32, 1)`` input (a Conv2D model's image: servable);
- ``two_outputs``: the logits before SOFTMAX made a second output;
- ``float_output``: a DEQUANTIZE after SOFTMAX, float32 scores (servable: RESULT score type 2);
- ``many_outputs``: a PAD after SOFTMAX, 40,000 int8 scores;
- ``uint8_output``: a QUANTIZE after SOFTMAX to uint8 scores.

Every one of them still allocates in the TFLM interpreter (tests/harden check that), so what
refuses them is the bench's check, not a broken file.
"""

from __future__ import annotations

import copy
import json

import flatbuffers
import numpy as np
import pytest
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from bench_app.core.model import MODELS_DIR

MODEL = MODELS_DIR / "untrained_paper_shape.tflite"


def _pack(model) -> bytes:
    builder = flatbuffers.Builder(1 << 20)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _opcode(model, code: int) -> int:
    for i, c in enumerate(model.operatorCodes):
        if max(c.builtinCode, c.deprecatedBuiltinCode) == code:
            return i
    c = schema.OperatorCodeT()
    c.builtinCode, c.deprecatedBuiltinCode, c.version = code, min(code, 127), 1
    model.operatorCodes.append(c)
    return len(model.operatorCodes) - 1


def _tensor(model, graph, like: int | None, shape, dtype=None, data: bytes | None = None,
            name: bytes = b"edited") -> int:  # fmt: skip
    """A new tensor copied from tensor ``like`` (type, quantization), or a constant."""
    t = copy.deepcopy(graph.tensors[like]) if like is not None else schema.TensorT()
    t.shape, t.name, t.shapeSignature, t.buffer = np.array(shape, np.int32), name, None, 0
    if dtype is not None:
        t.type = dtype
    if data is not None:
        buf = schema.BufferT()
        buf.data = np.frombuffer(data, np.uint8).copy()
        model.buffers.append(buf)
        t.buffer = len(model.buffers) - 1
    graph.tensors.append(t)
    return len(graph.tensors) - 1


def _op(model, graph, code: int, ins, outs, at: int | None = None) -> None:
    o = schema.OperatorT()
    o.opcodeIndex = _opcode(model, code)
    o.inputs, o.outputs = np.array(ins, np.int32), np.array(outs, np.int32)
    graph.operators.insert(len(graph.operators) if at is None else at, o)


def _edit(change) -> bytes:
    model = schema.ModelT.InitFromPackedBuf(MODEL.read_bytes(), 0)
    change(model, model.subgraphs[0])
    return _pack(model)


def _reshaped_input(shape_in):
    def change(model, g):
        inp = int(g.inputs[0])
        shape = [int(d) for d in g.tensors[inp].shape]
        new = _tensor(model, g, inp, shape_in(shape), name=b"edited_input")
        target = _tensor(model, g, None, [len(shape)], schema.TensorType.INT32,
                         np.array(shape, np.int32).tobytes(), b"edited_shape")  # fmt: skip
        _op(model, g, schema.BuiltinOperator.RESHAPE, [new, target], [inp], at=0)
        g.inputs = np.array([new], np.int32)

    return change


def _after_output(code: int, shape=None, dtype=None, extra=None):
    def change(model, g):
        out = int(g.outputs[0])
        ins = [out]
        if extra is not None:
            ins.append(extra(model, g, out))
        new = _tensor(model, g, out, shape or g.tensors[out].shape, dtype, name=b"edited_out")
        if dtype == schema.TensorType.FLOAT32:
            g.tensors[new].quantization = None
        elif dtype == schema.TensorType.UINT8:  # same real values, zero point moved by 128
            q = g.tensors[new].quantization
            q.zeroPoint = np.asarray(q.zeroPoint, np.int64) + 128
        _op(model, g, code, ins, [new])
        g.outputs = np.array([new], np.int32)

    return change


def _pads(n: int):
    def extra(model, g, out):
        k = int(g.tensors[out].shape[-1])
        pads = np.array([[0, 0], [0, n - k]], np.int32).tobytes()
        return _tensor(model, g, None, [2, 2], schema.TensorType.INT32, pads, b"edited_pads")

    return extra


def _two_outputs(model, g):
    logits = int(g.operators[-1].inputs[0])  # SOFTMAX's input
    g.outputs = np.array([logits, int(g.outputs[0])], np.int32)


#: name -> the edit that makes it (see the module docstring).
EDITS = {
    "flat_input": _reshaped_input(lambda s: [1, int(np.prod(s))]),
    "image_input": _reshaped_input(lambda s: [*s, 1]),
    "two_outputs": _two_outputs,
    "float_output": _after_output(schema.BuiltinOperator.DEQUANTIZE,
                                  dtype=schema.TensorType.FLOAT32),
    "many_outputs": _after_output(schema.BuiltinOperator.PAD, shape=[1, 40_000],
                                  extra=_pads(40_000)),
    "uint8_output": _after_output(schema.BuiltinOperator.QUANTIZE,
                                  dtype=schema.TensorType.UINT8),
}  # fmt: skip


@pytest.fixture(scope="session")
def edited_models(tmp_path_factory) -> dict:
    """name -> path of each edited model (written once per session), plus ``"valid"``."""
    folder = tmp_path_factory.mktemp("edited_models")
    paths = {"valid": MODEL}
    for name, change in EDITS.items():
        paths[name] = folder / f"{name}.tflite"
        paths[name].write_bytes(_edit(change))
    return paths


@pytest.fixture(scope="session")
def frontend_40ch(tmp_path_factory):
    """A front end config file with 40 channels (the shipped model takes 32)."""
    from bench_app.core.frontend import FrontendConfig

    path = tmp_path_factory.mktemp("fe40") / "fe40.json"
    path.write_text(FrontendConfig(filterbank_n_channels=40).to_json())
    assert json.loads(path.read_text())
    return path
