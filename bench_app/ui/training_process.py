"""``bench-app train --json`` as a QProcess: its JSON lines as Qt signals, cancel by SIGTERM.

The window never imports TensorFlow: it starts the CLI (``python -m bench_app train``), which
stores the training as a ``train`` run and starts the TensorFlow subprocess itself. Each stdout
line is one JSON document (``start``, ``epoch``, ``stage``, ``note``, ``done``, ``error``,
``cancelled``, then ``stored``; see ``bench_app/training/__main__.py``). `cancel` sends SIGTERM:
the CLI cancels its run, which sends SIGTERM to the trainer, which removes its staging folder,
so no half-written model folder is left.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

#: Exit status of a cancelled training (bench_app.cli.train_run.EXIT_CANCELLED).
EXIT_CANCELLED = 130


def train_arguments(*, source: str, variant: str, epochs: int, seed: int, dims: str,
                    out: Path, store: Path | None) -> list[str]:  # fmt: skip
    """The ``bench-app train`` arguments; ``source`` is ``KIND:DIR`` or ``features:FILE``."""
    kind, _, where = source.partition(":")
    args = ["--features", where] if kind == "features" else ["--corpus", source]
    args += ["--variant", variant, "--epochs", str(epochs), "--seed", str(seed), "--dims", dims,
             "--out", str(out), "--json"]  # fmt: skip
    if store is not None:
        args += ["--store", str(store)]
    return args


class TrainingProcess(QObject):
    """One training run of ``bench-app train`` in a child process.

    Signals
    -------
    line(dict)
        Each JSON document the process printed.
    finished(str, str)
        ``(status, sentence)``: status ``done``, ``cancelled`` or ``failed``.
    """

    line = Signal(dict)
    finished = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.proc = QProcess(self)
        self.proc.readyReadStandardOutput.connect(self._read)
        self.proc.finished.connect(self._on_finished)
        self.proc.errorOccurred.connect(self._on_error)
        self._buffer = b""
        self.last: dict = {}
        self.cancelling = False

    @property
    def running(self) -> bool:
        """True while the process runs."""
        return self.proc.state() != QProcess.ProcessState.NotRunning

    def start(self, args: list[str]) -> None:
        """Start ``python -m bench_app train ARGS`` (the window's own interpreter)."""
        env = QProcessEnvironment.systemEnvironment()
        root = str(Path(__file__).resolve().parents[2])  # this source tree's bench_app
        env.insert("PYTHONPATH", root + (":" + env.value("PYTHONPATH")
                                         if env.value("PYTHONPATH") else ""))  # fmt: skip
        self.proc.setProcessEnvironment(env)
        self._buffer, self.last, self.cancelling = b"", {}, False
        self.proc.start(sys.executable, ["-m", "bench_app", "train", *args])

    def cancel(self) -> None:
        """Ask the training to stop (SIGTERM); `finished` follows with ``cancelled``."""
        if self.running:
            self.cancelling = True
            self.proc.terminate()

    def kill_and_wait(self, msecs: int = 30_000) -> None:
        """Cancel and wait for the process to end (the window is closing)."""
        if self.running:
            self.cancel()
            if not self.proc.waitForFinished(msecs):
                self.proc.kill()
                self.proc.waitForFinished(5000)

    def _read(self) -> None:
        self._buffer += bytes(self.proc.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for raw in lines:
            try:
                doc = json.loads(raw)
            except ValueError:
                continue
            if isinstance(doc, dict):
                self.last = doc
                self.line.emit(doc)

    def _on_finished(self, code: int, _status) -> None:
        self._read()
        err = bytes(self.proc.readAllStandardError()).decode(errors="replace").strip()
        said = next((ln.removeprefix("bench-app: error: ").removeprefix("bench-app: ")
                     for ln in reversed(err.splitlines()) if ln.startswith("bench-app:")), "")
        if code == 0:
            self.finished.emit("done", "Training finished; the model was exported and stored.")
        elif code == EXIT_CANCELLED or self.cancelling:
            self.finished.emit("cancelled", said or "The training was cancelled; no model "
                                                    "folder was written.")
        else:
            self.finished.emit("failed", said or f"Training stopped with status {code}.")

    def _on_error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.finished.emit("failed", f"The training process could not start "
                                         f"({self.proc.errorString()}).")
