"""Build an UNTRAINED INT8 TFLite model with the paper's layer shapes (for latency runs only).

Latency on the board does not depend on the weights, only on the graph, so until the training
backend exists the virtual board (and a real one) can be timed with this model. Its weights are
seeded random numbers: its class scores mean nothing, and everything that shows it must call it
untrained. The script writes the model and a JSON sidecar that says so::

    .venv/bin/python models/make_untrained_model.py            # -> models/untrained_paper_shape.*

It reads the result back with `bench_app.core.model` (ops, float tensors, smallest TFLM arena)
and exits 1 when weights + arena exceed the paper's 1.8 MB budget, as this model does today
(1,082,384 B + 861,552 B = 1,943,936 B).

Architecture (paper 000, "Transformer Redesign for Late Fusion of Audio-Text Features"):

- input: the int8 MicroFrontend spectrogram of 5 s, 498 frames x 32 channels (the float value
  the model sees is the int8 value itself, so the input scale comes out close to 1);
- acoustic branch: 4 ``SpecConv`` blocks, each a strided 2x1 convolution (498 -> 249 -> 125 ->
  63 -> 32 frames), a projection to d_model = 128, a learned positional encoding, 4 transformer
  blocks with single-head attention and a hand-written LayerNorm (Keras' LayerNormalization
  leaves a float island in a "full INT8" model), ReLU6 feed-forward, global average pool -> 128;
- keyword branch: the first 490 frames through a DSResNet-SE-like stack of depthwise separable
  residual blocks with squeeze-excitation -> 256-d embedding -> FC 128 (ReLU6) + residual FC;
- late fusion: concat (256) -> FC 128 ReLU6 -> FC 5 softmax.

TensorFlow is imported inside ``main`` only: the bench itself never imports it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

FRAMES, CHANNELS, KWS_FRAMES = 498, 32, 490
D_MODEL, D_FF, N_BLOCKS, N_CLASSES = 128, 256, 4, 5
HERE = Path(__file__).resolve().parent


def build_keras_model(seed: int):
    """Return the float Keras model with seeded random (untrained) weights."""
    import keras
    import tensorflow as tf
    from keras import layers

    keras.utils.set_random_seed(seed)

    class LayerNorm(layers.Layer):
        """LayerNorm from plain ops (mean, rsqrt, mul, add) so INT8 conversion keeps no float."""

        def build(self, input_shape):
            dim = input_shape[-1]
            self.gamma = self.add_weight(shape=(dim,), initializer="ones", name="gamma")
            self.beta = self.add_weight(shape=(dim,), initializer="zeros", name="beta")

        def call(self, x):
            centred = x - tf.reduce_mean(x, axis=-1, keepdims=True)
            var = tf.reduce_mean(centred * centred, axis=-1, keepdims=True)
            return centred * tf.math.rsqrt(var + 1e-3) * self.gamma + self.beta

    class PositionalEncoding(layers.Layer):
        """A learned positional encoding added to the token sequence."""

        def build(self, input_shape):
            self.pos = self.add_weight(
                shape=(1, input_shape[1], input_shape[2]),
                initializer=keras.initializers.RandomNormal(stddev=0.1),
                name="pos",
            )

        def call(self, x):
            return x + self.pos

    class SingleHeadAttention(layers.Layer):
        """Scaled dot-product attention with one head (Edge TPU friendly)."""

        def build(self, input_shape):
            self.q = layers.Dense(D_MODEL)
            self.k = layers.Dense(D_MODEL)
            self.v = layers.Dense(D_MODEL)
            self.o = layers.Dense(D_MODEL)

        def call(self, x):
            scale = float(1.0 / np.sqrt(D_MODEL))  # a Python float: no f64 op in the graph
            scores = tf.matmul(self.q(x), self.k(x), transpose_b=True) * scale
            return self.o(tf.matmul(tf.nn.softmax(scores, axis=-1), self.v(x)))

    def transformer_block(x):
        x = LayerNorm()(x + SingleHeadAttention()(x))
        ff = layers.Dense(D_MODEL)(layers.Dense(D_FF, activation="relu6")(x))
        return LayerNorm()(x + ff)

    def spec_conv(x, filters):
        x = layers.Conv2D(filters, (3, 3), strides=(2, 1), padding="same")(x)
        return layers.ReLU(6.0)(layers.BatchNormalization()(x))

    def ds_res_se_block(x, filters, stride):
        shortcut = x
        y = layers.DepthwiseConv2D((3, 3), strides=stride, padding="same")(x)
        y = layers.ReLU(6.0)(layers.BatchNormalization()(y))
        y = layers.Conv2D(filters, 1)(y)
        y = layers.BatchNormalization()(y)
        se = layers.GlobalAveragePooling2D(keepdims=True)(y)
        se = layers.Conv2D(max(filters // 4, 8), 1, activation="relu6")(se)
        se = layers.Conv2D(filters, 1, activation="sigmoid")(se)
        y = layers.Multiply()([y, se])
        if stride != (1, 1) or shortcut.shape[-1] != filters:
            shortcut = layers.Conv2D(filters, 1, strides=stride)(shortcut)
        return layers.ReLU(6.0)(layers.Add()([y, shortcut]))

    spec = keras.Input(shape=(FRAMES, CHANNELS), batch_size=1, name="spectrogram")

    # Acoustic branch.
    a = layers.Reshape((FRAMES, CHANNELS, 1))(spec)
    for filters in (8, 16, 16, 8):
        a = spec_conv(a, filters)
    a = layers.Reshape((32, CHANNELS * 8))(a)  # 32 frames x (32 channels * 8 maps)
    a = layers.Dense(D_MODEL)(a)
    a = PositionalEncoding()(a)
    for _ in range(N_BLOCKS):
        a = transformer_block(a)
    a = layers.GlobalAveragePooling1D()(a)

    # Keyword branch (DSResNet-SE-like, frozen in the paper).
    k = layers.Cropping1D((0, FRAMES - KWS_FRAMES))(spec)
    k = layers.Reshape((KWS_FRAMES, CHANNELS, 1))(k)
    k = layers.Conv2D(64, (3, 3), strides=(2, 2), padding="same", activation="relu6")(k)
    blocks = ((64, (1, 1)), (96, (2, 2)), (128, (2, 2)), (192, (2, 2)), (256, (2, 1)))
    for filters, stride in blocks:
        k = ds_res_se_block(k, filters, stride)
    embedding = layers.GlobalAveragePooling2D()(k)  # 256-d keyword embedding
    k = layers.Dense(D_MODEL, activation="relu6")(embedding)
    k = layers.Add()([k, layers.Dense(D_MODEL)(k)])  # FC layers + residual

    # Late fusion head.
    x = layers.Concatenate()([a, k])
    x = layers.Dense(128, activation="relu6")(x)
    out = layers.Dense(N_CLASSES, activation="softmax", name="scores")(x)
    return keras.Model(spec, out, name="untrained_paper_shape")


def convert_int8(model, seed: int, n_calibration: int) -> bytes:
    """Full INT8 post-training quantization with int8 input and output (the training
    backend's converter), calibrated on random int8 feature windows."""
    from bench_app.training.quantize import convert_int8 as convert

    rng = np.random.default_rng(seed)
    calibration = rng.integers(-128, 128, size=(n_calibration, FRAMES, CHANNELS))
    return convert(model, calibration.astype(np.float32))


def time_invoke(model_bytes: bytes, arena: int, repeats: int) -> float:
    """Median TFLM invoke time in milliseconds on random int8 input (host CPU, not the board)."""
    from tflite_micro import runtime

    it = runtime.Interpreter.from_bytes(model_bytes, arena_size=arena)
    rng = np.random.default_rng(0)
    times = []
    for _ in range(repeats):
        it.set_input(rng.integers(-128, 128, size=(1, FRAMES, CHANNELS), dtype=np.int8), 0)
        t0 = time.perf_counter()
        it.invoke()
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1e3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "untrained_paper_shape.tflite")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--calibration", type=int, default=8, help="representative samples")
    parser.add_argument("--repeats", type=int, default=5, help="invokes to time")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    t0 = time.perf_counter()
    model = build_keras_model(args.seed)
    tflite = convert_int8(model, args.seed, args.calibration)
    args.out.write_bytes(tflite)
    from bench_app.core.model import budget_verdict, read_tflite, smallest_arena

    arena = smallest_arena(tflite)
    facts = read_tflite(tflite, name=args.out.name)
    n_float = facts.float_tensors
    budget = budget_verdict(len(tflite), arena)
    sidecar = {
        "untrained": True,
        "description": (
            "UNTRAINED model with the paper's layer shapes and seeded random weights; "
            "for latency measurements only, its scores mean nothing."
        ),
        "file": args.out.name,
        "sha256": hashlib.sha256(tflite).hexdigest(),
        "size_bytes": len(tflite),
        "budget_bytes": budget.budget_bytes,
        "fits_budget": budget.fits,
        "budget": budget.to_dict(),
        "arena_bytes": arena,
        "ops": list(facts.ops),
        "float_tensors": n_float,
        "params": int(model.count_params()),
        "input": {"shape": [1, FRAMES, CHANNELS], "dtype": "int8"},
        "output": {"shape": [1, N_CLASSES], "dtype": "int8"},
        "seed": args.seed,
        "host_invoke_ms_median": round(time_invoke(tflite, arena, args.repeats), 2),
        "build_seconds": round(time.perf_counter() - t0, 1),
    }
    args.out.with_suffix(".json").write_text(json.dumps(sidecar, indent=2) + "\n")
    print(json.dumps(sidecar, indent=2))
    if n_float:
        print(f"warning: {n_float} float32 tensors remain in the graph", file=sys.stderr)
    print(f"memory budget: {budget.text()}", file=sys.stderr)
    return 0 if budget.fits else 1


if __name__ == "__main__":
    raise SystemExit(main())
