"""The virtual board's capture source keeps a bounded buffer, as a board's audio ring does.

A real PortAudio input stream on jackd's dummy driver (FACTS.md) feeds `SoundDeviceInput` in
real time while nobody reads it: the buffer must stop at `CAPTURE_BUFFER_S` and count every
block it dropped, and reading must then return the newest audio at once.
"""

from __future__ import annotations

import time

import pytest

from bench_app.core.device.emulator.sources import CAPTURE_BUFFER_S, SoundDeviceInput

#: The jackd session fixture `jack_server` (one server for every module that uses it).

RATE = 16000
BLOCK = 160


@pytest.fixture
def jack(jack_server):
    jack_server.use_in_this_process()
    return jack_server


def test_an_unread_capture_drops_its_oldest_audio_and_counts_it(jack):
    source = SoundDeviceInput(str(jack.device("input").index), RATE, blocksize=BLOCK)
    try:
        capacity = round(CAPTURE_BUFFER_S * RATE / BLOCK)
        time.sleep(CAPTURE_BUFFER_S + 1.0)  # a board that stopped reading for a while
        held = source._queue.qsize()
        assert held <= capacity
        assert held >= capacity - 5  # full, less what a callback may be taking right now
        assert source.overruns >= 0.5 * RATE / BLOCK  # about a second's blocks were dropped
        t0 = time.monotonic()
        assert len(source.read(RATE)) == RATE  # a second of the buffer, without waiting
        assert time.monotonic() - t0 < 0.5
    finally:
        source.close()
