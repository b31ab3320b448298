"""Model files for the `bench-app model check` tests, built with `bench_app.testing.tiny_tflite`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench_app.testing.tiny_tflite import fully_connected_model

PAPER_MODEL = Path(__file__).resolve().parents[2] / "models" / "untrained_paper_shape.tflite"


@pytest.fixture
def write_model(tmp_path):
    """``write_model(name, **kwargs)``: a tiny model in tmp_path (fully_connected_model)."""

    def write(name: str, **kwargs) -> Path:
        path = tmp_path / f"{name}.tflite"
        path.write_bytes(fully_connected_model(**kwargs))
        return path

    return write


@pytest.fixture
def paper_model() -> Path:
    """The paper-shape untrained INT8 model shipped in models/."""
    return PAPER_MODEL
