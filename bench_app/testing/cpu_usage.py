"""How much of a core a process uses, measured from /proc (Linux), second by second.

Used by ``benchmarks/idle_board.py`` and the idle-board test: an idle virtual board must
use under 5 % of a core (issue 9). CPU time (user + system, all threads) is what the process
consumed, so a busy shared machine slows the measurement but does not inflate it.
"""

from __future__ import annotations

import os
import statistics
import time


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid`` (all its threads)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_percent_samples(pid: int, seconds: float, interval: float = 1.0) -> list[float]:
    """Per-interval CPU use of ``pid`` in percent of one core, over ``seconds``."""
    samples = []
    before, t0 = cpu_seconds(pid), time.monotonic()
    end = t0 + seconds
    while time.monotonic() < end:
        time.sleep(interval)
        now, t1 = cpu_seconds(pid), time.monotonic()
        samples.append(100.0 * (now - before) / (t1 - t0))
        before, t0 = now, t1
    return samples


def median_cpu_percent(pid: int, seconds: float, interval: float = 1.0) -> float:
    """Median of `cpu_percent_samples`: one busy second (a GC, a page-in) does not count."""
    return statistics.median(cpu_percent_samples(pid, seconds, interval))
