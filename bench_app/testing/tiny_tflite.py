"""Tiny ``.tflite`` files built with the TFLite flatbuffer schema, for tests (no TensorFlow).

One FULLY_CONNECTED layer, INT8 (with quantization) or float32, seeded weights. Variants that
``bench-app model check`` must flag are one argument away: ``dtype="float32"`` (a float model),
``op="SKIP_GRAM"`` (an op TFLM has no kernel for: the graph is the same, only the operator code
changes) and large ``units`` x ``features`` (weights over the 1.8 MB budget). Building one
takes about a millisecond, so tests need no TensorFlow conversion.
"""

from __future__ import annotations

import flatbuffers
import numpy as np


def _schema():
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    return schema


def fully_connected_model(*, dtype: str = "int8", op: str = "FULLY_CONNECTED", units: int = 3,
                          features: int = 4, batch_shape: tuple[int, ...] = (1, 1),
                          seed: int = 0) -> bytes:  # fmt: skip
    """The bytes of a one-layer model ``output = FC(input)``.

    Parameters
    ----------
    dtype
        ``"int8"`` (full-integer, int32 bias) or ``"float32"``.
    op
        The builtin operator code written for the layer (``FULLY_CONNECTED`` runs; any other
        name from the schema gives a model whose op a runtime may lack).
    units, features
        Weight matrix shape (``units`` x ``features``).
    batch_shape
        Leading dimensions of the input (the input is ``(*batch_shape, features)``); the
        default ``(1, 1)`` makes the board's window shape ``(1, frames, channels)`` with one
        frame, so the default model is one the board could serve.
    """
    s = _schema()
    rng = np.random.default_rng(seed)
    model = s.ModelT()
    model.version = 3
    model.description = b"bench_app.testing.tiny_tflite"
    model.buffers = [s.BufferT()]

    def buffer(arr: np.ndarray) -> int:
        b = s.BufferT()
        b.data = np.frombuffer(arr.tobytes(), np.uint8)
        model.buffers.append(b)
        return len(model.buffers) - 1

    def quant(scale: float, zero: int):
        q = s.QuantizationParametersT()
        q.scale, q.zeroPoint = [scale], [zero]
        return q

    def tensor(name: str, shape, ttype: int, buf: int = 0, q=None):
        t = s.TensorT()
        t.name, t.shape, t.type = name.encode(), list(shape), ttype
        t.buffer, t.quantization = buf, q
        return t

    in_shape, out_shape = (*batch_shape, features), (int(np.prod(batch_shape)), units)
    if dtype == "int8":
        w = rng.integers(-127, 128, (units, features), dtype=np.int8)
        bias = rng.integers(-100, 100, units).astype(np.int32)
        i8 = s.TensorType.INT8
        tensors = [tensor("input", in_shape, i8, 0, quant(0.5, 0)),
                   tensor("weights", (units, features), i8, buffer(w), quant(0.01, 0)),
                   tensor("bias", (units,), s.TensorType.INT32, buffer(bias), quant(0.005, 0)),
                   tensor("output", out_shape, i8, 0, quant(0.1, -3))]  # fmt: skip
    elif dtype == "float32":
        f32 = s.TensorType.FLOAT32
        w = rng.standard_normal((units, features)).astype(np.float32)
        tensors = [tensor("input", in_shape, f32),
                   tensor("weights", (units, features), f32, buffer(w)),
                   tensor("bias", (units,), f32, buffer(np.zeros(units, np.float32))),
                   tensor("output", out_shape, f32)]  # fmt: skip
    else:
        raise ValueError(f"dtype must be int8 or float32, not {dtype!r}")
    code = s.OperatorCodeT()
    code.builtinCode = getattr(s.BuiltinOperator, op)
    code.deprecatedBuiltinCode = min(code.builtinCode, 127)
    code.version = 1
    model.operatorCodes = [code]
    layer = s.OperatorT()
    layer.opcodeIndex, layer.inputs, layer.outputs = 0, [0, 1, 2], [3]
    layer.builtinOptionsType = s.BuiltinOptions.FullyConnectedOptions
    layer.builtinOptions = s.FullyConnectedOptionsT()
    graph = s.SubGraphT()
    graph.tensors, graph.inputs, graph.outputs, graph.operators = tensors, [0], [3], [layer]
    graph.name = b"main"
    model.subgraphs = [graph]
    builder = flatbuffers.Builder(1024 + units * features * 4)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())
