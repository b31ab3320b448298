"""The virtual board's INJECT_PCM buffer against docs/protocol.md 6.3 (go-back-N, clips, ACKs)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bench_app.core.device.emulator.inject import InjectBuffer
from bench_app.core.device.protocol import ErrorCode, InjectPcm, Nak


def chunk(n, tag=1, end=False, start=0):
    return InjectPcm(tag, np.arange(start, start + n, dtype=np.int16), end)


def drain(buf, step=160, index=0):
    """Take everything; return the blocks and the board index after them."""
    blocks = []
    while (b := buf.take(step, index)) is not None:
        blocks.append((index, b))
        index += len(b.samples)
    return blocks, index


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 4096), min_size=1, max_size=8), st.integers(1, 2000),
       st.integers(0, 10**6))  # fmt: skip
def test_samples_come_out_in_order_and_acks_say_where(sizes, step, index0):
    buf = InjectBuffer(window=8, max_chunk=4096)
    sent, start = [], 0
    for seq, n in enumerate(sizes):
        c = chunk(n, start=start % 30000)
        sent.append(c.samples)
        start += n
        assert buf.on_chunk(seq, c) == []  # ACK when consumed, not when received
    blocks, _ = drain(buf, step, index0)
    out = np.concatenate([b.samples for _, b in blocks])
    np.testing.assert_array_equal(out, np.concatenate(sent))
    acks = [a for _, b in blocks for a in b.acks]
    assert [a.acked_seq for a in acks] == list(range(len(sizes)))
    firsts = index0 + np.concatenate([[0], np.cumsum(sizes)[:-1]])
    assert [a.value for a in acks] == firsts.tolist()
    assert acks[-1].credit == 8 * 4096
    assert all(len(b.samples) <= step for _, b in blocks)


def test_a_lost_chunk_is_naked_once_then_go_back_n():
    buf = InjectBuffer(window=8, max_chunk=4096)
    assert buf.on_chunk(0, chunk(100)) == []
    (nak,) = buf.on_chunk(2, chunk(100))
    assert isinstance(nak, Nak) and nak.code == ErrorCode.SEQ_GAP and nak.value == 1
    assert buf.on_chunk(3, chunk(100)) == []  # discarded, no second NAK
    assert buf.on_chunk(1, chunk(100)) == []
    assert buf.on_chunk(2, chunk(100)) == []
    blocks, _ = drain(buf, 1000)
    assert [a.acked_seq for _, b in blocks for a in b.acks] == [0, 1, 2]


def test_a_duplicate_gets_the_last_cumulative_ack_again():
    buf = InjectBuffer(window=8, max_chunk=4096)
    buf.on_chunk(0, chunk(100))
    buf.on_chunk(1, chunk(100))
    blocks, _ = drain(buf, 1000)
    last = blocks[-1][1].acks[-1]
    (again,) = buf.on_chunk(1, chunk(100))
    assert again == last and again.acked_seq == 1 and buf.queued == 0


def test_clips_never_share_a_block_and_each_start_is_flagged():
    buf = InjectBuffer(window=8, max_chunk=4096)
    buf.on_chunk(0, chunk(250, tag=1))
    buf.on_chunk(1, chunk(250, tag=1, end=True))
    buf.on_chunk(2, chunk(100, tag=1))  # after END_OF_CLIP: a new clip, same tag
    buf.on_chunk(3, chunk(100, tag=2))  # tag change: a new clip
    blocks, _ = drain(buf, 160)
    spans = [(len(b.samples), b.tag, b.clip_start, b.clip_end) for _, b in blocks]
    assert spans == [(160, 1, True, False), (160, 1, False, False), (160, 1, False, False),
                     (20, 1, False, True), (100, 1, True, False), (100, 2, True, False)]


def test_seq_zero_restarts_and_a_full_buffer_is_busy():
    buf = InjectBuffer(window=2, max_chunk=100)
    buf.on_chunk(0, chunk(100))
    buf.on_chunk(1, chunk(100))
    (busy,) = buf.on_chunk(2, chunk(100))
    assert busy.code == ErrorCode.BUSY
    (bad,) = InjectBuffer(window=2, max_chunk=100).on_chunk(0, chunk(101))
    assert bad.code == ErrorCode.BAD_REQUEST
    assert buf.on_chunk(0, chunk(50, tag=7)) == []  # a new host: the old queue is gone
    blocks, _ = drain(buf, 1000)
    assert [(len(b.samples), b.tag, b.clip_start) for _, b in blocks] == [(50, 7, True)]
