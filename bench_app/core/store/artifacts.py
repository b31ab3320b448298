"""Arrays saved beside the database as ``.npy`` files: names, atomic writes, checksums.

An artifact lives at ``<store>/artifacts/<run_uid>/<name>.npy``. Names are sanitised to
``[A-Za-z0-9._-]`` so that nothing a procedure names can escape that folder; the file is
written under a temporary name and renamed into place, so a killed process never leaves a
half-written file under a name the database refers to. The sha256 is of the ``.npy`` file
itself (``sha256sum`` on the file gives the same hex digest).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import numpy as np

from .errors import StoreError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 120


def sanitise_name(name: str) -> str:
    """A file-system-safe artifact name: unsafe runs of characters become ``_``.

    Leading dots are dropped (no hidden files, no ``..``) and the result is at most
    ``MAX_NAME`` characters; an empty result becomes ``"artifact"``.
    """
    safe = _UNSAFE.sub("_", name).lstrip(".")[:MAX_NAME]
    return safe or "artifact"


def artifact_relpath(run_uid: str, name: str) -> str:
    """Path of an artifact relative to the store folder (POSIX separators)."""
    return f"artifacts/{sanitise_name(run_uid)}/{sanitise_name(name)}.npy"


def save_array(store_dir: Path, relpath: str, array: np.ndarray) -> str:
    """Write ``array`` to ``store_dir/relpath`` atomically; return the file's sha256 hex."""
    target = store_dir / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    with open(tmp, "wb") as fh:
        np.save(fh, array, allow_pickle=False)  # keeps 0-d shapes and byte order
    os.replace(tmp, target)
    return file_sha256(target)


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_array(store_dir: Path, relpath: str, sha256: str | None = None) -> np.ndarray:
    """Read an artifact, refusing paths outside the store and (if given) a wrong checksum."""
    root = store_dir.resolve()
    path = (store_dir / relpath).resolve()
    if not path.is_relative_to(root):
        raise StoreError(f"The artifact path {relpath!r} points outside the store folder.")
    if not path.is_file():
        raise StoreError(f"The artifact file {path} is missing from the store.")
    if sha256 is not None and file_sha256(path) != sha256:
        raise StoreError(f"The artifact file {path} does not match its recorded sha256.")
    return np.load(path, allow_pickle=False)
