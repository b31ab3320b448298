"""Shared helpers for the training tests: oneDNN off before TF loads, tiny configs and data."""

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tiny_npz(tmp_path):
    """A features NPZ for ModelDims.tiny(): 5 classes, each a louder channel band, 2 clips."""
    rng = np.random.default_rng(0)
    x, y, clips = [], [], []
    for c in range(5):
        for i in range(6):
            w = rng.normal(-60, 10, (64, 8))
            w[:, c : c + 2] += 60
            x.append(np.clip(w, -128, 127).astype(np.int8))
            y.append(c)
            clips.append(f"c{c}_{i // 3}")
    path = tmp_path / "tiny.npz"
    np.savez(path, X=np.array(x), y=np.array(y), clip_ids=np.array(clips),
             class_names=np.array(["neutral", "happy", "sad", "angry", "none"]))
    return path


@pytest.fixture
def run_training():
    """A function running ``python -m bench_app.training ARGS`` -> (status, JSON lines)."""
    return _run_training


def _run_training(*args: str, timeout: float = 240) -> tuple[int, list[dict]]:
    env = {**__import__("os").environ, "PYTHONPATH": str(REPO)}
    p = subprocess.run([sys.executable, "-m", "bench_app.training", *args], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
