"""Frame layout, CRC and message round trips of the board protocol (docs/protocol.md).

The layout is checked against frames built by hand from the tables in docs/protocol.md with
`struct`, and the CRC against a textbook bit-by-bit CRC-32 and its published check value.
"""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench_app.core.device.protocol import (
    MAX_FRAME,
    MAX_PAYLOAD,
    Ack,
    Decoder,
    ErrorReport,
    Frame,
    Heartbeat,
    Hello,
    Info,
    InjectPcm,
    Log,
    Nak,
    Pcm,
    Result,
    Start,
    Stop,
    Stream,
    encode,
    encode_raw,
)
from bench_app.core.errors import ProtocolError


def bitwise_crc32(data: bytes) -> int:
    """CRC-32/ISO-HDLC the slow textbook way (reflected poly 0xEDB88320)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0xEDB88320 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def test_crc_is_the_ieee_crc32_with_its_published_check_value():
    assert bitwise_crc32(b"123456789") == 0xCBF43926
    frame = encode(Heartbeat(123456789, 2, 3), seq=7)
    (header_crc,) = struct.unpack_from("<I", frame, 16)
    assert header_crc == bitwise_crc32(frame[:16])
    (frame_crc,) = struct.unpack_from("<I", frame, len(frame) - 4)
    assert frame_crc == bitwise_crc32(frame[:-4])


def test_frame_bytes_match_the_documented_tables():
    feats = np.array([0, 1, 513, 65535], dtype=np.uint16)
    payload = struct.pack("<QQIIHH", 1_000_000, 4000, 42, 7, 4, 0) + struct.pack(
        "<4H", 0, 1, 513, 65535
    )
    head = bytes([0xA5, 0x5A, 0xC3, 0x3C, 1, 0x20]) + struct.pack("<HII", 0, 9, len(payload))
    header = head + struct.pack("<I", bitwise_crc32(head))
    expected = header + payload + struct.pack("<I", bitwise_crc32(header + payload))
    assert encode(Frame(1_000_000, 42, feats, 4000, 7), seq=9) == expected


def test_result_and_inject_layouts_match_the_documented_tables():
    scores = np.array([-128, 0, 127], dtype=np.int8)
    msg = Result(5, 6, 16000, 96000, scores, 100, 200, 300, 0.00390625, -128, 11, 12)
    payload = (
        struct.pack(
            "<QQQIIIIIIfiHBB", 5, 16000, 96000, 6, 11, 12, 100, 200, 300, 0.00390625, -128, 3, 1, 0
        )
        + scores.tobytes()
    )
    assert encode(msg, 0)[20:-4] == payload
    inj = InjectPcm(77, np.array([-32768, 32767], dtype=np.int16), end_of_clip=True)
    assert encode(inj, 0)[20:-4] == struct.pack("<IHHhh", 77, 1, 2, -32768, 32767)
    assert encode(Start(frozenset({Stream.FRAMES, Stream.RESULTS})), 0)[20:-4] == b"\x0a\0\0\0"


u32 = st.integers(0, 2**32 - 1)
u64 = st.integers(0, 2**64 - 1)
text = st.text(max_size=40)
arrays_u16 = st.lists(st.integers(0, 65535), max_size=64).map(lambda v: np.array(v, np.uint16))
arrays_i16 = st.lists(st.integers(-32768, 32767), max_size=400).map(lambda v: np.array(v, np.int16))
streams = st.frozensets(st.sampled_from([Stream.FRAMES, Stream.PCM, Stream.RESULTS]))
scores = st.one_of(
    st.lists(st.integers(-128, 127), max_size=8).map(lambda v: np.array(v, np.int8)),
    st.lists(st.floats(width=32, allow_nan=False), max_size=8).map(
        lambda v: np.array(v, np.float32)
    ),
)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), text)

messages = st.one_of(
    st.just(Hello()),
    st.builds(
        Info,
        firmware_version=text,
        board=text,
        model_sha256=st.one_of(st.none(), st.text("0123456789abcdef", min_size=64, max_size=64)),
        sample_rate_hz=st.integers(1, 96000),
        cpu_clock_hz=st.integers(0, 2**40),
        capabilities=st.lists(text, max_size=5).map(tuple),
        frontend=st.dictionaries(text.map(lambda k: "fe." + k), json_scalars, max_size=6),
        inject_window=st.integers(1, 64),
        inject_max_samples=st.integers(1, 32764),
        extra=st.dictionaries(st.sampled_from(["speaker", "serial", "x"]), json_scalars),
    ),
    st.builds(Start, streams),
    st.builds(Stop, streams),
    st.builds(Ack, st.integers(0, 255), u32, u32, u64),
    st.builds(Nak, st.integers(0, 255), u32, st.integers(0, 65535), u32, text),
    st.builds(Heartbeat, u64, u32, u32),
    st.builds(Log, st.integers(0, 255), u64, text),
    st.builds(ErrorReport, st.integers(0, 65535), u64, text),
    st.builds(Frame, u64, u32, arrays_u16, u64, u32),
    st.builds(Pcm, u64, u64, arrays_i16, st.integers(0, 255)),
    st.builds(
        Result,
        u64,
        u32,
        u64,
        u64,
        scores,
        u32,
        u32,
        u32,
        st.floats(width=32, allow_nan=False),
        st.integers(-(2**31), 2**31 - 1),
        u32,
        u32,
    ),  # fmt: skip
    st.builds(InjectPcm, u32, arrays_i16, st.booleans()),
)


@settings(max_examples=300, deadline=None)
@given(msg=messages, seq=u32)
def test_every_message_round_trips(msg, seq):
    packets = Decoder().feed(encode(msg, seq))
    assert len(packets) == 1
    assert packets[0].message == msg
    assert packets[0].seq == seq
    assert packets[0].stream == type(msg).STREAM


@settings(max_examples=100, deadline=None)
@given(msgs=st.lists(messages, min_size=1, max_size=12), cuts=st.lists(st.integers(0, 4000)))
def test_any_chunking_gives_the_same_packets(msgs, cuts):
    wire = b"".join(encode(m, i) for i, m in enumerate(msgs))
    bounds = sorted({0, len(wire), *(c % (len(wire) + 1) for c in cuts)})
    dec = Decoder()
    got = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        got += dec.feed(wire[a:b])
    assert [p.message for p in got] == msgs
    assert dec.stats.bytes == len(wire)
    assert dec.stats.garbage_bytes == 0 and dec.stats.resyncs == 0
    assert dec.buffered == 0


def test_trailing_payload_bytes_from_a_newer_minor_version_are_ignored():
    msg = Heartbeat(10, 1, 2)
    wire = encode_raw(msg.TYPE, msg.payload() + b"new field", seq=0)
    assert [p.message for p in Decoder().feed(wire)] == [msg]


def test_unknown_types_are_skipped_and_counted():
    wire = encode(Hello(), 0) + encode_raw(0x7F, b"future", 1) + encode(Hello(), 2)
    dec = Decoder()
    packets = dec.feed(wire)
    assert len(packets) == 2
    assert dec.stats.unknown_types == 1
    # The skipped frame consumed a control sequence number: one control "drop" is visible.
    assert dec.stats.drops == {"control": 1}


def test_short_payload_of_a_known_type_is_a_broken_frame():
    dec = Decoder()
    wire = encode_raw(0x20, b"\x01\x02", 0) + encode(Frame(1, 1, np.zeros(2, np.uint16)), 1)
    assert len(dec.feed(wire)) == 1
    assert dec.stats.broken_frames == 1


def test_sequence_gaps_restarts_and_stale_are_counted_per_stream():
    f = Frame(0, 0, np.zeros(4, np.uint16))
    p = Pcm(0, 0, np.zeros(4, np.int16))
    seqs = [(f, 5), (f, 6), (p, 100), (f, 9), (p, 101), (p, 104), (f, 0), (f, 1), (f, 0)]
    dec = Decoder()
    packets = dec.feed(b"".join(encode(m, s) for m, s in seqs))
    assert len(packets) == len(seqs)
    assert dec.stats.drops == {"frames": 2, "pcm": 2}
    assert dec.stats.restarts == {"frames": 2}
    assert dec.stats.stale == 0


def test_sequence_wraps_without_drops_and_backwards_is_stale():
    f = Frame(0, 0, np.zeros(1, np.uint16))
    dec = Decoder()
    dec.feed(b"".join(encode(f, s) for s in (2**32 - 2, 2**32 - 1, 0, 1, 1)))
    assert dec.stats.drops == {} and dec.stats.restarts == {}
    assert dec.stats.stale == 1


def test_length_over_the_cap_is_broken_and_the_next_frame_survives():
    import zlib

    head = struct.pack("<4sBBHII", b"\xa5\x5a\xc3\x3c", 1, 0x20, 0, 0, 2**32 - 1)
    bogus = head + struct.pack("<I", zlib.crc32(head))
    good = encode(Frame(1, 2, np.arange(3, dtype=np.uint16)), 1)
    dec = Decoder()
    packets = dec.feed(bogus + good)
    assert [p.message for p in packets] == [Frame(1, 2, np.arange(3, dtype=np.uint16))]
    assert dec.stats.broken_frames == 1
    assert dec.buffered == 0


def test_encode_refuses_what_does_not_fit():
    with pytest.raises(ProtocolError):
        encode_raw(0x20, bytes(MAX_PAYLOAD + 1), 0)
    with pytest.raises(ProtocolError):
        encode(Frame(-1, 0, np.zeros(1, np.uint16)), 0)
    with pytest.raises(ProtocolError):
        encode(Result(0, 0, 0, 0, np.zeros(2, np.int32)), 0)
    assert len(encode_raw(0x20, bytes(MAX_PAYLOAD), 0)) == MAX_FRAME


def test_flush_gives_up_on_a_cut_frame_and_finds_what_hid_inside():
    good = encode(Hello(), 3)
    cut = encode(Log(1, 2, "x" * 100), 0)[:60]
    dec = Decoder()
    assert dec.feed(cut + good) == []  # the cut LOG claims the HELLO's bytes as payload
    assert [p.message for p in dec.flush()] == [Hello()]
    assert dec.stats.broken_frames == 1 and dec.buffered == 0


def test_a_frame_cut_after_its_header_does_not_swallow_the_next_one():
    # Found by the fuzz tests with a payload-only CRC: a HEARTBEAT (16-byte payload) cut after
    # its header, then any frame: that frame's first 16 bytes + its header CRC looked valid.
    cut = encode(Heartbeat(1, 2, 3), 0)[:20]
    good = encode(Frame(5, 6, np.arange(4, dtype=np.uint16)), 0)
    dec = Decoder()
    packets = dec.feed(cut + good) + dec.flush()
    assert [p.message for p in packets] == [Frame(5, 6, np.arange(4, dtype=np.uint16))]
    assert dec.stats.crc_errors == 1
