"""The board protocol's enums and control messages, one frozen dataclass per message type.

Each class carries its type number (``TYPE``) and the stream its sequence numbers count on
(``STREAM``); ``payload()`` packs it and ``from_payload(buf, offset, length)`` reads it back from
a larger buffer without slicing it. Every layout is little-endian and documented in
docs/protocol.md. A reader ignores payload bytes past the layout it knows, so a later minor
version may append fields; a payload shorter than its layout raises `ProtocolError`.
"""

from __future__ import annotations

import enum
import json
import struct
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

import numpy as np

from bench_app.core.errors import ProtocolError

#: Version of the INFO JSON document this module writes.
INFO_VERSION = 1


class Stream(enum.IntEnum):
    """Sequence-number domains; each sender keeps one counter per stream."""

    CONTROL = 0
    FRAMES = 1
    PCM = 2
    RESULTS = 3
    INJECT = 4


#: Streams a host may START and STOP (bit ``1 << stream`` of the mask).
STARTABLE: tuple[Stream, ...] = (Stream.FRAMES, Stream.PCM, Stream.RESULTS)


class MsgType(enum.IntEnum):
    """Message type numbers (see docs/protocol.md for the reserved ranges)."""

    HELLO = 0x01
    INFO = 0x02
    START = 0x03
    STOP = 0x04
    ACK = 0x05
    NAK = 0x06
    HEARTBEAT = 0x07
    LOG = 0x08
    ERROR = 0x09
    FRAME = 0x20
    PCM = 0x21
    RESULT = 0x22
    INJECT_PCM = 0x40


class ErrorCode(enum.IntEnum):
    """Codes carried by NAK and ERROR."""

    GENERIC = 1
    UNSUPPORTED = 2
    BAD_REQUEST = 3
    BUSY = 4
    SEQ_GAP = 5
    NO_MODEL = 6
    AUDIO_OVERRUN = 7
    INTERNAL = 8


class LogLevel(enum.IntEnum):
    """Severity of a LOG message."""

    DEBUG = 0
    INFO = 1
    WARNING = 2
    ERROR = 3


class PcmSource(enum.IntEnum):
    """Where the samples of a PCM message entered the board."""

    MICROPHONE = 0
    INJECTED = 1
    SPEAKER = 2


def need_bytes(length: int, size: int, name: str) -> None:
    if length < size:
        raise ProtocolError(f"A {name} payload of {length} bytes is shorter than its {size}.")


def array_fields_equal(a: Any, b: Any) -> bool:
    """Field-by-field equality that compares numpy arrays by dtype and content."""
    if type(a) is not type(b):
        return NotImplemented
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            x, y = np.asarray(x), np.asarray(y)
            if x.dtype != y.dtype or not np.array_equal(x, y):
                return False
        elif x != y:
            return False
    return True


def _text(buf: bytes, off: int, n: int) -> str:
    return bytes(buf[off : off + n]).decode("utf-8", errors="replace")


def _mask(streams: frozenset[Stream]) -> int:
    return sum(1 << int(s) for s in streams)


def _streams(mask: int) -> frozenset[Stream]:
    return frozenset(s for s in STARTABLE if mask & (1 << int(s)))


# --------------------------------------------------------------------------- control


@dataclass(frozen=True, slots=True)
class Hello:
    """Host -> board: ask for INFO. Empty payload in version 1."""

    TYPE: ClassVar[int] = MsgType.HELLO
    STREAM: ClassVar[Stream] = Stream.CONTROL

    def payload(self) -> bytes:
        return b""

    @classmethod
    def from_payload(cls, buf: bytes, off: int, n: int) -> Hello:
        return cls()


_INFO_KEYS = (
    "info_version",
    "protocol_version",
    "board",
    "firmware_version",
    "model_sha256",
    "sample_rate_hz",
    "cpu_clock_hz",
    "capabilities",
    "frontend",
    "inject",
    "model",
    "clock_speed",
)


