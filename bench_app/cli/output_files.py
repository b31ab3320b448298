"""Result files the CLI writes: at exactly the path it reports, or refused in one sentence.

`numpy.save` given a path appends ".npy" to a name without it, so a command would report one
path and write another; writing through an open file keeps the name as given. A folder given
as a file, or a file in a folder that does not exist, is refused before any work is done
(a typo in ``--out`` must not create folders silently, nor cost a capture).
"""

from __future__ import annotations

from pathlib import Path

from bench_app.core.errors import BenchError


class OutputFileError(BenchError):
    """A result file or folder cannot be written."""


def check_output_file(path: str | Path, option: str = "--out") -> Path:
    """Return ``path`` as a Path if a file can be created there; raise `OutputFileError` if not.

    Parameters
    ----------
    path : str or Path
        Where the command will write its result.
    option : str
        The option that gave the path, named in the error.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputFileError(f"{option} {path} is a folder; give a file name inside it.")
    _check_parent(path, option)
    return path


def check_output_folder(path: str | Path, option: str) -> Path:
    """Return ``path`` if it is a folder or can be made one in an existing folder."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputFileError(f"{option} {path} is a file, not a folder.")
    _check_parent(path, option)
    return path


def _check_parent(path: Path, option: str) -> None:
    parent = path.parent
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise OutputFileError(f"Cannot write {option} {path}: the folder {parent} {what}.")


def save_array(path: str | Path, array, option: str = "--out") -> Path:
    """Save ``array`` in .npy format at exactly ``path`` (no suffix added); return the path."""
    import numpy as np

    path = check_output_file(path, option)
    try:
        with open(path, "wb") as fh:
            np.save(fh, array, allow_pickle=False)
    except OSError as exc:
        raise OutputFileError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    return path


def make_output_folder(path: str | Path, option: str) -> Path:
    """Create the folder ``path`` (its parent must exist) and return it."""
    path = check_output_folder(path, option)
    try:
        path.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputFileError(f"Cannot create the folder {path}: {exc.strerror or exc}.") from None
    return path
