"""The models in a folder (``models/``), and the model facts a run stores.

Each model is a ``*.tflite`` directly in the folder (with a sidecar card) or in its own
subfolder (``models/NAME/*.tflite`` with ``card.json``). An entry joins what the file says
(`read_tflite`) with what its card says (arena, untrained, description); a damaged file or
card gives an entry with ``error`` set, never an exception, so the window can list it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_app.core.errors import ModelFileError
from bench_app.core.model.budget import BudgetVerdict, budget_verdict
from bench_app.core.model.card import MODELS_DIR, card_for, untrained
from bench_app.core.model.tflite_file import read_tflite


@dataclass
class ModelEntry:
    """One model file and what is known about it."""

    path: Path
    size_bytes: int
    sha256: str
    ops: list[str] = field(default_factory=list)
    op_count: int = 0
    float_tensors: int | None = None
    arena_bytes: int | None = None  # from the card (TFLM has no query; the builder searched it)
    untrained: bool | None = None
    description: str = ""
    card: str | None = None  # the card's path
    error: str | None = None

    @property
    def budget(self) -> BudgetVerdict:
        """Weights + arena against the paper's 1.8 MB."""
        return budget_verdict(self.size_bytes, self.arena_bytes)

    @property
    def fits_budget(self) -> bool | None:
        """Whether weights + arena fit the budget (None when the arena is unknown)."""
        return self.budget.fits


def read_model(path: Path) -> ModelEntry:
    """Describe one .tflite file (an unreadable file or card gives an entry with ``error``)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ModelEntry(path, 0, "", error=f"Cannot read the model file {path}: {exc.strerror}.")
    entry = ModelEntry(path, len(data), hashlib.sha256(data).hexdigest())
    try:
        facts = read_tflite(data, name=path.name)
        entry.ops, entry.op_count = list(facts.ops), facts.op_count
        entry.float_tensors = facts.float_tensors
    except ModelFileError as exc:
        entry.error = str(exc)
    try:
        card = card_for(path)
    except ModelFileError as exc:
        entry.error = entry.error or str(exc)
        card = None
    if card is not None:
        entry.card = str(card.path)
        entry.arena_bytes = card.arena_bytes
        entry.untrained = card.untrained
        entry.description = card.description
    return entry


def model_files(folder: Path = MODELS_DIR) -> list[Path]:
    """Every ``*.tflite`` in ``folder`` and in its subfolders one level down, by path."""
    if not folder.is_dir():
        return []
    return sorted([*folder.glob("*.tflite"), *folder.glob("*/*.tflite")])


def list_models(folder: Path = MODELS_DIR) -> list[ModelEntry]:
    """An entry for every model file in ``folder`` (see `model_files`)."""
    return [read_model(p) for p in model_files(folder)]


def find_model(sha256: str, folder: Path = MODELS_DIR) -> ModelEntry | None:
    """The model in ``folder`` whose file has this sha256, or None."""
    want = sha256.lower()
    return next((e for e in list_models(folder) if e.sha256 == want), None)


def run_facts(info: Mapping[str, Any] | Any, folder: Path = MODELS_DIR) -> dict | None:
    """The model facts a run stores with its board INFO (None when the board runs no model).

    ``{"sha256", "untrained", "name", "card", "bytes", "arena_bytes", "ops", "op_count",
    "budget"}``: the hash and the untrained rule always; the rest when the file with that hash
    is in ``folder`` (else None: the board runs a model the bench does not have). Reports read
    these stored facts instead of looking at ``models/`` again.
    """
    doc = dict(info) if isinstance(info, Mapping) else {
        **(getattr(info, "extra", None) or {}), "model_sha256": info.model_sha256}
    sha = doc.get("model_sha256")
    if not isinstance(sha, str) or not sha:
        return None
    facts: dict[str, Any] = {"sha256": sha.lower(), "untrained": untrained(doc, folder),
                             "name": None, "card": None, "bytes": None, "arena_bytes": None,
                             "ops": None, "op_count": None, "budget": None}
    entry = find_model(sha, folder)
    if entry is not None:
        facts.update(name=entry.path.name, card=entry.card and Path(entry.card).name,
                     bytes=entry.size_bytes, arena_bytes=entry.arena_bytes, ops=entry.ops,
                     op_count=entry.op_count, budget=entry.budget.to_dict())
    return facts
