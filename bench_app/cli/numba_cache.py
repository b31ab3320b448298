"""Give numba a writable place for the front end's compiled kernels, before numba loads.

The front end's numba kernels are compiled with ``cache=True``. numba keeps that cache next to
the source (``bench_app/core/frontend/__pycache__``) or, when it cannot write there (a bench
installed read-only, or owned by another user), under the user's cache folder in ``HOME``; when
neither can be written it raises ``RuntimeError: cannot cache function ...: no locator
available`` at the first front end call: a traceback instead of the command (issue 9). numba
reads ``NUMBA_CACHE_DIR`` once, when it is imported, so `ensure_numba_cache` runs at the start
of `bench_app.cli.main` (and its value is inherited by the boards the CLI starts):

- a ``NUMBA_CACHE_DIR`` the user set is kept, and so is numba's default while the source
  folder is writable (no second cache, nothing moves for a normal checkout);
- otherwise it is set to ``$XDG_CACHE_HOME/bench_app/numba`` (``~/.cache/...``) if that can
  be written, else to a folder of this user's own in the temp folder. numba's cache files are
  pickles, which run code when loaded, so a temp folder is only used when it belongs to this
  user and no one else may write to it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import MutableMapping
from pathlib import Path

#: The variable numba reads for its cache folder.
ENV = "NUMBA_CACHE_DIR"
#: numba's default cache folder for the front end kernels (in the source tree).
IN_TREE = Path(__file__).resolve().parents[1] / "core" / "frontend" / "__pycache__"


def _writable(folder: Path) -> bool:
    """Whether a file can be created in ``folder`` (made if missing), as numba itself tests."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _private(folder: Path) -> bool:
    """Whether ``folder`` is this user's own and writable by no one else (made 0700 if new)."""
    with contextlib.suppress(FileExistsError, OSError):
        folder.mkdir(mode=0o700)
    try:
        st = folder.lstat()
    except OSError:
        return False
    mine = stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid()
    return mine and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and _writable(folder)


def _user_cache(environ: MutableMapping[str, str]) -> Path | None:
    base = environ.get("XDG_CACHE_HOME") or (
        str(Path(environ["HOME"]) / ".cache") if environ.get("HOME") else "")
    return Path(base) / "bench_app" / "numba" if base else None


def ensure_numba_cache(environ: MutableMapping[str, str] | None = None,
                       in_tree: Path = IN_TREE) -> str | None:  # fmt: skip
    """Set ``NUMBA_CACHE_DIR`` in ``environ`` (default ``os.environ``) when numba would have
    nowhere to write; return the folder set, or None when nothing needed changing (or no
    writable folder exists at all, where numba's own error is the truth)."""
    environ = os.environ if environ is None else environ
    if environ.get(ENV) or _writable(in_tree):
        return None
    user = _user_cache(environ)
    if user is not None and _writable(user):
        environ[ENV] = str(user)
        return environ[ENV]
    uid = os.getuid() if hasattr(os, "getuid") else 0
    own = Path(tempfile.gettempdir()) / f"bench_app_numba_{uid}"
    if _private(own):
        environ[ENV] = str(own)
        return environ[ENV]
    return None
