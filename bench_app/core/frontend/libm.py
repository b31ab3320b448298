"""The C maths library's ``cosf``/``powf`` and ``cos``/``log1p``, called directly.

The front end's tables (Hann window, mel filterbank weights, PCAN gain curve) are computed once
per config with these functions, in single or double precision depending on the C build. numpy's
float32 ``cos``/``power`` have their own SIMD implementations that may differ from the C
library by one ulp, which can move a rounded table entry by one; calling the C library through
ctypes reproduces the C code's values on this platform. If no C maths library can be loaded,
numpy's functions are used instead (documented as possibly off by one ulp).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import math

import numpy as np


@functools.cache
def _libm() -> ctypes.CDLL | None:
    for name in (ctypes.util.find_library("m"), "libm.so.6", "msvcrt"):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        for fn, arg, n_args in (
            ("cosf", ctypes.c_float, 1),
            ("powf", ctypes.c_float, 2),
        ):
            f = getattr(lib, fn)
            f.restype = arg
            f.argtypes = [arg] * n_args
        return lib
    return None


def cosf(x: float) -> np.float32:
    """Single-precision cosine of a float32 argument."""
    lib = _libm()
    x = np.float32(x)
    if lib is None:
        return np.cos(x)
    return np.float32(lib.cosf(float(x)))


def powf(x: float, y: float) -> np.float32:
    """Single-precision x ** y of float32 arguments."""
    lib = _libm()
    x, y = np.float32(x), np.float32(y)
    if lib is None:
        return np.power(x, y)
    return np.float32(lib.powf(float(x), float(y)))


def cos(x: float) -> float:
    """Double-precision cosine (Python's math module calls the C library)."""
    return math.cos(x)


def log1p(x: float) -> float:
    """Double-precision log(1 + x) (Python's math module calls the C library)."""
    return math.log1p(x)
