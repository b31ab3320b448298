"""What a procedure is: typed parameters and a generator of events.

A procedure needs no base class; anything with these attributes is one (``typing.Protocol``,
as bluesky/ophyd state device contracts). The run controller calls ``board_info()`` once (its
result goes in the start document), then drives ``execute(ctx)``: each ``yield`` hands over an
``Event`` (or ``None``, a bare checkpoint) and is the point where pause and cancel take effect.
The generator's ``return`` value, a mapping, is the run's summary. Cleanup belongs in a
``try/finally`` inside ``execute``: on cancel the controller closes the generator, which runs
those ``finally`` blocks.

Errors: raise a ``BenchError`` (one sentence) to end the run as ``failed`` with that sentence;
raise ``RunInterrupted`` or let a ``LinkError`` escape (the board vanished) to end it as
``interrupted``. Everything emitted before is kept either way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Generator, Mapping
from typing import Any, Protocol, runtime_checkable

from bench_app.core.errors import BenchError
from bench_app.core.runs.engine.documents import Event

log = logging.getLogger(__name__)


class RunInterrupted(BenchError):
    """Something outside the procedure stopped the run (board or audio device vanished)."""


@runtime_checkable
class Procedure(Protocol):
    """A measurement the run controller can execute.

    Attributes
    ----------
    name
        Short identifier stored with the run, e.g. ``"alignment"``, ``"latency"``.
    params
        A dataclass instance holding every parameter; stored in full in the start document.
    """

    name: str
    params: Any

    def board_info(self) -> Mapping[str, Any] | None:
        """The board's INFO (config, firmware, model hash) for the start document, if any."""
        ...

    def execute(self, ctx: RunContext) -> Generator[Event | None, None, Mapping[str, Any] | None]:
        """Do the work, yielding events; return the summary."""
        ...


class RunContext:
    """What a running procedure may ask of its controller.

    Pause and cancel take effect at yields; a procedure that blocks for long between yields
    (playing a minute of audio) can poll ``cancel_requested`` or sleep with ``wait``.
    """

    def __init__(self, run_uid: str, cancel_event: threading.Event,
                 pause: Callable[[], None] | None = None) -> None:  # fmt: skip
        self.run_uid = run_uid
        self._cancel = cancel_event
        self._pause = pause

    def request_pause(self) -> bool:
        """Ask the controller to hold the run at its next yield (a drift guard's alarm);
        False when this run cannot be paused (no controller offers it)."""
        if self._pause is None:
            return False
        self._pause()
        return True

    @property
    def cancel_requested(self) -> bool:
        """True once someone asked the run to stop."""
        return self._cancel.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; return True early if the run is being cancelled."""
        return self._cancel.wait(max(0.0, seconds))


def analyse_interrupted(analyse: Callable[[], Any], interruption: BaseException) -> Any:
    """Analyse what an interrupted run received; record a failure instead of hiding it.

    Returns ``analyse()``'s result. If it raises, the error is logged with its traceback and
    the result is ``{"analysis_error": {"message": one sentence, "type": exception type}}``
    (to go into the run's summary), since a run cut short may not hold enough to analyse, but
    a bug in the analysis must still be seen.
    """
    try:
        return analyse()
    except Exception as exc:
        log.warning("the analysis of an interrupted run (%s) raised", interruption, exc_info=True)
        return {"analysis_error": analysis_error(exc)}


def analysis_error(exc: BaseException) -> dict[str, str]:
    """``{"message", "type"}`` of an analysis that raised, for ``summary["analysis_error"]``."""
    text = str(exc).strip().rstrip(".") or "no message"
    return {
        "message": f"The analysis of the data received failed with {type(exc).__name__}: {text}.",
        "type": type(exc).__name__,
    }
