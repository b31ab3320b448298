"""Fixtures of the board conformance tests: a client on the board under test and its INFO.

The board is ``--board-url URL`` or, without it, a virtual board the session starts
(`board_url` in tests/conftest.py). Tests read what they may expect from the board's INFO
(rate, front end, capabilities, model window and hop) and skip what it says it cannot do.
"""

from __future__ import annotations

import pytest

from bench_app.core.device.client import BoardClient
from bench_app.core.device.protocol import Stream
from bench_app.core.frontend.geometry import FrameGeometry

#: The streams a host may START, and the INFO capability that says a board has each.
STREAM_CAPS = {Stream.FRAMES: "frames", Stream.PCM: "pcm", Stream.RESULTS: "results"}


@pytest.fixture
def board(board_url):
    """A `BoardClient` on the board under test, every stream stopped and drained."""
    with BoardClient.open(board_url, timeout=10.0) as client:
        info = client.info()
        streams = [s for s, cap in STREAM_CAPS.items() if cap in info.capabilities]
        client.stop(streams)
        for stream in streams:
            client.drain(stream)
        yield client
        if client.connected:
            client.stop(streams)


@pytest.fixture
def info(board):
    return board.last_info


@pytest.fixture
def geometry(info) -> FrameGeometry:
    geometry = FrameGeometry.from_settings(info.frontend)
    assert geometry is not None, "INFO's frontend lacks fe.sample_rate_hz / window / step"
    return geometry


@pytest.fixture
def need(info):
    """``need(capability)`` skips the test unless the board's INFO lists ``capability``."""

    def check(capability: str) -> None:
        if capability not in info.capabilities:
            pytest.skip(f"the board does not list {capability!r} in INFO")

    return check
