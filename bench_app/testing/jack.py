"""A JACK dummy-driver loopback for tests: real PortAudio streams without a sound card.

`start_jackd` runs ``jackd --no-realtime -d dummy`` under a server name unique to this process
(``JACK_DEFAULT_SERVER``), so parallel test sessions and a developer's own jackd never collide:
a second jackd with the same name exits at once. Every JACK client started with `JackServer.env`
(PortAudio in this process after `use_in_this_process`, or a child process) talks to it.
PortAudio registers ports per stream (``PortAudio:out_0``, ``PortAudio-01:in_0`` for a second
process...) and on start connects them to the dummy ``system`` ports; `JackServer.loop` cuts
the recorder from ``system:capture_*`` and wires the player's output port straight to it, which
is bit-exact with a fixed delay (FACTS.md: "Real audio without a sound card").

The tests' session fixture ``jack_server`` (tests/conftest.py) yields a `JackServer`; it skips
only when jackd cannot start, with jackd's own words. The server's methods give everything else
(device, recorder, child clients, port wiring). ``python -m bench_app.testing.jack SECONDS
PATH`` records from the JACK device in a child process.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench_app.core.audio import devices

RATE = 16000
PERIOD = 128
JACK_HOST_API = "JACK Audio Connection Kit"
_TOOLS = ("jackd", "jack_lsp", "jack_connect", "jack_disconnect")


class JackUnavailable(RuntimeError):
    """jackd cannot run here; the message says why (used as the skip reason)."""


@dataclass
class JackServer:
    """A running jackd (dummy driver) owned by this process; stop it with `stop`."""

    name: str
    process: subprocess.Popen
    rate: int = RATE
    period: int = PERIOD
    log: str = ""
    _old_env: dict[str, str | None] = field(default_factory=dict)

    def log_tail(self, lines: int = 3) -> str:
        """The last lines jackd printed, joined with " / "."""
        try:
            text = Path(self.log).read_text(errors="replace")
        except OSError:
            return "(no log)"
        return " / ".join(text.strip().splitlines()[-lines:])

    @property
    def env(self) -> dict[str, str]:
        """Environment for a child process that must join this server (and no other)."""
        return {**os.environ, "JACK_DEFAULT_SERVER": self.name, "JACK_NO_START_SERVER": "1"}

    def _tool(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            [args[0], "-s", self.name, *args[1:]],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.strip() or done.stdout}")
        return done.stdout

    def ports(self, direction: str | None = None) -> list[str]:
        """Port names; `direction` "output" (a source: player, capture) or "input" (a sink)."""
        names: list[str] = []
        props: dict[str, str] = {}
        for line in self._tool("jack_lsp", "-p").splitlines():
            if line.startswith(("\t", " ")):
                props[names[-1]] = line.split(":", 1)[-1]
            elif line.strip():
                names.append(line.strip())
        if direction is None:
            return names
        return [n for n in names if props.get(n, "").strip().startswith(direction)]

    def connections(self, port: str) -> list[str]:
        """Ports connected to `port`."""
        out, current = {}, None
        for line in self._tool("jack_lsp", "-c").splitlines():
            if line.startswith((" ", "\t")) and current is not None:
                out[current].append(line.strip())
            elif line.strip():
                current = line.strip()
                out[current] = []
        return out.get(port, [])

    def wait_for_new_port(self, before: set[str], direction: str, timeout: float = 5.0) -> str:
        """The first `direction` port not in `before` that appears within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            new = sorted(set(self.ports(direction)) - before)
            if new:
                return new[0]
            time.sleep(0.02)
        raise TimeoutError(f"no new JACK {direction} port within {timeout} s")

    def loop(self, source: str, sink: str) -> None:
        """Make `source` (a player's out port) the only thing `sink` (a recorder's in) hears."""
        for other in self.connections(sink):
            if other != source:
                self._tool("jack_disconnect", other, sink)
        if source not in self.connections(sink):
            self._tool("jack_connect", source, sink)

    def device(self, direction: str = "output") -> devices.AudioDevice:
        """This server's device ("system") in this process's PortAudio."""
        return jack_device(direction)

    def recorder(self) -> Recorder:
        """A `Recorder` on this server's device (use it as a context manager)."""
        return Recorder(self.device("input"), self.rate)

    def spawn_client(
        self, argv: list[str], timeout: float = 20.0, **popen: object
    ) -> tuple[subprocess.Popen, str]:
        """Start a child process that opens one PortAudio input stream on this server.

        Returns the process and its JACK input port, once the port exists and PortAudio's
        automatic connection to ``system:capture_*`` is made (so `loop` can undo it). The
        child's stdout goes nowhere unless `popen` says otherwise (then read it, or it blocks).
        """
        before = set(self.ports("input"))
        popen.setdefault("stdout", subprocess.DEVNULL)
        child = subprocess.Popen(argv, env=self.env, **popen)  # type: ignore[call-overload]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if child.poll() is not None:
                raise RuntimeError(f"{argv} exited with status {child.returncode} too early")
            new = sorted(set(self.ports("input")) - before)
            if new and self.connections(new[0]):
                return child, new[0]
            time.sleep(0.05)
        child.kill()
        child.wait()
        raise TimeoutError(f"{argv} opened no JACK input port within {timeout} s")

    def use_in_this_process(self) -> None:
        """Point this process's PortAudio at the server (PortAudio scans only on init)."""
        for key, value in (("JACK_DEFAULT_SERVER", self.name), ("JACK_NO_START_SERVER", "1")):
            self._old_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value
        devices.refresh_devices()

    def stop(self) -> None:
        """Drop PortAudio's client, stop jackd by its PID, and restore the environment."""
        sd = devices.sounddevice()
        in_use = bool(self._old_env)
        if in_use:
            sd._terminate()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        for key, value in self._old_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._old_env.clear()
        if in_use:
            sd._initialize()
        Path(self.log).unlink(missing_ok=True)


