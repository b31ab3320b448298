"""The limits on what the bench reads, stated once and checked before any work.

A file can lie (a WAV header saying 1 Hz, a "config" that is ``/dev/zero``, a FIFO nobody
writes to), and an option can ask for hours of audio. Each would make a command allocate
gigabytes or block forever, deaf to Ctrl-C inside C code. So every input passes these checks
first, and each refusal is one sentence that states the limit:

- text inputs (front-end configs, stimulus plans) are regular files of at most
  `MAX_TEXT_INPUT_BYTES`; a FIFO, a device or a folder is refused without blocking on it;
- audio is at most `MAX_AUDIO_S` seconds long, at a rate from `MIN_AUDIO_RATE_HZ` to
  `MAX_AUDIO_RATE_HZ` (so resampling to the board's rate changes the length at most 24-fold).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bench_app.core.errors import BenchError

#: Longest audio a command reads, renders or sends, in seconds (an hour: 115 MB at 16 kHz).
MAX_AUDIO_S = 3600.0
#: Lowest and highest sample rate of an audio file the bench reads (resampled to the board's).
MIN_AUDIO_RATE_HZ = 4_000
MAX_AUDIO_RATE_HZ = 384_000
#: Largest config or plan file (a plan lists segments; a config a few dozen keys).
MAX_TEXT_INPUT_BYTES = 4 * 1024 * 1024


class InputLimitError(BenchError):
    """An input is not a regular file, or is larger or longer than the bench reads."""


def read_text_input(path: str | os.PathLike[str], what: str,
                    error: type[BenchError] = InputLimitError) -> str:
    """The UTF-8 text of the regular file ``path``; refuse anything else in one sentence.

    Refusals raise ``error`` (a `BenchError` class; a config reader passes its own).

    The file is opened without blocking (a FIFO with no writer would hang ``open``) and its
    type and size are checked on the open descriptor before a byte is read.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error(f"Cannot read the {what} {path}: {exc.strerror or exc}.") from None
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):
        os.close(fd)
        raise error(f"Cannot read the {what} {path}: Is a directory.")
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise error(
            f"The {what} {path} is not a regular file (a device or a pipe); give a file."
        )
    with os.fdopen(fd, "rb") as fh:
        if info.st_size > MAX_TEXT_INPUT_BYTES:
            raise error(
                f"The {what} {path} is {info.st_size:,} bytes, more than the "
                f"{MAX_TEXT_INPUT_BYTES:,} the bench reads."
            )
        data = fh.read(MAX_TEXT_INPUT_BYTES + 1)
    if len(data) > MAX_TEXT_INPUT_BYTES:  # it grew while we read it
        raise error(f"The {what} {path} is larger than {MAX_TEXT_INPUT_BYTES:,} bytes.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"The {what} {path} is not UTF-8 text.") from None


def check_audio_size(path: str | os.PathLike[str], rate_hz: int, frames: int) -> None:
    """Refuse audio whose rate or length (as its header says) is beyond the stated limits."""
    if not MIN_AUDIO_RATE_HZ <= rate_hz <= MAX_AUDIO_RATE_HZ:
        raise InputLimitError(
            f"{path} says its sample rate is {rate_hz} Hz; the bench reads audio at "
            f"{MIN_AUDIO_RATE_HZ:,} to {MAX_AUDIO_RATE_HZ:,} Hz."
        )
    seconds = frames / rate_hz
    if seconds > MAX_AUDIO_S:
        raise InputLimitError(
            f"{path} holds {seconds:,.0f} s of audio; the bench reads at most "
            f"{MAX_AUDIO_S:,.0f} s (cut it into pieces)."
        )
