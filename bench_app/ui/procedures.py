"""Run the core's procedures on the board the window is connected to.

The core's alignment and latency procedures open their own board from ``params.device`` and
let it go when they end (right for the CLI). In the window the device bar owns the
connection: `on_window_board` hands the procedure that connection instead, and keeps the
procedure from closing it, so the board stays connected between runs and the Disconnect
button is what ends a run early (as ``interrupted``, its data kept).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any


class BorrowedSession:
    """A view of the window's `BoardSession` whose ``close`` does nothing."""

    def __init__(self, session) -> None:
        self._session = session

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    def close(self) -> None:
        """The device bar closes the real session."""


class OnWindowBoard:
    """A `Procedure` that runs ``procedure`` on ``session`` (the window's board).

    Parameters
    ----------
    procedure
        A core procedure with a ``session`` attribute that its ``execute`` uses.
    session
        The device bar's connected `BoardSession`.
    """

    def __init__(self, procedure, session) -> None:
        self.procedure = procedure
        self.name = procedure.name
        self.params = procedure.params
        self._session = BorrowedSession(session)

    def board_info(self) -> Mapping[str, Any] | None:
        """The window's board INFO (no new connection)."""
        self.procedure.session = self._session
        doc = self._session.describe()
        doc["connected_by"] = "window"
        return doc

    def execute(self, ctx) -> Generator:
        """The wrapped procedure's events and summary."""
        self.procedure.session = self._session
        return self.procedure.execute(ctx)
