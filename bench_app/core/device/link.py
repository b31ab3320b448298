"""A byte pipe to the board over pyserial's ``serial_for_url``, with a reader thread and reconnect.

The URL is anything pyserial opens: a tty path (``/dev/ttyACM0``, a pty, the virtual board's
stable symlink), ``socket://host:port`` (the board's USB-Ethernet), ``loop://``. A reader thread
hands every chunk of received bytes to a callback. When the port vanishes (USB unplug, board
reset, the pty closing), the reader notices, counts it, and reopens the same URL with backoff
until it is back or the link is closed; meanwhile `write` fails at once with a `LinkError`
sentence, and nothing ever blocks longer than its timeout.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import serial

from bench_app.core.device.port_owner import check_port_owner
from bench_app.core.errors import LinkError

log = logging.getLogger(__name__)

#: Reconnect backoff: first wait, doubling up to the maximum (docs/protocol.md 6.4).
BACKOFF_START_S = 0.05
BACKOFF_MAX_S = 1.0


@dataclass(slots=True)
class LinkCounters:
    """Byte and connection counts of one `SerialLink`."""

    bytes_in: int = 0
    bytes_out: int = 0
    disconnects: int = 0
    reconnect_attempts: int = 0
    reconnects: int = 0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return asdict(self)


def check_socket_url(url: str) -> None:
    """Refuse a ``socket://`` URL without a host and a port (1..65535) in one sentence.

    pyserial itself fails on ``socket://127.0.0.1`` with a comparison of int and None.
    """
    from urllib.parse import urlsplit

    if not url.lower().startswith("socket://"):
        return
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number, or out of range
        host = port = None
    if not host or not port:
        raise LinkError(f"The board link {url!r} needs a host and a port from 1 to 65535, "
                        "as socket://HOST:PORT (e.g. socket://10.10.10.1:33000).")


def _open_port(url: str, read_timeout: float, write_timeout: float, baudrate: int):
    check_socket_url(url)
    check_port_owner(url)  # a dead virtual board's link is never followed to another pty
    return serial.serial_for_url(
        url, baudrate=baudrate, timeout=read_timeout, write_timeout=write_timeout
    )


class SerialLink:
    """One board connection: a reader thread feeding `on_data`, a locked `write`, reconnect.

    Parameters
    ----------
    url : str
        Anything ``serial.serial_for_url`` opens.
    on_data : callable
        Called from the reader thread with each chunk of received bytes.
    on_state : callable, optional
        Called from the reader thread with True when the port (re)opens and False when it
        vanishes, so the owner can flush partial frames.
    read_timeout, write_timeout : float
        Seconds one read waits for bytes (bounds how fast `close` returns) and one write waits
        for room (a board that stopped reading makes `write` fail after this long).
    reconnect : bool
        Reopen the same URL when the port vanishes (default), or stay down.
    """

    def __init__(
        self,
        url: str,
        on_data: Callable[[bytes], None],
        *,
        on_state: Callable[[bool], None] | None = None,
        read_timeout: float = 0.05,
        write_timeout: float = 2.0,
        baudrate: int = 115200,
        reconnect: bool = True,
    ) -> None:
        self.url = url
        self.counters = LinkCounters()
        self._on_data = on_data
        self._on_state = on_state
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._baudrate = baudrate
        self._reconnect = reconnect
        # Network handlers (rfc2217://...) report in_waiting as 0/1: read in chunks.
        self._chunked = "://" in url and not url.startswith("loop://")
        self._port: Any = None
        self._write_lock = threading.Lock()
        self._up = threading.Event()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error = ""

    # ------------------------------------------------------------------ lifecycle

    def open(self) -> SerialLink:
        """Open the port and start the reader; raise `LinkError` if it cannot be opened."""
        try:
            self._port = _open_port(
                self.url, self._read_timeout, self._write_timeout, self._baudrate
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise LinkError(f"Cannot open the board link {self.url!r}: {_reason(exc)}.") from None
        self._up.set()
        self._thread = threading.Thread(target=self._run, name=f"link {self.url}", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop the reader and close the port (idempotent)."""
        self._closed.set()
        port = self._port
        if port is not None and hasattr(port, "cancel_read"):
            with contextlib.suppress(serial.SerialException, OSError):
                port.cancel_read()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)
        self._drop_port()

    @property
    def connected(self) -> bool:
        """True while the port is open."""
        return self._up.is_set()

    @property
    def closed(self) -> bool:
        """True once `close` was called."""
        return self._closed.is_set()

    def wait_connected(self, timeout: float) -> bool:
        """Wait up to `timeout` s for the port to be open; return whether it is."""
        return self._up.wait(timeout)

    # ------------------------------------------------------------------ I/O

    def write(self, data: bytes) -> None:
        """Write all of `data`; raise `LinkError` if the link is down or the write fails."""
        with self._write_lock:
            port = self._port
            if port is None or not self._up.is_set():
                why = "it was closed" if self.closed else "the port vanished; reconnecting"
                raise LinkError(f"Cannot write to the board at {self.url!r}: {why}.")
            try:
                port.write(data)
            except serial.SerialTimeoutException:
                raise LinkError(
                    f"Writing to the board at {self.url!r} timed out after "
                    f"{self._write_timeout:g} s: the board is not reading."
                ) from None
            except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
                # TypeError/AttributeError: pyserial's handlers after the fd was closed.
                self._lost(exc)
                raise LinkError(
                    f"Writing to the board at {self.url!r} failed: {_reason(exc)}."
                ) from None
            self.counters.bytes_out += len(data)

    # ------------------------------------------------------------------ reader thread

    def _run(self) -> None:
        backoff = BACKOFF_START_S
        while not self._closed.is_set():
            port = self._port
            if port is None:
                if not self._reconnect or self._closed.wait(backoff):
                    if not self._reconnect:
                        return
                    continue
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                self._try_reopen()
                if self._port is not None:
                    backoff = BACKOFF_START_S
                continue
            try:
                data = self._read(port)
            except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
                if not self._closed.is_set():
                    self._lost(exc)
                continue
            if data:
                self.counters.bytes_in += len(data)
                try:
                    self._on_data(data)
                except Exception:  # a consumer bug must not kill the link
                    log.exception("board link consumer failed on %d bytes", len(data))

    def _read(self, port) -> bytes:
        sock = getattr(port, "_socket", None)
        if sock is not None:
            # socket://: pyserial's read() drops the bytes it already got when the peer closes
            # in the same call, so receive from its socket directly.
            ready, _, _ = select.select([sock], [], [], self._read_timeout)
            if not ready:
                return b""
            data = sock.recv(65536)
            if not data:
                raise serial.SerialException("the board closed the connection")
            return data
        if self._chunked:
            return port.read(65536)
        waiting = port.in_waiting
        data = port.read(waiting if waiting > 0 else 1)
        if data:
            waiting = port.in_waiting
            if waiting:
                data += port.read(waiting)
        return data

    def _try_reopen(self) -> None:
        self.counters.reconnect_attempts += 1
        try:
            port = _open_port(self.url, self._read_timeout, self._write_timeout, self._baudrate)
        except (serial.SerialException, OSError, ValueError, LinkError) as exc:
            self.last_error = _reason(exc)
            return
        with self._write_lock:
            self._port = port
        self.counters.reconnects += 1
        self._up.set()
        log.info("board link %s reopened", self.url)
        self._notify(True)

    def _lost(self, exc: BaseException) -> None:
        """The port vanished: close it, count it, tell the owner (reader thread reopens)."""
        if not self._up.is_set():
            return
        self._up.clear()  # first, so nobody sees "connected" on a port being closed
        self.last_error = _reason(exc)
        self.counters.disconnects += 1
        log.info("board link %s lost: %s", self.url, self.last_error)
        self._drop_port()
        self._notify(False)

    def _drop_port(self) -> None:
        self._up.clear()
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                port.close()

    def _notify(self, up: bool) -> None:
        if self._on_state is not None:
            try:
                self._on_state(up)
            except Exception:
                log.exception("board link state callback failed")


def _reason(exc: BaseException) -> str:
    """One short phrase from a pyserial / OS exception ("No such file or directory")."""
    code = getattr(exc, "errno", None)
    if isinstance(code, int) and code > 0:
        return os.strerror(code)
    text = str(exc).strip().rstrip(".") or type(exc).__name__
    return text.splitlines()[0]

