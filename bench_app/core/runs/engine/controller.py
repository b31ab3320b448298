"""The run controller: one thread executes a procedure and emits its documents.

``RunController`` is for asynchronous use (the window starts it and keeps a handle for
pause / resume / cancel); ``run_procedure`` runs one to the end for the CLI and tests. Either
way every subscriber sees ``start``, per stream a ``descriptor`` then ``event`` documents, and
exactly one ``stop``, whatever happens inside the procedure.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import signal
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

from bench_app import __version__
from bench_app.core.errors import BenchError, LinkError
from bench_app.core.runs.engine.documents import (
    DOCUMENT_SCHEMA,
    STREAM_SUMMARY,
    Event,
    RunStatus,
    Subscriber,
    describe_event,
    frozen_array,
    host_info,
    is_critical,
    jsonable,
    new_uid,
    now,
    verdict_of,
)
from bench_app.core.runs.engine.procedure import Procedure, RunContext, RunInterrupted

log = logging.getLogger(__name__)

#: Errors that mean the world outside the procedure went away: the run is "interrupted".
INTERRUPTING_ERRORS: tuple[type[BaseException], ...] = (RunInterrupted, LinkError)


class _Cancelled(Exception):
    """Raised inside the controller when a cancel is seen at a checkpoint."""


class _CriticalSubscriberFailed(Exception):
    """Raised inside the controller once a critical subscriber (the store) has failed."""


class _NoBoard(BenchError):
    """The procedure could not describe its board, so the run never began."""


@dataclasses.dataclass
class RunResult:
    """How a run ended, as the caller of ``run_procedure`` / ``RunController.wait`` sees it."""

    uid: str
    procedure: str
    status: RunStatus
    reason: str
    summary: dict[str, Any]
    started: float
    ended: float
    num_events: dict[str, int]
    subscriber_errors: list[dict[str, Any]]
    #: The exception that ended the run, if any (a bug when it is not a BenchError).
    exception: BaseException | None = dataclasses.field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """True when the run succeeded."""
        return self.status is RunStatus.SUCCESS


class RunController:
    """Executes one procedure in its own thread and emits documents to subscribers.

    Parameters
    ----------
    procedure
        The procedure to run (see ``Procedure``).
    subscribers
        Callables ``(kind, doc) -> None``; more can be added with ``subscribe`` before ``start``.
        One with ``critical = True`` (the store) fails the run when it raises: the run stops at
        once, as ``failed``, with a reason naming it and its error. Any other one that raises
        is detached and reported in the stop document; the run goes on.
    run_uid
        Identifier for the run; a fresh one by default.
    """

    def __init__(
        self,
        procedure: Procedure,
        subscribers: Iterable[Subscriber] = (),
        *,
        run_uid: str | None = None,
    ) -> None:
        self.procedure = procedure
        self.uid = run_uid or new_uid()
        self._subscribers: list[Subscriber] = list(subscribers)
        self._subscriber_errors: list[dict[str, Any]] = []
        self._broken_critical: list[Subscriber] = []  # failed; offered only the stop document
        self._critical_reason: str | None = None
        self._cancel = threading.Event()
        self._cancel_reason = "The run was cancelled."
        self._running = threading.Event()  # cleared while paused
        self._running.set()
        self._paused_s = 0.0
        self._thread = threading.Thread(target=self._run, name=f"run-{self.uid[:8]}", daemon=True)
        self._result: RunResult | None = None
        self._started = False

    # ---- control (any thread) ------------------------------------------------------------
    def subscribe(self, subscriber: Subscriber) -> Subscriber:
        """Add a subscriber (before ``start``); returns it."""
        if self._started:
            raise RuntimeError("subscribe before starting the run")
        self._subscribers.append(subscriber)
        return subscriber

    def start(self) -> RunController:
        """Start the run thread; returns self."""
        self._started = True
        self._thread.start()
        return self

    def pause(self) -> None:
        """Hold the run at its next yield until ``resume`` or ``cancel``."""
        self._running.clear()

    def resume(self) -> None:
        """Let a paused run go on."""
        self._running.set()

    def cancel(self, reason: str = "The run was cancelled.") -> None:
        """Stop the run at its next yield (or wake it from a pause); it ends as cancelled."""
        self._cancel_reason = reason
        self._cancel.set()
        self._running.set()

    @property
    def paused(self) -> bool:
        """True while a pause is requested and the run has not finished."""
        return not self._running.is_set() and not self.finished

    @property
    def finished(self) -> bool:
        """True once the stop document has been emitted."""
        return self._result is not None

    @property
    def result(self) -> RunResult | None:
        """The result once finished, else None."""
        return self._result

    def wait(self, timeout: float | None = None) -> RunResult | None:
        """Block until the run finishes (or ``timeout`` passes); return its result or None."""
        self._thread.join(timeout)
        return self._result

    # ---- the run thread -------------------------------------------------------------------
    def _emit(self, kind: str, doc: Mapping[str, Any]) -> None:
        for subscriber in list(self._subscribers):
            try:
                subscriber(kind, doc)
            except Exception as exc:
                self._subscriber_failed(subscriber, kind, exc)

    def _subscriber_failed(self, subscriber: Subscriber, kind: str, exc: Exception) -> None:
        """Detach a subscriber that raised; a critical one also fails the run (see class doc)."""
        critical = is_critical(subscriber)
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)
        message = f"{type(exc).__name__}: {exc}"
        self._subscriber_errors.append(
            {"subscriber": repr(subscriber), "error": message, "critical": critical}
        )
        if critical:
            self._broken_critical.append(subscriber)
            if self._critical_reason is None:
                label = str(getattr(subscriber, "label", None) or f"subscriber {subscriber!r}")
                article = "an" if kind[0] in "aeiou" else "a"
                self._critical_reason = (
                    f"{label[0].upper()}{label[1:]} failed on {article} {kind} document"
                    f" ({message.rstrip('.')}), so the run was stopped; what it saved before"
                    " is kept."
                )
            log.error(
                "run %s: critical subscriber %r raised on a %s document; the run fails",
                self.uid[:8], subscriber, kind, exc_info=True,
            )
            return
        log.warning(
            "run %s: subscriber %r raised on a %s document and was detached",
            self.uid[:8], subscriber, kind, exc_info=True,
        )

    def _check_critical(self) -> None:
        if self._critical_reason is not None:
            raise _CriticalSubscriberFailed(self._critical_reason)

    def _checkpoint(self) -> None:
        if not self._running.is_set():
            t0 = time.monotonic()
            self._running.wait()
            self._paused_s += time.monotonic() - t0
        if self._cancel.is_set():
            raise _Cancelled

    def _run(self) -> None:
        proc = self.procedure
        started = now()
        counts: dict[str, int] = {}
        last_summary: dict[str, Any] = {}
        status, reason, summary, error = RunStatus.SUCCESS, "The run completed.", None, None
        board_info, parameters, setup_error = None, {}, None
        start_name = str(getattr(proc, "name", type(proc).__name__))
        try:
            parameters = jsonable(proc.params)
            info = proc.board_info()
            board_info = jsonable(info) if info is not None else None
        except Exception as exc:  # recorded as a failed run below, never a silent thread death
            setup_error = exc
        self._emit(
            "start",
            {
                "uid": self.uid,
                "time": started,
                "procedure": start_name,
                "parameters": parameters,
                "bench_version": __version__,
                "host": host_info(),
                "board_info": board_info,
                "schema": DOCUMENT_SCHEMA,
            },
        )
        gen = None
        try:
            self._check_critical()  # a store that cannot save the start saves nothing else
            if isinstance(setup_error, BenchError):  # no board to start with: failed
                raise _NoBoard(str(setup_error)) from setup_error
            if setup_error is not None:
                raise setup_error
            gen = proc.execute(RunContext(self.uid, self._cancel, pause=self.pause))
            while True:
                self._checkpoint()
                try:
                    item = next(gen)
                except StopIteration as stop:
                    summary = dict(jsonable(stop.value)) if stop.value is not None else None
                    break
                if item is None:
                    continue
                data = self._emit_event(item, counts)
                if item.stream == STREAM_SUMMARY:
                    last_summary = data
                self._check_critical()
        except _CriticalSubscriberFailed as exc:
            status, reason = RunStatus.FAILED, str(exc)
        except _Cancelled:
            status, reason = RunStatus.CANCELLED, self._cancel_reason
        except INTERRUPTING_ERRORS as exc:
            status, reason, error = RunStatus.INTERRUPTED, str(exc), exc
        except BenchError as exc:
            status, reason = RunStatus.FAILED, str(exc)
            error = exc.__cause__ if isinstance(exc, _NoBoard) else exc
        except Exception as exc:  # a bug: keep the data, say so, hand the exception back
            status, error = RunStatus.FAILED, exc
            reason = f"The procedure crashed with {type(exc).__name__}: {exc} (a bug in the bench)."
            log.error("run %s crashed", self.uid[:8], exc_info=True)
        self._close(gen)  # runs the procedure's cleanup if it is still suspended at a yield
        summary = summary if summary is not None else last_summary
        stop = {
            "uid": new_uid(),
            "run_uid": self.uid,
            "time": now(),
            "status": status.value,
            "reason": reason,
            "summary": summary,
            "verdict": verdict_of(summary),
            "num_events": dict(counts),
            "paused_s": round(self._paused_s, 6),
            "subscriber_errors": list(self._subscriber_errors),
        }
        self._emit("stop", stop)
        for subscriber in self._broken_critical:  # it may still record how the run ended
            try:
                subscriber("stop", stop)
            except Exception:
                log.warning("run %s: failed critical subscriber %r refused the stop document",
                            self.uid[:8], subscriber, exc_info=True)
        if self._critical_reason is not None and status is not RunStatus.FAILED:
            # it failed on the stop document itself: the run was not saved, so it failed
            status, reason = RunStatus.FAILED, self._critical_reason
        self._result = RunResult(
            uid=self.uid,
            procedure=start_name,
            status=status,
            reason=reason,
            summary=summary,
            started=started,
            ended=stop["time"],
            num_events=dict(counts),
            subscriber_errors=list(self._subscriber_errors),
            exception=error,
        )

    def _emit_event(self, item: Event, counts: dict[str, int]) -> dict[str, Any]:
        if not isinstance(item, Event):
            raise TypeError(f"a procedure must yield Event or None, not {type(item).__name__}")
        data = jsonable(item.data)
        arrays = {str(k): frozen_array(v) for k, v in item.arrays.items()}
        index = counts.get(item.stream, 0)
        t = now()
        if index == 0:
            self._emit(
                "descriptor",
                {
                    "uid": new_uid(),
                    "run_uid": self.uid,
                    "time": t,
                    "stream": item.stream,
                    "data_keys": describe_event(data, arrays),
                },
            )
        counts[item.stream] = index + 1
        self._emit(
            "event",
            {
                "uid": new_uid(),
                "run_uid": self.uid,
                "time": t,
                "stream": item.stream,
                "index": index,
                "data": data,
                "arrays": arrays,
            },
        )
        return data

    def _close(self, gen: Any) -> None:
        if gen is None:
            return
        try:
            gen.close()
        except Exception:
            log.warning("run %s: procedure cleanup raised", self.uid[:8], exc_info=True)


def run_procedure(
    procedure: Procedure,
    subscribers: Iterable[Subscriber] = (),
    *,
    run_uid: str | None = None,
) -> RunResult:
    """Run ``procedure`` to its end in a controller thread and return how it ended.

    Ctrl-C (SIGINT) cancels the run: called from the main thread, this swaps Python's
    KeyboardInterrupt handler for one that only asks the controller to cancel, so the run
    ends ``cancelled`` at its next yield, its stop document is emitted and stored, and the
    result is returned like any other. (Raising KeyboardInterrupt instead, inside
    ``Thread.join``, let the caller close the store before the run had stopped: the stop
    document and the run's last records were lost.)
    """
    controller = RunController(procedure, subscribers, run_uid=run_uid).start()
    with _sigint_cancels(controller):
        while controller.wait(0.1) is None:
            pass
    assert controller.result is not None
    return controller.result


@contextlib.contextmanager
def _sigint_cancels(controller: RunController):
    """While inside, SIGINT cancels ``controller`` instead of raising (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def cancel(signum, frame) -> None:
        controller.cancel("The run was cancelled by the user (Ctrl-C).")

    previous = signal.signal(signal.SIGINT, cancel)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