def start_jackd(
    rate: int = RATE, period: int = PERIOD, timeout: float = 10.0, server_args: tuple = ("-S",)
) -> JackServer:
    """Start a private jackd with the dummy driver and wait until it takes clients.

    ``-S`` (synchronous mode) by default: the server waits for every client to finish a cycle,
    so a Python callback made late by a busy machine delays the dummy driver's clock instead of
    losing that cycle's audio. In the default asynchronous mode, with two cores shared by many
    processes, the virtual board's capture lost stretches of the stimulus in 3 runs out of 4
    (jackd logged "ProcessGraphAsyncMaster: Process error"); with ``-S``, none in 6.

    jackd's own output goes to a temporary file (`JackServer.log`): its xrun and client
    messages are what explains a loopback that lost audio.

    Raises
    ------
    JackUnavailable
        When a tool is missing or jackd exits or does not answer in time (with its output).
    """
    missing = [t for t in _TOOLS if shutil.which(t) is None]
    if missing:
        raise JackUnavailable(f"{', '.join(missing)} not on PATH (Debian package jackd2)")
    # Short and of fixed length: jack_lsp (libjack 1.9.21) aborts in malloc for some server
    # name lengths (24, 40, 56... characters seen here), so never let a PID's digits vary it.
    name = f"bt{os.getpid() % 10**6:06d}{uuid.uuid4().hex[:4]}"
    env = {**os.environ, "JACK_DEFAULT_SERVER": name, "JACK_NO_START_SERVER": "1"}
    cmd = [
        "jackd",
        "--no-realtime",
        *server_args,
        "-d",
        "dummy",
        "-r",
        str(rate),
        "-p",
        str(period),
    ]
    fd, log = tempfile.mkstemp(prefix=f"jackd-{name}-", suffix=".log")
    with os.fdopen(fd, "w") as out:
        process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = JackServer(name, process, rate, period, log=log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise JackUnavailable(
                f"jackd exited with status {process.returncode}: {server.log_tail()}"
            )
        ready = subprocess.run(
            ["jack_lsp", "-s", name], env=env, capture_output=True, text=True, timeout=10
        )
        if ready.returncode == 0 and "system:playback_1" in ready.stdout:
            return server
        time.sleep(0.05)
    server.stop()
    raise JackUnavailable(f"jackd did not accept clients within {timeout} s: {server.log_tail()}")


def jack_device(direction: str = "output") -> devices.AudioDevice:
    """The JACK host API's device (named "system") in this process's PortAudio."""
    for device in devices.list_devices(direction):  # type: ignore[arg-type]
        if device.host_api == JACK_HOST_API:
            return device
    apis = ", ".join(a.name for a in devices.list_host_apis())
    raise LookupError(f"PortAudio sees no JACK device (host APIs: {apis})")


class Recorder:
    """Record float32 mono from a PortAudio input device, noting when each block arrived."""

    def __init__(self, device: devices.AudioDevice, rate: int = RATE) -> None:
        sd = devices.sounddevice()
        self.rate = rate
        self.blocks: list[np.ndarray] = []
        self.block_times: list[tuple[int, int, float]] = []  # (first index, frames, perf time)
        self._count = 0
        self.stream = sd.InputStream(
            device=device.index,
            samplerate=rate,
            channels=1,
            dtype="float32",
            callback=self._callback,
        )

    def _callback(self, indata: np.ndarray, frames: int, time_info, status) -> None:
        self.block_times.append((self._count, frames, time.perf_counter()))
        self.blocks.append(indata[:, 0].copy())
        self._count += frames

    def __enter__(self) -> Recorder:
        self.stream.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stream.stop()
        self.stream.close()

    def samples(self) -> np.ndarray:
        """Everything recorded so far, float in [-1, 1)."""
        return np.concatenate(self.blocks) if self.blocks else np.zeros(0, np.float32)

    def arrival_time(self, index: int) -> float:
        """`perf_counter` of the callback that delivered sample `index`."""
        for first, frames, when in self.block_times:
            if first <= index < first + frames:
                return when
        raise IndexError(f"sample {index} was not recorded")


def record_to_file(seconds: float, path: str) -> None:
    """Child process: record `seconds` from the JACK device, save float32 samples to `path`."""
    recorder = Recorder(jack_device("input"))
    with recorder:
        time.sleep(seconds)
    np.save(path, recorder.samples())


if __name__ == "__main__":
    import sys

    record_to_file(float(sys.argv[1]), sys.argv[2])
