"""The one bridge between the run controller's thread and the window: documents -> Qt signals.

The bridge is a run subscriber (``(kind, doc) -> None``) called in the controller's thread. It
does no work there beyond emitting a signal; Qt queues the signal to the window's thread
(``Qt.QueuedConnection``), where the views put the data into ring buffers that their plot
timers read. It also owns the run controller, so the window has one place to start, pause,
resume and cancel a run, and one place where a run's end and its errors are reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from bench_app.core.documents import DescriptorDoc, DocumentRouter, EventDoc, StartDoc, StopDoc

#: The reason shown for a run interrupted because the user disconnected the board.
USER_DISCONNECT_REASON = "disconnected by the user; the data received until then is kept."


class RunBridge(QObject):
    """Starts runs and re-emits their documents in the GUI thread.

    Signals
    -------
    document(kind, doc)
        Every document of the current run, in order.
    started(uid, procedure)
        A run was started (emitted from the GUI thread, before any document).
    finished(stop_doc)
        The run's stop document (after every event of it).
    """

    document = Signal(str, object)
    started = Signal(str, str)
    finished = Signal(object)
    _incoming = Signal(str, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = None
        self.store = None
        self.documents_seen = 0
        self._active_uid: str | None = None
        self._user_disconnect_uid: str | None = None
        self._delivery = _Delivery(self)
        # Emitted in the run thread, delivered in this object's (the GUI) thread.
        self._incoming.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    # ---- subscriber (run thread) ---------------------------------------------------------
    def __call__(self, kind: str, doc: Mapping[str, Any]) -> None:
        self._incoming.emit(kind, doc)

    # ---- GUI thread ----------------------------------------------------------------------
    def _deliver(self, kind: str, doc: Mapping[str, Any]) -> None:
        self.documents_seen += 1
        self._delivery(kind, doc)

    def _stopped(self, doc: Mapping[str, Any]) -> None:
        if doc.get("run_uid") == self._user_disconnect_uid and doc.get("status") == "interrupted":
            # the link error (e.g. "[Errno 104] Connection reset by peer") is the user's own
            # Disconnect: say so, keep the raw error for the details dialog
            doc = {**doc, "reason": USER_DISCONNECT_REASON, "link_error": doc.get("reason")}
        self.document.emit("stop", doc)
        if doc.get("run_uid") == self._active_uid:
            self._active_uid = None
        self.finished.emit(doc)

    def note_user_disconnect(self) -> None:
        """The user pressed Disconnect: the current run's interruption is theirs, not a fault."""
        self._user_disconnect_uid = self._active_uid

    @property
    def running(self) -> bool:
        """True from `start` until the run's stop document reached the GUI thread."""
        return self._active_uid is not None

    def start(self, procedure, store=None, extra_subscribers=()):
        """Run ``procedure`` in a ``RunController`` thread, saved to ``store`` if given."""
        from bench_app.core.runs import RunController

        if self.running:
            raise RuntimeError("a run is already going")
        subscribers = [store.subscriber()] if store is not None else []
        controller = RunController(procedure, [*subscribers, *extra_subscribers, self])
        self.controller, self.store = controller, store
        self._active_uid = controller.uid
        self.started.emit(controller.uid, str(getattr(procedure, "name", "run")))
        controller.start()
        return controller

    def pause(self) -> None:
        """Hold the run at its next checkpoint."""
        if self.running:
            self.controller.pause()

    def resume(self) -> None:
        """Let a paused run go on."""
        if self.running:
            self.controller.resume()

    def cancel(self, reason: str = "The run was cancelled from the window.") -> None:
        """End the run at its next checkpoint (as ``cancelled``)."""
        if self.running:
            self.controller.cancel(reason)

    @property
    def paused(self) -> bool:
        """True while the current run is paused."""
        return self.running and self.controller is not None and self.controller.paused


class _Delivery(DocumentRouter):
    """In the GUI thread: re-emit each document; a stop also ends the run (see `RunBridge`)."""

    def __init__(self, bridge: RunBridge) -> None:
        self.bridge = bridge

    def start(self, doc: StartDoc) -> None:
        self.bridge.document.emit("start", doc)

    def descriptor(self, doc: DescriptorDoc) -> None:
        self.bridge.document.emit("descriptor", doc)

    def event(self, doc: EventDoc) -> None:
        self.bridge.document.emit("event", doc)

    def stop(self, doc: StopDoc) -> None:
        self.bridge._stopped(doc)
