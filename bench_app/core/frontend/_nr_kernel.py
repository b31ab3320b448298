"""numba kernel for `noise_reduction.apply_noise_reduction` (imported lazily).

Sequential over frames (the estimate is carried), parallel over clips.
"""

from __future__ import annotations

from numba import njit, prange


@njit(cache=True, parallel=True)
def noise_reduction_frames(signal, estimate, bits, even, odd, min_remaining, out, estimates):
    n_clips, n_frames, n_channels = signal.shape
    for c in prange(n_clips):
        for f in range(n_frames):
            for ch in range(n_channels):
                smoothing = even if (ch & 1) == 0 else odd
                x = signal[c, f, ch] & 0xFFFFFFFF
                scaled = (x << bits) & 0xFFFFFFFF
                est = ((scaled * smoothing + estimate[c, ch] * (16384 - smoothing)) >> 14)
                est &= 0xFFFFFFFF
                estimate[c, ch] = est
                estimates[c, f, ch] = est
                if est > scaled:
                    est = scaled
                floor = ((x * min_remaining) >> 14) & 0xFFFFFFFF
                subtracted = (scaled - est) >> bits
                out[c, f, ch] = subtracted if subtracted > floor else floor
