"""Shared test setup: Qt runs offscreen; tests/ is importable for the oracles; no test hangs.

Hangs: pytest-timeout (``timeout`` in pyproject.toml, thread method) fails a test that runs too
long and dumps every thread's stack. Its timer thread needs the GIL, so a deadlock between
the GIL and a Qt mutex would silence it (and its signal method cannot interrupt a main thread
stuck in C). faulthandler's watchdog is a C thread that needs no GIL: a little later it
prints every Python thread's stack and ends the process, so a run can never hang CI.
"""

from __future__ import annotations

import faulthandler
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

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
