"""Issue 9, class 7: a HOME that cannot be written gave numba's "no locator available" traceback.

`bench_app.cli.numba_cache.ensure_numba_cache` (run first thing in `bench_app.cli.main`)
points ``NUMBA_CACHE_DIR`` at a writable folder when numba's own choices (next to the source,
then under HOME) cannot be written. As root nothing is unwritable by permission bits, so
"cannot be written" is made with a path under a regular file (ENOTDIR) in the unit tests and
with read-only bind mounts (``unshare -m``, root only) in the end-to-end test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bench_app.cli.numba_cache import ENV, ensure_numba_cache

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def blocked(tmp_path) -> Path:
    """A regular file: nothing can be created under it, even by root."""
    path = tmp_path / "a_file"
    path.write_text("not a folder")
    return path


def test_a_writable_source_tree_keeps_numbas_default(tmp_path):
    env = {"HOME": str(tmp_path / "home")}
    assert ensure_numba_cache(env, in_tree=tmp_path / "pkg" / "__pycache__") is None
    assert ENV not in env


def test_the_users_own_choice_is_kept(blocked):
    env = {ENV: "/somewhere/chosen", "HOME": str(blocked / "home")}
    assert ensure_numba_cache(env, in_tree=blocked / "__pycache__") is None
    assert env[ENV] == "/somewhere/chosen"


def test_a_read_only_tree_uses_the_users_cache_folder(tmp_path, blocked):
    env = {"HOME": str(tmp_path / "home")}
    chosen = ensure_numba_cache(env, in_tree=blocked / "__pycache__")
    assert chosen == env[ENV] == str(tmp_path / "home" / ".cache" / "bench_app" / "numba")
    assert Path(chosen).is_dir()
    env = {"HOME": str(tmp_path / "home"), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert ensure_numba_cache(env, in_tree=blocked / "__pycache__") == str(
        tmp_path / "xdg" / "bench_app" / "numba")


def test_no_writable_home_falls_back_to_a_private_temp_folder(tmp_path, blocked, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    env = {"HOME": str(blocked / "home")}
    chosen = ensure_numba_cache(env, in_tree=blocked / "__pycache__")
    own = tmp_path / f"bench_app_numba_{os.getuid()}"
    assert chosen == str(own) and own.stat().st_mode & 0o777 == 0o700


def test_a_temp_folder_others_may_write_is_not_used(tmp_path, blocked, monkeypatch):
    """numba's cache files are pickles: a folder someone else can fill would run their code."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    shared = tmp_path / f"bench_app_numba_{os.getuid()}"
    shared.mkdir()
    shared.chmod(0o777)
    env = {"HOME": str(blocked / "home")}
    assert ensure_numba_cache(env, in_tree=blocked / "__pycache__") is None
    assert ENV not in env


def _can_mount_read_only() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    done = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.slow  # numba compiles the front end's kernels afresh in the new cache (~10 s)
@pytest.mark.skipif(not _can_mount_read_only(), reason="needs root and unshare -m (read-only "
                    "bind mounts are the only way to make a folder unwritable for root)")
def test_bench_app_frontend_runs_with_read_only_home_and_source(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    wav, out = tmp_path / "noise.wav", tmp_path / "out"
    out.mkdir()
    noise = np.random.default_rng(0).normal(0, 3000, 16000).astype(np.int16)
    sf.write(wav, noise, 16000, subtype="PCM_16")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    script = (f"mount --bind -o ro {ROOT / 'bench_app'} {ROOT / 'bench_app'} && "
              f"mount --bind -o ro {home} {home} && "
              f'exec "$0" -m bench_app frontend {wav} --out {out / "f.npy"}')
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(tmp), "PYTHONPATH": str(ROOT)}
    env.pop(ENV, None)
    env.pop("XDG_CACHE_HOME", None)
    done = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script,
                           sys.executable], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=240, check=False)  # fmt: skip
    assert "Traceback" not in done.stderr and done.returncode == 0, done.stderr
    assert np.load(out / "f.npy").shape == (98, 32)
    assert list((tmp / f"bench_app_numba_{os.getuid()}").iterdir())  # the kernels went here
