"""Keras layers the fusion model needs that Keras lacks in an INT8-clean form.

- `LayerNorm`: written from mean, multiply and rsqrt, because Keras' LayerNormalization converts
  to a "full INT8" model that still holds a float island (DEQUANTIZE -> NEG -> QUANTIZE, see
  FACTS.md). With ``pre_normalizer`` it first divides the centred input by its mean absolute
  deviation (paper 003's low-precision pre-normalizer): LayerNorm is scale-invariant, so the
  float result is the same up to eps, but the variance is computed on values of order 1, which
  an 8-bit tensor holds without saturating. The division is an rsqrt of the squared MAD, so the
  graph needs no DIV op.
- `PositionalEncoding`: a learned table added to the token sequence.
- `HRFDense`: paper 001's high-rank factorisation of a Dense layer: during training the kernel
  is the product of an (in x ratio*in) and a (ratio*in x units) matrix with no activation
  between them, so it can be merged into one (in x units) kernel for export (`merged_weights`).

TensorFlow / Keras are imported at module level: only `bench_app.training` may import this.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

EPS = 1e-3


@keras.saving.register_keras_serializable(package="bench_app")
class LayerNorm(layers.Layer):
    """LayerNorm over the last axis from plain ops (no float tensor survives INT8 conversion)."""

    def __init__(self, pre_normalizer: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.pre_normalizer = pre_normalizer

    def build(self, input_shape):
        dim = input_shape[-1]
        self.gamma = self.add_weight(shape=(dim,), initializer="ones", name="gamma")
        self.beta = self.add_weight(shape=(dim,), initializer="zeros", name="beta")

    def call(self, x):
        centred = x - ops.mean(x, axis=-1, keepdims=True)
        if self.pre_normalizer:
            mad = ops.mean(ops.abs(centred), axis=-1, keepdims=True)
            centred = centred * ops.rsqrt(mad * mad + EPS)
        var = ops.mean(centred * centred, axis=-1, keepdims=True)
        return centred * ops.rsqrt(var + EPS) * self.gamma + self.beta

    def get_config(self):
        return {**super().get_config(), "pre_normalizer": self.pre_normalizer}


@keras.saving.register_keras_serializable(package="bench_app")
class PositionalEncoding(layers.Layer):
    """A learned positional encoding added to a (batch, tokens, d) sequence."""

    def build(self, input_shape):
        self.pos = self.add_weight(
            shape=(1, input_shape[1], input_shape[2]),
            initializer=keras.initializers.RandomNormal(stddev=0.02),
            name="pos",
        )

    def call(self, x):
        return x + self.pos


@keras.saving.register_keras_serializable(package="bench_app")
class HRFDense(layers.Layer):
    """A Dense layer trained as two stacked linears (ratio x wider inside), mergeable to one.

    Parameters
    ----------
    units : int
        Output width (as the Dense it replaces).
    ratio : int
        Inner width = ratio * input width (paper 001 uses 2, 4 and 8).
    activation : str or None
        Applied after the product, as in the Dense it replaces.
    kernel_regularizer : optional
        Applied to both factors.
    """

    def __init__(self, units: int, ratio: int, activation=None, kernel_regularizer=None,
                 **kwargs):  # fmt: skip
        super().__init__(**kwargs)
        self.units = units
        self.ratio = ratio
        self.activation = keras.activations.get(activation)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)

    def build(self, input_shape):
        dim = int(input_shape[-1])
        inner = self.ratio * dim
        reg = self.kernel_regularizer
        self.k1 = self.add_weight(shape=(dim, inner), initializer="glorot_uniform",
                                  regularizer=reg, name="hrf_kernel")  # fmt: skip
        self.b1 = self.add_weight(shape=(inner,), initializer="zeros", name="hrf_bias")
        self.k2 = self.add_weight(shape=(inner, self.units), initializer="glorot_uniform",
                                  regularizer=reg, name="kernel")  # fmt: skip
        self.b2 = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, x):
        return self.activation(ops.matmul(ops.matmul(x, self.k1) + self.b1, self.k2) + self.b2)

    def merged_weights(self) -> list[np.ndarray]:
        """[kernel, bias] of the single Dense this layer equals (computed in float64)."""
        k1, b1, k2, b2 = (np.asarray(w, np.float64) for w in self.get_weights())
        return [(k1 @ k2).astype(np.float32), (b1 @ k2 + b2).astype(np.float32)]

    def get_config(self):
        return {**super().get_config(), "units": self.units, "ratio": self.ratio,
                "activation": keras.activations.serialize(self.activation),
                "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer)}
