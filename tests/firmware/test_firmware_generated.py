"""The firmware's generated files are what their scripts make from the bench's reference.

`firmware/core/generated/frontend_*.h` (the integer tables the board's front end runs on) and
`fixtures/frontend/` (input PCM and the reference frames the C++ tests compare against,
bit for bit, on x86 and on the M7) must be regenerated identically, so neither can drift from
`bench_app/core/frontend`. The C++ side runs in `make firmware-test`.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bench_app.core.frontend import FrontendConfig, compute_features

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted((ROOT / "firmware" / "core" / "configs").glob("*.json"))


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.stem)
def test_committed_table_headers_regenerate_identically(config):
    tables = _script("make_firmware_tables")
    cfg = FrontendConfig.from_json(config)
    source = f"--config {config.relative_to(ROOT).as_posix()}"
    text = tables.header_text(cfg, config.stem, source)
    committed = ROOT / "firmware" / "core" / "generated" / f"frontend_{config.stem}.h"
    assert committed.read_text(encoding="utf-8") == text


def test_a_different_config_gives_different_tables():
    tables = _script("make_firmware_tables")
    paper = tables.header_text(FrontendConfig(), "paper", "x")
    shifted = tables.header_text(FrontendConfig(filterbank_lower_band_limit=81.0), "paper", "x")
    assert paper != shifted


def test_frontend_vectors_regenerate_identically(tmp_path):
    vectors = _script("make_frontend_vectors")
    vectors.write_vectors(tmp_path)
    committed = ROOT / "fixtures" / "frontend"
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    have = sorted(p.relative_to(committed) for p in committed.rglob("*")
                  if p.is_file() and p.name != "README.md")  # fmt: skip
    assert made == have
    for rel in made:
        assert (tmp_path / rel).read_bytes() == (committed / rel).read_bytes(), rel


def test_expected_frames_are_the_reference_of_their_pcm():
    committed = ROOT / "fixtures" / "frontend"
    pcm = np.fromfile(committed / "pcm" / "speech.i16", dtype="<i2")
    frames = np.fromfile(committed / "paper" / "speech.u16", dtype="<u2").reshape(-1, 32)
    assert frames.shape[0] > 200 and frames.max() > 300  # real speech, not silence
    np.testing.assert_array_equal(frames, compute_features(pcm, FrontendConfig()))


def test_the_tables_script_explains_a_bad_config(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"fe.filterbank_n_channels": 0}')
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_firmware_tables.py"), "--config", str(bad),
         "--name", "bad", "--out", str(tmp_path / "x.h")],
        capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )  # fmt: skip
    assert done.returncode == 2
    assert "filterbank_n_channels" in done.stderr and done.stderr.count("\n") == 1
    assert not (tmp_path / "x.h").exists()
