"""Warnings beside a run's figures: one amber colour, and a label of bullet-point notes."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QLabel, QWidget

#: Style of warnings (an untrained model, a run's notes, link trouble), amber.
WARN_STYLE = "color: #b45309;"


class NotesLabel(QLabel):
    """A word-wrapped amber label of notes, one bullet each, hidden while there are none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setWordWrap(True)
        self.setStyleSheet(WARN_STYLE)
        self.setVisible(False)

    def set_notes(self, notes: Iterable[str]) -> None:
        """Show ``notes`` (empty: hide the label)."""
        notes = list(notes)
        self.setText("\n".join(f"• {note}" for note in notes))
        self.setVisible(bool(notes))
