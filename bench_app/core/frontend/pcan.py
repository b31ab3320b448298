"""Stage 5, PCAN: per-channel energy normalisation by the noise estimate (TFLM gain control).

TFLM (pcan_gain_control_util.c / pcan_gain_control.c): the gain curve ``2**gain_bits *
(x + offset) ** -strength`` (``powf``) is tabulated per octave of the noise estimate as three
int16 coefficients of a quadratic; ``gain = WideDynamicFunction(estimate)`` interpolates it,
``snr = (signal * gain) >> snr_shift`` and ``PcanShrink`` compresses small values
quadratically. The LUT is built here; the per-value code is in `_channel_kernel`.
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

