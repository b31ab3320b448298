"""Errors from the core shown in the window: one sentence in the status bar + a details dialog.

Nothing the core raises reaches Qt's event loop: every slot that calls the core hands its
exception here. A `BenchError` shows its own sentence; anything else is called a bug and keeps
its traceback in the details.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QPushButton, QStatusBar, QWidget


def sentence_of(error: BaseException | str) -> str:
    """The one sentence the status bar shows for ``error``."""
    from bench_app.core.errors import BenchError

    if isinstance(error, str):
        return error
    if isinstance(error, BenchError):
        return str(error)
    return f"Unexpected {type(error).__name__}: {error} (a bug in the bench; see Details)."


class ErrorReporter:
    """Puts errors in a status bar, with a Details button that opens a dialog."""

    def __init__(self, status_bar: QStatusBar, parent: QWidget) -> None:
        self._bar = status_bar
        self._parent = parent
        self.last_message = ""
        self.last_details = ""
        self.count = 0
        self._button = QPushButton("Details…")
        self._button.setFlat(True)
        self._button.setVisible(False)
        self._button.clicked.connect(self.show_details)
        status_bar.addPermanentWidget(self._button)
        self._dialog: QMessageBox | None = None

    def report(self, error: BaseException | str, details: str = "") -> None:
        """Show ``error`` (an exception or a sentence) with optional details text."""
        self.count += 1
        self.last_message = sentence_of(error)
        self.last_details = details or self.last_message
        self._bar.showMessage(f"Error: {self.last_message}")
        self._button.setVisible(True)

    def clear(self) -> None:
        """Hide the Details button (the message times out by itself)."""
        self._button.setVisible(False)

    def show_details(self) -> QMessageBox:
        """Open (non-modal) the dialog with the last error's details."""
        box = QMessageBox(self._parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Bench error")
        box.setText(self.last_message)
        box.setDetailedText(self.last_details)
        box.setModal(False)
        box.show()
        self._dialog = box
        return box
