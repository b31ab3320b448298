"""Full-integer INT8 conversion and what the flatbuffer holds (ops, float tensors, quantization).

The representative set is drawn from the training windows (seeded) plus one window holding
-128 and 127: the input's calibrated range is then exactly the int8 range, so the INT8 model's
input scale is 1 and its zero point 0, and the board can feed its int8 features unchanged
(`bench_app.core.frontend.to_int8`), as the virtual board's `ModelRunner` does.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from tensorflow.lite.python import schema_py_generated as schema


def representative_windows(x_train: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` training windows (seeded choice) plus one spanning the full int8 range."""
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(x_train), size=min(n, len(x_train)), replace=False)
    span = np.zeros((1, *x_train.shape[1:]), np.float32)
    span.reshape(-1)[0::2] = -128.0
    span.reshape(-1)[1::2] = 127.0
    return np.concatenate([np.asarray(x_train[np.sort(pick)], np.float32), span])


def convert_int8(model, calibration: np.ndarray) -> bytes:
    """Full INT8 (TFLITE_BUILTINS_INT8) with int8 input and output."""

    def representative():
        for window in calibration:
            yield [window[None].astype(np.float32)]

    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = representative
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    return conv.convert()


def convert_float(model) -> bytes:
    """The float32 TFLite model (for `bench-app model check` tests and comparisons)."""
    return tf.lite.TFLiteConverter.from_keras_model(model).convert()


def _model(model_bytes: bytes):
    return schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(model_bytes, 0))


def op_names(model_bytes: bytes) -> list[str]:
    """Sorted builtin operator names the model uses."""
    m = _model(model_bytes)
    code_names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    names = set()
    for sub in m.subgraphs:
        for op in sub.operators:
            oc = m.operatorCodes[op.opcodeIndex]
            code = max(oc.builtinCode, oc.deprecatedBuiltinCode)
            names.add(code_names.get(code, str(code)))
    return sorted(names)


def float_tensors(model_bytes: bytes) -> list[str]:
    """Names of the float (16/32/64) tensors in the graph: none in a full-INT8 model."""
    m = _model(model_bytes)
    kinds = (schema.TensorType.FLOAT32, schema.TensorType.FLOAT16, schema.TensorType.FLOAT64)
    return [t.name.decode() if isinstance(t.name, bytes) else str(t.name)
            for s in m.subgraphs for t in s.tensors if t.type in kinds]  # fmt: skip


def io_quantization(model_bytes: bytes) -> dict:
    """Scale and zero point of input 0 and output 0."""
    m = _model(model_bytes)
    sub = m.subgraphs[0]

    def q(index: int) -> dict:
        t = sub.tensors[index]
        p = t.quantization
        scale = float(p.scale[0]) if p is not None and p.scale is not None else 1.0
        zp = int(p.zeroPoint[0]) if p is not None and p.zeroPoint is not None else 0
        return {"shape": [int(d) for d in t.shape], "scale": scale, "zero_point": zp}

    return {"input": q(sub.inputs[0]), "output": q(sub.outputs[0])}
