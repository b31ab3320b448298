"""The real window on an X server (Xvfb, xcb platform): a demo run, a screenshot, not blank.

Starts Xvfb on a free display number, runs ``bench-app gui --demo`` there (the virtual board,
an alignment run on a sweep), waits for the run to be stored as finished, then takes a
screenshot with ImageMagick's ``import -window root`` and checks it shows something: pixel
variance and many distinct colours (a blank or single-colour screen has neither).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
IMPORT = "/usr/bin/import"

pytestmark = pytest.mark.skipif(
    not (shutil.which("Xvfb") and Path(IMPORT).exists()),
    reason="needs Debian xvfb and imagemagick (scripts/install_system.sh installs them)")


def _free_display() -> int:
    for n in range(90, 300):
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    raise RuntimeError("no free X display number between 90 and 299")


@pytest.fixture
def xvfb():
    n = _free_display()
    proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1280x1024x24", "-nolisten",
                             "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while not Path(f"/tmp/.X11-unix/X{n}").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"Xvfb :{n} did not start")
        time.sleep(0.05)
    yield f":{n}"
    proc.terminate()
    proc.wait(10)


def screenshot(display: str, path: Path) -> np.ndarray:
    """Grab the X screen (the window's 1280x800 corner) as an RGB array."""
    subprocess.run([IMPORT, "-display", display, "-window", "root", "-crop", "1280x800+0+0",
                    str(path)], check=True, timeout=30)
    import matplotlib.image

    return matplotlib.image.imread(str(path))[..., :3]


def test_demo_run_under_xvfb_is_drawn(xvfb, tmp_path):
    from bench_app.core.store import RunStore

    store_dir = tmp_path / "store"
    env = {**os.environ, "DISPLAY": xvfb, "QT_QPA_PLATFORM": "xcb",
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "BENCH_APP_STORE": str(store_dir)}
    gui = subprocess.Popen([sys.executable, "-m", "bench_app", "gui", "--demo",
                            "--quit-after", "150"], env=env, cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        runs = []
        while time.monotonic() < deadline and gui.poll() is None:
            if (store_dir / "runs.sqlite3").exists():
                with RunStore.open(store_dir) as store:
                    runs = [r for r in store.list_runs() if r.status != "running"]
                if runs:
                    break
            time.sleep(0.5)
        assert runs, "the demo run did not finish within 120 s"
        assert runs[0].procedure == "alignment" and runs[0].status == "success"
        time.sleep(1.5)  # the final arrays are drawn
        image = screenshot(xvfb, tmp_path / "demo.png")
    finally:
        if gui.poll() is None:
            gui.send_signal(signal.SIGTERM)  # closes the window: virtual board stopped
        out = gui.communicate(timeout=30)[0].decode(errors="replace")
    assert gui.returncode == 0, out[-2000:]
    assert image.shape[:2] == (800, 1280)
    assert float(image.std()) > 0.05
    colours = np.unique((image * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 200  # colour maps, text, plots: far more than a blank screen
