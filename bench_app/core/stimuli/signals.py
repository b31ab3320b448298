"""The numeric generators behind each segment kind, as float64 arrays in int16 units.

They return floats (not int16) so that the renderer can count clipping once, in one place.
Levels follow `plan`'s convention: full scale is `FULL_SCALE`; tones, sweeps and mixes are
scaled by their peak, noise by its RMS.
"""

from __future__ import annotations

import numpy as np

#: The amplitude of a 0 dBFS sine.
FULL_SCALE = 32767.0


def db_to_amplitude(level_dbfs: float) -> float:
    """Amplitude in int16 units of a level in dBFS."""
    return FULL_SCALE * 10.0 ** (level_dbfs / 20.0)


def n_samples(duration_s: float, sample_rate: int) -> int:
    """Number of samples in ``duration_s`` seconds (rounded to the nearest sample)."""
    return max(1, int(round(duration_s * sample_rate)))


def ramp(x: np.ndarray, ramp_ms: float, sample_rate: int) -> np.ndarray:
    """Apply raised-cosine fade-in and fade-out of ``ramp_ms`` each (in place; returns x).

    Ramps keep a burst's onset from splattering energy into every filterbank channel.
    """
    n = min(int(round(ramp_ms * sample_rate / 1000.0)), len(x) // 2)
    if n > 0:
        fade = 0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)
        x[:n] *= fade
        x[len(x) - n :] *= fade[::-1]
    return x


def tone(frequency_hz: float, level_dbfs: float, n: int, sample_rate: int) -> np.ndarray:
    """A sine starting at phase 0 whose peak is ``level_dbfs``."""
    t = np.arange(n) / sample_rate
    return db_to_amplitude(level_dbfs) * np.sin(2.0 * np.pi * frequency_hz * t)


def sweep(
    start_hz: float, end_hz: float, level_dbfs: float, n: int, sample_rate: int, method: str
) -> np.ndarray:
    """A sine sweep from ``start_hz`` at the first sample to ``end_hz`` at the last."""
    from scipy.signal import chirp

    t = np.arange(n) / sample_rate
    t_end = max(t[-1], 1.0 / sample_rate)
    method = "logarithmic" if method == "log" else "linear"
    return db_to_amplitude(level_dbfs) * chirp(t, start_hz, t_end, end_hz, method, phi=-90.0)


def noise(color: str, level_dbfs: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise whose RMS is exactly ``level_dbfs``; pink falls 3 dB per octave.

    Pink noise is white noise shaped by 1/sqrt(f) in the frequency domain (DC removed).
    """
    x = rng.standard_normal(n)
    if color == "pink":
        spectrum = np.fft.rfft(x)
        f = np.arange(len(spectrum), dtype=np.float64)
        f[0] = np.inf  # no DC
        x = np.fft.irfft(spectrum / np.sqrt(f), n)
    rms = np.sqrt(np.mean(x * x))
    return x * (db_to_amplitude(level_dbfs) / rms) if rms > 0 else x


def multitone(
    frequencies_hz: tuple[float, ...],
    level_dbfs: float,
    n: int,
    sample_rate: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """A sum of equal-amplitude sines with seeded random phases, scaled so its peak is exact."""
    t = np.arange(n) / sample_rate
    phases = rng.uniform(0.0, 2.0 * np.pi, len(frequencies_hz))
    x = np.zeros(n)
    for f, phi in zip(frequencies_hz, phases, strict=True):
        x += np.sin(2.0 * np.pi * f * t + phi)
    return scale_peak(x, level_dbfs)


def scale_peak(x: np.ndarray, level_dbfs: float) -> np.ndarray:
    """Scale ``x`` so that its largest absolute value is ``level_dbfs`` (silence stays)."""
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    return x * (db_to_amplitude(level_dbfs) / peak) if peak > 0 else x
