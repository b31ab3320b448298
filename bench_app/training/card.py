"""The model card: everything needed to know what a model is and to make it again."""

from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata

from .config import BUDGET_BYTES, TrainConfig

CARD_FORMAT = "bench-app model card 1"
_PACKAGES = ("tensorflow-cpu", "tensorflow", "keras", "numpy", "scikit-learn",
             "tflite-micro", "ai-edge-litert", "bench-app")  # fmt: skip


def versions() -> dict[str, str]:
    """Python and the versions of the packages that made the model (those installed)."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def config_sha256(cfg: TrainConfig) -> str:
    """Hash of the canonical JSON of the training config."""
    return hashlib.sha256(json.dumps(cfg.to_dict(), sort_keys=True).encode()).hexdigest()


def size_verdict(weights: int, arena: int, budget: int = BUDGET_BYTES) -> dict:
    """Weights + arena against the budget, each shown, in one sentence too."""
    total = weights + arena
    fits = total <= budget
    return {
        "weights_bytes": weights,
        "arena_bytes": arena,
        "total_bytes": total,
        "budget_bytes": budget,
        "fits_budget": fits,
        "verdict": (f"weights {weights:,} B + arena {arena:,} B = {total:,} B "
                    f"{'fits' if fits else 'is OVER'} the budget of {budget:,} B "
                    f"({total / budget:.0%})."),
    }  # fmt: skip
