"""Streaming decoder: bytes in any chunking -> packets, counting every fault instead of raising.

The decoder hunts for the sync word with ``bytes.find``, checks the header CRC (so a corrupted
length is rejected at once), waits for the payload, checks the frame CRC and decodes. On any
failure it resumes the hunt one byte after the failed sync word, so an intact frame that
follows (or hides inside) a broken one is still found. It keeps at most one incomplete frame
between calls, so its memory is bounded by `MAX_FRAME` whatever it is fed.

A frame cut off by its sender (a header announcing 65,536 bytes, then a reset or silence) would
otherwise hold the decoder until that many more bytes arrive, making it deaf to every later
frame. So a frame whose bytes stop for longer than `FRAME_TIMEOUT_S` (the inter-byte timeout,
docs/protocol.md) is abandoned when the next bytes arrive: counted in `broken_frames` and
`timeouts`, its bytes re-scanned for intact frames, and the new bytes decoded normally. The
host's decoder and the virtual board's are this one class, so both sides behave alike.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bench_app.core.device.protocol.codec import (
    HEADER,
    HEADER_SIZE,
    MAX_PAYLOAD,
    MESSAGE_CLASSES,
    SYNC,
    U32,
    VERSION,
)
from bench_app.core.device.protocol.messages import Stream
from bench_app.core.errors import ProtocolError

#: Longest pause, in seconds, between two bytes of one frame before it is abandoned.
FRAME_TIMEOUT_S = 0.5

_SEQ_MOD = 1 << 32
_HALF = 1 << 31


@dataclass(frozen=True, slots=True)
class Packet:
    """One decoded frame: the message, its sequence number and the stream that number counts."""

    message: Any
    seq: int
    stream: Stream


@dataclass(slots=True)
class DecoderStats:
    """What the decoder saw. Every byte that did not become a packet is accounted for here.

    Attributes
    ----------
    bytes : bytes fed in.
    packets : frames decoded into messages.
    crc_errors : frames whose header or frame CRC failed.
    broken_frames : frames with a good CRC but an impossible shape (length over the cap, a
        payload shorter than its layout, a wrong protocol version), plus frames cut short at
        the end of the stream or by a pause longer than the frame timeout.
    timeouts : frames abandoned because their bytes stopped for longer than the timeout
        (also counted in ``broken_frames``).
    unknown_types : intact frames of a type this decoder does not know (skipped).
    resyncs : times the decoder lost sync and hunted for the next sync word.
    garbage_bytes : bytes thrown away while hunting.
    drops : per stream name, frames missing according to the sequence numbers.
    restarts : per stream name, times the sequence restarted at 0 (the board rebooted).
    stale : frames whose sequence number went backwards (duplicates, reordering).
    """

    bytes: int = 0
    packets: int = 0
    crc_errors: int = 0
    broken_frames: int = 0
    unknown_types: int = 0
    resyncs: int = 0
    garbage_bytes: int = 0
    drops: dict[str, int] = field(default_factory=dict)
    restarts: dict[str, int] = field(default_factory=dict)
    stale: int = 0
    timeouts: int = 0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return asdict(self)

    @property
    def total_drops(self) -> int:
        """Frames lost over all streams."""
        return sum(self.drops.values())


class Decoder:
    """Turn a byte stream (fed in chunks of any size) into `Packet`s.

    `feed` never raises: bad bytes are counted in `stats`. Call `flush` at the end of a stream
    to give up on a frame cut short (its bytes are re-scanned for intact frames).

    Parameters
    ----------
    frame_timeout_s : float or None
        Inter-byte timeout: an incomplete frame whose bytes paused longer than this is
        abandoned when the next bytes arrive (None: wait forever).
    clock : callable
        Monotonic seconds (a test passes its own).
    """

    def __init__(self, frame_timeout_s: float | None = FRAME_TIMEOUT_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stats = DecoderStats()
        self._timeout = frame_timeout_s
        self._clock = clock
        self._last_byte = 0.0
        self._rest = b""
        # While a long frame is incomplete, later chunks wait here (joined once it is whole)
        # instead of being copied onto `_rest` at every call.
        self._parts: list[bytes] = []
        self._have = 0
        self._need = 0
        self._last: dict[int, int] = {}
        self._hunting = False

    @property
    def buffered(self) -> int:
        """Bytes held back waiting for the rest of a frame (always <= `MAX_FRAME`)."""
        return self._have

    def reset_sequences(self) -> None:
        """Forget the last sequence numbers (after the link was reopened to a rebooted board)."""
        self._last.clear()

    def feed(self, data: bytes | bytearray | memoryview) -> list[Packet]:
        """Decode every complete frame in the bytes seen so far; keep the incomplete tail."""
        if self._timeout is not None and data:
            now = self._clock()
            stalled = self._have >= len(SYNC) and now - self._last_byte > self._timeout
            self._last_byte = now
            if stalled:  # the held frame's bytes stopped: give it up, then decode `data`
                self.stats.timeouts += 1
                return self.flush() + self.feed(data)
        stats = self.stats
        stats.bytes += len(data)
        if self._need and self._have + len(data) < self._need:
            self._parts.append(bytes(data))
            self._have += len(data)
            return []
        if self._parts:
            buf = b"".join((self._rest, *self._parts, data))
            self._parts = []
        else:
            buf = self._rest + bytes(data) if self._rest else bytes(data)
        self._need = 0
        n = len(buf)
        out: list[Packet] = []
        pos = 0
        find = buf.find
        unpack = HEADER.unpack_from
        crc32 = zlib.crc32
        classes = MESSAGE_CLASSES
        while True:
            i = find(SYNC, pos)
            if i < 0:
                keep = max(pos, n - (len(SYNC) - 1))
                while keep < n and not SYNC.startswith(buf[keep:]):
                    keep += 1
                self._skip(keep - pos)
                pos = keep
                break
            if i > pos:
                self._skip(i - pos)
                pos = i
            if n - pos < HEADER_SIZE:
                break
            _, version, mtype, _, seq, length, hcrc = unpack(buf, pos)
            if hcrc != crc32(buf[pos : pos + 16]):
                stats.crc_errors += 1
                pos = self._lost(pos)
                continue
            if version != VERSION or length > MAX_PAYLOAD:
                stats.broken_frames += 1
                pos = self._lost(pos)
                continue
            start = pos + HEADER_SIZE
            end = start + length
            if end + 4 > n:
                self._need = end + 4 - pos
                break
            if crc32(buf[start:end], crc32(buf[pos:start])) != U32.unpack_from(buf, end)[0]:
                stats.crc_errors += 1
                pos = self._lost(pos)
                continue
            pos = end + 4
            self._hunting = False
            cls = classes.get(mtype)
            if cls is None:
                stats.unknown_types += 1
                continue
            try:
                msg = cls.from_payload(buf, start, length)
            except (ProtocolError, ValueError, TypeError, OverflowError, RecursionError):
                # A payload this decoder cannot read (short, bad JSON, absurd numbers) is a
                # broken frame: counted, never raised.
                stats.broken_frames += 1
                continue
            stream = cls.STREAM
            self._track(stream, seq)
            stats.packets += 1
            out.append(Packet(msg, seq, stream))
        self._rest = buf[pos:]
        self._have = n - pos
        return out

    def flush(self) -> list[Packet]:
        """End of stream: drop a frame cut short, re-scan its bytes, return what they held."""
        self._need = 0  # no more bytes will come: look at what is held now
        out = self.feed(b"")
        while len(self._rest) >= len(SYNC):
            # The tail starts with a sync word whose frame never completed.
            self.stats.broken_frames += 1
            self._rest = self._rest[1:]
            self._hunting = True
            self.stats.resyncs += 1
            self._need = 0
            out.extend(self.feed(b""))
        if self._rest:
            self._skip(len(self._rest))
        self._rest, self._have, self._need = b"", 0, 0
        return out

    # ------------------------------------------------------------------ internals

    def _lost(self, pos: int) -> int:
        """A candidate frame at `pos` failed: start hunting one byte further on."""
        self._skip(1)
        return pos + 1

    def _skip(self, count: int) -> None:
        if count <= 0:
            return
        self.stats.garbage_bytes += count
        if not self._hunting:
            self._hunting = True
            self.stats.resyncs += 1

    def _track(self, stream: Stream, seq: int) -> None:
        last = self._last.get(stream)
        self._last[stream] = seq
        if last is None:
            return
        gap = (seq - last - 1) % _SEQ_MOD
        if gap == 0:
            return
        if seq == 0:
            restarts = self.stats.restarts
            restarts[stream.name.lower()] = restarts.get(stream.name.lower(), 0) + 1
        elif gap < _HALF:
            drops = self.stats.drops
            drops[stream.name.lower()] = drops.get(stream.name.lower(), 0) + gap
        else:
            self.stats.stale += 1
            self._last[stream] = last
