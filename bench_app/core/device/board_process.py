"""What every board started as a child process shares: its start-up lines and its stop.

The virtual board (`emulator.process`) and the native board (`native_board`) both print their
port on stdout line 1 and a JSON announcement on line 2, write errors to a temporary file
(not a pipe: a chatty child never blocks), and stop on SIGTERM.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from typing import IO

from bench_app.core.errors import LinkError


def child_error(lines: list[str], status: int) -> str:
    """The child's last error line, without the ``bench-app: error:`` its CLI put before it
    (the host's CLI adds its own, and the user should read the prefix once)."""
    why = lines[-1].strip() if lines else f"exit status {status}"
    for prefix in ("bench-app: error:", "error:"):
        if why.startswith(prefix):
            return why[len(prefix):].strip()
    return why


def read_startup_line(proc: subprocess.Popen, errors: IO[bytes], deadline: float,
                      what: str) -> str:
    """One line of the child's stdout before ``deadline``; `LinkError` naming ``what``
    ("The virtual board", "The native board") with its own last error line if it exits."""
    line = b""
    fd = proc.stdout.fileno()
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise LinkError(f"{what} did not start in time.")
        ch = os.read(fd, 1)
        if not ch:
            status = proc.wait()
            errors.seek(0)
            text = errors.read().decode(errors="replace").strip().splitlines()
            raise LinkError(f"{what} failed to start: {child_error(text, status)}")
        line += ch
    return line.decode().strip()


def stop_process(process: subprocess.Popen, timeout: float) -> int:
    """SIGTERM, wait, SIGKILL if needed; return the exit status."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
