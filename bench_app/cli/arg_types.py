"""Argument types shared by every command: nonsense is refused when the line is parsed.

argparse calls a ``type`` function on the text of an option; raising
`argparse.ArgumentTypeError` there makes it print the usage and one sentence and exit with
status 2 before the command does any work. So ``--threshold nan``, ``--arena -5``,
``--start-hz 0`` or ``--count 99999999999999999999`` never reach a board, a file or a loop.
Each factory states its range in the message, so the user learns what is allowed.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from bench_app.core.input_limits import MAX_AUDIO_S

#: Most inferences, frames or runs one command asks for.
MAX_COUNT = 1_000_000


def _number(text: str, kind: Callable[[str], float | int]) -> float | int:
    try:
        value = kind(text)
    except ValueError:
        noun = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"{text!r} is not {noun}.") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number.")
    return value


def _shown(x: float) -> str:
    """A bound as written: ``8000``, and 1,073,741,824 rather than ``1.07374e+09``."""
    short = f"{x:g}"
    return f"{int(x):,}" if "e" in short and float(x).is_integer() else short


def _ranged(kind: Callable[[str], float | int], lo: float | None, hi: float | None,
            *, lo_open: bool = False, what: str = "") -> Callable[[str], float | int]:
    def parse(text: str) -> float | int:
        value = _number(text, kind)
        too_low = lo is not None and (value <= lo if lo_open else value < lo)
        too_high = hi is not None and value > hi
        if too_low or too_high:
            if lo is not None and hi is not None:
                rule = (f"above {_shown(lo)} up to {_shown(hi)}" if lo_open
                        else f"from {_shown(lo)} to {_shown(hi)}")
            elif lo is not None:
                rule = f"{'above' if lo_open else 'at least'} {_shown(lo)}"
            else:
                rule = f"at most {_shown(hi)}"
            raise argparse.ArgumentTypeError(f"{text} is out of range: {what}must be {rule}.")
        return value

    parse.__name__ = getattr(kind, "__name__", "number")  # argparse names it in its errors
    return parse


def finite_float(lo: float | None = None, hi: float | None = None,
                 *, lo_open: bool = False, what: str = "") -> Callable[[str], float]:
    """A finite float in [lo, hi] (or (lo, hi] with ``lo_open``); NaN and infinities refused."""
    return _ranged(float, lo, hi, lo_open=lo_open, what=what)  # type: ignore[return-value]


def positive_float(hi: float | None = None, *, what: str = "") -> Callable[[str], float]:
    """A finite float above 0 (and at most ``hi``)."""
    return finite_float(0.0, hi, lo_open=True, what=what)


def int_range(lo: int | None = None, hi: int | None = None,
              *, what: str = "") -> Callable[[str], int]:
    """A whole number in [lo, hi]."""
    return _ranged(int, lo, hi, what=what)  # type: ignore[return-value]


def positive_int(hi: int = MAX_COUNT, *, what: str = "") -> Callable[[str], int]:
    """A whole number from 1 to ``hi``."""
    return int_range(1, hi, what=what)


#: A channel index of a multi-channel audio file (from 0).
channel_index = int_range(0, 255, what="a channel index ")
#: A level in dBFS: digital full scale is 0; below -150 is under any 24-bit converter's floor.
level_dbfs = finite_float(-150.0, 0.0, what="a level in dBFS ")
#: A frequency in Hz at the board's 16 kHz rate (above 0, at most the Nyquist frequency).
frequency_hz = positive_float(8000.0, what="a frequency at 16 kHz ")
#: A length of audio in seconds (above 0, at most `MAX_AUDIO_S`).
audio_seconds = positive_float(MAX_AUDIO_S, what="a length of audio in seconds ")
#: A wait in seconds (above 0, at most a day).
wait_seconds = positive_float(86400.0, what="a time in seconds ")
