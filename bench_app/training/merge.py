"""The deployable model: HRF factors merged (paper 001's deHRF), batch 1, same weights.

Training may use `HRFDense` layers (expanded products) and a free batch size; the board needs
plain Dense layers and static shapes. `deployable_model` builds the baseline graph of the same
config (no HRF) with batch size 1 and copies every layer's weights by name, merging each HRF
pair into one kernel. The result has the baseline's parameter count and, in float, equals the
trained model up to rounding (tests check < 1e-5 for ratios 2, 4 and 8).
"""

from __future__ import annotations

import dataclasses

import keras

from .config import TrainConfig
from .layers import HRFDense
from .models import build_model


def layer_weights(layer) -> list:
    """The weights a plain layer of the same name takes (HRF pairs merged)."""
    return layer.merged_weights() if isinstance(layer, HRFDense) else layer.get_weights()


def deployable_model(trained: keras.Model, cfg: TrainConfig, n_classes: int,
                     batch_size: int | None = 1) -> keras.Model:  # fmt: skip
    """Rebuild ``trained`` without HRF (and with ``batch_size``), weights copied by name."""
    plain = dataclasses.replace(cfg, hrf_ratio=None, hrf_qkv=False)
    model = build_model(plain, n_classes, batch_size=batch_size)
    for layer in model.layers:
        if layer.weights:
            layer.set_weights(layer_weights(trained.get_layer(layer.name)))
    return model
