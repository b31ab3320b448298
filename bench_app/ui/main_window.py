"""The bench window: device bar on top, the jobs on the left, the chosen job's view, status bar."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .bridge import USER_DISCONNECT_REASON, RunBridge
from .context import BenchContext
from .device_bar import DeviceBar
from .error_reporter import ErrorReporter

JOBS = ("Alignment", "Latency", "Corpus", "Model", "Runs")
DEFAULT_SIZE = QSize(1280, 800)


class MainWindow(QMainWindow):
    """The bench's main window over one run store.

    Parameters
    ----------
    store
        An open `RunStore` (the window closes it when it closes).
    settings
        `BenchSettings`.
    sim_args
        `bench-app emulate` arguments for the virtual board (None: the shipped model).
    """

    def __init__(self, store, settings, sim_args: list[str] | None = None,
                 lazy_views: bool = False) -> None:
        super().__init__()
        self.setWindowTitle(f"Coral Micro bench — {store.store_dir}")
        self.resize(DEFAULT_SIZE)
        self.store = store
        self.settings = settings
        self.bridge = RunBridge(self)
        self.errors = ErrorReporter(self.statusBar(), self)
        self.run_label = QLabel("no run")
        self.statusBar().addPermanentWidget(self.run_label)
        self.devices = DeviceBar(self, sim_args=sim_args)
        self.devices.select(settings.last_device)
        self.ctx = BenchContext(
            store=store, bridge=self.bridge, settings=settings,
            session=lambda: self.devices.session, report_error=self.report_error,
            status=lambda text: self.statusBar().showMessage(text, 10_000),
        )
        self.jobs = QListWidget()
        self.jobs.addItems(list(JOBS))
        self.jobs.setFixedWidth(130)
        self.jobs.setStyleSheet("QListWidget { font-size: 11pt; } "
                                "QListWidget::item { padding: 8px 6px; }")
        self.stack = QStackedWidget()
        self.views: dict[str, QWidget] = {}
        self._loading = QLabel("Loading the views…")
        self.stack.addWidget(self._loading)
        body = QHBoxLayout()
        body.addWidget(self.jobs)
        body.addWidget(self.stack, 1)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.devices)
        layout.addLayout(body, 1)
        self.setCentralWidget(central)
        self.devices.connected.connect(self._on_connected)
        self.devices.disconnected.connect(self._on_disconnected)
        self.devices.error.connect(self.report_error)
        self.bridge.started.connect(self._on_run_started)
        self.bridge.finished.connect(self._on_run_finished)
        self.statusBar().showMessage("Connect a board (the virtual board is 'sim') to start.")
        self._build_menu()
        if not lazy_views:
            self.build_views()

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("&File")
        menu.addAction("Open run store folder…", self.choose_store)
        menu.addSeparator()
        menu.addAction("&Quit", self.close)

    def choose_store(self) -> None:
        """Ask for a run store folder and switch to it."""
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(self, "Run store folder",
                                                  str(self.store.store_dir))
        if folder:
            self.open_store(folder)

    def open_store(self, folder: str) -> bool:
        """Use the run store in ``folder`` from now on (not while a run is going)."""
        from bench_app.core.store import RunStore

        if self.bridge.running:
            self.report_error("Wait for the run to end before changing the run store.")
            return False
        try:
            store = RunStore.open(folder)
        except Exception as exc:
            self.report_error(exc)
            return False
        self.store.close()
        self.store = self.ctx.store = store
        self.settings.store_dir = str(store.store_dir)
        self.setWindowTitle(f"Coral Micro bench — {store.store_dir}")
        runs = self.views.get("Runs")
        if runs is not None:
            runs.refresh()
        self.statusBar().showMessage(f"Run store: {store.store_dir}", 10_000)
        return True

    def build_views(self) -> None:
        """Build the job views (imports pyqtgraph); done once, after the window is shown."""
        if self.views:
            return
        from .views.alignment import AlignmentView
        from .views.corpus import CorpusView
        from .views.latency import LatencyView
        from .views.model import ModelView
        from .views.runs import RunsView
        from .widgets.plots import configure

        configure()
        self.views = {"Alignment": AlignmentView(self.ctx), "Latency": LatencyView(self.ctx),
                      "Corpus": CorpusView(self.ctx),
                      "Model": ModelView(self.ctx, load_on_sim=self.devices.use_sim_model),
                      "Runs": RunsView(self.ctx)}
        for name in JOBS:
            self.stack.addWidget(self.views[name])
        self.stack.removeWidget(self._loading)
        self.jobs.currentRowChanged.connect(self._show_job)
        self.jobs.setCurrentRow(0)
        self._show_job(0)
        session = self.devices.session
        if session is not None:
            self._on_connected(session)
        # PortAudio's device scan takes a while: list the sound outputs in the background
        from .views.alignment import output_devices
        from .workers import Job

        self._outputs_job = Job(output_devices, self, serial=True)
        self._outputs_job.done.connect(self._set_output_devices)
        self._outputs_job.start()

    def _set_output_devices(self, devices: list) -> None:
        for view in self.views.values():
            if hasattr(view, "set_output_devices"):
                view.set_output_devices(devices)

    # ---- navigation ----------
    def show_job(self, name: str) -> QWidget:
        """Switch to job ``name`` and return its view."""
        self.jobs.setCurrentRow(JOBS.index(name))
        return self.views[name]

    def _show_job(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        view = self.stack.currentWidget()
        if hasattr(view, "refresh"):
            view.refresh()

    # ---- events ----------
    def report_error(self, error, details: str = "") -> None:
        """Show an error in the status bar (Details opens the full text)."""
        self.errors.report(error, details)

    def _on_connected(self, session) -> None:
        self.settings.last_device = session.device
        self.statusBar().showMessage(f"Connected to {session.device}.", 10_000)
        for view in self.views.values():
            if hasattr(view, "on_board"):
                view.on_board(session)

    def _on_disconnected(self) -> None:
        self.bridge.note_user_disconnect()
        note = " The run in progress ends as interrupted; its data is kept." if (
            self.bridge.running) else ""
        self.statusBar().showMessage(f"Disconnected.{note}", 10_000)
        for view in self.views.values():
            if hasattr(view, "on_board"):
                view.on_board(None)

    def _on_run_started(self, uid: str, procedure: str) -> None:
        self.run_label.setText(f"{procedure} run {uid[:8]} running")

    def _on_run_finished(self, stop: dict) -> None:
        uid = str(stop.get("run_uid", ""))[:8]
        status = stop.get("status")
        self.run_label.setText(f"run {uid} {status}")
        text = f"Run {uid} ended: {status}. {stop.get('reason', '')}"
        if stop.get("reason") == USER_DISCONNECT_REASON:  # the user's own doing: no error
            self.statusBar().showMessage(f"Run {uid} interrupted: {USER_DISCONNECT_REASON}",
                                         30_000)
        elif status in ("failed", "interrupted"):
            self.report_error(f"Run {uid} {status}: {stop.get('reason', '')}", str(stop))
        else:
            self.statusBar().showMessage(text, 15_000)
        runs = self.views.get("Runs")
        if runs is not None and self.stack.currentWidget() is runs:
            runs.refresh()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Cancel a run, disconnect, save settings, close the store."""
        if self.bridge.running:
            self.bridge.cancel("The window was closed.")
            self.bridge.controller.wait(10)
        self.devices.disconnect()
        for view in self.views.values():
            if hasattr(view, "shutdown"):
                view.shutdown()
        self.settings.sync()
        self.store.close()
        super().closeEvent(event)
