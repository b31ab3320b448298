"""Start the bench window: display check, QApplication, store, window (and the demo run).

Start-up stays light: numpy, Qt, pyqtgraph and the store; the front end (numba), the analysis
and the board link are imported only when a run or a connection needs them.
"""

from __future__ import annotations

import os
import sys
import time

from bench_app.core.errors import BenchError

#: Qt platforms that need no display server.
HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb")
SWITCH_INTERVAL_S = 0.001


class NoDisplayError(BenchError):
    """The window cannot open: no display."""


def display_problem(environ=os.environ) -> str | None:
    """One sentence saying why no window can open here, or None when one can."""
    platform = environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in HEADLESS_PLATFORMS or sys.platform in ("win32", "darwin"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return ("There is no display to open the bench window on (DISPLAY is not set): run "
            "`xvfb-run -a bench-app gui` for a virtual screen, or use the command line "
            "(`bench-app run alignment --device sim`).")


def create_application(argv: list[str] | None = None):
    """The QApplication (created once), with pyqtgraph configured."""
    from PySide6.QtWidgets import QApplication

    # The run, link, store and reference threads share the GIL with the event loop; a shorter
    # switch interval (default 5 ms) lets the event loop in sooner when they are all busy.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    app = QApplication.instance() or QApplication(argv or ["bench-app"])
    app.setApplicationName("bench-app")
    app.setOrganizationName("bench-app")
    return app


def build_window(store_dir: str | None = None, settings_path: str | None = None,
                 sim_args: list[str] | None = None, lazy_views: bool = False):
    """Open the store and build the main window (not shown).

    With ``lazy_views`` the job views (and pyqtgraph) are built by `MainWindow.build_views`,
    which the caller runs once the window is on screen.
    """
    from bench_app.core.store.paths import STORE_ENV, resolve_store_dir

    from .main_window import MainWindow
    from .settings import BenchSettings

    settings = BenchSettings(settings_path)
    remembered = None if os.environ.get(STORE_ENV, "").strip() else settings.store_dir
    folder = resolve_store_dir(store_dir or remembered or None)
    from bench_app.core.store import RunStore

    store = RunStore.open(folder)
    if store_dir:
        settings.store_dir = str(folder)
    return MainWindow(store, settings, sim_args=sim_args, lazy_views=lazy_views)


def run_gui(store_dir: str | None = None, device: str | None = None, demo: bool = False,
            quit_after_s: float | None = None, startup_report: bool = False,
            connect: bool = True) -> int:
    """Show the window and run the event loop; return the exit status.

    The window connects at once to ``device``, else to the board used last (the virtual
    board ``sim`` the first time), unless ``connect`` is False.
    """
    t0 = time.perf_counter()
    problem = display_problem()
    if problem:
        raise NoDisplayError(problem)
    from PySide6.QtCore import QTimer

    app = create_application(sys.argv[:1])
    window = build_window(store_dir, lazy_views=True)
    window.show()
    app.processEvents()  # the first paint: the window is on screen
    if startup_report:
        print(f"window shown after {time.perf_counter() - t0:.3f} s", flush=True)
    window.build_views()
    if startup_report:
        app.processEvents()
        print(f"views ready after {time.perf_counter() - t0:.3f} s", flush=True)
        QTimer.singleShot(0, window.close)
        return int(app.exec())
    if demo:
        window.devices.connect_to(device or "sim")
    elif device or connect:
        window.devices.connect_to(device or window.settings.last_device or "sim")
    if demo:
        # a 6 s sweep through the virtual speaker: quick, and it reads at a glance
        window.views["Alignment"].start_when_connected("sweep")
    if quit_after_s:
        QTimer.singleShot(int(quit_after_s * 1000), window.close)
    close_on_signals(window)
    report_uncaught(window)
    return int(app.exec())


def report_uncaught(window) -> None:
    """An exception escaping a slot shows in the window (status bar + details), not a crash."""
    import traceback

    def hook(kind, exc, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        details = "".join(traceback.format_exception(kind, exc, tb))
        print(details, file=sys.stderr)
        window.report_error(exc, details)

    sys.excepthook = hook


def close_on_signals(window) -> None:
    """SIGTERM / Ctrl-C close the window the normal way (run cancelled, virtual board stopped).

    Python runs signal handlers only when it gets control, so a timer hands it control
    every 200 ms while Qt's event loop runs.
    """
    import signal

    from PySide6.QtCore import QTimer

    def close(*_args) -> None:
        QTimer.singleShot(0, window.close)

    signal.signal(signal.SIGTERM, close)
    signal.signal(signal.SIGINT, close)
    tick = QTimer(window)
    tick.timeout.connect(lambda: None)
    tick.start(200)
