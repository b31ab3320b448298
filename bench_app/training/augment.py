"""Augmentation of int8 feature windows, redrawn every epoch from a seeded generator.

Training takes feature arrays (the corpus cache holds MicroFrontend features, not audio), so
each audio augmentation is applied in the feature domain, where it is cheap:

- the int8 value v of a channel is about ``K * ln(E) - 128`` with E the channel energy
  (log scale 2**6 per natural log unit, then TFLM's ``* 256 / 666``), ``K = 64 * 256 / 666``;
- gain g dB adds ``K * ln(10) / 10 * g`` to every cell;
- noise at an SNR adds, per cell, exponential (chi-square 2) noise energy whose mean is the
  window's mean energy over 10**(snr/10); reverb adds an exponentially decaying tail of past
  energy (a one-pole filter along time); both then go back to the log domain;
- time shift rolls the window by up to ``shift_frames``; SpecAugment masks set time and channel
  bands to the window's minimum.

PCAN's gain control on the board partly undoes gain and slow noise, so these are approximations
of the audio-domain effect, stated as such in the model card (``augmentation`` section).
"""

from __future__ import annotations

import numpy as np

from .config import Augmentation

K = 64.0 * 256.0 / 666.0
DB_TO_UNITS = K * np.log(10.0) / 10.0


def _to_energy(v: np.ndarray) -> np.ndarray:
    return np.exp((v + 128.0) / K)


def _to_units(e: np.ndarray) -> np.ndarray:
    return K * np.log(np.maximum(e, 1e-12)) - 128.0


def augment_window(x: np.ndarray, aug: Augmentation, rng: np.random.Generator) -> np.ndarray:
    """One augmented copy of a (frames, channels) window of int8 values (as float32)."""
    v = np.asarray(x, np.float64).copy()
    frames, channels = v.shape
    v += DB_TO_UNITS * rng.uniform(*aug.gain_db)
    e = _to_energy(v)
    if aug.reverb_prob and rng.random() < aug.reverb_prob:
        a = np.exp(-1.0 / rng.uniform(*aug.reverb_frames))
        for t in range(1, frames):
            e[t] += a * e[t - 1]
        e *= 1.0 - a
    snr = rng.uniform(*aug.snr_db)
    e = e + rng.exponential(e.mean() / 10.0 ** (snr / 10.0), size=e.shape)
    v = _to_units(e)
    # Time shift and masks at most a tenth of the window each: at their full sizes (50 and
    # 2 x 40 frames) they erased most of a 98-frame keyword and the branch learned nothing.
    shift = min(aug.shift_frames, frames // 10)
    if shift:
        v = np.roll(v, int(rng.integers(-shift, shift + 1)), axis=0)
    low = v.min()
    for _ in range(aug.time_masks):
        w = int(rng.integers(0, min(aug.time_mask_frames, frames // 10) + 1))
        t0 = int(rng.integers(0, max(frames - w, 1)))
        v[t0 : t0 + w] = low
    for _ in range(aug.freq_masks):
        w = int(rng.integers(0, aug.freq_mask_channels + 1))
        f0 = int(rng.integers(0, max(channels - w, 1)))
        v[:, f0 : f0 + w] = low
    return np.clip(np.round(v), -128, 127).astype(np.float32)


def augment_batch(x: np.ndarray, aug: Augmentation, rng: np.random.Generator) -> np.ndarray:
    """Augmented copies of every window (unchanged copies when augmentation is off)."""
    if not aug.enabled:
        return np.asarray(x, np.float32)
    return np.stack([augment_window(w, aug, rng) for w in x])
