"""The virtual board's serial port: a raw pseudo-terminal behind a stable symlink.

A pty's slave path (/dev/pts/N) changes every time one is created, but a real board's port
comes back at the same path after a USB reset. So the emulator announces a symlink in its own
temp dir as the port, and re-points it (atomically) at each new pty. The emulator also keeps
the slave end open itself, so the master never sees EIO while no host is attached.

Writes wait for room up to a timeout: in ``--fast`` mode (backpressure, nothing lost) forever,
in real time only as long as a board's transmit queue would hold, after which the frame is
dropped and counted as a transmit overflow, as firmware would.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pty
import select
import termios
import time
import tty
from collections.abc import Callable
from pathlib import Path

from bench_app.core.device.port_owner import remove_port_owner, write_port_owner

#: Line speed the emulator leaves on a fresh pty; a host that opens the port changes it.
_UNOPENED_SPEED = termios.B50
#: Seconds between a host configuring the port and the board sending to it.
ATTACH_GRACE_S = 0.05


class PtyPort:
    """A raw pty pair whose slave is reachable through a stable symlink ``path``."""

    def __init__(self, link_path: str | os.PathLike,
                 give_up: Callable[[], bool] | None = None) -> None:
        """``give_up`` is asked while a write without a timeout waits for room: when it says
        True the write ends unfinished (e.g. the board is stopping or its host has died, and
        nobody will read the pty again)."""
        self.path = Path(link_path)
        self._give_up = give_up
        self.master = self.slave = -1
        self.up = False
        self._open()

    def _open(self) -> None:
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)
        attrs = termios.tcgetattr(self.slave)
        attrs[4] = attrs[5] = _UNOPENED_SPEED
        termios.tcsetattr(self.slave, termios.TCSANOW, attrs)
        self._attached = False
        self._configured_at: float | None = None
        self._rest: memoryview | None = None  # unwritten tail of a frame partly sent
        os.set_blocking(self.master, False)
        tmp = self.path.with_name(self.path.name + ".new")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        target = os.ttyname(self.slave)
        os.symlink(target, tmp)
        write_port_owner(self.path, target)  # before the link: a reader checks the owner
        os.replace(tmp, self.path)
        self.up = True

    def host_attached(self) -> bool:
        """Whether a host has opened the port since it (re)appeared.

        As a USB CDC board discards output until the host opens the port (pyserial flushes
        anything older on open anyway), the board sends nothing before this. A host is seen
        sends a byte, or `ATTACH_GRACE_S` after it reconfigured the terminal (pyserial sets a
        speed, ours is an unused one, and flushes the input right after: bytes sent in between
        would vanish uncounted).
        """
        if not self._attached and self.up:
            now = time.monotonic()
            if self._configured_at is None:
                if termios.tcgetattr(self.slave)[5] != _UNOPENED_SPEED:
                    self._configured_at = now
            elif now - self._configured_at >= ATTACH_GRACE_S:
                self._attached = True
        return self._attached

    def go_down(self) -> None:
        """Make the port disappear (the board's USB re-enumerates): pty closed, link removed."""
        if not self.up:
            return
        self.up = False
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        remove_port_owner(self.path)
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.master = self.slave = -1

    def come_up(self) -> None:
        """Bring the port back: a new pty, the same stable path."""
        if not self.up:
            self._open()

    def read(self) -> bytes:
        """Whatever the host has written (non-blocking; b"" if nothing or the port is down)."""
        if not self.up:
            return b""
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return b""
        except OSError as exc:
            if exc.errno == errno.EIO:
                return b""
            raise
        if data:
            self._attached = True
        return data

    def wait_readable(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for host bytes; False on timeout or when the port is down."""
        if not self.up:
            time.sleep(max(timeout, 0.0))
            return False
        r, _, _ = select.select([self.master], [], [], max(timeout, 0.0))
        return bool(r)

    def write(self, data: bytes, timeout: float | None) -> bool:
        """Write all of ``data``; False if the port is down or there was no room in time.

        A frame never goes out in part: if time runs out after part of it was written, the
        rest is kept and written first the next time (the frame counts as sent), and frames
        offered meanwhile are refused.
        """
        if not self.up:
            return False
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._rest and not self._push(self._rest, deadline):
            return False
        view = memoryview(data)
        if self._push(view, deadline):
            return True
        return self._rest is not None  # part of it is out: it will be completed

    def _push(self, view: memoryview, deadline: float | None) -> bool:
        """Write ``view`` until done or the deadline; keep an unfinished tail in ``_rest``."""
        total = len(view)
        while view:
            try:
                view = view[os.write(self.master, view) :]
                continue
            except BlockingIOError:
                pass
            except OSError:
                self._rest = None
                return False
            left = None if deadline is None else deadline - time.monotonic()
            if (left is not None and left <= 0) or (
                    left is None and self._give_up is not None and self._give_up()):
                self._rest = view if len(view) < total or self._rest else None
                return False
            select.select([], [self.master], [], 0.05 if left is None else min(left, 0.05))
        self._rest = None
        return True

    def close(self) -> None:
        """Close the pty and remove the symlink."""
        self.go_down()
