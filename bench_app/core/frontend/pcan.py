"""Stage 5, PCAN: per-channel energy normalisation by the noise estimate (TFLM gain control).

TFLM (pcan_gain_control_util.c / pcan_gain_control.c): the gain curve ``2**gain_bits *
(x + offset) ** -strength`` (``powf``) is tabulated per octave of the noise estimate as three
int16 coefficients of a quadratic; ``gain = WideDynamicFunction(estimate)`` interpolates it,
``snr = (signal * gain) >> snr_shift`` and ``PcanShrink`` compresses small values
quadratically. Frame-local given the estimates, so it is vectorised over every frame at once.
"""

from __future__ import annotations

import functools

import numpy as np

from bench_app.core.frontend import libm

PCAN_SNR_BITS = 12
PCAN_OUTPUT_BITS = 6
WIDE_DYNAMIC_FUNCTION_BITS = 32
_I16_MAX = 0x7FFF


def _wrap(x, bits: int):
    half = 1 << (bits - 1)
    return ((x + half) & ((1 << bits) - 1)) - half


def _gain(strength: float, offset: float, gain_bits: int, input_bits: int, x: int) -> int:
    x_f = np.float32(np.float32(x) / np.float32(1 << input_bits))
    gain = np.float32(np.float32(1 << gain_bits)
                      * libm.powf(np.float32(x_f + np.float32(offset)), -np.float32(strength)))
    if gain > _I16_MAX:
        return _I16_MAX
    return _wrap(int(np.float32(gain + np.float32(0.5))), 16)


@functools.cache
def gain_lut(strength: float, offset: float, gain_bits: int, input_bits: int) -> np.ndarray:
    """TFLM's gain LUT as (33, 3) int64: row 0 holds lut[0], lut[1]; row i >= 2 holds octave i's
    (y0, a1, a2)."""
    lut = np.zeros((WIDE_DYNAMIC_FUNCTION_BITS + 1, 3), dtype=np.int64)
    lut[0, 0] = _gain(strength, offset, gain_bits, input_bits, 0)
    lut[0, 1] = _gain(strength, offset, gain_bits, input_bits, 1)
    for interval in range(2, WIDE_DYNAMIC_FUNCTION_BITS + 1):
        x0 = 1 << (interval - 1)
        x1 = x0 + (x0 >> 1)
        x2 = x0 + (x0 - 1) if interval == WIDE_DYNAMIC_FUNCTION_BITS else 2 * x0
        y0, y1, y2 = (_gain(strength, offset, gain_bits, input_bits, x) for x in (x0, x1, x2))
        diff1, diff2 = y1 - y0, y2 - y0
        a1 = 4 * diff1 - diff2
        a2 = diff2 - a1
        lut[interval] = (y0, _wrap(a1, 16), _wrap(a2, 16))
    lut.setflags(write=False)
    return lut


def msb32(x: np.ndarray) -> np.ndarray:
    """Position of the highest set bit (1-based; 0 for 0) of non-negative ints < 2**53."""
    return np.frexp(np.asarray(x, dtype=np.float64))[1].astype(np.int64)


def wide_dynamic_function(x: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """Interpolated gain (int16 values as int64) for noise estimates ``x`` (uint32 as int64)."""
    x = np.asarray(x, dtype=np.int64)
    interval = np.maximum(msb32(x), 2)
    y0, a1, a2 = lut[interval, 0], lut[interval, 1], lut[interval, 2]
    frac = np.where(interval < 11, x << np.maximum(11 - interval, 0),
                    x >> np.maximum(interval - 11, 0)) & 0x3FF
    result = _wrap((a2 * frac) >> 5, 32)
    result = _wrap(result + _wrap(a1 << 5, 32), 32)
    result = _wrap(result * frac, 32)
    result = (_wrap(result + (1 << 14), 32) >> 15) + y0
    small = np.where(x == 0, lut[0, 0], np.where(x == 1, lut[0, 1], lut[2, 0]))
    return np.where(x <= 2, small, _wrap(result, 16))


def pcan_shrink(x: np.ndarray) -> np.ndarray:
    """TFLM's PcanShrink on uint32 values (as int64)."""
    small = (x * x) >> (2 + 2 * PCAN_SNR_BITS - PCAN_OUTPUT_BITS)
    large = (x >> (PCAN_SNR_BITS - PCAN_OUTPUT_BITS)) - (1 << PCAN_OUTPUT_BITS)
    return np.where(x < (2 << PCAN_SNR_BITS), small, large) & 0xFFFFFFFF


def apply_pcan(signal: np.ndarray, estimates: np.ndarray, lut: np.ndarray, snr_shift: int,
               ) -> np.ndarray:
    """PCAN of ``signal`` given the noise estimates after each frame (same shape), uint32."""
    gain = wide_dynamic_function(estimates, lut) & 0xFFFFFFFF  # int16 -> uint32 as in C
    product = signal.astype(np.uint64) * gain.astype(np.uint64)
    snr = (product >> np.uint64(snr_shift)).astype(np.int64) & 0xFFFFFFFF
    return pcan_shrink(snr).astype(np.uint32)