@dataclass(frozen=True, slots=True)
class Info:
    """Board -> host: who the board is, as one UTF-8 JSON object (see docs/protocol.md).

    Keys this class does not know are kept in `extra` (for example the virtual speaker's
    socket address), so newer firmware never loses information on an older host.
    ``model_window_frames`` / ``model_hop_frames`` (INFO ``model``: the model's input window
    and the hop between inferences, in front-end frames) are 0 when the board does not state
    them; ``clock_speed`` is how fast the board's sample clock runs against real time (1 for
    a real board; a virtual board may say a larger number or ``"fast"``, unpaced).
    """

    TYPE: ClassVar[int] = MsgType.INFO
    STREAM: ClassVar[Stream] = Stream.CONTROL

    firmware_version: str
    board: str = "coral-dev-board-micro"
    model_sha256: str | None = None
    sample_rate_hz: int = 16000
    cpu_clock_hz: int = 0
    capabilities: tuple[str, ...] = ()
    frontend: dict[str, Any] = field(default_factory=dict)
    inject_window: int = 8
    inject_max_samples: int = 4096
    protocol_version: int = 1
    model_window_frames: int = 0
    model_hop_frames: int = 0
    clock_speed: float | str = 1
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The INFO document as a JSON-ready dict."""
        doc: dict[str, Any] = {
            "info_version": INFO_VERSION,
            "protocol_version": self.protocol_version,
            "board": self.board,
            "firmware_version": self.firmware_version,
            "model_sha256": self.model_sha256,
            "sample_rate_hz": self.sample_rate_hz,
            "cpu_clock_hz": self.cpu_clock_hz,
            "capabilities": list(self.capabilities),
            "frontend": dict(self.frontend),
            "inject": {"window": self.inject_window, "max_chunk_samples": self.inject_max_samples},
        }
        if self.model_window_frames or self.model_hop_frames:
            doc["model"] = {"window_frames": self.model_window_frames,
                            "hop_frames": self.model_hop_frames}
        if self.clock_speed != 1:
            doc["clock_speed"] = self.clock_speed
        for key, value in self.extra.items():
            doc.setdefault(key, value)
        return doc

    def payload(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True).encode()

    @classmethod
    def from_dict(cls, doc: Any) -> Info:
        """Build from a parsed INFO document; raise `ProtocolError` on a wrong shape."""
        if not isinstance(doc, dict):
            raise ProtocolError("The INFO payload is not a JSON object.")
        _check_info_ranges(doc)
        try:
            inject = doc.get("inject") or {}
            model = doc.get("model_sha256")
            shape = doc.get("model") or {}
            speed = doc.get("clock_speed", 1)
            return cls(
                firmware_version=str(doc.get("firmware_version", "")),
                board=str(doc.get("board", "")),
                model_sha256=None if model is None else str(model),
                sample_rate_hz=int(doc.get("sample_rate_hz", 0)),
                cpu_clock_hz=int(doc.get("cpu_clock_hz", 0)),
                capabilities=tuple(str(c) for c in doc.get("capabilities", ())),
                frontend=dict(doc.get("frontend") or {}),
                inject_window=int(inject.get("window", 8)),
                inject_max_samples=int(inject.get("max_chunk_samples", 4096)),
                protocol_version=int(doc.get("protocol_version", 1)),
                model_window_frames=int(shape.get("window_frames") or 0),
                model_hop_frames=int(shape.get("hop_frames") or 0),
                clock_speed=speed if speed == "fast" else float(speed),
                extra={k: v for k, v in doc.items() if k not in _INFO_KEYS},
            )
        except (TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise ProtocolError(f"The INFO document has a field of the wrong type ({exc}).") \
                from None

    @classmethod
    def from_payload(cls, buf: bytes, off: int, n: int) -> Info:
        try:
            doc = json.loads(bytes(buf[off : off + n]).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ProtocolError("The INFO payload is not UTF-8 JSON.") from None
        return cls.from_dict(doc)


#: INFO numbers every later computation divides by or sizes buffers with, and their ranges.
_INFO_RANGES = {"sample_rate_hz": (1, 384_000)}


def _check_info_ranges(doc: dict[str, Any]) -> None:
    """Refuse an INFO whose rate (or other divisor) is out of range, before anything uses it."""
    for key, (lo, hi) in _INFO_RANGES.items():
        value = doc.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise ProtocolError(f"The board announced {key} {value!r}; it must be a whole "
                                f"number from {lo} to {hi}.")


_MASK = struct.Struct("<I")


def _mask_payload(self) -> bytes:
    return _MASK.pack(_mask(self.streams))


def _mask_from_payload(cls, buf: bytes, off: int, n: int):
    need_bytes(n, 4, cls.__name__.upper())
    return cls(_streams(_MASK.unpack_from(buf, off)[0]))


@dataclass(frozen=True, slots=True)
class Start:
    """Host -> board: start the given streams (a u32 bit mask, bit ``1 << stream``)."""

    TYPE: ClassVar[int] = MsgType.START
    STREAM: ClassVar[Stream] = Stream.CONTROL

    streams: frozenset[Stream]

    payload = _mask_payload
    from_payload = classmethod(_mask_from_payload)


@dataclass(frozen=True, slots=True)
class Stop:
    """Host -> board: stop the given streams (same mask as START)."""

    TYPE: ClassVar[int] = MsgType.STOP
    STREAM: ClassVar[Stream] = Stream.CONTROL

    streams: frozenset[Stream]

    payload = _mask_payload
    from_payload = classmethod(_mask_from_payload)


_ACK = struct.Struct("<BBHIIQ")


@dataclass(frozen=True, slots=True)
class Ack:
    """Either way: a request was accepted.

    For INJECT_PCM, `acked_seq` is cumulative (every chunk up to it arrived), `credit` is the
    number of free samples in the board's inject buffer and `value` the board sample index at
    which the acknowledged chunk's first sample enters the front end.
    """

    TYPE: ClassVar[int] = MsgType.ACK
    STREAM: ClassVar[Stream] = Stream.CONTROL

    acked_type: int
    acked_seq: int
    credit: int = 0
    value: int = 0

    def payload(self) -> bytes:
        return _ACK.pack(self.acked_type, 0, 0, self.acked_seq, self.credit, self.value)

    @classmethod
    def from_payload(cls, buf: bytes, off: int, n: int) -> Ack:
        need_bytes(n, _ACK.size, "ACK")
        t, _, _, seq, credit, value = _ACK.unpack_from(buf, off)
        return cls(t, seq, credit, value)


_NAK = struct.Struct("<BBHII")


@dataclass(frozen=True, slots=True)
class Nak:
    """Either way: a request was refused; `code` says why, `value` depends on the code.

    For ``SEQ_GAP`` on INJECT_PCM, `value` is the sequence number the board expects next.
    """

    TYPE: ClassVar[int] = MsgType.NAK
    STREAM: ClassVar[Stream] = Stream.CONTROL

    acked_type: int
    acked_seq: int
    code: int
    value: int = 0
    reason: str = ""

    def payload(self) -> bytes:
        head = _NAK.pack(self.acked_type, 0, self.code, self.acked_seq, self.value)
        return head + self.reason.encode()

    @classmethod
    def from_payload(cls, buf: bytes, off: int, n: int) -> Nak:
        need_bytes(n, _NAK.size, "NAK")
        t, _, code, seq, value = _NAK.unpack_from(buf, off)
        return cls(t, seq, code, value, _text(buf, off + _NAK.size, n - _NAK.size))


_HEARTBEAT = struct.Struct("<QII")


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """Board -> host every 500 ms: uptime, and losses the board itself saw."""

    TYPE: ClassVar[int] = MsgType.HEARTBEAT
    STREAM: ClassVar[Stream] = Stream.CONTROL

    uptime_us: int
    audio_overruns: int = 0
    tx_overflows: int = 0

    def payload(self) -> bytes:
        return _HEARTBEAT.pack(self.uptime_us, self.audio_overruns, self.tx_overflows)

    @classmethod
    def from_payload(cls, buf: bytes, off: int, n: int) -> Heartbeat:
        need_bytes(n, _HEARTBEAT.size, "HEARTBEAT")
        return cls(*_HEARTBEAT.unpack_from(buf, off))


_LOG = struct.Struct("<BBHQ")


@dataclass(frozen=True, slots=True)
class Log:
    """Board -> host: a line of firmware log text."""

    TYPE: ClassVar[int] = MsgType.LOG
    STREAM: ClassVar[Stream] = Stream.CONTROL

    level: int
    timestamp_us: int
    text: str

    def payload(self) -> bytes:
        return _LOG.pack(self.level, 0, 0, self.timestamp_us) + self.text.encode()

    @classmethod
    def from_payload(cls, buf: bytes, off: int, n: int) -> Log:
        need_bytes(n, _LOG.size, "LOG")
        level, _, _, ts = _LOG.unpack_from(buf, off)
        return cls(level, ts, _text(buf, off + _LOG.size, n - _LOG.size))


_ERROR = struct.Struct("<HHQ")


@dataclass(frozen=True, slots=True)
class ErrorReport:
    """Board -> host: something went wrong on the board (the ERROR message)."""

    TYPE: ClassVar[int] = MsgType.ERROR
    STREAM: ClassVar[Stream] = Stream.CONTROL

    code: int
    timestamp_us: int
    text: str

    def payload(self) -> bytes:
        return _ERROR.pack(self.code, 0, self.timestamp_us) + self.text.encode()

    @classmethod
    def from_payload(cls, buf: bytes, off: int, n: int) -> ErrorReport:
        need_bytes(n, _ERROR.size, "ERROR")
        code, _, ts = _ERROR.unpack_from(buf, off)
        return cls(code, ts, _text(buf, off + _ERROR.size, n - _ERROR.size))
