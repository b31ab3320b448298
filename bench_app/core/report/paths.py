"""Safe file names for report outputs: everything lands inside the chosen output folder.

Names come partly from stored data (run ids, artifact names) that the bench does not control,
so each one is reduced to a plain file name before use, and every final path is checked to
resolve inside the output folder.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from bench_app.core.errors import BenchError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
             *(f"lpt{i}" for i in range(1, 10))}
MAX_NAME = 120


class ReportPathError(BenchError):
    """A report output path would fall outside its output folder or is not usable."""


def sanitize_filename(name: str, default: str = "report") -> str:
    """Reduce ``name`` to a portable file name: ASCII letters, digits, ``.``, ``_``, ``-``.

    Path separators, ``..``, control characters and anything else become ``_``; leading dots
    are dropped (no hidden files, no ``..``); Windows device names get a ``_`` prefix.
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    text = _UNSAFE.sub("_", text).strip("._ ")
    text = re.sub(r"_{2,}", "_", text)[:MAX_NAME].rstrip("._ ")
    if not text:
        return default
    if text.split(".")[0].lower() in _RESERVED:
        text = "_" + text
    return text


def inside(folder: Path | str, name: str) -> Path:
    """The path of the sanitised ``name`` inside ``folder``, checked to stay inside it."""
    root = Path(folder).resolve()
    path = (root / sanitize_filename(name)).resolve()
    if path.parent != root:
        raise ReportPathError(f"The report file name {name!r} would leave the folder {root}.")
    return path


def output_folder(folder: Path | str) -> Path:
    """Create (if needed) and return the resolved output folder."""
    root = Path(folder).expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise ReportPathError(f"The report output folder {root} is a file, not a folder.")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportPathError(f"Cannot create the report output folder {root}: {exc}.") from exc
    return root
