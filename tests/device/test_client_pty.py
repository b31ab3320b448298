"""`BoardClient` against a scripted fake board on a real pty pair (tests/test_link_fakeboard.py).

Each test states the exchange the board expects and asserts every scripted step was used,
that every good frame arrives in order, and that each fault (garbage, corruption, lost frames,
a port that vanishes) is counted where docs/protocol.md says it must be.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from bench_app.core.device.client import BoardClient
from bench_app.core.device.protocol import (
    Ack,
    ErrorCode,
    Frame,
    Hello,
    Info,
    InjectPcm,
    Log,
    MsgType,
    Nak,
    Start,
    Stop,
    Stream,
    encode,
)
from bench_app.core.errors import DeviceError, LinkError
from bench_app.core.frontend.geometry import FrameGeometry
from bench_app.testing.scripted_board import ScriptedBoard, Step, wait_for

INFO = Info(
    "9.9.9",
    model_sha256="ab" * 32,
    frontend={"fe.sample_rate_hz": 16000, "fe.window_size_ms": 25, "fe.window_step_ms": 10},
    capabilities=("frames", "inject_pcm"),
    inject_window=3,
    inject_max_samples=100,
    extra={"speaker": {"address": "127.0.0.1:5"}},
)


GARBAGE = b"\x00garbage\xff" * 3


def ack(packet):
    return [Ack(packet.message.TYPE, packet.seq)]


def frames(n, start=0, channels=32):
    rng = np.random.default_rng(start)
    return [
        Frame(10_000 * k, k, rng.integers(0, 2000, channels).astype(np.uint16), 160 * k, 0)
        for k in range(start, start + n)
    ]


def test_info_round_trip_keeps_every_field():
    with ScriptedBoard([Step(Hello, [INFO])]) as board, BoardClient.open(board.path) as client:
        info = client.info()
        board.assert_done()
    assert info == INFO
    assert info.extra["speaker"]["address"] == "127.0.0.1:5"


def test_start_stream_with_garbage_and_a_corrupted_frame_between_frames():
    start = Step(Start(frozenset({Stream.FRAMES})), ack)
    stop = Step(Stop(frozenset({Stream.FRAMES})), ack)
    sent = frames(60)
    with ScriptedBoard([start, stop]) as board, BoardClient.open(board.path) as client:
        client.start([Stream.FRAMES])
        for k, f in enumerate(sent):
            wire = board.frame_bytes(f)
            if k == 20:
                wire = wire[:30] + bytes([wire[30] ^ 0x40]) + wire[31:]  # one bit flipped
            board.send(wire)
            if k % 10 == 5:
                board.send(GARBAGE)
        got = list(client.frames(timeout=0.5))
        client.stop([Stream.FRAMES])
        board.assert_done()
        stats = client.stats
    assert got == sent[:20] + sent[21:]
    assert stats.frames == 59
    assert stats.crc_errors == 1
    assert stats.drops == {"frames": 1}
    assert stats.resyncs == 6 + 1  # six garbage runs, one corrupted frame
    # six garbage runs, and every byte of the corrupted frame (24 + 28 + 2 * 32 bytes)
    assert stats.garbage_bytes == 6 * len(GARBAGE) + 116


def test_refused_start_is_one_sentence_device_error():
    def refuse(p):
        return [Nak(p.message.TYPE, p.seq, ErrorCode.NO_MODEL, reason="no model loaded")]

    board = ScriptedBoard([Step(Start, refuse)])
    with board, BoardClient.open(board.path) as client:
        with pytest.raises(DeviceError) as err:
            client.start([Stream.RESULTS])
        board.assert_done()
    assert str(err.value) == "The board refused START ['RESULTS']: NO_MODEL: no model loaded."


def test_silent_board_raises_link_error_after_retries_not_hang():
    board = ScriptedBoard([Step(Hello), Step(Hello), Step(Hello)])
    with board, BoardClient.open(board.path, timeout=1.0) as client:
        t0 = time.monotonic()
        with pytest.raises(LinkError, match="did not answer HELLO"):
            client.info()
        assert time.monotonic() - t0 < 4.0
        board.assert_done()


def test_garbled_info_is_asked_again_until_the_timeout_not_only_three_times():
    """A noisy link may garble a long INFO several times running (docs/protocol.md 6.4)."""

    def garbled(packet):
        wire = bytearray(encode(INFO, packet.seq))
        wire[40] ^= 0x01  # one flipped bit: the frame's CRC fails
        return [bytes(wire)]

    script = [Step(Hello, garbled)] * 4 + [Step(Hello, [INFO])]
    with ScriptedBoard(script) as board, BoardClient.open(board.path, timeout=8.0) as client:
        info = client.info()
        board.assert_done()
        assert client.stats.crc_errors == 4
    assert info == INFO


def test_logs_and_unknown_types_are_counted_not_raised():
    with ScriptedBoard() as board, BoardClient.open(board.path) as client:
        from bench_app.core.device.protocol import encode_raw

        board.send(Log(1, 5, "booted"), encode_raw(0x99, b"vendor", 0), frames(1)[0])
        assert next(client.frames(timeout=2.0)) == frames(1)[0]
        stats = client.stats
        assert stats.unknown_types == 1 and stats.logs == 1
        assert client.logs[0].text == "booted"
        board.assert_done()


def test_port_that_vanishes_and_comes_back_keeps_every_frame_and_counts_the_gap():
    start = Step(Start(frozenset({Stream.FRAMES})), ack)
    sent = frames(100)
    board = ScriptedBoard([start])
    # after the reconnect the client asks again for what was running
    board.script.append(Step(Start(frozenset({Stream.FRAMES})), ack))
    with board, BoardClient.open(board.path, timeout=3.0) as client:
        client.start([Stream.FRAMES])
        board.send(*sent[:40])
        assert wait_for(lambda: client.stats.frames == 40)
        board.send(board.frame_bytes(sent[40])[:50])  # cut short by the reset
        board.vanish()
        assert wait_for(lambda: client.stats.disconnects == 1)
        with pytest.raises(LinkError, match="gone for over"):
            client.write(b"x", timeout=0.05)
        time.sleep(0.3)
        board.come_back()
        assert wait_for(lambda: client.stats.reconnects == 1)
        assert wait_for(lambda: board.pos == 2)
        board.send(*[board.frame_bytes(f, seq=k) for k, f in enumerate(sent) if k >= 50])
        got = list(client.frames(timeout=0.5))
        board.assert_done()
        stats = client.stats
    assert got == sent[:40] + sent[50:]
    assert stats.drops == {"frames": 10}
    assert stats.broken_frames == 1  # the frame cut by the reset
    assert stats.reconnect_attempts >= 2  # the first reopen failed: the path was gone


def test_board_gone_for_good_raises_link_error_after_queued_frames():
    sent = frames(5)
    with ScriptedBoard() as board, BoardClient.open(board.path, timeout=0.5) as client:
        board.send(*sent)
        assert wait_for(lambda: client.stats.frames == 5)
        board.vanish()
        assert wait_for(lambda: not client.connected)
        got = []
        with pytest.raises(LinkError, match="vanished"):
            got.extend(client.frames(timeout=0.5))
        assert got == sent
        with pytest.raises(LinkError, match="gone for over"):
            client.info(timeout=0.5)
        with pytest.raises(LinkError, match=r"gone for over 0\.2 s \("):  # to 0.1 s
            client.write(b"x", timeout=0.23456)


def inject_board(window, lose_seq=None, busy_seq=None):
    """A board that ACKs INJECT_PCM cumulatively, checks the window, and can lose one chunk."""
    state = {"expected": 0, "samples": [], "max_unacked": 0, "acked": -1, "nak": 0, "busy": 0}

    def handle(board, p):
        if not isinstance(p.message, InjectPcm):
            return None
        if p.seq == lose_seq and not state.get("lost"):
            state["lost"] = True  # as if its bytes were corrupted on the wire
            return []
        if p.seq == busy_seq and not state.get("was_busy"):
            state["was_busy"] = True
            return [Nak(MsgType.INJECT_PCM, p.seq, ErrorCode.BUSY, reason="full")]
        state["max_unacked"] = max(state["max_unacked"], p.seq - state["acked"])
        if p.seq > state["expected"]:
            if state.get("nak_for") != state["expected"]:
                state["nak_for"] = state["expected"]
                state["nak"] += 1
                return [Nak(MsgType.INJECT_PCM, p.seq, ErrorCode.SEQ_GAP, state["expected"])]
            return []
        if p.seq < state["expected"]:
            return [Ack(MsgType.INJECT_PCM, state["expected"] - 1)]
        index = 16000 + sum(len(s) for s in state["samples"])
        state["samples"].append(p.message.samples)
        state["expected"] += 1
        state["acked"] = p.seq
        state["last_tag"] = p.message.tag
        state["end"] = p.message.end_of_clip
        return [Ack(MsgType.INJECT_PCM, p.seq, 0, index)]

    return state, handle


@pytest.mark.parametrize("fault", [{}, {"lose_seq": 4}, {"busy_seq": 2}])
def test_inject_is_windowed_complete_and_recovers_lost_chunks(fault):
    pcm = np.random.default_rng(1).integers(-32768, 32767, 1234).astype(np.int16)
    state, handle = inject_board(INFO.inject_window, **fault)
    board = ScriptedBoard([Step(Hello, [INFO])], lenient=handle)
    with board, BoardClient.open(board.path) as client:
        report = client.inject(pcm, tag=42)
        board.assert_done()
        stats = client.stats
    np.testing.assert_array_equal(np.concatenate(state["samples"]), pcm)
    assert report.chunks == 13 and report.samples == 1234 and report.tag == 42
    assert report.first_sample_index == 16000
    assert state["max_unacked"] <= INFO.inject_window
    assert state["last_tag"] == 42 and state["end"] is True
    if "lose_seq" in fault:  # the chunk after the lost one was NAKed SEQ_GAP, all re-sent
        assert state["nak"] == 1
    if fault:
        assert report.resends >= 1
        assert stats.inject_resends == report.resends
    else:
        assert report.resends == 0 and state["nak"] == 0
    assert report.busy_waits == (1 if "busy_seq" in fault else 0)


def test_capture_collects_the_clips_frames_by_tag_in_order():
    pcm = np.zeros(16000, np.int16)
    n = FrameGeometry.from_settings(INFO.frontend).frames_for(len(pcm))
    assert n == 98  # 1 + (16000 - 400) // 160, as TF's op makes for 1 s
    state, handle = inject_board(INFO.inject_window)
    start = Step(Start(frozenset({Stream.FRAMES})), ack)
    stop = Step(Stop(frozenset({Stream.FRAMES})), ack)
    board = ScriptedBoard([Step(Hello, [INFO]), start, stop], lenient=handle)
    clip = [Frame(k, 500 + k, np.full(32, k, np.uint16), 16000 + 160 * k, 7) for k in range(n)]
    other = Frame(0, 499, np.zeros(32, np.uint16), 15840, 0)
    with board, BoardClient.open(board.path) as client:
        client.info()

        def stream_frames():
            wait_for(lambda: state["expected"] > 0)
            board.send(other, *reversed(clip[:10]), *clip[10:])

        import threading

        t = threading.Thread(target=stream_frames)
        t.start()
        cap = client.capture(pcm, tag=7)
        t.join()
        board.assert_done()
    assert cap.expected == n and cap.missing == 0 and cap.missing_positions == []
    assert cap.frames == clip
    assert cap.features.shape == (n, 32) and cap.features.dtype == np.uint16


def test_capture_with_a_lost_frame_stops_when_the_board_is_past_the_clip():
    pcm = np.zeros(8000, np.int16)
    n = FrameGeometry.from_settings(INFO.frontend).frames_for(len(pcm))
    state, handle = inject_board(INFO.inject_window)
    start = Step(Start(frozenset({Stream.FRAMES})), ack)
    stop = Step(Stop(frozenset({Stream.FRAMES})), ack)
    board = ScriptedBoard([Step(Hello, [INFO]), start, stop], lenient=handle)
    # the board tags the silence it pads the clip with, then returns to the microphone
    clip = [Frame(k, k, np.full(32, k, np.uint16), 16000 + 160 * k, 7) for k in range(n + 2)]
    mic = [Frame(0, n + 2 + k, np.zeros(32, np.uint16), 24320 + 160 * k, 0) for k in range(50)]
    with board, BoardClient.open(board.path, timeout=5.0) as client:
        client.info()
        t0 = time.monotonic()
        import threading

        def stream_frames():
            wait_for(lambda: state["expected"] > 0)
            board.send(*clip[:20], *clip[21:], *mic)  # frame 20 lost on the way

        t = threading.Thread(target=stream_frames)
        t.start()
        cap = client.capture(pcm, tag=7)
        t.join()
        board.assert_done()
        assert time.monotonic() - t0 < 2.0  # did not wait out the 5 s timeout
    assert cap.missing == 1 and cap.missing_positions == [20]
    assert cap.frames == clip[:20] + clip[21:n]  # padding frames left out
    assert cap.error is None


def test_pcm_results_heartbeats_and_board_errors_go_where_they_belong():
    from bench_app.core.device.protocol import ErrorReport, Heartbeat, Pcm, Result

    pcm = [Pcm(10_000 * k, 160 * k, np.arange(160, dtype=np.int16) + k, 1) for k in range(5)]
    res = [Result(k, k, 16000 * k, 16000 * k + 80000, np.array([k, -k], np.int8), 2000, 30000,
                  33000, 0.5, -2, 7, 7) for k in range(3)]  # fmt: skip
    with ScriptedBoard() as board, BoardClient.open(board.path) as client:
        board.send(pcm[0], res[0], Heartbeat(5, audio_overruns=3, tx_overflows=1), *pcm[1:],
                   ErrorReport(ErrorCode.AUDIO_OVERRUN, 6, "ring overflow"), *res[1:])
        assert list(client.results(timeout=0.5)) == res
        assert list(client.pcm(timeout=0.1)) == pcm
        assert list(client.frames(timeout=0.1)) == []
        stats = client.stats
        board.assert_done()
    assert res[1].probabilities.tolist() == [1.5, 0.5]  # 0.5 * (q - (-2))
    assert (stats.pcm_chunks, stats.results, stats.heartbeats, stats.board_errors) == (5, 3, 1, 1)
    assert (stats.board_audio_overruns, stats.board_tx_overflows) == (3, 1)
    assert client.board_errors[0].text == "ring overflow"


def test_a_board_that_stops_its_heartbeats_is_reported_gone_though_its_port_is_open():
    from bench_app.core.device.protocol import Heartbeat

    with ScriptedBoard() as board, BoardClient.open(board.path, silent_after_s=0.4) as client:
        assert list(client.frames(timeout=0.2)) == []  # no heartbeat seen yet: just empty
        board.send(Heartbeat(1), frames(1)[0])
        assert list(client.frames(timeout=0.2)) == frames(1)  # 0.2 s quiet: still alive
        with pytest.raises(LinkError, match="not even a heartbeat"):
            list(client.frames(timeout=0.5))
        assert client.connected
