"""The fusion model of paper 000 in Keras 3: acoustic branch, keyword branch, fusion head.

- acoustic branch: SpecConv blocks (3x3 conv, stride 2 in time, BatchNorm, ReLU6; with
  ``ds_subsampling`` a depthwise 3x3 + pointwise 1x1 pair, paper 003) take 498 frames to 32,
  a Dense projects each frame to d_model, a learned positional encoding, transformer blocks
  (single-head attention, post-LN with the INT8-clean `LayerNorm`, ReLU6 FFN), global average
  pool -> d_model;
- keyword branch: a DSResNet-SE backbone (depthwise-separable residual blocks with
  squeeze-and-excitation) on the first ``kws_frames`` frames; trained alone on a keyword set
  (`keyword_classifier`), then frozen; its pooled embedding -> FC ReLU6 + a residual FC -> d_model;
- head: concat -> FC ReLU6 + dropout -> FC softmax.

Variants: ``acoustic`` and ``keyword`` feed one branch to the head; ``late`` concatenates both
pooled outputs (the paper); ``early`` appends the keyword projection as one more token before
the transformer blocks, so attention mixes the two from the first block.

Every layer has a fixed name, so a model built twice in a fresh session has the same graph
and the HRF-expanded and merged models share names (`export_model` copies weights by name).
"""

from __future__ import annotations

import keras
from keras import layers, ops, regularizers

from .config import ModelDims, TrainConfig
from .layers import HRFDense, LayerNorm, PositionalEncoding

#: BatchNorm's moving-statistics momentum. Keras' 0.99 needs hundreds of steps before the
#: inference statistics match the weights; a demo run has ~20 steps an epoch, so with 0.99 the
#: validation scores of the first epochs came from stale statistics (every window one class).
BN_MOMENTUM = 0.9

#: Scale from int8 feature values to about [-1, 1) (a constant MUL folded by the converter).
INPUT_SCALE = 1.0 / 128.0


def _dense(cfg: TrainConfig, units: int, name: str, activation=None, hrf: bool = False):
    """A Dense, or an HRFDense when HRF is on for this linear (training models only)."""
    reg = regularizers.L2(cfg.l2)
    if hrf and cfg.hrf_ratio:
        return HRFDense(units, cfg.hrf_ratio, activation=activation, kernel_regularizer=reg,
                        name=name)  # fmt: skip
    return layers.Dense(units, activation=activation, kernel_regularizer=reg, name=name)


def _spec_conv(x, cfg: TrainConfig, filters: int, i: int):
    reg = regularizers.L2(cfg.l2)
    if cfg.ds_subsampling:
        x = layers.DepthwiseConv2D((3, 3), strides=(2, 1), padding="same",
                                   depthwise_regularizer=reg, name=f"spec{i}_dw")(x)  # fmt: skip
        x = layers.Conv2D(filters, 1, kernel_regularizer=reg, name=f"spec{i}_pw")(x)
    else:
        x = layers.Conv2D(filters, (3, 3), strides=(2, 1), padding="same",
                          kernel_regularizer=reg, name=f"spec{i}_conv")(x)  # fmt: skip
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"spec{i}_bn")(x)
    return layers.ReLU(6.0, name=f"spec{i}_relu")(x)


def _transformer_block(x, cfg: TrainConfig, i: int):
    d = cfg.dims.d_model
    q = _dense(cfg, d, f"blk{i}_q", hrf=cfg.hrf_qkv)(x)
    k = _dense(cfg, d, f"blk{i}_k", hrf=cfg.hrf_qkv)(x)
    v = _dense(cfg, d, f"blk{i}_v", hrf=cfg.hrf_qkv)(x)
    scale = float(1.0 / d**0.5)  # a Python float: a numpy float64 adds an f64 op
    scores = ops.matmul(q, ops.transpose(k, (0, 2, 1))) * scale
    att = ops.matmul(ops.softmax(scores, axis=-1), v)
    att = layers.Dense(d, kernel_regularizer=regularizers.L2(cfg.l2), name=f"blk{i}_o")(att)
    att = layers.Dropout(cfg.dropout, name=f"blk{i}_att_drop")(att)
    x = LayerNorm(cfg.pre_normalizer, name=f"blk{i}_ln1")(layers.Add(name=f"blk{i}_add1")([x, att]))
    ff = _dense(cfg, cfg.dims.d_ff, f"blk{i}_ffn1", activation="relu6", hrf=True)(x)
    ff = _dense(cfg, d, f"blk{i}_ffn2", hrf=True)(ff)
    ff = layers.Dropout(cfg.dropout, name=f"blk{i}_ffn_drop")(ff)
    x = layers.Add(name=f"blk{i}_add2")([x, ff])
    return LayerNorm(cfg.pre_normalizer, name=f"blk{i}_ln2")(x)


def _acoustic_tokens(spec, cfg: TrainConfig):
    """SpecConv stack + projection: (frames, channels) -> (tokens, d_model)."""
    dims = cfg.dims
    a = layers.Reshape((dims.frames, dims.channels, 1), name="ac_reshape")(spec)
    for i, filters in enumerate(dims.spec_filters):
        a = _spec_conv(a, cfg, filters, i)
    a = layers.Reshape((dims.tokens, dims.channels * dims.spec_filters[-1]), name="ac_flat")(a)
    return layers.Dense(dims.d_model, kernel_regularizer=regularizers.L2(cfg.l2),
                        name="ac_proj")(a)  # fmt: skip


