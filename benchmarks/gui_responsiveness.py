"""Responsiveness of the bench window during a real-time alignment run, and its start-up time.

Three figures (issue 5), each beside a reference measured the same way in this process:

1. Event-loop stall: a 10 ms precise QTimer records how late each tick fires while an
   alignment run streams the virtual board's full data rate (FRAMEs every 10 ms, 16 kHz PCM)
   in real time into the window, which computes the live reference and redraws three
   spectrograms and two error plots. Reference: the same window, connected, with no run.
   Target: p99 lateness under 50 ms.
2. Plot refresh rate: redraws of the live plots per second while the board's frames stream
   (from the first ``frames`` chunk to the last; the view's timer redraws from the ring
   buffers). Target: at least 30 per second.
3. Cold start-up to a shown window: a fresh ``python -m bench_app gui --startup-report``
   process, from spawn to the line it prints once the window is shown (device bar, job list,
   status bar; the job views with pyqtgraph are built right after, and the time to them is
   printed too). Reference: a bare PySide6 process showing an empty QMainWindow. Target:
   under 2 s.

Qt runs offscreen (no display needed); pass ``--xcb`` when ``DISPLAY`` points at an X server.
Run: ``.venv/bin/python benchmarks/gui_responsiveness.py [--stimulus sweep|tonal-bursts]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BARE_WINDOW = (
    "import time; t0 = time.perf_counter()\n"
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "from PySide6.QtCore import QTimer\n"
    "app = QApplication([]); w = QMainWindow(); w.resize(1280, 800); w.show()\n"
    "QTimer.singleShot(0, lambda: (print('shown', flush=True), app.quit()))\n"
    "app.exec()\n"
)


def spawn_lines(cmd: list[str], env: dict, n: int) -> list[float]:
    """Seconds from spawning ``cmd`` to each of its first ``n`` lines on stdout."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    times = []
    for _ in range(n):
        if not proc.stdout.readline():
            raise RuntimeError(f"{cmd} printed too little: {proc.stderr.read()[-500:]}")
        times.append(time.perf_counter() - t0)
    proc.wait(30)
    return times


def startup(env: dict, repeats: int) -> tuple[float, float, float]:
    """Median seconds to the bench window shown, to its views ready, and to a bare window."""
    shown, ready, bare = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**env, "BENCH_APP_STORE": tmp, "XDG_CONFIG_HOME": tmp}
        for _ in range(repeats):
            s, r = spawn_lines([sys.executable, "-m", "bench_app", "gui", "--startup-report"],
                               env, 2)
            shown.append(s)
            ready.append(r)
            bare.append(spawn_lines([sys.executable, "-c", BARE_WINDOW], env, 1)[0])
    return statistics.median(shown), statistics.median(ready), statistics.median(bare)


class LatenessProbe:
    """A precise timer that records how late each of its ticks is (ms)."""

    def __init__(self, interval_ms: int = 10) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval = interval_ms / 1000.0
        self.lateness: list[float] = []
        self._last = None
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.lateness.append(max(0.0, (now - self._last - self.interval) * 1000.0))
        self._last = now

    def start(self) -> None:
        self.lateness.clear()
        self._last = None
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return list(self.lateness)


def pump(app, seconds: float, until=None) -> None:
    """Run the event loop for ``seconds`` (or until ``until()`` is true)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    if until is not None:
        check = QTimer()
        check.timeout.connect(lambda: until() and loop.quit())
        check.start(50)
    loop.exec()


def live_run(stimulus: str, idle_s: float) -> dict:
    """Stall and refresh figures during one real-time alignment run, and with no run."""
    from bench_app.ui.app import build_window, create_application

    app = create_application()
    with tempfile.TemporaryDirectory() as tmp:
        window = build_window(str(Path(tmp) / "store"), str(Path(tmp) / "settings.ini"))
        window.show()
        window.devices.connect_to("sim")
        pump(app, 90, lambda: window.devices.session is not None or window.errors.count)
        if window.devices.session is None:
            raise RuntimeError(f"could not connect: {window.errors.last_message}")
        probe = LatenessProbe()
        probe.start()
        pump(app, idle_s)
        idle = probe.stop()
        view = window.show_job("Alignment")
        view.stimulus.setCurrentIndex(view.stimulus.findData(stimulus))
        view.path.setCurrentIndex(view.path.findData("virtual"))
        frames_before = window.devices.session.client.stats.frames
        chunks, redraws = [], []
        window.bridge.document.connect(
            lambda kind, doc: kind == "event" and doc.get("stream") == "frames"
            and chunks.append(time.perf_counter()))
        plots = view.plots

        def counted_tick() -> None:
            before = plots.refreshes
            plots.refresh()
            if plots.refreshes > before:
                redraws.append(time.perf_counter())

        plots.timer.timeout.disconnect()
        plots.timer.timeout.connect(counted_tick)
        probe.start()
        t0 = time.perf_counter()
        view.start()
        pump(app, 600, lambda: not window.bridge.running)
        elapsed = time.perf_counter() - t0
        busy = probe.stop()
        span = (chunks[0], chunks[-1]) if len(chunks) > 1 else (t0, t0 + elapsed)
        refreshes = sum(span[0] <= t <= span[1] for t in redraws)
        frames = window.devices.session.client.stats.frames - frames_before
        status = window.bridge.controller.result.status.value
        window.close()
    return {"idle": idle, "busy": busy,
            "refresh_per_s": refreshes / max(1e-9, span[1] - span[0]),
            "run_s": elapsed, "frames_per_s": frames / elapsed, "status": status}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stimulus", default="sweep", choices=("sweep", "tonal-bursts"))
    parser.add_argument("--repeats", type=int, default=3, help="start-up repeats (median)")
    parser.add_argument("--xcb", action="store_true", help="use the X display in DISPLAY")
    args = parser.parse_args()
    platform = "xcb" if args.xcb else "offscreen"
    os.environ["QT_QPA_PLATFORM"] = platform
    env = {**os.environ, "QT_QPA_PLATFORM": platform}

    ours_s, ready_s, bare_s = startup(env, args.repeats)
    print(f"cold start-up from process spawn (median of {args.repeats}, {platform}):")
    print(f"  bench window shown {ours_s:.2f} s   bare QMainWindow shown {bare_s:.2f} s   "
          f"ratio {ours_s / bare_s:.2f}   target < 2 s: {'OK' if ours_s < 2 else 'MISSED'}")
    print(f"  job views (pyqtgraph) ready {ready_s:.2f} s")

    r = live_run(args.stimulus, idle_s=3.0)
    p99_busy = float(np.percentile(r["busy"], 99))
    p99_idle = float(np.percentile(r["idle"], 99))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine load average (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
    print(f"real-time alignment run ({args.stimulus}, {r['run_s']:.1f} s, "
          f"{r['frames_per_s']:.0f} board frames/s, status {r['status']}):")
    print(f"  event-loop stall p99 {p99_busy:.1f} ms (median {np.median(r['busy']):.2f} ms, "
          f"max {max(r['busy']):.1f} ms) vs idle window p99 {p99_idle:.1f} ms   ratio "
          f"{p99_busy / max(p99_idle, 1e-3):.1f}   target < 50 ms: "
          f"{'OK' if p99_busy < 50 else 'MISSED'}")
    print(f"  plot refreshes {r['refresh_per_s']:.1f} per s   target >= 30: "
          f"{'OK' if r['refresh_per_s'] >= 30 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
