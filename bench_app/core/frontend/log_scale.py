"""Stage 6, log scale: TFLM's fixed-point natural log, scaled by ``2**scale_shift``, to uint16.

TFLM (log_scale.c, log_lut.c): the value is first shifted by ``correction_bits =
log2(fft_size) - 1 - 6`` (left, wrapping in uint32); values <= 1 give 0; otherwise log2 is the
integer part ``msb - 1`` plus a fraction interpolated in a 128-segment table, converted to ln
with the Q16 constant 45426 and scaled. With the log off the value is only clipped to uint16.
The table is here; the per-value code is in `_channel_kernel`.
"""

from __future__ import annotations

import numpy as np

LOG_SCALE_LOG2 = 16
LOG_SEGMENTS_LOG2 = 7
LOG_COEFF = 45426
# Piecewise-linear correction of log2(1 + x) - x over 128 segments (TFLM's kLogLut, Q16).
LOG_LUT = np.array([
    0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646, 2797,
    2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460, 4549,
    4633, 4714, 4791, 4864, 4934, 5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444,
    5477, 5507, 5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633, 5626,
    5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370, 5332, 5291, 5249, 5203,
    5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762, 4697, 4630, 4561, 4490, 4416, 4341, 4264,
    4184, 4103, 4020, 3935, 3848, 3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875,
    2768, 2659, 2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224, 1094,
    963, 830, 695, 559, 421, 282, 142, 0, 0,
], dtype=np.int64)


def correction_bits(fft_size: int) -> int:
    """``MostSignificantBit32(fft_size) - 1 - kFilterbankBits / 2``, as frontend.c computes it."""
    return fft_size.bit_length() - 1 - 6

