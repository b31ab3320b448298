"""Where the run store lives: ``--store DIR``, else ``$BENCH_APP_STORE``, else the data dir.

The default follows the platform's convention for user data (platformdirs
``user_data_dir("bench-app")``: ``~/.local/share/bench-app`` on Linux), so runs survive
reinstalls and are found by the CLI and the window alike.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable that overrides the default store folder.
STORE_ENV = "BENCH_APP_STORE"
#: File name of the SQLite database inside the store folder.
DB_NAME = "runs.sqlite3"
#: Folder (inside the store folder) holding ``<run_uid>/<name>.npy`` artifacts.
ARTIFACTS_DIR = "artifacts"


def default_store_dir() -> Path:
    """The store folder when neither ``--store`` nor ``$BENCH_APP_STORE`` says otherwise."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("bench-app", appauthor=False))


def resolve_store_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The store folder to use: ``explicit`` if given, else the environment, else the default."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(STORE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return default_store_dir()
