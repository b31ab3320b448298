"""Shared test setup: Qt runs offscreen; the JACK fixture; markers; no test hangs.

Test helpers a board or bench author may reuse live in `bench_app.testing` (scripted board,
running virtual board, oracles, known signals, JACK loopback); no test imports another.

Hangs: pytest-timeout (``timeout`` in pyproject.toml, thread method) fails a test that runs too
long and dumps every thread's stack. Its timer thread needs the GIL, so a deadlock between
the GIL and a Qt mutex would silence it (and its signal method cannot interrupt a main thread
stuck in C). faulthandler's watchdog is a C thread that needs no GIL: a little later it
prints every Python thread's stack and ends the process, so a run can never hang CI.
"""

from __future__ import annotations

import faulthandler
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

#: Seconds past pytest-timeout's limit before the watchdog ends the process.
WATCHDOG_GRACE_S = 60


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    limit = item.config.getini("timeout")
    seconds = float(limit) + WATCHDOG_GRACE_S if limit else 0
    if seconds > 0:
        faulthandler.dump_traceback_later(seconds, exit=True)
    try:
        yield
    finally:
        if seconds > 0:
            faulthandler.cancel_dump_traceback_later()


def pytest_addoption(parser):
    parser.addoption(
        "--board-url", default=None, metavar="URL",
        help="run the board-agnostic tests (tests/conformance) against the board at URL (a "
             "serial port, a pty from `bench-app emulate`, socket://HOST:PORT); without it "
             "they start a virtual board of their own",
    )  # fmt: skip


@pytest.fixture(scope="session")
def board_url(request):
    """The URL of the board under test: ``--board-url``, else a virtual board started here
    (in a thread, unpaced, running the untrained paper-shape model)."""
    url = request.config.getoption("--board-url")
    if url:
        yield url
        return
    from bench_app.testing.running_board import MODEL, running_board

    with running_board(fast=True, model=str(MODEL) if MODEL.is_file() else None) as board:
        yield board.port_path


@pytest.fixture(scope="session")
def jack_server():
    """A private jackd for the session, with this process's PortAudio pointed at it."""
    from bench_app.testing.jack import JackUnavailable, start_jackd

    try:
        server = start_jackd()
    except JackUnavailable as exc:
        pytest.skip(f"jackd cannot start here: {exc}")
    try:
        server.use_in_this_process()
        yield server
    finally:
        server.stop()


def pytest_collection_modifyitems(config, items):
    """Mark by layer so a run can pick: ``-m gui`` (tests/ui), ``-m jack`` (a real jackd)."""
    ui = Path(__file__).parent / "ui"
    for item in items:
        if ui in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.gui)
        if "jack_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.jack)
