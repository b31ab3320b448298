"""The board protocol as pure functions: messages <-> bytes, no I/O (docs/protocol.md).

``encode(msg, seq)`` makes one frame; `Decoder` turns a byte stream into `Packet`s and counts
what it could not decode.
"""

from bench_app.core.device.protocol.codec import (
    HEADER_SIZE,
    MAX_FRAME,
    MAX_PAYLOAD,
    SYNC,
    VERSION,
    encode,
    encode_raw,
)
from bench_app.core.device.protocol.decoder import Decoder, DecoderStats, Packet
from bench_app.core.device.protocol.messages import (
    END_OF_CLIP,
    INFO_VERSION,
    MESSAGE_CLASSES,
    STARTABLE,
    Ack,
    ErrorCode,
    ErrorReport,
    Frame,
    Heartbeat,
    Hello,
    Info,
    InjectPcm,
    Log,
    LogLevel,
    Message,
    MsgType,
    Nak,
    Pcm,
    PcmSource,
    Result,
    Start,
    Stop,
    Stream,
)

__all__ = [
    "END_OF_CLIP", "HEADER_SIZE", "INFO_VERSION", "MAX_FRAME", "MAX_PAYLOAD", "MESSAGE_CLASSES",
    "STARTABLE", "SYNC", "VERSION", "Ack", "Decoder", "DecoderStats", "ErrorCode", "ErrorReport",
    "Frame", "Heartbeat", "Hello", "Info", "InjectPcm", "Log", "LogLevel", "Message", "MsgType",
    "Nak", "Packet", "Pcm", "PcmSource", "Result", "Start", "Stop", "Stream", "encode",
    "encode_raw",
]  # fmt: skip
