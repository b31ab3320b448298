"""The board protocol as pure functions: messages <-> bytes, no I/O (docs/protocol.md).

``encode(msg, seq)`` makes one frame; `Decoder` turns a byte stream into `Packet`s and counts
what it could not decode.
"""

from bench_app.core.device.protocol.codec import (
    HEADER_SIZE,
    MAX_FRAME,
    MAX_PAYLOAD,
    MESSAGE_CLASSES,
    SYNC,
    VERSION,
    Message,
    encode,
    encode_raw,
)
from bench_app.core.device.protocol.data import END_OF_CLIP, Frame, InjectPcm, Pcm, Result
from bench_app.core.device.protocol.decoder import Decoder, DecoderStats, Packet
from bench_app.core.device.protocol.messages import (
    INFO_VERSION,
    STARTABLE,
    Ack,
    ErrorCode,
    ErrorReport,
    Heartbeat,
    Hello,
    Info,
    Log,
    LogLevel,
    MsgType,
    Nak,
    PcmSource,
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