def _ds_res_se_block(x, cfg: TrainConfig, filters: int, stride: tuple[int, int], i: int):
    reg = regularizers.L2(cfg.l2)
    shortcut = x
    y = layers.DepthwiseConv2D((3, 3), strides=stride, padding="same", depthwise_regularizer=reg,
                               name=f"kws{i}_dw")(x)  # fmt: skip
    y = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"kws{i}_dw_bn")(y)
    y = layers.ReLU(6.0, name=f"kws{i}_dw_relu")(y)
    y = layers.Conv2D(filters, 1, kernel_regularizer=reg, name=f"kws{i}_pw")(y)
    y = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"kws{i}_pw_bn")(y)
    se = layers.GlobalAveragePooling2D(keepdims=True, name=f"kws{i}_se_pool")(y)
    se = layers.Conv2D(max(filters // 4, 4), 1, activation="relu6", name=f"kws{i}_se_down")(se)
    se = layers.Conv2D(filters, 1, activation="sigmoid", name=f"kws{i}_se_up")(se)
    y = layers.Multiply(name=f"kws{i}_se_mul")([y, se])
    if stride != (1, 1) or shortcut.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=stride, kernel_regularizer=reg,
                                 name=f"kws{i}_short")(shortcut)  # fmt: skip
    return layers.ReLU(6.0, name=f"kws{i}_relu")(layers.Add(name=f"kws{i}_add")([y, shortcut]))


def keyword_backbone(cfg: TrainConfig) -> keras.Model:
    """DSResNet-SE: (frames, channels) int8 values -> the pooled embedding."""
    dims = cfg.dims
    # Any number of frames: trained on 1 s keyword windows, applied to the emotion window's
    # first kws_frames (fully convolutional, then pooled).
    inp = keras.Input((None, dims.channels), name="kws_in")
    k = layers.Rescaling(INPUT_SCALE, name="kws_scale")(inp)
    k = layers.Reshape((-1, dims.channels, 1), name="kws_reshape")(k)
    k = layers.Conv2D(dims.kws_stem, (3, 3), strides=(2, 2), padding="same", activation="relu6",
                      kernel_regularizer=regularizers.L2(cfg.l2), name="kws_stem")(k)  # fmt: skip
    for i, (filters, st, sf) in enumerate(dims.kws_blocks):
        k = _ds_res_se_block(k, cfg, filters, (st, sf), i)
    emb = layers.GlobalAveragePooling2D(name="kws_embedding")(k)
    return keras.Model(inp, emb, name="kws_backbone")


def keyword_classifier(backbone: keras.Model, n_keywords: int) -> keras.Model:
    """The backbone with a softmax over keywords: how the keyword branch is trained."""
    x = layers.Dropout(0.1, name="kwc_drop")(backbone.output)
    out = layers.Dense(n_keywords, activation="softmax", name="kwc_out")(x)
    return keras.Model(backbone.input, out, name="kws_classifier")


def build_model(cfg: TrainConfig, n_classes: int, backbone: keras.Model | None = None,
                batch_size: int | None = None) -> keras.Model:  # fmt: skip
    """The emotion model of ``cfg.variant``; ``backbone`` is the (frozen) keyword backbone.

    ``batch_size=1`` gives the static shapes TFLM needs (the export model).
    """
    dims: ModelDims = cfg.dims
    spec = keras.Input((dims.frames, dims.channels), batch_size=batch_size, name="spectrogram")
    x = layers.Rescaling(INPUT_SCALE, name="in_scale")(spec)
    kw = None
    if cfg.uses_keyword:
        if backbone is None:
            backbone = keyword_backbone(cfg)
        backbone.trainable = False
        k = layers.Cropping1D((0, dims.frames - dims.kws_frames), name="kws_crop")(spec)
        k = backbone(k, training=False)
        k = layers.Dense(dims.d_model, activation="relu6", name="kw_fc1",
                         kernel_regularizer=regularizers.L2(cfg.l2))(k)  # fmt: skip
        k2 = layers.Dense(dims.d_model, name="kw_fc2",
                          kernel_regularizer=regularizers.L2(cfg.l2))(k)  # fmt: skip
        kw = layers.Add(name="kw_res")([k, k2])
    feats = []
    if cfg.uses_acoustic:
        a = _acoustic_tokens(x, cfg)
        if cfg.variant == "early":
            tok = layers.Reshape((1, dims.d_model), name="kw_token")(kw)
            a = layers.Concatenate(axis=1, name="early_concat")([a, tok])
        a = PositionalEncoding(name="pos_enc")(a)
        for i in range(dims.n_blocks):
            a = _transformer_block(a, cfg, i)
        feats.append(layers.GlobalAveragePooling1D(name="ac_pool")(a))
    if cfg.variant in ("late", "keyword"):
        feats.append(kw)
    h = feats[0] if len(feats) == 1 else layers.Concatenate(name="fusion_concat")(feats)
    h = layers.Dense(dims.fusion_units, activation="relu6", name="head_fc",
                     kernel_regularizer=regularizers.L2(cfg.l2))(h)  # fmt: skip
    h = layers.Dropout(cfg.dropout, name="head_drop")(h)
    out = layers.Dense(n_classes, activation="softmax", name="scores")(h)
    return keras.Model(spec, out, name=f"emotion_{cfg.variant}")
