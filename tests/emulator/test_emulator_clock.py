"""The virtual board's clock: board timestamps and wall-clock pacing at --speed N."""

from __future__ import annotations

import threading
import time

import pytest

from bench_app.core.device.client import BoardClient
from bench_app.core.device.protocol import Stream
from bench_app.testing.running_board import running_board, test_signal


@pytest.mark.timeout(60)
@pytest.mark.parametrize("speed", [1.0, 4.0])
def test_board_time_follows_the_wall_clock_at_its_speed(speed):
    pcm = test_signal(2.0, seed=7)
    with running_board(speed=speed) as board, \
            BoardClient.open(board.port_path, timeout=10) as client:  # fmt: skip
        client.info()
        client.start([Stream.FRAMES])
        # inject() returns once the board has consumed the clip: watch frames meanwhile.
        sender = threading.Thread(target=client.inject, args=(pcm,), kwargs={"tag": 4})
        sender.start()
        seen = {}
        t0 = time.monotonic()
        while len(seen) < 198 and time.monotonic() - t0 < 20:
            for f in client.drain(Stream.FRAMES):
                if f.tag == 4:
                    seen[f.frame_index] = (time.monotonic(), f.timestamp_us)
            time.sleep(0.005)
        sender.join(10)
    (w0, b0), (w1, b1) = seen[min(seen)], seen[max(seen)]
    assert (b1 - b0) / 1e6 == pytest.approx(197 * 0.01)  # board time: 10 ms a frame
    assert (w1 - w0) == pytest.approx((b1 - b0) / 1e6 / speed, rel=0.25, abs=0.08)
