"""numba kernel for the per-channel stages (imported lazily): noise reduction -> PCAN -> log.

Noise reduction carries its estimate from frame to frame, so frames run in order; channels
(and clips) are independent and run in parallel. Scalars are int64 with explicit masks
wherever C wraps a uint32/int32/int16.
"""

from __future__ import annotations

from numba import njit, prange

M32 = 0xFFFFFFFF


@njit(cache=True, inline="always")
def _wrap(x, bits):
    half = 1 << (bits - 1)
    return ((x + half) & ((1 << bits) - 1)) - half


@njit(cache=True, inline="always")
def _msb(x):
    """Position of the highest set bit, 1-based (0 for 0), of 0 <= x < 2**63, by halving."""
    n = 0
    for step in (32, 16, 8, 4, 2, 1):
        if x >> step:
            n += step
            x >>= step
    return n + x


@njit(cache=True, inline="always")
def _wide_dynamic_function(x, lut):
    """TFLM's WideDynamicFunction: the PCAN gain (int16) for noise estimate ``x``."""
    if x <= 2:
        return lut[0, x] if x < 2 else lut[2, 0]
    interval = _msb(x)
    frac = ((x << (11 - interval)) if interval < 11 else (x >> (interval - 11))) & 0x3FF
    result = _wrap((lut[interval, 2] * frac) >> 5, 32)
    result = _wrap(result + _wrap(lut[interval, 1] << 5, 32), 32)
    result = _wrap(result * frac, 32)
    result = (_wrap(result + (1 << 14), 32) >> 15) + lut[interval, 0]
    return _wrap(result, 16)


@njit(cache=True, inline="always")
def _mul_shift_u32(x, gain, shift):
    """``(uint32)(((uint64)x * gain) >> shift)`` for uint32 x and gain, without int64 overflow."""
    hi = x * (gain >> 16)
    lo = x * (gain & 0xFFFF)
    if shift >= 16:
        return ((hi + (lo >> 16)) >> (shift - 16)) & M32
    return (((hi & M32) << (16 - shift)) + (lo >> shift)) & M32


@njit(cache=True, inline="always")
def _pcan_shrink(x):
    if x < (2 << 12):
        return (x * x) >> 20
    return ((x >> 6) - 64) & M32


@njit(cache=True, inline="always")
def _log(x, scale_shift, log_lut):
    """TFLM's fixed-point ln(x) * 2**scale_shift for x > 1."""
    integer = _msb(x) - 1
    frac = x - (1 << integer)
    frac = (frac << (16 - integer)) if integer < 16 else (frac >> (integer - 16))
    base_seg = frac >> 9
    c0 = log_lut[base_seg]
    c1 = log_lut[base_seg + 1]
    rel_pos = ((c1 - c0) * (frac - (base_seg << 9))) >> 16
    log2 = ((integer << 16) + frac + c0 + rel_pos) & M32
    loge = ((45426 * log2 + 32768) >> 16) & M32
    return ((((loge << scale_shift) & M32) + 32768) & M32) >> 16


@njit(cache=True, parallel=True)
def channels_to_features(signal, estimate, nr_enable, bits, even, odd, min_remaining,
                         pcan_enable, lut, snr_shift, log_enable, scale_shift, correction,
                         log_lut, reduced, estimates, gained, features):
    """Run (clips, frames, channels) uint32 ``signal`` through NR, PCAN and log scale.

    ``estimate`` (clips, channels) int64 is the noise state, updated in place; every stage's
    output is written to the given arrays.
    """
    n_clips, n_frames, n_channels = signal.shape
    for job in prange(n_clips * n_channels):
        c = job // n_channels
        ch = job % n_channels
        for f in range(n_frames):
            x = signal[c, f, ch] & M32
            if nr_enable:
                smoothing = even if (ch & 1) == 0 else odd
                scaled = (x << bits) & M32
                est = (scaled * smoothing + estimate[c, ch] * (16384 - smoothing)) >> 14
                est &= M32
                estimate[c, ch] = est
                if est > scaled:
                    est = scaled
                floor = ((x * min_remaining) >> 14) & M32
                subtracted = (scaled - est) >> bits
                x = subtracted if subtracted > floor else floor
            reduced[c, f, ch] = x
            estimates[c, f, ch] = estimate[c, ch]
            if pcan_enable:
                gain = _wide_dynamic_function(estimate[c, ch], lut) & M32
                x = _pcan_shrink(_mul_shift_u32(x, gain, snr_shift))
            gained[c, f, ch] = x
            if log_enable:
                x = (x >> -correction) if correction < 0 else ((x << correction) & M32)
                x = _log(x, scale_shift, log_lut) if x > 1 else 0
            features[c, f, ch] = x if x < 0xFFFF else 0xFFFF
