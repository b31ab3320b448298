"""What every view may use: the run store, the bridge, the board, settings, error reporting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class BenchContext:
    """Shared handles, built by the main window and handed to each view."""

    store: Any
    bridge: Any
    settings: Any
    session: Callable[[], Any]  # the connected BoardSession, or None
    report_error: Callable[..., None]
    status: Callable[[str], None]

    def board_info(self):
        """The connected board's INFO, or None."""
        session = self.session()
        return session.info if session is not None else None
