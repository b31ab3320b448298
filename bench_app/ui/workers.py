"""Run one blocking call off the GUI thread and get its result back as a queued signal.

Jobs that import large packages (the port scan, the stimulus preview, the lint, the sound
device list) run one at a time (``serial=True``): scipy's lazy submodule imports are not safe
when two threads import them at once.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

#: Held by a serial job while it runs.
SERIAL_LOCK = threading.Lock()

#: Jobs whose thread may still emit. A job is owned here, not by a widget: were it a child
#: of the view that started it, closing the window would delete its C++ object while the
#: thread is about to emit from it, a use-after-free that corrupted the heap (seen once in a
#: full test run: "malloc(): unsorted double linked list corrupted"). The GUI thread drops
#: a job from here once its result has arrived and its thread has returned (`_relay`);
#: Python then owns it.
_LIVE: set[Job] = set()

#: How long the GUI thread waits for a job's thread to return after its result arrived (it
#: has nothing left to do but return; a job still alive after this stays in _LIVE).
JOIN_TIMEOUT_S = 1.0


#: How long the process waits at exit for jobs still running.
EXIT_WAIT_S = 10.0


@atexit.register
def _wait_for_live_jobs() -> None:
    """At interpreter exit, let running jobs return before Python tears down.

    A job is a daemon thread; one still inside C code (PortAudio's device scan, a
    lazy import) while the interpreter finalizes can crash the process after its work is
    done (a window built and closed at once exited with SIGSEGV in CI). Waiting is bounded:
    a job that hangs longer than `EXIT_WAIT_S` is left, as before.
    """
    deadline = time.monotonic() + EXIT_WAIT_S
    for job in list(_LIVE):
        job.thread.join(max(0.0, deadline - time.monotonic()))


class Job(QObject):
    """A call in a daemon thread; ``done(result)`` or ``failed(exception, traceback)`` follow.

    The signals are delivered in the thread that created the job (the GUI thread).
    """

    done = Signal(object)
    failed = Signal(object, str)
    _finished = Signal(bool, object, str)

    def __init__(self, fn: Callable[[], Any], parent: QObject | None = None,
                 serial: bool = False) -> None:
        # `parent` never owns the job (see _LIVE); once it is destroyed the result is dropped
        # instead of relayed to slots (often lambdas) that would touch a deleted widget.
        super().__init__(None)
        self._owner_gone = False
        if parent is not None:
            parent.destroyed.connect(self._forget_owner)
        self._fn = fn
        self.serial = serial
        self._finished.connect(self._relay, Qt.ConnectionType.QueuedConnection)
        self.thread = threading.Thread(target=self._work, name="ui-job", daemon=True)

    def start(self) -> Job:
        """Start the call; returns self."""
        _LIVE.add(self)
        self.thread.start()
        return self

    @property
    def running(self) -> bool:
        """True until the call has returned."""
        return self.thread.is_alive()

    def _work(self) -> None:
        try:
            if self.serial:
                with SERIAL_LOCK:
                    result = self._fn()
            else:
                result = self._fn()
        except Exception as exc:  # handed to the GUI thread, which shows it
            self._emit(False, exc, traceback.format_exc())
            return
        self._emit(True, result, "")

    def _emit(self, ok: bool, value: Any, details: str) -> None:
        # RuntimeError: the window closed while the call ran, so nobody is left to tell
        with contextlib.suppress(RuntimeError):
            self._finished.emit(ok, value, details)

    def _forget_owner(self, *_args: Any) -> None:
        self._owner_gone = True

    def _relay(self, ok: bool, value: Any, details: str) -> None:
        # The worker has emitted and only returns now. Wait for it, so that its frame's
        # reference is gone before the job leaves _LIVE: otherwise the last reference could
        # drop in the worker thread, and Qt would destroy this GUI-thread object from there
        # (disconnecting it under Qt's locks while holding the GIL, which the GUI thread may
        # be waiting for under the same locks).
        self.thread.join(JOIN_TIMEOUT_S)
        if not self.thread.is_alive():
            _LIVE.discard(self)  # Python owns the job from here: it goes with the last reference
        if self._owner_gone:
            return
        if ok:
            self.done.emit(value)
        else:
            self.failed.emit(value, details)
