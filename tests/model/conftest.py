"""Fixtures of the model tests: the shipped untrained model, and folders of copies with cards."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench_app.core.model import MODELS_DIR

#: The untrained paper-shape model shipped in models/, and its sidecar card.
MODEL = MODELS_DIR / "untrained_paper_shape.tflite"
SIDECAR = MODEL.with_suffix(".json")


@pytest.fixture(scope="session")
def model_path() -> Path:
    return MODEL


@pytest.fixture(scope="session")
def model_bytes() -> bytes:
    return MODEL.read_bytes()


@pytest.fixture(scope="session")
def sidecar() -> dict:
    return json.loads(SIDECAR.read_text())


@pytest.fixture
def models_folder(tmp_path):
    """``make(layout, card)``: a models folder holding a copy of the shipped model.

    ``layout`` is ``"sidecar"`` (``NAME.tflite`` + ``NAME.json``) or ``"folder"``
    (``NAME/model.tflite`` + ``NAME/card.json``); ``card`` is the card's JSON document (None:
    no card). Returns ``(folder, model_path)``.
    """
    def make(layout: str, card: dict | None, name: str = "copy"):
        folder = tmp_path / "models"
        if layout == "sidecar":
            path = folder / f"{name}.tflite"
            card_file = path.with_suffix(".json")
        else:
            path = folder / name / "model.tflite"
            card_file = path.parent / "card.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(MODEL, path)
        if card is not None:
            card_file.write_text(json.dumps(card))
        return folder, path

    return make
