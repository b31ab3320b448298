"""`bench-app train` as a stored run: procedure ``train`` in the run store, its model linked.

The training subprocess runs under the run engine (`TrainingProcedure`), so the run store keeps
a ``train`` run with its epochs as events; when it succeeds, the exported model's sha256 goes
into the store's ``models`` table linked to that run, so every board run of that model can
say which training made it. Ctrl-C and SIGTERM cancel the run: the child gets SIGTERM, cleans
its staging folder, and the run is stored as cancelled.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from bench_app.cli.runs_cmd import open_store
from bench_app.core.errors import BenchError

#: Exit status of a cancelled training (as a shell reports Ctrl-C).
EXIT_CANCELLED = 130


class TrainRunError(BenchError):
    """The training run failed, was cancelled, or could not be stored."""


@contextlib.contextmanager
def _signals_cancel(controller):
    """While inside, SIGINT and SIGTERM cancel the run instead of killing this process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def cancel(signum, frame) -> None:
        controller.cancel(f"The training was cancelled ({signal.Signals(signum).name}); no "
                          "model folder was written.")  # fmt: skip

    previous = {s: signal.signal(s, cancel) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def run_recorded(args: argparse.Namespace, train_args: list[str],
                 on_line: Callable[[dict], None]) -> tuple[dict, int]:  # fmt: skip
    """Run the training into the store; return (the ``done`` line, exit status).

    Raises `TrainRunError` (one sentence) when training failed or was not fully stored.
    """
    from bench_app.core.runs import RunStatus
    from bench_app.core.runs.engine.controller import RunController
    from bench_app.core.runs.procedures.training import TrainingParams, TrainingProcedure

    procedure = TrainingProcedure(TrainingParams(tuple(train_args), args.out), on_line=on_line)
    with open_store(args) as store:
        controller = RunController(procedure, [store.subscriber()]).start()
        with _signals_cancel(controller):
            while controller.wait(0.1) is None:
                pass
        result = controller.result
        store.flush()
        if store.writer.errors:
            raise TrainRunError(f"The training run {result.uid[:8]} was not fully stored in "
                                f"{store.store_dir} ({store.writer.errors[0]}).")  # fmt: skip
        if result.status is RunStatus.CANCELLED:
            print(f"bench-app: {result.reason}", file=sys.stderr)
            return {}, EXIT_CANCELLED
        if result.status is not RunStatus.SUCCESS:
            raise TrainRunError(result.reason)
        done = procedure.last
        card = done.get("card") or {}
        model_file = (card.get("files") or {}).get("tflite", "model.tflite")
        record = store.add_model(card["model"]["sha256"], card.get("name") or Path(args.out).name,
                                 path=str(Path(done["out"]) / model_file), card=card,
                                 training_run_uid=result.uid)  # fmt: skip
        stored = {"event": "stored", "run_id": result.uid, "store": str(store.store_dir),
                  "model_sha256": record.sha256}  # fmt: skip
    if args.json:
        print(json.dumps(stored), flush=True)
    else:
        print(f"stored as train run {result.uid[:8]} in {stored['store']}", file=sys.stderr)
    return done, 0
