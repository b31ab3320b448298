"""Issue 9, class 2: Ctrl-C (SIGINT) cancels a run for every device: the run is stored as
cancelled with what it had, the exit status is the documented 3, and no traceback is shown."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from bench_app.core.device.emulator.process import start_emulator
from bench_app.core.store import RunStore


def _running_run(store_dir, proc, limit_s=90.0):
    """Wait until the store holds a running run with some PCM; return its uid."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and proc.poll() is None:
        if (store_dir / "runs.sqlite3").exists():
            with RunStore.open(store_dir, readonly=True) as store:
                runs = store.list_runs(status="running")
                if runs and store.stream_counts(runs[0].uid).get("pcm", 0) >= 3:
                    return runs[0].uid
        time.sleep(0.2)
    raise AssertionError("the run never got going")


def _interrupt_a_run(device, store_dir):
    cmd = [sys.executable, "-m", "bench_app", "run", "alignment", "--device", device,
           "--burst-s", "0.5", "--store", str(store_dir)]  # 32 s of bursts: still playing
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        uid = _running_run(store_dir, proc)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, out, err, uid


@pytest.mark.parametrize("device", ["port", "sim"])
def test_sigint_cancels_the_run_and_keeps_it(tmp_path, device):
    store_dir = tmp_path / "store"
    if device == "port":
        with start_emulator([]) as emu:
            code, out, err, uid = _interrupt_a_run(emu.port, store_dir)
    else:
        code, out, err, uid = _interrupt_a_run("sim", store_dir)
    assert "Traceback" not in err and "raised" not in err, err
    assert code == 3, (out, err)
    assert "cancelled" in out and "Ctrl-C" in out
    with RunStore.open(store_dir, readonly=True) as store:
        record = store.get_run(uid)
        assert record.status == "cancelled" and "Ctrl-C" in record.reason
        assert store.stream_counts(uid)["pcm"] >= 3  # what it had is kept
        assert record.ended is not None
