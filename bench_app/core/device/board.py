"""`Board`: what a procedure may ask of any board, as a `typing.Protocol` (no base class).

A run talks to a board only through these calls, so anything that has them can stand in:
`BoardClient` (a real board on USB, or the virtual board behind a pty, over any pyserial URL),
a future TCP client for the Coral Micro's USB-Ethernet link, or a test double. Procedures get
a `BoardSession` (bench_app/core/runs/procedures/board_io) holding one of these and its INFO;
they never reach past it (ophyd's ``protocols.py`` states device contracts the same way).

The calls (docs/protocol.md has the messages behind them):

- ``info()``: HELLO -> INFO (`Info`: rate, front end ``fe.*``, capabilities, the model's
  window and hop, clock speed);
- ``start(streams)`` / ``stop(streams)``: FRAMES, PCM, RESULTS (`Stream`);
- ``inject(pcm, tag=...)``: INJECT_PCM, flow-controlled, returns an `InjectReport` (where the
  clip entered the board's front end);
- ``frames`` / ``pcm`` / ``results(timeout)``: iterators that yield as messages arrive and end
  after ``timeout`` s without one; ``drain(stream)``: what has queued, without waiting;
- ``stats``: link counters (``as_dict()`` is stored with a run); ``connected`` and ``url``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from bench_app.core.device.protocol import Frame, Info, Pcm, Result, Stream
    from bench_app.core.device.protocol.inject import InjectReport


class LinkCounters(Protocol):
    """Link statistics a run stores (`bench_app.core.device.client.LinkStats` is one)."""

    def as_dict(self) -> dict[str, Any]:
        """The counters as a JSON-ready dict."""
        ...


@runtime_checkable
class Board(Protocol):
    """A connected board, real or virtual (see the module docstring)."""

    url: str

    @property
    def connected(self) -> bool:
        """True while the link is up (False while it reconnects)."""
        ...

    @property
    def stats(self) -> LinkCounters:
        """Link counters (bytes, messages, CRC errors, drops...)."""
        ...

    def info(self, timeout: float | None = None) -> Info:
        """Ask the board who it is (HELLO -> INFO)."""
        ...

    def start(self, streams: Iterable[Stream], timeout: float | None = None) -> None:
        """Start streams; raise `DeviceError` if the board refuses."""
        ...

    def stop(self, streams: Iterable[Stream], timeout: float | None = None) -> None:
        """Stop streams; what they sent before stays queued."""
        ...

    def inject(self, pcm: np.ndarray, *, tag: int = 1, chunk_samples: int | None = None,
               end_of_clip: bool = True, timeout: float | None = None) -> InjectReport:  # fmt: skip
        """Send int16 audio to the board's front end; block until the board has taken it."""
        ...

    def frames(self, timeout: float = 1.0) -> Iterator[Frame]:
        """Yield FRAMEs as they arrive; stop after ``timeout`` s without one."""
        ...

    def pcm(self, timeout: float = 1.0) -> Iterator[Pcm]:
        """Yield PCM chunks as they arrive; stop after ``timeout`` s without one."""
        ...

    def results(self, timeout: float = 1.0) -> Iterator[Result]:
        """Yield RESULTs as they arrive; stop after ``timeout`` s without one."""
        ...

    def drain(self, stream: Stream) -> list:
        """Everything queued on ``stream`` (FRAMES, PCM or RESULTS), without waiting."""
        ...
