"""Stage 3, filterbank: FFT power -> mel channels -> rounded square root, as TFLM computes it.

TFLM (filterbank_util.c / filterbank.c): channel edges are spaced evenly on the mel scale
``1127 ln(1 + f / 700)`` between the band limits; each FFT bin from ``start_index`` up belongs to
one band and is split between that band's channel (weight ``w``) and the next one (``4096 - w``,
the "unweight"), all in 12-bit fixed point. Channel ``c`` is ``sqrt(sum w E + sum uw E)`` of
the power ``E = re^2 + im^2`` (uint64 sums, an integer square root rounded to nearest), shifted
right by the window stage's input shift.

The mel table is computed as TensorFlow's op and MLTK 0.20 both compute it: ``log1p``, the
weights and ``start_index`` in double precision, stored as float (both window variants share
it; checked bin for bin against both). TFLM since October 2023 computes it with ``log1pf``,
which moves a few weights by one; that build is not modelled here.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from bench_app.core.errors import ConfigError
from bench_app.core.frontend import libm

FILTERBANK_BITS = 12
_F = np.float32


@dataclasses.dataclass(frozen=True)
class FilterbankPlan:
    """Per-bin tables: band index, weight and unweight for bins ``start..end-1``."""

    n_channels: int
    start: int
    end: int
    band: np.ndarray  # (end,) int64 band (0..n_channels) of each bin; -1 below start
    weights: np.ndarray  # (end,) int64
    unweights: np.ndarray  # (end,) int64


def _mel(freq: np.float32) -> np.float32:
    """TFLM's ``FreqToMel(float)`` with a double ``log1p``, returned as float."""
    return _F(1127.0 * libm.log1p(float(_F(freq)) / 700.0))


@functools.cache
def filterbank_plan(
    n_channels: int, lower: float, upper: float, sample_rate: int, spectrum_size: int,
) -> FilterbankPlan:
    """Build (and cache) TFLM's filterbank tables; ConfigError if the band exceeds the FFT."""
    lower32, upper32 = _F(lower), _F(upper)
    n1 = n_channels + 1
    mel_low = _mel(lower32)
    mel_span = _F(_mel(upper32) - mel_low)
    spacing = _F(mel_span / _F(n1))
    centers = [_F(mel_low + _F(spacing * _F(i + 1))) for i in range(n1)]
    hz_per_sbin = _F(0.5 * sample_rate / float(_F(spectrum_size) - _F(1)))
    start = int(1.5 + float(_F(lower32 / hz_per_sbin)))

    band_starts, band_widths = [], []
    freq_index = start
    for chan in range(n1):
        first = freq_index
        while _mel(_F(_F(freq_index) * hz_per_sbin)) <= centers[chan]:
            freq_index += 1
        band_starts.append(first)
        band_widths.append(freq_index - first)
    end = max(s + w for s, w in zip(band_starts, band_widths, strict=True))
    end = max(end, 0)
    if end >= spectrum_size:
        raise ConfigError(
            "Setting 'fe.filterbank_upper_band_limit' is too high for this window: the "
            "filterbank would read past the FFT's last bin."
        )
    band = np.full(max(end, start), -1, dtype=np.int64)
    weights = np.zeros(max(end, start), dtype=np.int64)
    unweights = np.zeros(max(end, start), dtype=np.int64)
    for chan in range(n1):
        denom = mel_low if chan == 0 else centers[chan - 1]
        for freq in range(band_starts[chan], band_starts[chan] + band_widths[chan]):
            mel = _mel(_F(_F(freq) * hz_per_sbin))
            weight = _F(_F(centers[chan] - mel) / _F(centers[chan] - denom))
            band[freq] = chan
            w = float(weight)
            weights[freq] = int(np.floor(w * (1 << FILTERBANK_BITS) + 0.5))
            unweights[freq] = int(np.floor((1.0 - w) * (1 << FILTERBANK_BITS) + 0.5))
    # C stores weights as int16
    weights = ((weights + 32768) & 0xFFFF) - 32768
    unweights = ((unweights + 32768) & 0xFFFF) - 32768
    for arr in (band, weights, unweights):
        arr.setflags(write=False)
    return FilterbankPlan(n_channels, start, end, band, weights, unweights)


def power_spectrum(spectrum: np.ndarray) -> np.ndarray:
    """``re^2 + im^2`` per bin as the int32 TFLM stores it (for the per-stage debug output)."""
    s = spectrum.astype(np.int64)
    energy = s[..., 0] ** 2 + s[..., 1] ** 2
    return (((energy + 2**31) & 0xFFFFFFFF) - 2**31).astype(np.int32)
