"""The native board: firmware/core built as a host program, started like the virtual board.

``bench-app board native`` and ``--device native`` run `firmware/host/native_board`: the
board's own C++ core (protocol, state machine, INJECT flow control, integer MicroFrontend)
serving the protocol on a pty, with a WAV or silence as its microphone and no model runtime.
It is built with CMake on first use (into ``build/firmware-native`` of the source tree) and
rebuilt when a firmware source is newer than the program. Its first stdout line is the port,
as `bench-app emulate` prints it; the second is a JSON line (port, pid).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench_app.core.device.board_process import read_startup_line, stop_process
from bench_app.core.errors import ConfigError, LinkError

NATIVE = "native"
ROOT = Path(__file__).resolve().parents[3]
FIRMWARE = ROOT / "firmware"
BUILD_DIR = ROOT / "build" / "firmware-native"
PROGRAM = BUILD_DIR / "native_board"
START_TIMEOUT_S = 10.0
_SOURCES = ("*.cc", "*.h", "*.c", "CMakeLists.txt", "*.cmake")


def _newest_source() -> float:
    return max((p.stat().st_mtime for pattern in _SOURCES for p in FIRMWARE.rglob(pattern)),
               default=0.0)  # fmt: skip


def _run(cmd: list[str], what: str) -> None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LinkError(f"Building the native board failed at {what} ({exc}).") from None
    if done.returncode != 0:
        lines = [ln for ln in (done.stdout + done.stderr).splitlines() if ln.strip()]
        errors = [ln for ln in lines if "error" in ln.lower()] or lines or ["no output"]
        raise LinkError(f"Building the native board failed at {what}: {errors[0].strip()}")


def native_board_program() -> Path:
    """The native board program, built (or rebuilt) with CMake when missing or out of date.

    Raises
    ------
    LinkError
        Without the firmware sources (an installed bench), without cmake or a C++ compiler,
        or when the build fails (with the compiler's first error).
    """
    if not (FIRMWARE / "CMakeLists.txt").is_file():
        raise LinkError(f"The native board needs the firmware sources, which are not at "
                        f"{FIRMWARE} (use a checkout of the bench).")  # fmt: skip
    if PROGRAM.is_file() and PROGRAM.stat().st_mtime >= _newest_source():
        return PROGRAM
    cmake = shutil.which("cmake")
    if cmake is None:
        raise LinkError("cmake is not installed, so the native board cannot be built (run "
                        "scripts/install_system.sh as root).")  # fmt: skip
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    _run([cmake, "-S", str(FIRMWARE), "-B", str(BUILD_DIR), *generator,
          "-DCMAKE_BUILD_TYPE=Release", "-DFW_TESTS=OFF"], "configure")  # fmt: skip
    _run([cmake, "--build", str(BUILD_DIR), "--target", "native_board"], "compile")
    os.utime(PROGRAM)  # up to date even if nothing needed recompiling
    return PROGRAM


def board_wav(source: str, sample_rate: int, folder: str) -> str:
    """`source` (any audio file the bench reads) as the 16-bit mono WAV the native board takes."""
    import soundfile as sf

    from bench_app.core.audio_files import read_audio

    clip = read_audio(source, sample_rate=sample_rate)
    out = str(Path(folder) / "microphone.wav")
    sf.write(out, clip.samples, sample_rate, subtype="PCM_16")
    return out


@dataclasses.dataclass
class NativeBoardProcess:
    """A running native board."""

    port: str
    pid: int
    process: subprocess.Popen

    def stop(self, timeout: float = 5.0) -> int:
        """SIGTERM, wait, SIGKILL if needed; return the exit status."""
        return stop_process(self.process, timeout)


def native_arguments(args: list[str], folder: str) -> list[str]:
    """The program's arguments from ``[--wav F] [--fast] [--frontend NAME]``.

    The WAV (any file the bench reads) is converted into `folder` first.
    """
    out: list[str] = []
    it = iter(args)
    for arg in it:
        name, eq, value = arg.partition("=")
        if name in ("--wav", "--frontend"):
            value = value if eq else next(it, "")
            if not value:
                raise ConfigError(f"The native board's {name} needs a value.")
            out += [name, board_wav(value, 16000, folder) if name == "--wav" else value]
        else:
            out.append(arg)
    return out


@contextlib.contextmanager
def start_native_board(args: list[str]) -> Iterator[NativeBoardProcess]:
    """Build if needed and run the native board for the duration of the block.

    Raises
    ------
    LinkError
        If it cannot be built, or exits or prints no port within `START_TIMEOUT_S`.
    """
    program = native_board_program()
    with tempfile.TemporaryDirectory(prefix="bench_app_native_") as tmp, \
            tempfile.TemporaryFile() as errors:  # fmt: skip
        cmd = [str(program), *native_arguments(args, tmp)]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=errors)  # fmt: skip
        board = None
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            port = read_startup_line(proc, errors, deadline, "The native board")
            doc = json.loads(read_startup_line(proc, errors, deadline, "The native board"))
            board = NativeBoardProcess(port, int(doc["pid"]), proc)
            yield board
        finally:
            if board is not None:
                board.stop()
            elif proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
