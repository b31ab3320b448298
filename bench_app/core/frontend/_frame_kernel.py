"""numba kernel for the frame-local stages (imported lazily): window -> FFT -> filterbank.

Frames of all clips are cut into blocks of `BLOCK`; blocks run in parallel (numba prange, all
cores), and within a block every butterfly loops over the block's frames so it vectorises.
With ``keep`` the windowed frames, FFT shifts and spectra are also written out (debug stages).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from bench_app.core.frontend._channel_kernel import _msb
from bench_app.core.frontend._fft_kernel import _w16, fft_block
from bench_app.core.frontend._filterbank_kernel import filterbank_block

BLOCK = 16


@njit(cache=True, parallel=True)
def frames_to_channels(pcm, n_frames, step, coefs, perm, stages, tw_r, tw_i, stw_r, stw_i,
                       fb_start, fb_end, band, weights, unweights, out,
                       keep, win_out, shift_out, fft_out):
    n_clips = pcm.shape[0]
    size = coefs.shape[0]
    ncfft = perm.shape[0]
    total = n_clips * n_frames
    n_blocks = (total + BLOCK - 1) // BLOCK
    for blk in prange(n_blocks):
        row0 = blk * BLOCK
        nb = min(BLOCK, total - row0)
        re = np.zeros((ncfft, BLOCK), np.int64)
        im = np.zeros((ncfft, BLOCK), np.int64)
        spec_r = np.empty((ncfft + 1, BLOCK), np.int64)
        spec_i = np.empty((ncfft + 1, BLOCK), np.int64)
        shifts = np.zeros(BLOCK, np.int64)
        win = np.zeros((BLOCK, 2 * ncfft + 2), np.int64)  # zero padding past the window
        for b in range(nb):
            row = row0 + b
            clip = row // n_frames
            off = (row % n_frames) * step
            w = win[b]
            x = pcm[clip, off:off + size]
            for i in range(size):
                w[i] = (np.int64(x[i]) * coefs[i]) >> 12  # |coef| <= 4096: fits int16
            peak = 0
            for i in range(size):
                # C: |v| in int16, where |-32768| wraps to -32768 and never counts
                v = w[i]
                a = -v if v < 0 else v
                a = 0 if v == -32768 else a
                peak = max(peak, a)
            shifts[b] = 15 - _msb(peak)
            if keep:
                win_out[row, :] = w[:size]
                shift_out[row] = shifts[b]
        for j in range(ncfft):
            a = 2 * perm[j]
            for b in range(nb):
                re[j, b] = _w16(win[b, a] << shifts[b])
                im[j, b] = _w16(win[b, a + 1] << shifts[b])
        fft_block(re, im, nb, stages, tw_r, tw_i, stw_r, stw_i, spec_r, spec_i)
        if keep:
            for b in range(nb):
                for k in range(ncfft + 1):
                    fft_out[row0 + b, k, 0] = spec_r[k, b]
                    fft_out[row0 + b, k, 1] = spec_i[k, b]
        filterbank_block(spec_r, spec_i, nb, shifts, fb_start, fb_end, band, weights,
                         unweights, out, row0)
