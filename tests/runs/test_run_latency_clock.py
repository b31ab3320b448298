"""The latency run's host clock for "sample s entered the board" (docs/metrics.md section 7).

Checked against ground truth built here: PCM chunks whose true entry times and link delays are
chosen by the test, and a real virtual-speaker socket pair whose take times the test records.
"""

from __future__ import annotations

import threading
import time

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bench_app.core.device.emulator.sources import SpeakerServer
from bench_app.core.device.protocol import Pcm
from bench_app.core.device.virtual_speaker import VirtualSpeaker
from bench_app.core.runs.procedures.board_io.board_session import Stamped, StreamBuffer
from bench_app.core.runs.procedures.latency.procedure import _entry_time

RATE = 16000


@settings(max_examples=40, deadline=None)
@given(offset=st.floats(-100.0, 100.0),
       delays=st.lists(st.floats(0.0, 0.05), min_size=1, max_size=30),
       probe=st.integers(0, 20 * 160))
def test_pcm_mapping_is_late_by_the_least_link_delay(offset, delays, probe):
    # Sample s truly enters at offset + s / RATE; a chunk leaves once its last sample is in and
    # reaches the host `delay` later.
    buffer = StreamBuffer(client=None)
    for k, d in enumerate(delays):
        last = 160 * (k + 1) - 1
        msg = Pcm(0, 160 * k, np.zeros(160, np.int16), 0)
        buffer.pcm.append(Stamped(msg, offset + last / RATE + d))
    t_in, source = _entry_time(probe, None, buffer, RATE)
    assert source == "pcm"
    err = t_in - (offset + probe / RATE)
    assert -1e-7 <= err <= min(delays) + 1e-7


def test_no_stream_no_entry_time():
    assert _entry_time(100, None, StreamBuffer(client=None), RATE) == (None, None)


class _Player:
    """The part of VirtualSpeakerPlayer the latency run uses."""

    def __init__(self, speaker):
        self.taken_at = speaker.taken_at


def test_speaker_take_times_follow_the_boards_reports():
    # The board side is driven here: it takes two 1600-sample blocks (board samples 5000 and
    # 6600), the second when its first sample is due (100 ms later, or later if this host is
    # slow: a block taken behind the pace).
    server = SpeakerServer()
    speaker = VirtualSpeaker(server.address, RATE, lead_s=1.0)
    player = threading.Thread(target=speaker.play, args=(np.zeros(3200, np.int16),))
    try:
        player.start()
        takes: list[float] = []
        deadline = time.monotonic() + 5
        while len(takes) < 2 and time.monotonic() < deadline:
            server.poll()
            due = takes[0] + 0.1 if takes else 0.0
            if server.available >= 1600 and time.perf_counter() >= due:
                takes.append(time.perf_counter())
                server.take(1600, 5000 + 1600 * (len(takes) - 1))
            time.sleep(0.001)
        player.join(5)
        assert not player.is_alive() and len(takes) == 2
        reads = [t for _, _, t in speaker._take_log]
        t0, src = _entry_time(5000, _Player(speaker), StreamBuffer(client=None), RATE)
        assert src == "speaker_report"
        assert speaker.taken_at(6599) == t0
        t1 = speaker.taken_at(6600)
        # Never after the take was reported, never before the first block was taken, and the
        # second block is placed on the board's clock, 1600 samples after the first.
        assert takes[0] <= t0 <= reads[0]
        assert t1 <= reads[1] and abs(t1 - t0 - 0.1) < 1e-9
        assert speaker.taken_at(4999) is None and speaker.taken_at(8200) is None
    finally:
        speaker.close()
        server.close()
