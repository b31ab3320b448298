#!/usr/bin/env python3
"""Write the golden protocol vectors: one frame of every message type, as bytes and as JSON.

For each vector NAME this writes ``NAME.bin`` (the exact bytes of one frame, made by the bench's
own codec, `bench_app.core.device.protocol.encode`) and ``NAME.json`` (message type, header
fields, decoded payload fields in `bench_app.core.device.protocol.plain` form). Firmware checks
its encoder and decoder against them (firmware/core's host tests do); the bench checks that
the files still match its codec (tests/protocol/test_protocol_vectors.py). Everything is fixed
(no clock, seeded arrays), so running this again gives identical files.

Usage: ``python scripts/make_protocol_vectors.py [--out fixtures/protocol]``
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
from pathlib import Path

import numpy as np

from bench_app.core.device.protocol import (
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
    MsgType,
    Nak,
    Pcm,
    PcmSource,
    Result,
    Start,
    Stop,
    Stream,
    encode,
)
from bench_app.core.device.protocol.codec import HEADER
from bench_app.core.device.protocol.plain import to_plain
from bench_app.core.frontend import FrontendConfig

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "fixtures" / "protocol"

#: The INFO of the vectors: what firmware/core's native board says (no model runtime).
INFO_FIELDS = {
    "firmware_version": "0.1.0",
    "board": "coral-dev-board-micro",
    "model_sha256": None,
    "sample_rate_hz": 16000,
    "cpu_clock_hz": 800000000,
    "capabilities": ("frames", "pcm", "inject_pcm", "microphone"),
    "inject_window": 8,
    "inject_max_samples": 4096,
}


def _features(rng: np.random.Generator, n: int) -> np.ndarray:
    f = rng.integers(0, 65536, n).astype(np.uint16)
    f[0], f[-1] = 0, 65535  # both ends of the range
    return f


def _samples(rng: np.random.Generator, n: int) -> np.ndarray:
    s = rng.integers(-32768, 32768, n).astype(np.int16)
    s[0], s[1], s[-1] = -32768, 32767, 0
    return s


def vectors() -> list[tuple[str, object, int]]:
    """(name, message, seq) of every vector; seeded, so always the same."""
    rng = np.random.default_rng(20261205)
    info = Info(frontend=FrontendConfig().to_dict(), **INFO_FIELDS)
    return [
        ("HELLO", Hello(), 0),
        ("INFO", info, 1),
        ("START", Start(frozenset({Stream.FRAMES, Stream.PCM})), 2),
        ("STOP", Stop(frozenset({Stream.FRAMES, Stream.PCM, Stream.RESULTS})), 3),
        ("ACK", Ack(int(MsgType.START), 2), 4),
        ("ACK_INJECT", Ack(int(MsgType.INJECT_PCM), 41, 28672, 1234567890123), 5),
        ("NAK", Nak(int(MsgType.INJECT_PCM), 44, int(ErrorCode.SEQ_GAP), 42, "expected 42"), 6),
        ("NAK_UNSUPPORTED", Nak(int(MsgType.START), 7, int(ErrorCode.UNSUPPORTED), 0,
                                "no model runtime"), 7),  # fmt: skip
        ("HEARTBEAT", Heartbeat(3_600_000_123, 17, 2), 0xFFFFFFFF),
        ("LOG", Log(int(LogLevel.WARNING), 987654321, "ignored a Frame from the host"), 9),
        ("ERROR", ErrorReport(int(ErrorCode.AUDIO_OVERRUN), 5_000_000, "audio ring full"), 10),
        ("FRAME", Frame(1_000_250, 99, _features(rng, 32), 99 * 160, 7),
         123456),
        ("PCM", Pcm(1_010_000, 16160, _samples(rng, 160), int(PcmSource.INJECTED)), 0x80000000),
        ("RESULT", Result(6_000_000, 3, 16000, 96000, rng.integers(-128, 128, 5).astype(np.int8),
                          12345, 67890, 81234, 0.00390625, -128, 7, 8), 3),
        ("RESULT_F32", Result(7_000_000, 4, 32000, 112000,
                              np.array([0.1, 0.2, 0.3, 0.15, 0.25], np.float32), 1, 2, 3), 4),
        ("INJECT_PCM", InjectPcm(7, _samples(rng, 300), end_of_clip=True), 42),
    ]


def vector_json(name: str, msg, seq: int, wire: bytes) -> dict:
    """The decoded form of one vector (header fields straight from `wire`)."""
    sync, version, mtype, flags, hseq, length, hcrc = HEADER.unpack_from(wire, 0)
    (fcrc,) = struct.unpack_from("<I", wire, len(wire) - 4)
    return {
        "name": name,
        "message_type": MsgType(msg.TYPE).name,
        "stream": msg.STREAM.name,
        "header": {"sync": sync.hex(), "version": version, "type": mtype, "flags": flags,
                   "seq": hseq, "length": length, "header_crc": hcrc, "frame_crc": fcrc},
        "payload": to_plain(msg),
        "frame_size": len(wire),
    }  # fmt: skip


def write_vectors(out: Path) -> list[Path]:
    """Write every vector into `out`; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, msg, seq in vectors():
        wire = encode(msg, seq)
        doc = vector_json(name, msg, seq, wire)
        (out / f"{name}.bin").write_bytes(wire)
        (out / f"{name}.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        written += [out / f"{name}.bin", out / f"{name}.json"]
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    files = write_vectors(args.out)
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
