"""A host killed with SIGKILL must not leave its virtual board running (issue: orphaned boards).

A helper process starts a board with `start_emulator` (from its main thread, where Linux's
parent-death signal applies, and from a worker thread, where only the board's own parent pid
check does), prints the board's pid and folders, and is killed with SIGKILL. The board must be
gone within a few seconds, and its temp folders and discovery announcement removed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench_app.core.device.emulator.process import ANNOUNCE_DIR

pytestmark = pytest.mark.timeout(120)

HOST = """
import json, sys, threading, time
from pathlib import Path
from bench_app.core.device.emulator.process import ANNOUNCE_DIR, start_emulator

def serve():
    with start_emulator(["--fast"]) as emu:
        print(json.dumps({"pid": emu.pid, "stats_dir": str(Path(emu.stats_file).parent),
                          "port_dir": str(Path(emu.port).parent)}), flush=True)
        time.sleep(600)

def stream():
    # connected and streaming: once the host dies nobody reads, the pty fills, and a --fast
    # board (which waits for room rather than drop) must still notice that its host is gone
    from bench_app.core.device.client import BoardClient
    from bench_app.core.device.protocol import Stream

    with start_emulator(["--fast"]) as emu, BoardClient.open(emu.port, timeout=10) as client:
        client.start([Stream.FRAMES, Stream.PCM])
        print(json.dumps({"pid": emu.pid, "stats_dir": str(Path(emu.stats_file).parent),
                          "port_dir": str(Path(emu.port).parent)}), flush=True)
        time.sleep(600)

if sys.argv[1] == "thread":
    threading.Thread(target=serve, daemon=True).start()
    time.sleep(600)
elif sys.argv[1] == "streaming":
    threading.Thread(target=stream, daemon=True).start()
    time.sleep(600)
else:
    serve()
"""


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie awaiting a reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
@pytest.mark.parametrize("where", ["main", "thread", "streaming"])
def test_a_killed_host_takes_its_virtual_board_and_folders_with_it(where):
    host = subprocess.Popen([sys.executable, "-c", HOST, where], stdout=subprocess.PIPE,
                            text=True)  # fmt: skip
    try:
        doc = json.loads(host.stdout.readline())
        board = doc["pid"]
        announce = ANNOUNCE_DIR / f"{board}.json"
        assert alive(board) and announce.exists()
        assert Path(doc["stats_dir"]).is_dir() and Path(doc["port_dir"]).is_dir()
        host.kill()
        host.wait()
        deadline = time.monotonic() + 5.0
        while alive(board) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(board), "the virtual board outlived its host"
        deadline = time.monotonic() + 2.0  # a reaped board has already cleaned up; be generous
        while Path(doc["stats_dir"]).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(doc["stats_dir"]).exists()
        assert not Path(doc["port_dir"]).exists()
        assert not announce.exists()
    finally:
        if host.poll() is None:
            host.kill()
            host.wait()
        if "doc" in locals() and alive(doc["pid"]):  # a failed run: do not leave it behind
            os.kill(doc["pid"], signal.SIGKILL)
            for folder in (doc["stats_dir"], doc["port_dir"]):
                shutil.rmtree(folder, ignore_errors=True)
