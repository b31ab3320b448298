"""Issue 9, class 3: a frame cut off mid-way does not deafen the decoder (host side).

The host's decoder and the virtual board's are one class (`Decoder`); the board side is tested
through a running virtual board in tests/emulator/test_harden_board_timeout.py.
"""

from __future__ import annotations

from bench_app.core.device.protocol import codec
from bench_app.core.device.protocol.decoder import FRAME_TIMEOUT_S, Decoder
from bench_app.core.device.protocol.messages import Hello, Info


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _cut_frame() -> bytes:
    """A valid header announcing 65,536 bytes of payload, then only 1,000 of them."""
    whole = codec.encode_raw(int(Info.TYPE), b"x" * 65536, seq=7)
    return whole[: codec.HEADER_SIZE + 1000]


def test_a_cut_frame_is_abandoned_after_the_timeout_and_counted():
    clock = FakeClock()
    dec = Decoder(clock=clock)
    assert dec.feed(_cut_frame()) == [] and dec.buffered == codec.HEADER_SIZE + 1000
    clock.now += FRAME_TIMEOUT_S * 1.5  # silence longer than the inter-byte timeout
    hello = codec.encode(Hello(), seq=8)
    packets = dec.feed(hello)
    assert [type(p.message) for p in packets] == [Hello]
    assert dec.stats.timeouts == 1 and dec.stats.broken_frames == 1
    assert dec.stats.garbage_bytes >= 1000  # the cut frame's bytes were thrown away
    assert dec.buffered == 0


def test_a_slow_but_steady_frame_is_not_cut():
    clock = FakeClock()
    dec = Decoder(clock=clock)
    frame = codec.encode(Info(firmware_version="slow"), seq=1)
    for i in range(len(frame)):  # one byte at a time, each just inside the timeout
        clock.now += FRAME_TIMEOUT_S * 0.9
        packets = dec.feed(frame[i : i + 1])
    assert [p.message.firmware_version for p in packets] == ["slow"]
    assert dec.stats.timeouts == 0 and dec.stats.broken_frames == 0


def test_without_a_timeout_the_cut_frame_holds_the_decoder():
    """The flaw the timeout removes: the HELLO is swallowed as payload of the cut frame."""
    clock = FakeClock()
    dec = Decoder(frame_timeout_s=None, clock=clock)
    dec.feed(_cut_frame())
    clock.now += 60
    assert dec.feed(codec.encode(Hello(), seq=8)) == []
