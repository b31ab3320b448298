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
    """One sentence saying why no window can open here, or None when one can.

    A set DISPLAY is not enough: Qt aborts the process (SIGABRT) when no X server answers
    there, so the server is tried first (`x_server_reachable`); likewise the Wayland socket.
    """
    platform = environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in HEADLESS_PLATFORMS or sys.platform in ("win32", "darwin"):
        return None
    display = environ.get("DISPLAY", "").strip()
    wayland = environ.get("WAYLAND_DISPLAY", "").strip()
    if platform != "xcb" and wayland and wayland_reachable(wayland, environ):
        return None
    if display and x_server_reachable(display):
        return None
    if display:
        why = f"no X server answers on DISPLAY={display}"
    elif wayland:
        why = f"no Wayland compositor answers on WAYLAND_DISPLAY={wayland} and DISPLAY is not set"
    else:
        why = "DISPLAY is not set"
    return (f"There is no display to open the bench window on ({why}): run "
            "`xvfb-run -a bench-app gui` for a virtual screen, or use the command line "
            "(`bench-app run alignment --device sim`).")


#: Where local X servers put their sockets (X11 convention; a module constant for tests).
X11_SOCKET_DIR = "/tmp/.X11-unix"
X_TCP_BASE_PORT = 6000
CONNECT_TIMEOUT_S = 0.5


def _connects(family: int, address) -> bool:
    import socket

    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(CONNECT_TIMEOUT_S)
        try:
            s.connect(address)
        except OSError:
            return False
    return True


def x_server_reachable(display: str) -> bool:
    """Whether an X server accepts connections at ``display`` (``[host]:N[.screen]``).

    Local displays (no host, or ``unix``) are tried on their Unix socket (the abstract one
    first, as libxcb does on Linux, then the file), then on TCP localhost; a remote
    ``host:N`` on TCP port 6000 + N (SSH X forwarding uses ``localhost:10`` and up).
    """
    import socket

    host, sep, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not sep or not number.isdigit():
        return False
    if host.startswith("/"):  # a launchd-style socket path (macOS XQuartz)
        return _connects(socket.AF_UNIX, display.split(":")[0])
    n = int(number)
    if host in ("", "unix"):
        path = f"{X11_SOCKET_DIR}/X{n}"
        if sys.platform.startswith("linux") and _connects(socket.AF_UNIX, "\0" + path):
            return True
        if _connects(socket.AF_UNIX, path):
            return True
        if host == "unix":
            return False
        host = "localhost"
    try:
        infos = socket.getaddrinfo(host, X_TCP_BASE_PORT + n, type=socket.SOCK_STREAM)
    except OSError:
        return False
    return any(_connects(family, addr) for family, *_, addr in infos)


def wayland_reachable(name: str, environ=os.environ) -> bool:
    """Whether a Wayland compositor listens on socket ``name`` (relative to XDG_RUNTIME_DIR)."""
    import socket

    if not name.startswith("/"):
        runtime = environ.get("XDG_RUNTIME_DIR", "")
        if not runtime:
            return False
        name = os.path.join(runtime, name)
    return _connects(socket.AF_UNIX, name)


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
