"""A one-line label that elides its text at the width it gets, the full text in its tooltip.

A plain QLabel either grows the layout (pushing its neighbours off the window) or, with an
Ignored size policy, cuts the text mid-word without a hint that there is more.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """Shows as much of its text as fits, ending in "…", and the whole text as tooltip."""

    def __init__(self, text: str = "", parent: QWidget | None = None,
                 tooltip_prefix: str = "") -> None:
        super().__init__(parent)
        self._full = ""
        self._prefix = tooltip_prefix
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(60)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        """Set the full text (shown elided when it does not fit)."""
        self._full = str(text)
        self.setToolTip(f"{self._prefix}{self._full}" if self._full else self._prefix.strip())
        self._elide()

    def text(self) -> str:
        """The full text, not the elided one shown."""
        return self._full

    def shown_text(self) -> str:
        """The text as drawn (elided to the label's width)."""
        return super().text()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(0, self.width() - 2 * self.margin())
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width)
        super().setText(shown)
