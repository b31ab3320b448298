"""The repository's ``models/`` folder and what its JSON sidecars say about each model.

One place for "which models are untrained": the report, the runs and the window all label
the untrained paper-shape model, and they must agree on how they recognise it.
"""

from __future__ import annotations

import json
from pathlib import Path

#: The models shipped with the bench (found from the source tree).
MODELS_DIR = Path(__file__).resolve().parents[2] / "models"


def untrained_models(folder: Path = MODELS_DIR) -> dict[str, str]:
    """sha256 (lower case) -> file name of the models whose sidecar says ``"untrained": true``."""
    found: dict[str, str] = {}
    for sidecar in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict) and meta.get("untrained") and meta.get("sha256"):
            found[str(meta["sha256"]).lower()] = str(meta.get("file", sidecar.stem))
    return found
