"""Stimulus levels in dBFS, and the padded, scaled buffer a sink actually plays.

Convention (used by every sink, and by the runs that report levels): full scale is the int16
value 32768, i.e. the float sample 1.0. The *peak* level is ``20 log10(max |x|)``; the *RMS*
level is ``20 log10(sqrt(mean(x**2)))`` over the whole stimulus, silences included, so a
full-scale sine has a peak level of 0 dBFS and an RMS level of -3.01 dBFS (no AES17 +3 dB).
Sinks scale by the peak by default: a peak target at or below 0 dBFS can never clip, whereas
an RMS target clips on peaky signals (speech) and is refused when it would.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from bench_app.core.errors import ConfigError

LevelReference = Literal["peak", "rms"]

#: int16 full scale: the float sample 1.0.
FULL_SCALE = 32768.0

#: Default silence before the stimulus: lets a device start and a recorder be connected.
DEFAULT_LEAD_IN_S = 0.25
#: Default silence after the stimulus: lets the tail of the stimulus leave the device.
DEFAULT_GAP_S = 0.25


def level_dbfs(samples: np.ndarray, reference: LevelReference = "peak") -> float:
    """Level of int16 samples (or floats scaled to ±1) in dBFS; ``-inf`` for silence."""
    x = np.asarray(samples, dtype=np.float64)
    if np.issubdtype(np.asarray(samples).dtype, np.integer):
        x = x / FULL_SCALE
    if x.size == 0:
        return -math.inf
    value = float(np.max(np.abs(x))) if reference == "peak" else float(np.sqrt(np.mean(x * x)))
    return 20.0 * math.log10(value) if value > 0 else -math.inf


def gain_for_level(
    pcm_int16: np.ndarray, target_dbfs: float | None, reference: LevelReference = "peak"
) -> float:
    """Linear gain that brings `pcm_int16` to `target_dbfs` (1.0 when no target is given).

    Raises
    ------
    ConfigError
        When the stimulus is silent, the reference is unknown, or the scaled peak would
        exceed full scale.
    """
    if reference not in ("peak", "rms"):
        raise ConfigError(f"The level reference must be 'peak' or 'rms', not {reference!r}.")
    if target_dbfs is None:
        return 1.0
    current = level_dbfs(pcm_int16, reference)
    if not math.isfinite(current):
        raise ConfigError("The stimulus is silent, so it cannot be scaled to a level in dBFS.")
    gain = 10.0 ** ((target_dbfs - current) / 20.0)
    peak_after = level_dbfs(pcm_int16, "peak") + 20.0 * math.log10(gain)
    if peak_after > 1e-9:
        raise ConfigError(
            f"A {reference} level of {target_dbfs:g} dBFS would put this stimulus's peak at "
            f"{peak_after:+.1f} dBFS and clip; ask for at most {target_dbfs - peak_after:.1f}."
        )
    return gain


def render(
    pcm_int16: np.ndarray,
    sample_rate: int,
    *,
    level_dbfs: float | None = None,
    reference: LevelReference = "peak",
    lead_in_s: float = DEFAULT_LEAD_IN_S,
    gap_s: float = DEFAULT_GAP_S,
    channels: int = 1,
) -> tuple[np.ndarray, int]:
    """Build the float32 buffer to play: lead-in silence, the scaled stimulus, a silent gap.

    Without a level the samples are ``pcm / 32768`` exactly (float32 holds every int16).

    Returns
    -------
    buffer : numpy.ndarray
        float32, shape (samples, channels); the mono stimulus on every channel.
    lead_in : int
        Index of the stimulus's first sample in `buffer`.
    """
    pcm = np.asarray(pcm_int16)
    if pcm.ndim != 1 or not np.issubdtype(pcm.dtype, np.integer):
        raise ConfigError(
            f"A stimulus must be 1-D int16 samples, not a {pcm.ndim}-D {pcm.dtype} array."
        )
    if sample_rate <= 0 or lead_in_s < 0 or gap_s < 0 or channels < 1:
        raise ConfigError(
            f"Playback needs a positive sample rate and channel count and non-negative "
            f"lead-in and gap (got {sample_rate} Hz, {channels} ch, {lead_in_s} s, {gap_s} s)."
        )
    if pcm.size == 0:
        raise ConfigError("The stimulus has no samples.")
    gain = gain_for_level(pcm, level_dbfs, reference)
    lead_in = round(lead_in_s * sample_rate)
    gap = round(gap_s * sample_rate)
    buffer = np.zeros((lead_in + pcm.size + gap, channels), dtype=np.float32)
    buffer[lead_in : lead_in + pcm.size, :] = (pcm.astype(np.float64) * (gain / FULL_SCALE))[
        :, None
    ]
    return buffer, lead_in


def to_int16(buffer: np.ndarray) -> np.ndarray:
    """First channel of a rendered float buffer back to int16 (exact for unscaled input)."""
    mono = np.asarray(buffer, dtype=np.float64)
    if mono.ndim == 2:
        mono = mono[:, 0]
    return np.clip(np.round(mono * FULL_SCALE), -32768, 32767).astype(np.int16)
