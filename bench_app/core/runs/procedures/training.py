"""A training run as a run: ``python -m bench_app.training`` in a subprocess, its epochs as events.

Training happens in its own process (TensorFlow loads only there); this procedure starts it,
reads its JSON lines (protocol in ``bench_app/training/__main__.py``) and tells them to the run
engine: each ``epoch`` line is an event of the ``epochs`` stream, ``start`` / ``stage`` /
``note`` lines are ``progress`` events, ``done`` gives the summary (the exported model's folder,
sha256, card), ``error`` fails the run with its sentence. Cancelling the run (Ctrl-C, the
window's button, SIGTERM to the CLI) sends SIGTERM to the child, which removes its staging
folder, so no half-written model folder is left. The caller (``bench-app train``) then records
the model in the store's ``models`` table, linked to this run.
"""

from __future__ import annotations

import dataclasses
import json
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Generator, Mapping
from typing import Any

from bench_app.core.errors import BenchError
from bench_app.core.runs.engine.documents import Event, progress
from bench_app.core.runs.engine.procedure import RunContext

#: Stream of one event per training epoch (loss, val loss, val macro F1, ETA, stage).
STREAM_EPOCHS = "epochs"
#: Seconds the child has to clean up after SIGTERM before it is killed.
TERMINATE_GRACE_S = 30.0


class TrainingFailed(BenchError):
    """The training process reported an error or stopped without a model."""


@dataclasses.dataclass(frozen=True)
class TrainingParams:
    """What ``python -m bench_app.training`` is started with.

    Attributes
    ----------
    args
        Its command-line arguments (``--corpus ... --variant ... --out ...``).
    out
        The model folder it creates (also inside ``args``; kept for the run's parameters).
    """

    args: tuple[str, ...]
    out: str


def _reader(stream, lines: queue.SimpleQueue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


class TrainingProcedure:
    """Runs one training subprocess; ``on_line`` sees every JSON line (CLI output, window)."""

    name = "train"

    def __init__(self, params: TrainingParams,
                 on_line: Callable[[dict], None] | None = None) -> None:  # fmt: skip
        self.params = params
        self._on_line = on_line
        self.process: subprocess.Popen | None = None
        self.last: dict = {}

    def board_info(self) -> Mapping[str, Any] | None:
        """No board takes part in training."""
        return None

    def execute(self, ctx: RunContext) -> Generator[Event | None, None, Mapping[str, Any]]:
        """Start the child, turn its lines into events, return the summary of ``done``."""
        cmd = [sys.executable, "-m", "bench_app.training", *self.params.args]
        self.process = proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                               stderr=subprocess.DEVNULL, text=True)
        lines: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
        try:
            while True:
                try:
                    line = lines.get(timeout=0.2)
                except queue.Empty:
                    yield None  # a checkpoint: cancel takes effect here, mid-epoch too
                    continue
                if line is None:
                    break
                event = self._event(line)
                if event is not None:
                    yield event
        finally:
            self.stop()
        return self._summary(proc.returncode)

    def _event(self, line: str) -> Event | None:
        try:
            doc = json.loads(line)
        except ValueError:
            return None  # not a protocol line: nothing to tell
        if not isinstance(doc, dict):
            return None
        self.last = doc
        if self._on_line is not None:
            self._on_line(doc)
        kind = doc.get("event")
        if kind == "epoch":
            return Event(STREAM_EPOCHS, {k: v for k, v in doc.items() if k != "event"})
        if kind in ("start", "stage", "note"):
            text = doc.get("stage") or doc.get("message") or kind
            return progress(0, None, str(text))
        return None

    def stop(self) -> None:
        """SIGTERM the child (it removes its staging folder) and wait; kill it if it hangs."""
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(TERMINATE_GRACE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _summary(self, rc: int | None) -> dict[str, Any]:
        last = self.last
        if last.get("event") == "error":
            raise TrainingFailed(str(last.get("message")))
        if last.get("event") != "done":
            why = (f"was killed (signal {-rc})" if rc is not None and rc < 0
                   else f"stopped with status {rc}")  # fmt: skip
            raise TrainingFailed(f"Training {why}; no model folder was written.")
        card = last.get("card") or {}
        model = card.get("model") or {}
        metrics = card.get("metrics") or {}
        fvi = metrics.get("float_vs_int8") or {}
        runtimes = metrics.get("tflm_vs_litert") or {}
        return {"out": last.get("out"), "name": card.get("name"), "sha256": model.get("sha256"),
                "size_bytes": model.get("size_bytes"), "arena_bytes": model.get("arena_bytes"),
                "fits_budget": model.get("fits_budget"), "budget_text": model.get("verdict"),
                "class_names": card.get("class_names"),
                "val_macro_f1_float": (fvi.get("float") or {}).get("macro_f1"),
                "val_macro_f1_int8": (fvi.get("int8") or {}).get("macro_f1"),
                "tflm_vs_litert_class_agreement": runtimes.get("class_agreement")}  # fmt: skip
