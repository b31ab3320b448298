"""Messages <-> plain JSON-ready dicts whose keys are docs/protocol.md's field names.

The golden protocol vectors (`fixtures/protocol/`, `scripts/make_protocol_vectors.py`) store
each message in this form beside its bytes, so that firmware written in any language can check
its codec against the bench's without reading Python: arrays are lists of integers (or floats
for float32 scores), the START / STOP mask is the u32 of the wire, INFO is its JSON document.
`from_plain` is the inverse, so a vector's decoded form re-encodes to its bytes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench_app.core.device.protocol.codec import MESSAGE_CLASSES, Message
from bench_app.core.device.protocol.data import END_OF_CLIP, Frame, InjectPcm, Pcm, Result
from bench_app.core.device.protocol.messages import (
    STARTABLE,
    Ack,
    ErrorReport,
    Heartbeat,
    Hello,
    Info,
    Log,
    MsgType,
    Nak,
    Start,
    Stop,
    Stream,
)
from bench_app.core.errors import ProtocolError

#: Score type codes of RESULT (docs/protocol.md): 1 int8, 2 float32.
_SCORE_TYPE = {np.dtype("i1"): 1, np.dtype("f4"): 2}


def _mask(streams: frozenset[Stream]) -> int:
    return sum(1 << int(s) for s in streams)


def _ints(arr: np.ndarray) -> list[int]:
    return [int(v) for v in np.asarray(arr).ravel()]


def to_plain(msg: Message) -> dict[str, Any]:
    """The payload fields of `msg` under their docs/protocol.md names (reserved fields left out).

    Raises
    ------
    ProtocolError
        For an object that is not a protocol message.
    """
    match msg:
        case Hello():
            return {}
        case Info():
            return {"document": msg.to_dict()}
        case Start() | Stop():
            return {"stream_mask": _mask(msg.streams)}
        case Ack():
            return {"acked_type": msg.acked_type, "acked_seq": msg.acked_seq,
                    "credit": msg.credit, "value": msg.value}  # fmt: skip
        case Nak():
            return {"acked_type": msg.acked_type, "code": msg.code, "acked_seq": msg.acked_seq,
                    "value": msg.value, "reason": msg.reason}  # fmt: skip
        case Heartbeat():
            return {"uptime_us": msg.uptime_us, "audio_overruns": msg.audio_overruns,
                    "tx_overflows": msg.tx_overflows}  # fmt: skip
        case Log():
            return {"level": msg.level, "timestamp_us": msg.timestamp_us, "text": msg.text}
        case ErrorReport():
            return {"code": msg.code, "timestamp_us": msg.timestamp_us, "text": msg.text}
        case Frame():
            return {"timestamp_us": msg.timestamp_us, "sample_index": msg.sample_index,
                    "frame_index": msg.frame_index, "tag": msg.tag,
                    "n_channels": int(np.asarray(msg.features).size),
                    "features": _ints(msg.features)}  # fmt: skip
        case Pcm():
            return {"timestamp_us": msg.timestamp_us, "sample_index": msg.sample_index,
                    "n_samples": int(np.asarray(msg.samples).size), "source": msg.source,
                    "samples": _ints(msg.samples)}  # fmt: skip
        case Result():
            scores = np.asarray(msg.scores)
            kind = _SCORE_TYPE.get(scores.dtype.newbyteorder("="))
            values = _ints(scores) if kind == 1 else [float(v) for v in scores]
            return {"timestamp_us": msg.timestamp_us,
                    "window_start_sample": msg.window_start_sample,
                    "window_end_sample": msg.window_end_sample,
                    "window_index": msg.window_index, "tag_first": msg.tag_first,
                    "tag_last": msg.tag_last, "frontend_us": msg.frontend_us,
                    "invoke_us": msg.invoke_us, "total_us": msg.total_us,
                    "scale": float(np.float32(msg.scale)), "zero_point": msg.zero_point,
                    "n_classes": int(scores.size), "score_type": kind,
                    "scores": values}  # fmt: skip
        case InjectPcm():
            return {"tag": msg.tag, "flags": END_OF_CLIP if msg.end_of_clip else 0,
                    "n_samples": int(np.asarray(msg.samples).size),
                    "samples": _ints(msg.samples)}  # fmt: skip
    raise ProtocolError(f"A {type(msg).__name__} is not a board protocol message.")


def _streams(mask: int) -> frozenset[Stream]:
    return frozenset(s for s in STARTABLE if mask & (1 << int(s)))


def _build(cls: type, p: dict[str, Any]) -> Message:
    if cls is Hello:
        return Hello()
    if cls is Info:
        return Info.from_dict(p["document"])
    if cls in (Start, Stop):
        return cls(_streams(int(p["stream_mask"])))
    if cls is Ack:
        return Ack(p["acked_type"], p["acked_seq"], p["credit"], p["value"])
    if cls is Nak:
        return Nak(p["acked_type"], p["acked_seq"], p["code"], p["value"], p["reason"])
    if cls is Heartbeat:
        return Heartbeat(p["uptime_us"], p["audio_overruns"], p["tx_overflows"])
    if cls is Log:
        return Log(p["level"], p["timestamp_us"], p["text"])
    if cls is ErrorReport:
        return ErrorReport(p["code"], p["timestamp_us"], p["text"])
    if cls is Frame:
        return Frame(p["timestamp_us"], p["frame_index"], np.array(p["features"], np.uint16),
                     p["sample_index"], p["tag"])  # fmt: skip
    if cls is Pcm:
        return Pcm(p["timestamp_us"], p["sample_index"], np.array(p["samples"], np.int16),
                   p["source"])  # fmt: skip
    if cls is Result:
        dtype = np.int8 if p["score_type"] == 1 else np.float32
        return Result(p["timestamp_us"], p["window_index"], p["window_start_sample"],
                      p["window_end_sample"], np.array(p["scores"], dtype), p["frontend_us"],
                      p["invoke_us"], p["total_us"], p["scale"], p["zero_point"],
                      p["tag_first"], p["tag_last"])  # fmt: skip
    return InjectPcm(p["tag"], np.array(p["samples"], np.int16),
                     bool(p["flags"] & END_OF_CLIP))


def from_plain(type_name: str, payload: dict[str, Any]) -> Message:
    """Build the message named `type_name` (a `MsgType` name) from its `to_plain` form.

    Raises
    ------
    ProtocolError
        For an unknown type name or a missing or malformed field.
    """
    try:
        cls = MESSAGE_CLASSES[int(MsgType[type_name])]
    except KeyError:
        raise ProtocolError(f"'{type_name}' is not a board protocol message type.") from None
    try:
        return _build(cls, payload)
    except KeyError as exc:
        raise ProtocolError(f"The {type_name} fields lack {exc.args[0]!r}.") from None
    except (TypeError, ValueError, OverflowError) as exc:
        raise ProtocolError(f"The {type_name} fields are malformed ({exc}).") from None
