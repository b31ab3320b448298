"""Start / Pause / Cancel and the progress bar of one kind of run (alignment, latency)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget


class RunControls(QWidget):
    """Buttons that start a run of ``procedure_name`` through the bridge, pause and cancel it.

    Parameters
    ----------
    ctx
        The window's `BenchContext`.
    procedure_name
        The procedure these controls run (the buttons follow only its runs).
    make_procedure
        Builds the procedure to run on the connected board.
    on_start
        What the Start button calls (default: `start`), for a view that must get ready first.
    """

    def __init__(self, ctx, procedure_name: str, make_procedure: Callable[[], object],
                 parent: QWidget | None = None,
                 on_start: Callable[[], object] | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.procedure_name = procedure_name
        self.make_procedure = make_procedure
        self.start_button = QPushButton("Start")
        self.start_button.setStyleSheet("font-weight: bold;")
        self.pause_button = QPushButton("Pause")
        self.cancel_button = QPushButton("Cancel")
        self.start_button.clicked.connect(on_start or self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_button.clicked.connect(lambda: ctx.bridge.cancel())
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFormat("%p %")
        buttons = QHBoxLayout()
        for b in (self.start_button, self.pause_button, self.cancel_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        self._run_uid: str | None = None
        ctx.bridge.started.connect(self._on_started)
        ctx.bridge.finished.connect(self._on_finished)
        self.set_running(False)

    def _on_started(self, uid: str, name: str) -> None:
        self.set_running(True)
        if name == self.procedure_name:
            self._run_uid = uid
            self.progress.setValue(0)
            self.progress.setFormat("%p %")

    def _on_finished(self, stop: dict) -> None:
        self.set_running(False)
        if stop.get("run_uid") != self._run_uid:
            return
        self._run_uid = None
        status = str(stop.get("status") or "ended")
        if status == "success":
            self.progress.setValue(self.progress.maximum())
            self.progress.setFormat("done")
        else:  # the bar stays where the run stopped, saying why
            self.progress.setFormat(f"{status} at %p %")

    def start(self) -> bool:
        """Start a run on the connected board; False (and a status message) when it cannot."""
        if self.ctx.bridge.running:
            self.ctx.report_error("A run is already going; cancel it first.")
            return False
        if self.ctx.session() is None:
            self.ctx.report_error("Connect a board first (choose 'sim' for the virtual board).")
            return False
        try:
            self.ctx.bridge.start(self.make_procedure(), self.ctx.store)
        except Exception as exc:
            self.ctx.report_error(exc)
            return False
        return True

    def toggle_pause(self) -> None:
        """Pause or resume the run."""
        bridge = self.ctx.bridge
        if bridge.paused:
            bridge.resume()
            self.pause_button.setText("Pause")
        else:
            bridge.pause()
            self.pause_button.setText("Resume")

    def set_running(self, running: bool) -> None:
        """Enable the buttons that make sense (any run blocks a second Start)."""
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.cancel_button.setEnabled(running)
        self.pause_button.setText("Pause")

    def show_progress(self, data: dict) -> None:
        """Show a ``progress`` event's ``done / total`` and message."""
        total = data.get("total") or 1
        self.progress.setValue(int(1000 * float(data.get("done", 0)) / float(total)))
        message = data.get("message") or ""
        self.progress.setFormat(f"%p % — {message}" if message else "%p %")
