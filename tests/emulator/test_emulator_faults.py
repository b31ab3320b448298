"""Fault injection on the virtual board, checked against the client's own link statistics.

The board corrupts bytes (1e-3), drops 1% of data messages and resets its port once in the
middle of an injected clip (timed from the clip's start, and checked: the frames the reset
took lie between the clip's first and last frame). The host (`BoardClient`) must not raise,
must keep every frame that arrived intact (bit-exact with MLTK's front end at its place in the
clip), must reconnect, and its per-stream drop counts must equal what the board's ledger says
it destroyed.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest

from bench_app.core.device.client import BoardClient
from bench_app.core.device.emulator.faults import CAUSES, FaultConfig
from bench_app.core.device.protocol import Stream
from bench_app.core.frontend import FrontendConfig
from bench_app.testing.oracles import mltk_reference
from bench_app.testing.running_board import collect, running_board, test_signal


def delivered_seqs(ledger: dict, stream: str) -> list[int]:
    """Sequence numbers the board sent that no fault took, in order (the host got these)."""
    lost = set()
    for cause in CAUSES:
        lost |= set(ledger["lost_seqs"][cause].get(stream, []))
    return sorted(set(range(ledger["sent"].get(stream, 0))) - lost)


def visible_losses(ledger: dict, stream: str) -> int:
    """Lost messages the host can see as sequence gaps: those between delivered ones."""
    delivered = delivered_seqs(ledger, stream)
    if not delivered:
        return 0
    return delivered[-1] - delivered[0] + 1 - len(delivered)


def reset_at(board, board_s: float) -> None:
    """Make the board reset its port once its clock reaches ``board_s`` (from the test).

    ``reset_after_s`` counts board time from boot, and the idle board runs in real time while
    the host waits for INFO, so a fixed value may fire before an injected clip starts; this
    sets it from the board's clock instead (the config first: the board reads it once the
    reset is pending).
    """
    board.faults.config = dataclasses.replace(board.faults.config, reset_after_s=board_s)
    board.faults.reset_pending = True


@pytest.mark.timeout(150)
def test_client_survives_corruption_drops_and_a_reset_and_counts_every_loss():
    pcm = test_signal(10.0, seed=2)
    faults = FaultConfig.parse("corrupt=1e-3,drop=0.01,seed=3")
    with running_board(fast=True, faults=faults) as board, \
            BoardClient.open(board.port_path, timeout=15) as client:  # fmt: skip
        # A 1.8 KB INFO arrives intact with probability 0.999**1850 = 16% under 1e-3 byte
        # corruption; the client asks again until its timeout.
        client.info(timeout=60)
        client.start([Stream.FRAMES, Stream.PCM])
        reset_at(board, board.clock.seconds + 4.0)  # 4 s into the 10 s clip
        report = client.inject(pcm, tag=9)
        end = report.first_sample_index + len(pcm) + 16000
        frames = collect(client, Stream.FRAMES,
                         lambda g: bool(g) and g[-1].sample_index > end, limit_s=30)  # fmt: skip
        client.stop([Stream.FRAMES, Stream.PCM])
        frames += client.drain(Stream.FRAMES)
        stats = client.stats
        ledger = board.stats.to_dict()

    assert ledger["resets"] == 1 and stats.reconnects >= 1
    # The reset landed mid-clip: it took frames, all between the clip's first and last frame.
    delivered = delivered_seqs(ledger, "FRAMES")
    assert len(delivered) == len(frames)
    clip_seqs = [seq for seq, f in zip(delivered, frames, strict=True) if f.tag == 9]
    in_reset = ledger["lost_seqs"]["lost_in_reset"].get("FRAMES", [])
    assert ledger["lost_in_reset"].get("FRAMES", 0) == len(in_reset) > 0
    assert clip_seqs[0] < min(in_reset) and max(in_reset) < clip_seqs[-1]
    for name in ("FRAMES", "PCM"):
        assert sum(ledger[c].get(name, 0) for c in ("dropped", "corrupted")) > 0
        assert stats.drops.get(name.lower(), 0) == visible_losses(ledger, name), name
    assert stats.crc_errors + stats.resyncs > 0
    # Every frame the board sent intact arrived...
    lost = sum(ledger[c].get("FRAMES", 0) for c in CAUSES)
    assert len(frames) == stats.frames == ledger["sent"]["FRAMES"] - lost
    # ... and every clip frame is exactly the reference frame at its place in the clip.
    ref = mltk_reference(pcm, FrontendConfig())
    clip = [f for f in frames if f.tag == 9]
    assert 0.5 * len(ref) < len(clip) < len(ref)
    for f in clip:
        k, rem = divmod(f.sample_index - report.first_sample_index, 160)
        assert rem == 0
        np.testing.assert_array_equal(f.features, ref[k])


@pytest.mark.timeout(60)
def test_stalls_delay_but_lose_nothing():
    pcm = test_signal(3.0, seed=4)
    faults = FaultConfig.parse("stall_ms=300,stall_every_s=1")
    t0 = time.monotonic()  # every stall happens after this (the first at 1 s of board time)
    with running_board(fast=True, faults=faults) as board, \
            BoardClient.open(board.port_path, timeout=10) as client:  # fmt: skip
        client.info()
        client.start([Stream.FRAMES])
        report = client.inject(pcm, tag=3)
        frames = collect(client, Stream.FRAMES, lambda g: sum(f.tag == 3 for f in g) >= 298)
        wall = time.monotonic() - t0
        stats, ledger = client.stats, board.stats.to_dict()
    # The last stall counted may have begun after the last frame arrived.
    assert ledger["stalls"] >= 2 and wall >= 0.3 * (ledger["stalls"] - 1)
    assert stats.total_drops == 0 and report.resends == 0
    assert sum(f.tag == 3 for f in frames) == 298



@pytest.mark.timeout(60)
def test_a_host_that_stops_reading_makes_the_board_drop_not_hang():
    import serial

    from bench_app.core.device.protocol import Decoder, Heartbeat, Start, encode

    with running_board(speed=4.0) as board:
        port = serial.serial_for_url(board.port_path, timeout=0.05)
        try:
            time.sleep(0.2)
            port.write(encode(Start(frozenset({Stream.FRAMES, Stream.PCM})), 0))
            time.sleep(3.0)  # the host reads nothing: the pty fills up
            decoder, packets, t0 = Decoder(), [], time.monotonic()
            while time.monotonic() - t0 < 1.5:
                packets += decoder.feed(port.read(65536))
        finally:
            port.close()
        ledger = board.stats.to_dict()
    beats = [p.message.uptime_us for p in packets if isinstance(p.message, Heartbeat)]
    assert ledger["tx_overflows"] > 0 and beats and beats[-1] > 10e6  # 4x: > 10 s of board time
    assert decoder.stats.crc_errors == 0 and decoder.stats.broken_frames == 0  # no half frames
    for name in ("FRAMES", "PCM"):
        assert decoder.stats.drops.get(name.lower(), 0) == visible_losses(ledger, name)
