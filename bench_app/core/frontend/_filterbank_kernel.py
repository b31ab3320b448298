"""numba kernel for `filterbank.compute_filterbank` (imported lazily).

Sums run in int64, whose wrap-around has the same bits as C's uint64 sums; the power of a bin
is first wrapped to int32 as C stores it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def _sqrt_rounded(n):
    """TFLM's Sqrt64 (which defers to Sqrt32 below 2**32): square root rounded to nearest."""
    if n < 0:  # a uint64 sum >= 2**63 (only reachable with bins at exactly -32768, -32768)
        return np.int64(0xFFFFFFFF)
    if n == 0:
        return np.int64(0)
    r = np.int64(math.sqrt(float(n)))
    while r * r > n:
        r -= 1
    while (r + 1) * (r + 1) <= n:
        r += 1
    limit = 0xFFFF if n < 4294967296 else 0xFFFFFFFF
    if n - r * r > r and r != limit:
        r += 1
    return r


@njit(cache=True, parallel=True)
def filterbank_frames(spectrum, shifts, start, end, band, weights, unweights, out):
    n_frames = spectrum.shape[0]
    n_channels = out.shape[1]
    for f in prange(n_frames):
        acc_w = np.zeros(n_channels + 1, np.int64)
        acc_u = np.zeros(n_channels + 1, np.int64)
        for b in range(start, end):
            re = np.int64(spectrum[f, b, 0])
            im = np.int64(spectrum[f, b, 1])
            e = re * re + im * im
            if e >= 2147483648:
                e -= 4294967296
            c = band[b]
            acc_w[c] += weights[b] * e
            acc_u[c] += unweights[b] * e
        s = shifts[f]
        for ch in range(n_channels):
            out[f, ch] = _sqrt_rounded(acc_w[ch + 1] + acc_u[ch]) >> s
