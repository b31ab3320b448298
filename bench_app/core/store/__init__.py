"""The run store: SQLite (WAL) with numbered migrations, arrays as ``.npy`` beside it.

``RunStore.open(path)`` opens a store folder; ``store.subscriber()`` saves a run's documents
through a batched background writer; ``list_runs`` / ``get_run`` / ``documents`` /
``load_artifact`` read them back, from any thread, even while a run is being written.

The names below are imported on first use, so ``import bench_app.core.store.paths`` (the CLI's
``--store`` help) does not pull in numpy.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "RunStore": "store",
    "RunRecord": "records",
    "StoredDocument": "records",
    "ArtifactRecord": "records",
    "ModelRecord": "models",
    "StoreError": "errors",
    "RunNotFoundError": "errors",
    "STORE_ENV": "paths",
    "default_store_dir": "paths",
    "resolve_store_dir": "paths",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
