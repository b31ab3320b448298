"""Issue 9, class 3 on the board side: a cut-off frame from the host does not deafen the virtual
board; the next HELLO is answered within the inter-byte timeout (docs/protocol.md)."""

from __future__ import annotations

import os
import select
import time

from bench_app.core.device.protocol import codec
from bench_app.core.device.protocol.decoder import FRAME_TIMEOUT_S, Decoder
from bench_app.core.device.protocol.messages import Hello, Info
from bench_app.testing.running_board import running_board


def _read_info(fd: int, limit_s: float) -> tuple[Info | None, float]:
    dec, t0 = Decoder(), time.monotonic()
    while time.monotonic() - t0 < limit_s:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            for packet in dec.feed(os.read(fd, 65536)):
                if isinstance(packet.message, Info):
                    return packet.message, time.monotonic() - t0
    return None, limit_s


def test_board_answers_hello_after_a_cut_off_frame():
    with running_board() as board:
        fd = os.open(board.port_path, os.O_RDWR | os.O_NOCTTY)
        try:
            whole = codec.encode_raw(int(Hello.TYPE), b"x" * 65536, seq=1)
            os.write(fd, whole[: codec.HEADER_SIZE + 1000])  # a header for 64 KiB, 1,000 bytes
            time.sleep(FRAME_TIMEOUT_S * 1.5)  # then silence
            os.write(fd, codec.encode(Hello(), seq=2))
            info, waited = _read_info(fd, limit_s=FRAME_TIMEOUT_S * 4)
        finally:
            os.close(fd)
        assert info is not None, "the board stayed deaf after a cut-off frame"
        assert waited < FRAME_TIMEOUT_S * 2
        assert board.decoder.stats.timeouts == 1 and board.decoder.stats.broken_frames == 1
