"""Runs: procedures executed by one controller thread, told as documents to subscribers.

``engine`` holds what every run shares: ``engine.documents`` (the document shapes),
``engine.procedure`` (what a procedure is), ``engine.controller`` (``RunController``,
asynchronous, for the window; ``run_procedure``, synchronous, for the CLI and tests) and the
subscribers. ``procedures`` holds one package per measurement.
"""

from bench_app.core.runs.engine.controller import RunController, RunResult, run_procedure
from bench_app.core.runs.engine.documents import Event, RunStatus, Subscriber, progress
from bench_app.core.runs.engine.procedure import Procedure, RunContext, RunInterrupted

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
