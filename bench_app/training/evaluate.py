"""Scores of the float and INT8 models on the validation split, and TFLM vs LiteRT per window.

Metrics come from scikit-learn (accuracy, macro / micro F1, per-class F1). The INT8 model runs
in TFLM (through `tflm_adapter`, as the virtual board runs it) and in LiteRT with its reference
kernels (``BUILTIN_REF``: XNNPACK's INT8 FULLY_CONNECTED differs from TFLM by 1-3 LSB, the
reference kernels by at most 1, FACTS.md).
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, f1_score


def scores(y_true: np.ndarray, y_pred: np.ndarray, class_names: list[str]) -> dict:
    """Accuracy, macro and micro F1 and F1 per class."""
    labels = list(range(len(class_names)))
    per = f1_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    return {
        "n": int(len(y_true)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro",
                                   zero_division=0)),  # fmt: skip
        "micro_f1": float(f1_score(y_true, y_pred, labels=labels, average="micro",
                                   zero_division=0)),  # fmt: skip
        "per_class_f1": {name: float(f) for name, f in zip(class_names, per, strict=True)},
    }


def quantize_input(x: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """int8 model input for float int8-valued windows (identity when scale 1, zero point 0)."""
    return np.clip(np.round(x / scale) + zero_point, -128, 127).astype(np.int8)


def litert_invoke(model_bytes: bytes, windows_int8: np.ndarray) -> np.ndarray:
    """Raw int8 outputs of LiteRT's reference kernels for each int8 window."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    it = Interpreter(model_content=model_bytes,
                     experimental_op_resolver_type=OpResolverType.BUILTIN_REF)  # fmt: skip
    it.allocate_tensors()
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    res = []
    for w in windows_int8:
        it.set_tensor(inp["index"], w.reshape(inp["shape"]))
        it.invoke()
        res.append(np.array(it.get_tensor(out["index"])).reshape(-1))
    return np.stack(res)


def runtime_agreement(tflm_out: np.ndarray, litert_out: np.ndarray) -> dict:
    """How far TFLM and LiteRT outputs are apart, per window."""
    diff = np.abs(tflm_out.astype(np.int32) - litert_out.astype(np.int32)).max(axis=1)
    same = tflm_out.argmax(axis=1) == litert_out.argmax(axis=1)
    return {
        "windows": int(len(diff)),
        "class_agreement": float(same.mean()) if len(same) else 1.0,
        "windows_disagreeing": [int(i) for i in np.flatnonzero(~same)],
        "max_abs_lsb": int(diff.max()) if len(diff) else 0,
        "windows_over_1_lsb": int((diff > 1).sum()),
    }


def float_vs_int8(y: np.ndarray, float_pred: np.ndarray, int8_pred: np.ndarray,
                  class_names: list[str]) -> dict:  # fmt: skip
    """Scores of both models and how often they pick the same class."""
    f, q = scores(y, float_pred, class_names), scores(y, int8_pred, class_names)
    return {
        "float": f,
        "int8": q,
        "macro_f1_drop": f["macro_f1"] - q["macro_f1"],
        "prediction_agreement": float((float_pred == int8_pred).mean()) if len(y) else 1.0,
    }
