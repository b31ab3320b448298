"""`SerialLink` over real pyserial URLs: loop://, a pty that vanishes and comes back, a board
that stops reading; and device discovery."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from bench_app.core.device import discovery
from bench_app.core.device.link import SerialLink
from bench_app.core.errors import LinkError
from bench_app.testing.scripted_board import ScriptedBoard, wait_for


class Sink:
    def __init__(self):
        self.data = bytearray()
        self.states: list[bool] = []
        self.lock = threading.Lock()

    def __call__(self, chunk: bytes) -> None:
        with self.lock:
            self.data += chunk


def test_loop_url_echoes_every_byte_and_counts_them():
    sink = Sink()
    link = SerialLink("loop://", sink).open()
    try:
        payload = bytes(range(256)) * 20
        for i in range(0, len(payload), 1000):
            link.write(payload[i : i + 1000])
        assert wait_for(lambda: len(sink.data) == len(payload))
        assert bytes(sink.data) == payload
        assert link.counters.bytes_in == link.counters.bytes_out == len(payload)
    finally:
        link.close()


def test_a_port_that_cannot_be_opened_is_one_sentence():
    with pytest.raises(LinkError) as err:
        SerialLink("/nonexistent/ttyACM9", Sink()).open()
    text = str(err.value)
    assert text.startswith("Cannot open the board link '/nonexistent/ttyACM9'")
    assert text.endswith(".") and "\n" not in text


def test_vanishing_pty_is_noticed_reopened_at_the_same_path_and_counted():
    sink = Sink()
    with ScriptedBoard() as board:
        link = SerialLink(board.path, sink, on_state=sink.states.append).open()
        try:
            board.send(b"before")
            assert wait_for(lambda: bytes(sink.data) == b"before")
            board.vanish()
            assert wait_for(lambda: not link.connected)
            with pytest.raises(LinkError, match="vanished; reconnecting"):
                link.write(b"x")
            time.sleep(0.3)  # the path is gone: reopen attempts fail meanwhile
            board.come_back()
            assert wait_for(lambda: link.connected)
            board.send(b"after")
            assert wait_for(lambda: bytes(sink.data) == b"beforeafter")
            link.write(b"hello board")
            assert link.counters.disconnects == 1 and link.counters.reconnects == 1
            assert link.counters.reconnect_attempts >= 2
            assert sink.states == [False, True]
        finally:
            link.close()


def test_close_returns_promptly_while_the_reader_waits():
    with ScriptedBoard() as board:
        link = SerialLink(board.path, Sink(), read_timeout=10.0).open()
        time.sleep(0.1)
        t0 = time.monotonic()
        link.close()
        assert time.monotonic() - t0 < 1.0
        assert not link.connected and link.closed
        with pytest.raises(LinkError, match="it was closed"):
            link.write(b"x")


def test_a_board_that_stops_reading_makes_write_fail_not_hang():
    with ScriptedBoard() as board:
        board._stop.set()  # the fake board stops reading its port
        time.sleep(0.1)
        link = SerialLink(board.path, Sink(), write_timeout=0.3).open()
        try:
            t0 = time.monotonic()
            with pytest.raises(LinkError, match="not reading"):
                for _ in range(1000):
                    link.write(bytes(65536))
            assert time.monotonic() - t0 < 3.0
        finally:
            link.close()


def test_discovery_lists_boards_first_and_the_virtual_board_last(monkeypatch):
    from serial.tools import list_ports

    ports = [
        SimpleNamespace(device="/dev/ttyS0", vid=None, pid=None, description="n/a", hwid="n/a"),
        SimpleNamespace(device="/dev/ttyACM3", vid=0x18D1, pid=0x93FF,
                        description="Coral Dev Board Micro", hwid="USB VID:PID=18D1:93FF"),
    ]  # fmt: skip
    monkeypatch.setattr(list_ports, "comports", lambda: ports)
    from bench_app.core.device.emulator import process

    running = [{"port": "/tmp/emu/port", "pid": 42, "model_sha256": None}]
    monkeypatch.setattr(process, "running_emulators", lambda: running)
    entries = discovery.list_devices()
    assert [e.name for e in entries] == ["/dev/ttyACM3", "/dev/ttyS0", "/tmp/emu/port", "sim"]
    assert [e.likely_board for e in entries] == [True, False, False, False]
    assert [e.kind for e in entries[-2:]] == ["virtual", "virtual"]
    assert [e.name for e in discovery.list_devices(include_virtual=False)][-1] == "/dev/ttyS0"


def test_socket_url_reaches_a_tcp_board_and_reconnects_when_it_drops_the_connection():
    import socket

    from bench_app.core.device.client import BoardClient
    from bench_app.core.device.protocol import Decoder, Hello, Info, encode

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    served = []

    def serve():  # answers HELLO with INFO; hangs up after the first connection's answer
        for round_ in range(2):
            conn, _ = server.accept()
            dec = Decoder()
            with conn:
                while True:
                    data = conn.recv(4096)
                    if not data:
                        break
                    for p in dec.feed(data):
                        if isinstance(p.message, Hello):
                            conn.sendall(encode(Info(f"tcp-{round_}"), round_))
                            served.append(round_)
                    if round_ == 0 and served:
                        break  # the board's network stack drops the connection

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        with BoardClient.open(f"socket://127.0.0.1:{port}", timeout=3.0) as client:
            assert client.info().firmware_version == "tcp-0"
            assert wait_for(lambda: client.stats.disconnects == 1)
            assert wait_for(lambda: client.connected)
            assert client.info().firmware_version == "tcp-1"
            assert client.stats.reconnects == 1
    finally:
        server.close()
        t.join(timeout=2)
