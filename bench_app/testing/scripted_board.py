"""A scripted fake board on a real pty pair: the harness of the link and client tests.

Like PyMeasure's ``expected_protocol``: the fake board is given the exchange it expects (each
host message, and what to answer), fails the test on any unexpected message, and
`ScriptedBoard.assert_done` checks every scripted step was used. It can also stream unsolicited
bytes (frames, garbage) and make its port vanish and come back at the same path, as a board
resetting over USB would. Its own tests are in tests/device/test_scripted_board.py; a
firmware author can script the exchange they expect from a board the same way.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import tempfile
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_app.core.device.protocol import Decoder, Packet, Stream, encode

Reply = Any  # a message, raw bytes, or a callable(packet) -> list of those


@dataclass
class Step:
    """One scripted exchange: the host message expected (instance or class) and the replies."""

    expect: Any
    replies: list[Reply] | Callable[[Packet], list[Reply]] = field(default_factory=list)


class ScriptedBoard:
    """A fake board behind a stable symlink to a raw pty slave."""

    def __init__(self, script: list[Step] | None = None, *, lenient: Callable | None = None):
        self.script = list(script or [])
        self.pos = 0
        self.errors: list[str] = []
        self.received: list[Packet] = []
        self.lenient = lenient  # packets it accepts: handled by this callable, not the script
        self._dir = tempfile.TemporaryDirectory(prefix="fakeboard-")
        self.path = str(Path(self._dir.name) / "board")
        self._seq: dict[Stream, int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._decoder = Decoder()
        self.master = self.slave = -1
        self._open()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ port

    def _open(self) -> None:
        master, slave = pty.openpty()
        tty.setraw(slave)
        tmp = self.path + ".new"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        os.symlink(os.ttyname(slave), tmp)
        os.replace(tmp, self.path)
        self.master, self.slave = master, slave

    def vanish(self) -> None:
        """The port disappears: pty closed, path removed."""
        with self._lock:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
            for fd in (self.master, self.slave):
                with contextlib.suppress(OSError):
                    os.close(fd)
            self.master = self.slave = -1
            self._decoder = Decoder()

    def come_back(self) -> None:
        """The port reappears at the same path (a new pty)."""
        with self._lock:
            self._open()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.vanish()
        self._dir.cleanup()

    def __enter__(self) -> ScriptedBoard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ sending

    def frame_bytes(self, msg: Any, seq: int | None = None) -> bytes:
        """Encode `msg` with the board's next sequence number on its stream (or `seq`)."""
        stream = type(msg).STREAM
        if seq is None:
            seq = self._seq.get(stream, 0)
        self._seq[stream] = seq + 1
        return encode(msg, seq)

    def send(self, *items: Any) -> None:
        """Write messages (encoded with board sequence numbers) and raw bytes, in order."""
        data = b"".join(
            i if isinstance(i, bytes | bytearray) else self.frame_bytes(i) for i in items
        )
        with self._lock:
            fd = self.master
        view = memoryview(data)
        while view and fd >= 0:
            _, w, _ = select.select([], [fd], [], 1.0)
            if w:
                view = view[os.write(fd, view) :]

    # ------------------------------------------------------------------ serving

    def _serve(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                fd = self.master
            if fd < 0:
                time.sleep(0.01)
                continue
            try:
                r, _, _ = select.select([fd], [], [], 0.02)
                data = os.read(fd, 65536) if r else b""
            except OSError:
                time.sleep(0.01)
                continue
            for packet in self._decoder.feed(data):
                self.received.append(packet)
                try:
                    self._handle(packet)
                except Exception as exc:  # surfaced by assert_done
                    self.errors.append(f"board failed on {packet}: {exc!r}")

    def _handle(self, packet: Packet) -> None:
        if self.lenient is not None:
            replies = self.lenient(self, packet)
            if replies is not None:
                self.send(*replies)
                return
        if self.pos >= len(self.script):
            self.errors.append(f"unexpected {packet.message!r} after the script ended")
            return
        step = self.script[self.pos]
        want = step.expect
        ok = isinstance(packet.message, want) if isinstance(want, type) else packet.message == want
        if not ok:
            self.errors.append(f"step {self.pos}: expected {want!r}, got {packet.message!r}")
            return
        self.pos += 1
        replies = step.replies(packet) if callable(step.replies) else step.replies
        self.send(*replies)

    def assert_done(self) -> None:
        """Every scripted step was used and nothing unexpected arrived."""
        assert not self.errors, self.errors
        assert self.pos == len(self.script), f"unused script steps: {self.script[self.pos :]}"


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# ---------------------------------------------------------------------- the harness itself
