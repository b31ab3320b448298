"""Result files the CLI writes: at exactly the path it reports, or refused in one sentence.

`numpy.save` given a path appends ".npy" to a name without it, so a command would report one
path and write another; writing through an open file keeps the name as given. A folder given
as a file, or a file in a folder that does not exist, is refused before any work is done
(a typo in ``--out`` must not create folders silently, nor cost a capture).

Every command that writes states its outputs through one `Outputs` before doing any work, with
the files it reads as inputs. The rules, the same for every command:

- a name is used exactly as given (no suffix added, no character replaced: spaces,
  parentheses, non-ASCII and non-UTF-8 bytes are kept);
- only regular files are written: a folder, a device (``/dev/full``) or a pipe is refused;
- no command writes over one of its own inputs, even with ``--force`` (same file, however
  named), nor names one file for two of its outputs;
- an existing file is replaced only with ``--force``; otherwise the command stops before any
  work, naming it. Files are written to a temporary name in the same folder and renamed into
  place, so a failure (a full disk) never leaves a half-written result under the given name.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from bench_app.core.errors import BenchError


class OutputFileError(BenchError):
    """A result file or folder cannot be written."""


def check_output_file(path: str | Path, option: str = "--out", *,
                      new_folders: bool = False) -> Path:
    """Return ``path`` as a Path if a file can be created there; raise `OutputFileError` if not.

    Parameters
    ----------
    path : str or Path
        Where the command will write its result.
    option : str
        The option that gave the path, named in the error.
    new_folders : bool
        The command creates missing folders on the way (the report does): only a file in
        the way is refused.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputFileError(f"{option} {path} is a folder; give a file name inside it.")
    if path.exists() and not path.is_file():
        raise OutputFileError(f"{option} {path} is not a regular file (a device or a pipe); "
                              "give a file name.")
    if new_folders:
        _check_ancestors(path, option)
    else:
        _check_parent(path, option)
    return path


def check_output_folder(path: str | Path, option: str) -> Path:
    """Return ``path`` if it is a folder or can be made one in an existing folder."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputFileError(f"{option} {path} is a file, not a folder.")
    _check_parent(path, option)
    return path


def _check_ancestors(path: Path, option: str) -> None:
    """Refuse a path whose nearest existing ancestor is not a folder (folders can be made)."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputFileError(f"Cannot write {option} {path}: {parent} is a file, not "
                                      "a folder.")
            return


def _check_parent(path: Path, option: str) -> None:
    parent = path.parent
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise OutputFileError(f"Cannot write {option} {path}: the folder {parent} {what}.")


def add_force_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--force``: replace output files that exist (never the command's own inputs)."""
    parser.add_argument("--force", action="store_true",
                        help="replace output files that already exist (inputs are never "
                        "overwritten)")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


class Outputs:
    """The files one command will write, checked together before it does any work.

    Parameters
    ----------
    force : bool
        Replace existing files (``--force``).
    inputs : iterable of path
        Files the command reads; none of them may be an output.
    """

    def __init__(self, *, force: bool = False, inputs: Iterable[str | Path | None] = ()) -> None:
        self.force = force
        self._inputs = {i for p in inputs if p is not None
                        for i in [_identity(Path(p))] if i is not None}
        self._claimed: dict[Path, str] = {}

    def file(self, path: str | Path, option: str = "--out", *, new_folders: bool = False) -> Path:
        """Claim ``path`` for ``option``; raise `OutputFileError` if it may not be written."""
        path = check_output_file(path, option, new_folders=new_folders)
        key = Path(os.path.abspath(path))
        if key in self._claimed:
            raise OutputFileError(f"{option} and {self._claimed[key]} name the same file "
                                  f"{path}; give each its own.")
        ident = _identity(path)
        if ident is not None and ident in self._inputs:
            raise OutputFileError(f"{option} {path} is one of this command's inputs; it is "
                                  "never overwritten: write the result elsewhere.")
        if ident is not None and not self.force:
            raise OutputFileError(f"{option} {path} already exists; pass --force to replace "
                                  "it, or choose another name.")
        self._claimed[key] = option
        return path

    def folder(self, path: str | Path, option: str, *, new_folders: bool = False) -> Path:
        """Claim the folder ``path`` (created later by `make_output_folder`)."""
        path = Path(path)
        if new_folders:
            if path.exists() and not path.is_dir():
                raise OutputFileError(f"{option} {path} is a file, not a folder.")
            _check_ancestors(path, option)
        else:
            path = check_output_folder(path, option)
        if path.is_dir() and any(path.iterdir()) and not self.force:
            raise OutputFileError(f"{option} {path} already holds files; pass --force to "
                                  "write into it, or choose another folder.")
        self._claimed[Path(os.path.abspath(path))] = option
        return path


def write_atomically(path: str | Path, write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write`` on a temporary file beside ``path``, then rename it to ``path``.

    A failure (a full disk, an error in ``write``) removes the temporary file and leaves any
    previous file at ``path`` as it was.
    """
    path = Path(path)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise OutputFileError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        with contextlib.suppress(OSError):  # mkstemp makes it 0600; give it the usual mode
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, stat.S_IMODE(0o666 & ~umask))
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise OutputFileError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return path


def save_array(path: str | Path, array, option: str = "--out") -> Path:
    """Save ``array`` in .npy format at exactly ``path`` (no suffix added); return the path."""
    import numpy as np

    path = check_output_file(path, option)
    return write_atomically(path, lambda fh: np.save(fh, array, allow_pickle=False))


def write_text(path: str | Path, text: str, option: str) -> Path:
    """Write UTF-8 ``text`` at exactly ``path``, atomically."""
    path = check_output_file(path, option)
    return write_atomically(path, lambda fh: fh.write(text.encode("utf-8")))


def make_output_folder(path: str | Path, option: str) -> Path:
    """Create the folder ``path`` (its parent must exist) and return it."""
    path = check_output_folder(path, option)
    try:
        path.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputFileError(f"Cannot create the folder {path}: {exc.strerror or exc}.") from None
    return path
