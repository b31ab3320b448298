"""numba FFT kernel (imported lazily): KISS FFT FIXED_POINT 16 on a block of frames at once.

Data are (bins, frames) int64 arrays so that every butterfly's innermost loop runs over the
frames of the block and vectorises. Every value C stores in an int16 goes through `_w16`
(wrap-around), so the arithmetic is KISS FFT's bit for bit.
"""

from __future__ import annotations

from numba import njit


@njit(cache=True, inline="always")
def _w16(x):
    """Wrap to int16 as a C store does (written so it also holds for Python ints)."""
    return ((x + 32768) & 0xFFFF) - 32768


@njit(cache=True, inline="always")
def _sround(x):
    return _w16((x + 16384) >> 15)


@njit(cache=True, inline="always")
def _fixdiv(re, im, i, b, q):
    """C_FIXDIV of element (i, b): both parts times ``q`` = 32767 // radix, rounded Q15.

    The result is at most 2**15 / radix in magnitude, so the int16 wrap of `_sround` is moot.
    """
    return (re[i, b] * q + 16384) >> 15, (im[i, b] * q + 16384) >> 15


@njit(cache=True)
def _bfly2(re, im, base, m, fstride, tw_r, tw_i, nb):
    for k in range(m):
        i0 = base + k
        i1 = i0 + m
        wr = tw_r[k * fstride]
        wi = tw_i[k * fstride]
        for b in range(nb):
            ar, ai = _fixdiv(re, im, i0, b, 16383)
            br, bi = _fixdiv(re, im, i1, b, 16383)
            tr = _sround(br * wr - bi * wi)
            ti = _sround(br * wi + bi * wr)
            re[i1, b] = _w16(ar - tr)
            im[i1, b] = _w16(ai - ti)
            re[i0, b] = _w16(ar + tr)
            im[i0, b] = _w16(ai + ti)


@njit(cache=True)
def _bfly4(re, im, base, m, fstride, tw_r, tw_i, nb):
    for k in range(m):
        i0 = base + k
        i1 = i0 + m
        i2 = i1 + m
        i3 = i2 + m
        w1r, w1i = tw_r[k * fstride], tw_i[k * fstride]
        w2r, w2i = tw_r[2 * k * fstride], tw_i[2 * k * fstride]
        w3r, w3i = tw_r[3 * k * fstride], tw_i[3 * k * fstride]
        for b in range(nb):
            f0r, f0i = _fixdiv(re, im, i0, b, 8191)
            f1r, f1i = _fixdiv(re, im, i1, b, 8191)
            f2r, f2i = _fixdiv(re, im, i2, b, 8191)
            f3r, f3i = _fixdiv(re, im, i3, b, 8191)
            s0r = _sround(f1r * w1r - f1i * w1i)
            s0i = _sround(f1r * w1i + f1i * w1r)
            s1r = _sround(f2r * w2r - f2i * w2i)
            s1i = _sround(f2r * w2i + f2i * w2r)
            s2r = _sround(f3r * w3r - f3i * w3i)
            s2i = _sround(f3r * w3i + f3i * w3r)
            s5r = _w16(f0r - s1r)
            s5i = _w16(f0i - s1i)
            f0r = _w16(f0r + s1r)
            f0i = _w16(f0i + s1i)
            s3r = _w16(s0r + s2r)
            s3i = _w16(s0i + s2i)
            s4r = _w16(s0r - s2r)
            s4i = _w16(s0i - s2i)
            re[i2, b] = _w16(f0r - s3r)
            im[i2, b] = _w16(f0i - s3i)
            re[i0, b] = _w16(f0r + s3r)
            im[i0, b] = _w16(f0i + s3i)
            re[i1, b] = _w16(s5r + s4i)
            im[i1, b] = _w16(s5i - s4r)
            re[i3, b] = _w16(s5r - s4i)
            im[i3, b] = _w16(s5i + s4r)


@njit(cache=True)
def fft_block(re, im, nb, stages, tw_r, tw_i, stw_r, stw_i, out_r, out_i):
    """kiss_fftr of ``nb`` frames whose permuted complex input is in ``re``/``im`` (ncfft, B);
    writes bins 0..ncfft into ``out_r``/``out_i`` (ncfft + 1, B)."""
    ncfft = re.shape[0]
    for st in range(stages.shape[0] - 1, -1, -1):
        p = stages[st, 0]
        m = stages[st, 1]
        fstride = stages[st, 2]
        for g in range(ncfft // (p * m)):
            if p == 4:
                _bfly4(re, im, g * p * m, m, fstride, tw_r, tw_i, nb)
            else:
                _bfly2(re, im, g * p * m, m, fstride, tw_r, tw_i, nb)
    for b in range(nb):
        dcr, dci = _fixdiv(re, im, 0, b, 16383)
        out_r[0, b] = _w16(dcr + dci)
        out_i[0, b] = 0
        out_r[ncfft, b] = _w16(dcr - dci)
        out_i[ncfft, b] = 0
    for k in range(1, ncfft // 2 + 1):
        wr = stw_r[k - 1]
        wi = stw_i[k - 1]
        for b in range(nb):
            pr, pi = _fixdiv(re, im, k, b, 16383)
            nr = _sround(re[ncfft - k, b] * 16383)
            ni = _sround(_w16(-im[ncfft - k, b]) * 16383)
            f1r = _w16(pr + nr)
            f1i = _w16(pi + ni)
            f2r = _w16(pr - nr)
            f2i = _w16(pi - ni)
            twr = _sround(f2r * wr - f2i * wi)
            twi = _sround(f2r * wi + f2i * wr)
            out_r[k, b] = _w16((f1r + twr) >> 1)
            out_i[k, b] = _w16((f1i + twi) >> 1)
            out_r[ncfft - k, b] = _w16((f1r - twr) >> 1)
            out_i[ncfft - k, b] = _w16((twi - f1i) >> 1)
