"""numba kernel for `fft.compute_fft` (imported lazily: importing numba is not free).

Scalars are int64 and every value C stores in an int16 goes through `_w16` (wrap-around), so
the arithmetic is KISS FFT's FIXED_POINT 16 arithmetic bit for bit.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def _w16(x):
    return ((x + 32768) & 0xFFFF) - 32768


@njit(cache=True, inline="always")
def _sround(x):
    return _w16((x + 16384) >> 15)


@njit(cache=True, inline="always")
def _fixdiv(re, im, i, q):
    """C_FIXDIV of element ``i``: both parts times ``q`` = 32767 // radix, rounded Q15."""
    return _sround(re[i] * q), _sround(im[i] * q)


@njit(cache=True)
def _bfly2(re, im, base, m, fstride, tw):
    for k in range(m):
        i0 = base + k
        i1 = i0 + m
        ar, ai = _fixdiv(re, im, i0, 16383)
        br, bi = _fixdiv(re, im, i1, 16383)
        wr = tw[k * fstride, 0]
        wi = tw[k * fstride, 1]
        tr = _sround(br * wr - bi * wi)
        ti = _sround(br * wi + bi * wr)
        re[i1] = _w16(ar - tr)
        im[i1] = _w16(ai - ti)
        re[i0] = _w16(ar + tr)
        im[i0] = _w16(ai + ti)


@njit(cache=True)
def _bfly4(re, im, base, m, fstride, tw):
    for k in range(m):
        i0 = base + k
        i1 = i0 + m
        i2 = i1 + m
        i3 = i2 + m
        f0r, f0i = _fixdiv(re, im, i0, 8191)
        f1r, f1i = _fixdiv(re, im, i1, 8191)
        f2r, f2i = _fixdiv(re, im, i2, 8191)
        f3r, f3i = _fixdiv(re, im, i3, 8191)
        t1 = k * fstride
        t2 = 2 * t1
        t3 = 3 * t1
        s0r = _sround(f1r * tw[t1, 0] - f1i * tw[t1, 1])
        s0i = _sround(f1r * tw[t1, 1] + f1i * tw[t1, 0])
        s1r = _sround(f2r * tw[t2, 0] - f2i * tw[t2, 1])
        s1i = _sround(f2r * tw[t2, 1] + f2i * tw[t2, 0])
        s2r = _sround(f3r * tw[t3, 0] - f3i * tw[t3, 1])
        s2i = _sround(f3r * tw[t3, 1] + f3i * tw[t3, 0])
        s5r = _w16(f0r - s1r)
        s5i = _w16(f0i - s1i)
        f0r = _w16(f0r + s1r)
        f0i = _w16(f0i + s1i)
        s3r = _w16(s0r + s2r)
        s3i = _w16(s0i + s2i)
        s4r = _w16(s0r - s2r)
        s4i = _w16(s0i - s2i)
        re[i2] = _w16(f0r - s3r)
        im[i2] = _w16(f0i - s3i)
        re[i0] = _w16(f0r + s3r)
        im[i0] = _w16(f0i + s3i)
        re[i1] = _w16(s5r + s4i)
        im[i1] = _w16(s5i - s4r)
        re[i3] = _w16(s5r - s4i)
        im[i3] = _w16(s5i + s4r)


@njit(cache=True, parallel=True)
def fft_frames(windowed, shifts, perm, stages, tw, stw, out):
    """Real fixed-point FFT of each row of ``windowed`` into ``out`` (N, ncfft + 1, 2)."""
    n_frames, size = windowed.shape
    ncfft = perm.shape[0]
    n_stages = stages.shape[0]
    for f in prange(n_frames):
        re = np.empty(ncfft, np.int64)
        im = np.empty(ncfft, np.int64)
        s = shifts[f]
        for j in range(ncfft):
            a = 2 * perm[j]
            xr = 0
            xi = 0
            if a < size:
                xr = _w16(np.int64(windowed[f, a]) << s)
            if a + 1 < size:
                xi = _w16(np.int64(windowed[f, a + 1]) << s)
            re[j] = xr
            im[j] = xi
        for st in range(n_stages - 1, -1, -1):
            p = stages[st, 0]
            m = stages[st, 1]
            fstride = stages[st, 2]
            for g in range(ncfft // (p * m)):
                if p == 4:
                    _bfly4(re, im, g * p * m, m, fstride, tw)
                else:
                    _bfly2(re, im, g * p * m, m, fstride, tw)
        dcr, dci = _fixdiv(re, im, 0, 16383)
        out[f, 0, 0] = _w16(dcr + dci)
        out[f, 0, 1] = 0
        out[f, ncfft, 0] = _w16(dcr - dci)
        out[f, ncfft, 1] = 0
        for k in range(1, ncfft // 2 + 1):
            pr, pi = _fixdiv(re, im, k, 16383)
            nr = _sround(re[ncfft - k] * 16383)
            ni = _sround(_w16(-im[ncfft - k]) * 16383)
            f1r = _w16(pr + nr)
            f1i = _w16(pi + ni)
            f2r = _w16(pr - nr)
            f2i = _w16(pi - ni)
            wr = stw[k - 1, 0]
            wi = stw[k - 1, 1]
            twr = _sround(f2r * wr - f2i * wi)
            twi = _sround(f2r * wi + f2i * wr)
            out[f, k, 0] = _w16((f1r + twr) >> 1)
            out[f, k, 1] = _w16((f1i + twi) >> 1)
            out[f, ncfft - k, 0] = _w16((f1r - twr) >> 1)
            out[f, ncfft - k, 1] = _w16((twi - f1i) >> 1)
