"""Start and stop a virtual board (`bench-app emulate`) as a child process, from the host.

``with start_emulator(["--fast", "--model", "m.tflite"]) as emu: BoardClient(emu.port)``;
``emu.speaker`` is the virtual speaker's address, ``emu.stats()`` reads the fault ledger. The
child is ended with SIGTERM (then SIGKILL) when the block exits.

If the host dies without running that cleanup (``kill -9``), the child must not live on: on Linux
it gets SIGTERM from the kernel when the thread that started it ends (``PR_SET_PDEATHSIG``, set
only from the main thread, whose end is the process's), and the emulator also watches its parent
pid (`PARENT_ENV`) and stops, removing `OWNED_DIR_ENV` too, when it changes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from bench_app.core.device.board_process import read_startup_line, stop_process
from bench_app.core.device.port_owner import process_start

#: Directory where running emulators announce themselves (for device discovery). It lives
#: here, in a stdlib-only module, so discovery does not import the emulator (and scipy).
ANNOUNCE_DIR = Path(tempfile.gettempdir()) / "bench_app_emulators"

START_TIMEOUT_S = 60.0

#: Environment variables `start_emulator` sets for its child: the host's pid (the emulator stops
#: when its parent is no longer that process) and the host's temp folder for the emulator's stats
#: (removed by the emulator when it outlives the host, as the host can no longer do it).
PARENT_ENV = "BENCH_APP_EMU_PARENT_PID"
OWNED_DIR_ENV = "BENCH_APP_EMU_OWNED_DIR"

_PR_SET_PDEATHSIG = 1


@dataclasses.dataclass
class EmulatorProcess:
    """A running virtual board."""

    port: str
    speaker: str
    stats_file: str
    pid: int
    process: subprocess.Popen

    def stats(self) -> dict:
        """The emulator's fault ledger and counters (as last written, every 0.5 s and at exit)."""
        try:
            return json.loads(Path(self.stats_file).read_text())
        except (OSError, ValueError):
            return {}

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, wait, SIGKILL if needed; return the exit status."""
        return stop_process(self.process, timeout)


def _die_with_parent():
    """A ``preexec_fn`` that asks Linux for SIGTERM when the starting thread ends, or None.

    The death signal follows the *thread* that forked, so it is only requested from the main
    thread (a worker thread's end would otherwise kill a board still in use); the emulator's own
    parent pid check covers the other cases. ``getppid`` right after ``prctl`` closes the race of
    a parent that died before the request was made.
    """
    on_main_thread = threading.current_thread() is threading.main_thread()
    if not sys.platform.startswith("linux") or not on_main_thread:
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return preexec


@contextlib.contextmanager
def start_emulator(args: list[str], stats_file: str | None = None) -> Iterator[EmulatorProcess]:
    """Run ``python -m bench_app emulate ARGS`` for the duration of the block.

    Raises
    ------
    LinkError
        If it exits or prints no port within `START_TIMEOUT_S` (the message carries its error).
    """
    with contextlib.ExitStack() as stack:
        env = {**os.environ, PARENT_ENV: str(os.getpid())}
        if stats_file is None and "--stats-file" not in args:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench_app_emu_"))
            stats_file = str(Path(tmp) / "stats.json")
            env[OWNED_DIR_ENV] = tmp
        extra = ["--stats-file", stats_file] if stats_file else []
        cmd = [sys.executable, "-m", "bench_app", "emulate", *args, *extra]
        # stderr to a file, not a pipe: a chatty child never blocks on a full pipe.
        errors = stack.enter_context(tempfile.TemporaryFile())
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=errors, env=env, preexec_fn=_die_with_parent(),
                                # its own process group: a Ctrl-C at the terminal reaches the
                                # bench, which cancels the run and then stops this board
                                process_group=0)  # fmt: skip
        emu = None
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            port = read_startup_line(proc, errors, deadline, "The virtual board")
            doc = json.loads(read_startup_line(proc, errors, deadline, "The virtual board"))
            emu = EmulatorProcess(port, doc["speaker"]["address"], doc["stats_file"], proc.pid,
                                  proc)  # fmt: skip
            yield emu
        finally:
            if emu is not None:
                emu.stop()
            elif proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()


def running_emulators() -> list[dict]:
    """Virtual boards running on this machine (for device discovery).

    Each entry is what the emulator announced: ``port``, ``speaker`` (INFO's entry), ``pid``,
    ``stats_file``, ``model_sha256``. Announcements of processes that are gone (a board killed
    with ``kill -9`` cannot clean up) are removed with the board's temporary folder, so neither
    they nor its stale port link outlive it.
    """
    found = []
    for path in sorted(ANNOUNCE_DIR.glob("*.json")):
        try:
            doc = json.loads(path.read_text())
            pid = int(doc["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        start = process_start(pid)
        if start is None or doc.get("start") not in (None, start):
            _remove_leftovers(path, doc)
            continue
        if Path(doc.get("port", "")).exists():
            found.append(doc)
    return found


def _remove_leftovers(announcement: Path, doc: dict) -> None:
    """Delete a dead board's announcement and its own temporary folder (port link, stats)."""
    folder = Path(str(doc.get("port", ""))).parent
    if folder.name.startswith("bench_app_emu_") and folder.parent == Path(tempfile.gettempdir()):
        shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):
        announcement.unlink()
