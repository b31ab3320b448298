"""numba filterbank kernel (imported lazily): power, weighted channel sums, rounded sqrt.

Sums run in int64, whose wrap-around has the same bits as C's uint64 sums; the power of a bin
is first wrapped to int32 as C stores it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


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


@njit(cache=True)
def filterbank_block(spec_r, spec_i, nb, shifts, start, end, band, weights, unweights, out,
                     row0):
    """Channels of ``nb`` frames whose FFT is in ``spec_r``/``spec_i`` (bins, B) into
    ``out[row0:row0 + nb]`` (uint32)."""
    n_channels = out.shape[1]
    block = spec_r.shape[1]
    acc_w = np.zeros((n_channels + 1, block), np.int64)
    acc_u = np.zeros((n_channels + 1, block), np.int64)
    for k in range(start, end):
        c = band[k]
        w = weights[k]
        u = unweights[k]
        for b in range(nb):
            re = spec_r[k, b]
            im = spec_i[k, b]
            e = re * re + im * im
            e -= (e >> 31) << 32  # C stores the power in an int32: 2**31 wraps negative
            acc_w[c, b] += w * e
            acc_u[c, b] += u * e
    for ch in range(n_channels):
        for b in range(nb):
            out[row0 + b, ch] = _sqrt_rounded(acc_w[ch + 1, b] + acc_u[ch, b]) >> shifts[b]
