"""Fuzzing the streaming decoder with hypothesis.

Properties (docs/protocol.md section 1, receiver rules):
- arbitrary bytes in arbitrary chunks never make `feed` or `flush` raise, and the decoder never
  holds more than one largest frame (`MAX_FRAME`) between calls;
- in a valid stream damaged by bit flips, truncations, inserted junk, duplicated sync words,
  fake headers with huge or plausible lengths, every intact frame is decoded, in order, and
  nothing that was not sent; the sequence gaps left are counted as drops, per stream;
- any payload under any known type (valid CRCs) is decoded or counted as broken, never raised.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench_app.core.device.protocol import (
    MAX_FRAME,
    MESSAGE_CLASSES,
    SYNC,
    Decoder,
    Frame,
    Heartbeat,
    Log,
    Pcm,
    encode,
    encode_raw,
)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def feed_in_chunks(dec: Decoder, data: bytes, cuts: list[int]) -> list:
    bounds = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    out = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        out += dec.feed(data[a:b])
        assert dec.buffered <= MAX_FRAME
    out += dec.flush()
    assert dec.buffered == 0
    return out


@FUZZ
@given(data=st.binary(max_size=3000), cuts=st.lists(st.integers(0, 3000), max_size=20))
def test_arbitrary_bytes_never_raise_and_stay_bounded(data, cuts):
    dec = Decoder()
    feed_in_chunks(dec, data, cuts)
    assert dec.stats.bytes == len(data)


@FUZZ
@given(
    data=st.lists(st.one_of(st.binary(max_size=64), st.just(SYNC)), max_size=60).map(b"".join),
    cuts=st.lists(st.integers(0, 4000), max_size=10),
)
def test_sync_heavy_junk_never_raises(data, cuts):
    feed_in_chunks(Decoder(), data, cuts)


def fake_header(length: int, mtype: int = 0x20) -> bytes:
    head = struct.pack("<4sBBHII", SYNC, 1, mtype, 0, 0, length)
    return head + struct.pack("<I", zlib.crc32(head))


junk = st.one_of(
    st.binary(min_size=1, max_size=40),
    st.just(SYNC),
    st.just(SYNC * 3),
    st.integers(65537, 2**32 - 1).map(fake_header),  # length over the cap
    st.integers(0, 3000).map(fake_header),  # a plausible length that swallows what follows
)
ACTIONS = ("keep", "keep", "keep", "flip", "cut_tail", "cut_head", "junk_before")


def make_message(kind: str, i: int, seq: int):
    if kind == "frame":
        return Frame(i, seq, np.full(32, i, np.uint16), 160 * seq, 3)
    if kind == "pcm":
        return Pcm(i, 160 * seq, np.arange(160, dtype=np.int16) * i)
    if kind == "log":
        return Log(1, i, f"line {i}")
    return Heartbeat(i)


@st.composite
def damaged_stream(draw):
    n = draw(st.integers(1, 30))
    kinds = draw(st.lists(st.sampled_from(["frame", "pcm", "log", "beat"]), min_size=n,
                          max_size=n))  # fmt: skip
    seqs: dict[str, int] = {}
    wire, intact, sent = [], [], []
    for i, kind in enumerate(kinds):
        stream = "control" if kind in ("log", "beat") else kind  # log, beat share a counter
        seq = seqs.get(stream, 0)
        seqs[stream] = seq + 1
        msg = make_message(kind, i, seq)
        frame = encode(msg, seq)
        action = draw(st.sampled_from(ACTIONS))
        if action == "flip":
            bit = draw(st.integers(0, len(frame) * 8 - 1))
            frame = bytearray(frame)
            frame[bit // 8] ^= 1 << (bit % 8)
            frame = bytes(frame)
        elif action == "cut_tail":
            frame = frame[: draw(st.integers(0, len(frame) - 1))]
        elif action == "cut_head":
            frame = frame[draw(st.integers(1, len(frame))) :]
        elif action == "junk_before":
            wire.append(draw(junk))
        wire.append(frame)
        sent.append(msg)
        if action in ("keep", "junk_before"):
            intact.append(msg)
    return b"".join(wire), intact, sent


def is_subsequence(short: list, long: list) -> bool:
    it = iter(long)
    return all(any(x == y for y in it) for x in short)


@FUZZ
@given(stream=damaged_stream(), cuts=st.lists(st.integers(0, 20000), max_size=12))
def test_every_intact_frame_survives_damage_and_gaps_are_counted(stream, cuts):
    wire, intact, sent = stream
    dec = Decoder()
    packets = feed_in_chunks(dec, wire, cuts)
    got = [p.message for p in packets]
    # Every intact frame is decoded in order; anything else decoded is a real sent frame
    # (damage can rebuild one: the sync word left by a cut tail + a frame whose sync was cut).
    assert is_subsequence(intact, got)
    assert is_subsequence(got, sent)
    expected: dict[str, int] = {}
    for stream_id in {p.stream for p in packets}:
        nums = [p.seq for p in packets if p.stream == stream_id]
        holes = nums[-1] - nums[0] + 1 - len(nums)
        if holes:
            expected[stream_id.name.lower()] = holes
    assert dec.stats.drops == expected
    assert dec.stats.bytes == len(wire)


@FUZZ
@given(
    mtype=st.sampled_from(sorted(MESSAGE_CLASSES)),
    payload=st.one_of(
        st.binary(max_size=300),
        st.just(b"[" * 5000 + b"]" * 5000),  # deep JSON nesting for INFO
        st.just(b'{"sample_rate_hz": 1e400, "inject": 5}'),
        st.recursive(st.none() | st.integers() | st.text(max_size=5),
                     lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c,
                                                                         max_size=3),
                     max_leaves=10).map(lambda v: __import__("json").dumps(v).encode()),
    ),
)  # fmt: skip
def test_any_payload_under_a_known_type_is_decoded_or_counted(mtype, payload):
    dec = Decoder()
    packets = dec.feed(encode_raw(mtype, payload, 0))
    assert len(packets) + dec.stats.broken_frames == 1
    assert dec.stats.crc_errors == 0 and dec.stats.resyncs == 0
