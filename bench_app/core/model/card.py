"""The model card, and the one rule that says whether a model is untrained.

A model's card is JSON next to it, in one of two places (the first found wins):

- a sidecar ``M.json`` beside ``M.tflite`` (today's ``models/untrained_paper_shape.json``);
- ``card.json`` in the model's own folder (``models/NAME/card.json``), as the training
  backend exports it (sizes and hash under ``"model"``).

A card may say ``"untrained": true``; the window, the runs and the report all label such a model,
so they ask `untrained` here instead of each keeping its own rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_app.core.errors import ModelFileError

#: The models shipped with the bench (found from the source tree).
MODELS_DIR = Path(__file__).resolve().parents[3] / "models"

#: A card in the model's own folder (``models/NAME/card.json``).
FOLDER_CARD = "card.json"

#: Said wherever the bench shows a model that is untrained.
UNTRAINED_NOTE = "UNTRAINED: random weights, for latency only; its scores mean nothing"


@dataclass(frozen=True)
class ModelCard:
    """What a model's card says (the fields the bench uses, plus the whole document)."""

    path: Path
    name: str  # the model's file name (the card's ``file``), else the card's folder or stem
    sha256: str | None
    untrained: bool | None
    arena_bytes: int | None
    description: str = ""
    doc: Mapping[str, Any] = field(default_factory=dict, repr=False)


def card_path(model_path: Path | str) -> Path | None:
    """The card of the model file ``model_path`` (sidecar first, then the folder's card)."""
    model_path = Path(model_path)
    for candidate in (model_path.with_suffix(".json"), model_path.parent / FOLDER_CARD):
        if candidate.is_file():
            return candidate
    return None


def read_card(path: Path | str) -> ModelCard:
    """Read a card file.

    Raises
    ------
    ModelFileError
        When the file cannot be read or is not a JSON object (one sentence naming it).
    """
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelFileError(f"Cannot read the model card {path}: {exc.strerror}.") from None
    except ValueError as exc:
        raise ModelFileError(f"The model card {path} is not valid JSON ({exc}).") from None
    if not isinstance(doc, dict):
        raise ModelFileError(f"The model card {path} is not a JSON object.")
    fallback = path.parent.name if path.name == FOLDER_CARD else path.stem
    model = doc.get("model") if isinstance(doc.get("model"), dict) else {}
    arena = doc.get("arena_bytes", model.get("arena_bytes"))
    untrained = doc.get("untrained")
    sha = doc.get("sha256") or model.get("sha256")
    return ModelCard(
        path=path, name=str(doc.get("file") or doc.get("name") or fallback),
        sha256=str(sha).lower() if isinstance(sha, str) and sha else None,
        untrained=None if untrained is None else bool(untrained),
        arena_bytes=int(arena) if isinstance(arena, int | float) and arena > 0 else None,
        description=str(doc.get("description", "")), doc=doc,
    )  # fmt: skip


def card_for(model_path: Path | str) -> ModelCard | None:
    """The card of a model file, or None when it has none (a damaged card raises)."""
    path = card_path(model_path)
    return None if path is None else read_card(path)


def cards(folder: Path = MODELS_DIR) -> list[ModelCard]:
    """Every readable card in ``folder``: sidecars ``M.json`` of an ``M.tflite``, and
    ``*/card.json``."""
    if not folder.is_dir():
        return []
    found = []
    sidecars = [p for p in sorted(folder.glob("*.json")) if p.with_suffix(".tflite").is_file()]
    for path in sidecars + sorted(folder.glob(f"*/{FOLDER_CARD}")):
        try:
            found.append(read_card(path))
        except ModelFileError:
            continue  # an unreadable card says nothing; the catalog shows the error
    return found


def untrained_models(folder: Path = MODELS_DIR) -> dict[str, str]:
    """sha256 (lower case) -> model name of the models whose card says ``"untrained": true``."""
    return {c.sha256: c.name for c in cards(folder) if c.untrained and c.sha256}


#: Keys under which a board's INFO, a run's stored facts or a summary say "untrained".
_SAID_KEYS = ("model_untrained", "untrained")


def untrained(info: Any, folder: Path | None = MODELS_DIR) -> bool | None:
    """Whether a model is untrained: True, False, or None when nothing says.

    ``info`` is a board's `Info`, an INFO / start-document dict, or a run's stored model facts.
    The rule, the same everywhere: the board's (or the stored facts') own word counts first
    (``model_untrained`` / ``untrained``, also inside a ``"model"`` dict; any of them saying
    untrained is enough); otherwise a model whose sha256 a card in ``folder`` marks untrained
    is untrained (``folder=None``: only the stored word counts, as for a report of a run that
    stored its model facts).
    """
    if info is None:
        return None
    if isinstance(info, Mapping):
        doc = dict(info)
    else:
        doc = {**(getattr(info, "extra", None) or {}), "model_sha256": info.model_sha256}
    nested = doc.get("model") if isinstance(doc.get("model"), Mapping) else {}
    words = [bool(src[k]) for src in (nested, doc) for k in _SAID_KEYS if src.get(k) is not None]
    if any(words):  # any word "untrained" wins: a label errs towards UNTRAINED
        return True
    sha = nested.get("sha256") or doc.get("model_sha256") or doc.get("sha256")
    if folder is not None and isinstance(sha, str) and sha.lower() in untrained_models(folder):
        return True
    return False if words else None
