"""HRF merge equality and size; the INT8 model has no float tensor; TFLM agrees with LiteRT."""

import dataclasses

import numpy as np
import pytest

from bench_app.training.config import ModelDims, TrainConfig

TINY = ModelDims.tiny()


@pytest.mark.parametrize("ratio", [2, 4, 8])
def test_hrf_merge_equals_expanded_and_has_baseline_size(ratio):
    import keras

    from bench_app.training.merge import deployable_model
    from bench_app.training.models import build_model

    keras.utils.set_random_seed(ratio)
    cfg = TrainConfig(variant="acoustic", hrf_ratio=ratio, hrf_qkv=True, dims=TINY)
    expanded = build_model(cfg, 5)
    # Random (not initial) weights everywhere, so biases and factors all count.
    rng = np.random.default_rng(ratio)
    for w in expanded.weights:
        v = rng.normal(0, 0.3, w.shape).astype(np.float32)
        w.assign(np.abs(v) + 0.5 if "variance" in w.path else v)
    merged = deployable_model(expanded, cfg, 5, batch_size=None)
    baseline = build_model(dataclasses.replace(cfg, hrf_ratio=None, hrf_qkv=False), 5)
    assert expanded.count_params() > baseline.count_params()
    assert merged.count_params() == baseline.count_params()
    x = rng.integers(-128, 128, (4, TINY.frames, TINY.channels)).astype(np.float32)
    diff = np.abs(expanded(x, training=False).numpy() - merged(x, training=False).numpy())
    assert diff.max() < 1e-5


def test_int8_model_has_no_float_tensor_and_tflm_agrees_with_litert(tmp_path):
    import keras

    from bench_app.training.evaluate import litert_invoke, runtime_agreement
    from bench_app.training.models import build_model
    from bench_app.training.quantize import (
        convert_int8,
        float_tensors,
        io_quantization,
        op_names,
        representative_windows,
    )
    from bench_app.training.tflm_adapter import TflmModel

    keras.utils.set_random_seed(1)
    cfg = TrainConfig(variant="late", pre_normalizer=True, ds_subsampling=True, dims=TINY)
    model = build_model(cfg, 5, batch_size=1)
    rng = np.random.default_rng(1)
    x = rng.integers(-128, 128, (12, TINY.frames, TINY.channels)).astype(np.float32)
    tflite = convert_int8(model, representative_windows(x, 8, 1))
    assert float_tensors(tflite) == []
    assert "DEQUANTIZE" not in op_names(tflite) and "QUANTIZE" not in op_names(tflite)
    io = io_quantization(tflite)
    assert (io["input"]["scale"], io["input"]["zero_point"]) == (1.0, 0)
    (tmp_path / "m.tflite").write_bytes(tflite)
    tflm = TflmModel(tmp_path / "m.tflite")
    assert tflm.arena_size > 0
    xq = x.astype(np.int8)
    agree = runtime_agreement(tflm.invoke(xq), litert_invoke(tflite, xq))
    assert agree["class_agreement"] == 1.0
    assert agree["max_abs_lsb"] <= 1
