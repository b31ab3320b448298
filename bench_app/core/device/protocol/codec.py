"""Frame layout of the board protocol: sync word, header, payload, CRC-32 (docs/protocol.md).

A frame is::

    offset  size  field
    0       4     sync word A5 5A C3 3C
    4       1     protocol version (1)
    5       1     message type
    6       2     flags (reserved, 0)
    8       4     sequence number (per sender and stream)
    12      4     payload length N (0 .. MAX_PAYLOAD)
    16      4     header CRC-32 of bytes 0..15
    20      N     payload
    20+N    4     frame CRC-32 of bytes 0..20+N-1 (header with its CRC, and payload)

All integers little-endian; CRC-32 is zlib's (IEEE 802.3, reflected, init and xorout
0xFFFFFFFF; check value 0xCBF43926 for b"123456789"). The header has its own CRC so a receiver
rejects a corrupted length at once instead of waiting for bytes that will never form a frame.
The frame CRC covers the header too: were it over the payload alone, a frame cut right after
its header followed by any other frame would pass (that frame's first 16 bytes and its header
CRC form a valid 16-byte "payload" and CRC), which the fuzz tests found.
"""

from __future__ import annotations

import struct
import zlib

from bench_app.core.device.protocol.data import Frame, InjectPcm, Pcm, Result
from bench_app.core.device.protocol.messages import (
    Ack,
    ErrorReport,
    Heartbeat,
    Hello,
    Info,
    Log,
    Nak,
    Start,
    Stop,
)
from bench_app.core.errors import ProtocolError

SYNC = b"\xa5\x5a\xc3\x3c"
VERSION = 1
#: Largest payload a frame may carry; a length field above it marks a broken frame.
MAX_PAYLOAD = 65536
HEADER_SIZE = 20
CRC_SIZE = 4
#: Largest frame on the wire (header + largest payload + CRC).
MAX_FRAME = HEADER_SIZE + MAX_PAYLOAD + CRC_SIZE

#: The CRC-covered part of the header: sync, version, type, flags, seq, length.
HEAD = struct.Struct("<4sBBHII")
#: The whole header including its CRC.
HEADER = struct.Struct("<4sBBHIII")
U32 = struct.Struct("<I")

Message = (
    Hello | Info | Start | Stop | Ack | Nak | Heartbeat | Log | ErrorReport
    | Frame | Pcm | Result | InjectPcm
)  # fmt: skip

#: Type number -> message class, for the decoder.
MESSAGE_CLASSES: dict[int, type] = {
    cls.TYPE: cls
    for cls in (Hello, Info, Start, Stop, Ack, Nak, Heartbeat, Log, ErrorReport,
                Frame, Pcm, Result, InjectPcm)  # fmt: skip
}


def encode_raw(msg_type: int, payload: bytes, seq: int, version: int = VERSION) -> bytes:
    """Frame any payload under any type number (tests use it for unknown types)."""
    if len(payload) > MAX_PAYLOAD:
        raise ProtocolError(
            f"A payload of {len(payload)} bytes is over the protocol's {MAX_PAYLOAD}-byte limit."
        )
    if not 0 <= msg_type <= 0xFF:
        raise ProtocolError(f"Message type {msg_type} does not fit in one byte.")
    head = HEAD.pack(SYNC, version, msg_type, 0, seq & 0xFFFFFFFF, len(payload))
    header = head + U32.pack(zlib.crc32(head))
    return b"".join((header, payload, U32.pack(zlib.crc32(payload, zlib.crc32(header)))))


def encode(msg: Message, seq: int) -> bytes:
    """Encode one message as a complete frame with sequence number `seq` (mod 2**32).

    Raises
    ------
    ProtocolError
        If the message does not fit in a frame (payload over `MAX_PAYLOAD`, a field out of
        range).
    """
    try:
        payload = msg.payload()
    except (struct.error, OverflowError, ValueError) as exc:
        raise ProtocolError(
            f"The {type(msg).__name__} message has a field out of range ({exc})."
        ) from None
    return encode_raw(int(msg.TYPE), payload, seq)
