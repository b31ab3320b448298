"""One sentence for the errors a command can meet outside the bench's own checks.

The bench raises `BenchError` for what it checks itself. Everything else a user can provoke
from outside - a file that cannot be opened (permissions, a folder where a file was expected,
a full disk), a name or a text that is not valid UTF-8, a JSON nested deeper than Python
recurses, a database SQLite cannot read, a value a library refuses - belongs to a few families
of exceptions. `explain` turns each family into one sentence naming the path where there is
one, so the CLI's single ``except`` prints a sentence instead of a traceback (``--debug``
still shows it).
"""

from __future__ import annotations

import os
import sqlite3

#: Control characters (a newline in a JSON key, an escape in a file name) shown escaped, so an
#: error stays one line and cannot drive the terminal.
_CONTROLS = {c: repr(chr(c))[1:-1] for c in (*range(0x20), 0x7F)}


def printable(text: object) -> str:
    """``text`` on one line: undecodable bytes of a file name (surrogate escapes) shown as
    ``\\x..``, control characters as ``\\n``, ``\\x1b``..."""
    if isinstance(text, bytes):
        return text.decode("utf-8", "backslashreplace").translate(_CONTROLS)
    value = str(text)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = os.fsencode(value).decode("utf-8", "backslashreplace")
    return value.translate(_CONTROLS)


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return (text[:1].upper() + text[1:] + ".") if text else "Something went wrong."


def explain(exc: BaseException) -> str | None:
    """One sentence for ``exc`` if it belongs to a family a user can cause, else None."""
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc) or type(exc).__name__
        if exc.filename is not None:
            where = printable(exc.filename)
            if exc.filename2 is not None:
                where += f" -> {printable(exc.filename2)}"
            return _sentence(f"Cannot use {where}: {reason}")
        return _sentence(f"An operating-system call failed: {reason}")
    if isinstance(exc, UnicodeError):
        reason = getattr(exc, "reason", str(exc))
        return _sentence(f"A file name or text is not valid UTF-8 ({reason})")
    if isinstance(exc, RecursionError):
        return "The input is nested too deeply to be read (a JSON file of lists in lists?)."
    if isinstance(exc, MemoryError):
        return "The input needs more memory than this machine has; use a shorter one."
    if isinstance(exc, sqlite3.Error):
        return _sentence(f"The run store cannot be read: {exc}")
    if isinstance(exc, (ValueError, OverflowError)):
        return _sentence(f"A value was refused: {printable(exc)}")
    return None
