"""Runs: procedures executed by one controller thread, told as documents to subscribers.

See ``documents`` for the document shapes, ``procedure`` for what a procedure is, and
``controller`` for ``RunController`` (asynchronous, for the window) and ``run_procedure``
(synchronous, for the CLI and tests).
"""

from .controller import RunController, RunResult, run_procedure
from .documents import Event, RunStatus, Subscriber, progress
from .procedure import Procedure, RunContext, RunInterrupted

__all__ = [
    "Event",
    "Procedure",
    "RunContext",
    "RunController",
    "RunInterrupted",
    "RunResult",
    "RunStatus",
    "Subscriber",
    "progress",
    "run_procedure",
]
