"""The external references the bench is tested against, loaded the light way.

- MLTK's `AudioFeatureGenerator` (silabs-mltk 0.20.0, installed with --no-deps by `make test`):
  importing `mltk` normally runs `mltk/core/__init__.py`, which imports most of MLTK and an old
  TensorFlow API. We register empty parent packages in `sys.modules` and load only the compiled
  front end module, which links only libc/libm.
- TensorFlow's `audio_microfrontend` op (the "double" window variant).
"""

from __future__ import annotations

import functools

import numpy as np

_MLTK_AFG = "mltk.core.preprocess.audio.audio_feature_generator"


def mltk_module():
    """MLTK's audio_feature_generator package without importing the rest of MLTK (the one
    light loader lives in `bench_app.core.corpora.mltk_reference`)."""
    from bench_app.core.corpora.mltk_reference import mltk_module as load

    return load()


def mltk_features(pcm: np.ndarray, settings: dict, dtype=np.uint16) -> np.ndarray:
    """Run MLTK's AudioFeatureGenerator on a whole int16 signal with `fe.*`-style settings.

    ``settings`` maps MLTK attribute names (without the ``fe.`` prefix) to values;
    ``sample_length_ms`` is set from the signal length, as MLTK requires.
    """
    mod = mltk_module()
    s = mod.AudioFeatureGeneratorSettings()
    for key, value in settings.items():
        setattr(s, key.removeprefix("fe."), value)
    pcm = np.ascontiguousarray(pcm, dtype=np.int16)
    s.sample_length_ms = int(round(len(pcm) * 1000 / s.sample_rate_hz))
    if s.sample_length_ms * s.sample_rate_hz // 1000 != len(pcm):
        raise ValueError("signal length must be a whole number of milliseconds for MLTK")
    return mod.AudioFeatureGenerator(s).process_sample(pcm, dtype=dtype)


@functools.cache
def _tf_op():
    from tensorflow.lite.experimental.microfrontend.python.ops import (
        audio_microfrontend_op,
    )

    return audio_microfrontend_op.audio_microfrontend


def tf_features(pcm: np.ndarray, **kwargs) -> np.ndarray:
    """Run TensorFlow's audio_microfrontend op (double-precision Hann window) on int16 PCM."""
    import tensorflow as tf

    out = _tf_op()(tf.constant(np.asarray(pcm, dtype=np.int16)), **kwargs)
    return out.numpy()


def tf_frontend(pcm, cfg):
    """TensorFlow's audio_microfrontend op with a `FrontendConfig`: an independent "board"."""
    nr = cfg.noise_reduction_enable
    return tf_features(
        pcm,
        sample_rate=cfg.sample_rate_hz,
        window_size=cfg.window_size_ms,
        window_step=cfg.window_step_ms,
        num_channels=cfg.filterbank_n_channels,
        lower_band_limit=float(cfg.filterbank_lower_band_limit),
        upper_band_limit=float(cfg.filterbank_upper_band_limit),
        smoothing_bits=cfg.noise_reduction_smoothing_bits,
        even_smoothing=cfg.noise_reduction_even_smoothing,
        odd_smoothing=cfg.noise_reduction_odd_smoothing,
        min_signal_remaining=cfg.noise_reduction_min_signal_remaining if nr else 1.0,
        enable_pcan=cfg.pcan_enable,
        pcan_strength=cfg.pcan_strength,
        pcan_offset=cfg.pcan_offset,
        gain_bits=cfg.pcan_gain_bits,
        enable_log=cfg.log_scale_enable,
        scale_shift=cfg.log_scale_shift,
    )


def mltk_reference(pcm: np.ndarray, cfg) -> np.ndarray:
    """MLTK's features of ``pcm`` with a `FrontendConfig` (MLTK has no window-variant key)."""
    settings = {k: v for k, v in cfg.to_dict().items() if k != "fe.window_variant"}
    return mltk_features(pcm, settings)
