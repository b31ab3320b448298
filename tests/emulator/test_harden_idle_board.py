"""Issue 9, class 10: an idle virtual board uses under 5 % of a core (it used 55-100 %:
OpenMP threads of the front end's numba kernels spun between its 10 ms steps, and the board
woke every 10 ms even when nobody streamed)."""

from __future__ import annotations

from bench_app.core.device.emulator.process import start_emulator
from bench_app.testing.cpu_usage import cpu_percent_samples


def test_an_idle_virtual_board_sleeps():
    with start_emulator([]) as emu:
        cpu_percent_samples(emu.pid, 1.5)  # start-up (imports, first compiled calls)
        samples = sorted(cpu_percent_samples(emu.pid, 5.0))
    assert samples[len(samples) // 2] < 5.0, samples
