"""Stage 2, FFT: KISS FFT's 16-bit fixed-point real FFT (``kiss_fftr``, FIXED_POINT 16), exactly.

TFLM's fft.cc shifts the windowed frame left by the window stage's shift (as uint16, so it
wraps), zero-pads it to the power-of-two FFT size and calls kissfft v130's ``kiss_fftr``. That
is a complex FFT of half the size over (even, odd) sample pairs, decimation in time with radix-4
stages then at most one radix-2 stage, every butterfly input scaled by 1/radix with rounding
(``C_FIXDIV``), Q15 twiddles ``floor(0.5 + 32767 cos/sin(phase))``, all in int16 with
wrap-around; then the real-FFT split with its own "super twiddles". `FftPlan` holds the tables;
the butterflies run in a numba kernel (`_fft_kernel`), vectorised over a block of frames.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np

SAMP_MAX = 32767


@dataclasses.dataclass(frozen=True)
class FftPlan:
    """Tables for one FFT size: input permutation, stage radices, twiddles."""

    fft_size: int
    perm: np.ndarray  # (ncfft,) complex input index feeding each output slot
    stages: np.ndarray  # (n_stages, 3) int64 rows (radix p, sub-length m, twiddle stride)
    tw_r: np.ndarray  # (ncfft,) int64 Q15 twiddles, real parts
    tw_i: np.ndarray  # imaginary parts
    stw_r: np.ndarray  # (ncfft // 2,) int64 Q15 real-FFT split twiddles, real parts
    stw_i: np.ndarray


def _kf_factor(n: int) -> list[tuple[int, int]]:
    """KISS FFT's factorisation: 4s first, then 2, then odd primes; (radix, remaining) pairs."""
    out: list[tuple[int, int]] = []
    p = 4
    floor_sqrt = math.floor(math.sqrt(n))
    while True:
        while n % p:
            p = {4: 2, 2: 3}.get(p, p + 2)
            if p > floor_sqrt:
                p = n
        n //= p
        out.append((p, n))
        if n <= 1:
            return out


def _q15(phase: float) -> tuple[int, int]:
    return (
        math.floor(0.5 + SAMP_MAX * math.cos(phase)),
        math.floor(0.5 + SAMP_MAX * math.sin(phase)),
    )


@functools.cache
def fft_plan(fft_size: int) -> FftPlan:
    """Build (and cache) the tables of kiss_fftr for ``fft_size`` (a power of two >= 8)."""
    ncfft = fft_size // 2
    factors = _kf_factor(ncfft)
    if any(p not in (2, 4) for p, _ in factors):
        raise ValueError(f"FFT size {fft_size} is not a power of two")
    perm = np.empty(ncfft, dtype=np.int64)
    stages = []

    def work(out_off: int, in_off: int, fstride: int, depth: int) -> None:
        p, m = factors[depth]
        for q in range(p):
            if m == 1:
                perm[out_off + q] = in_off + q * fstride
            else:
                work(out_off + q * m, in_off + q * fstride, fstride * p, depth + 1)

    work(0, 0, 1, 0)
    fstride = 1
    for p, m in factors:
        stages.append((p, m, fstride))
        fstride *= p
    pi = 3.14159265358979323846264338327
    twiddles = np.array([_q15(-2 * pi * i / ncfft) for i in range(ncfft)], dtype=np.int64)
    super_tw = np.array(
        [_q15(-pi * ((i + 1) / ncfft + 0.5)) for i in range(ncfft // 2)], dtype=np.int64
    ).reshape(-1, 2)
    return FftPlan(fft_size, perm, np.array(stages, dtype=np.int64),
                   np.ascontiguousarray(twiddles[:, 0]), np.ascontiguousarray(twiddles[:, 1]),
                   np.ascontiguousarray(super_tw[:, 0]), np.ascontiguousarray(super_tw[:, 1]))

