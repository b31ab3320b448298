"""The Model view's training form: corpus, variant, epochs, seed, name; live curves, ETA, cancel.

Training runs as ``bench-app train --json`` in a child process (`TrainingProcess`): the window
stays free of TensorFlow, and the run is stored like any other (procedure ``train``). Loss and
validation loss / macro F1 are drawn per epoch; the ETA is the trainer's own estimate.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..training_process import TrainingProcess, train_arguments
from .plots import PALETTE, fast_curve, make_plot

#: Corpus kinds ``bench-app train`` reads (``features`` is a ready features .npz file).
SOURCES = (("synthetic", "synthetic corpus folder (bench-app corpus synth)"),
           ("iemocap", "IEMOCAP release folder"), ("csv", "folder with labels.csv"),
           ("features", "features file (.npz)"))  # fmt: skip
VARIANTS = ("late", "early", "acoustic", "keyword")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class TrainingPanel(QWidget):
    """Start, follow and cancel one training.

    Signals
    -------
    trained(dict)
        The ``done`` document (``out`` and the model ``card``) of a finished training.
    message(str)
        A sentence for the status bar (finished, cancelled, failed, refused input).
    """

    trained = Signal(dict)
    message = Signal(str)

    def __init__(self, models_folder: Path, store_dir=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.models_folder = Path(models_folder)
        self.store_dir = store_dir  # callable returning the run store folder, or None
        self.process = TrainingProcess(self)
        self.process.line.connect(self.on_line)
        self.process.finished.connect(self._on_finished)
        self.kind = QComboBox()
        for key, label in SOURCES:
            self.kind.addItem(label, key)
        self.path = QLineEdit()
        self.path.setPlaceholderText("corpus folder or features file")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        self.variant = QComboBox()
        self.variant.addItems(list(VARIANTS))
        self.dims = QComboBox()
        self.dims.addItem("paper (the paper's sizes)", "paper")
        self.dims.addItem("tiny (a quick try)", "tiny")
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 1000)
        self.epochs.setValue(30)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.name = QLineEdit()
        self.name.setPlaceholderText("NAME (written to models/NAME)")
        form = QFormLayout()
        form.addRow("Corpus", self.kind)
        form.addRow("", where)
        form.addRow("Variant", self.variant)
        form.addRow("Model size", self.dims)
        form.addRow("Epochs", self.epochs)
        form.addRow("Seed", self.seed)
        form.addRow("Out name", self.name)
        self.start_button = QPushButton("Train")
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.setToolTip("Stop the training; no model folder is written")
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setFormat("idle")
        self.progress.setValue(0)
        self.status = QLabel("Not training.")
        self.status.setWordWrap(True)
        self.loss_plot = make_plot("Loss per epoch", ("epoch", None), ("loss", None), legend=True)
        self.loss_curve = fast_curve(self.loss_plot, "train", PALETTE[0], symbol="o")
        self.val_loss_curve = fast_curve(self.loss_plot, "validation", PALETTE[1], symbol="o")
        self.f1_plot = make_plot("Validation macro F1", ("epoch", None), ("macro F1", None))
        self.f1_plot.setYRange(0.0, 1.0)
        self.f1_curve = fast_curve(self.f1_plot, None, PALETTE[2], symbol="o")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.loss_plot, 1)
        layout.addWidget(self.f1_plot, 1)
        self.points: dict[str, list[tuple[float, float]]] = {}
        self._reset_curves()

    # ---- starting and stopping ---------------------------------------------------------------
    def _browse(self) -> None:
        if self.kind.currentData() == "features":
            path, _ = QFileDialog.getOpenFileName(self, "Features file", "", "NumPy (*.npz)")
        else:
            path = QFileDialog.getExistingDirectory(self, "Corpus folder")
        if path:
            self.path.setText(path)

    def out_folder(self) -> Path:
        """``models/NAME`` for the name typed."""
        return self.models_folder / self.name.text().strip()

    def refuse(self) -> str | None:
        """Why the form cannot start a training (one sentence), or None."""
        where, name = self.path.text().strip(), self.name.text().strip()
        features = self.kind.currentData() == "features"
        if not where:
            return "Choose the corpus folder (or features file) to train on."
        if features and not Path(where).is_file():
            return f"The features file {where} does not exist."
        if not features and not Path(where).is_dir():
            return f"The corpus folder {where} does not exist."
        if not _NAME.match(name):
            return "Give the model a name of letters, digits, '.', '_' or '-'."
        if self.out_folder().exists():
            return f"The model folder {self.out_folder()} already exists; choose another name."
        return None

    def start(self) -> bool:
        """Start training with the form's settings; False (and a message) if refused."""
        if self.process.running:
            return False
        why = self.refuse()
        if why:
            self.message.emit(why)
            self.status.setText(why)
            return False
        store = self.store_dir() if callable(self.store_dir) else self.store_dir
        args = train_arguments(
            source=f"{self.kind.currentData()}:{self.path.text().strip()}",
            variant=self.variant.currentText(), epochs=self.epochs.value(),
            seed=self.seed.value(), dims=self.dims.currentData(), out=self.out_folder(),
            store=None if store is None else Path(store))  # fmt: skip
        self._reset_curves()
        self.progress.setRange(0, 0)  # busy until the first epoch: TensorFlow is loading
        self.progress.setFormat("starting (loading TensorFlow)…")
        self.status.setText(f"Training {self.out_folder().name}…")
        self._set_running(True)
        self.process.start(args)
        return True

    def cancel(self) -> None:
        """Stop the training (the process cleans up its staging folder)."""
        if self.process.running:
            self.status.setText("Cancelling…")
            self.cancel_button.setEnabled(False)
            self.process.cancel()

    def shutdown(self) -> None:
        """The window closes: stop a training still going and wait for it."""
        self.process.kill_and_wait()

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        for w in (self.kind, self.path, self.variant, self.dims, self.epochs, self.seed,
                  self.name):
            w.setEnabled(not running)

    # ---- what the process says ---------------------------------------------------------------
    def _reset_curves(self) -> None:
        self.points = {"loss": [], "val_loss": [], "val_macro_f1": []}
        self.done_doc: dict | None = None
        self.stage = None
        self._offset = 0
        for curve in (self.loss_curve, self.val_loss_curve, self.f1_curve):
            curve.setData([], [])

    def on_line(self, doc: dict) -> None:
        """Draw one JSON document of the training process."""
        kind = doc.get("event")
        if kind == "epoch":
            if doc.get("stage") != self.stage:  # a new stage continues the x axis
                self._offset = len(self.points["loss"])
                self.stage = doc.get("stage")
            x = self._offset + int(doc["epoch"])
            for key in self.points:
                if isinstance(doc.get(key), int | float):
                    self.points[key].append((x, float(doc[key])))
            for curve, key in ((self.loss_curve, "loss"), (self.val_loss_curve, "val_loss"),
                               (self.f1_curve, "val_macro_f1")):
                xs, ys = zip(*self.points[key], strict=True) if self.points[key] else ((), ())
                curve.setData(list(xs), list(ys))
            self.progress.setRange(0, int(doc["epochs"]))
            self.progress.setValue(int(doc["epoch"]))
            eta = doc.get("eta_s")
            self.progress.setFormat(f"{doc.get('stage', '')} epoch %v/%m"
                                    + (f" · ETA {_duration(eta)}" if eta is not None else ""))
            self.status.setText(f"{doc.get('stage', '')} epoch {doc['epoch']}/{doc['epochs']}: "
                                f"loss {doc.get('loss', float('nan')):.3f}, val loss "
                                f"{doc.get('val_loss', float('nan')):.3f}, val macro F1 "
                                f"{doc.get('val_macro_f1', float('nan')):.3f}")  # fmt: skip
        elif kind in ("stage", "note", "start"):
            text = doc.get("stage") or doc.get("message") or (
                f"training on {doc.get('train_windows')} windows, validating on "
                f"{doc.get('val_windows')}")  # fmt: skip
            self.status.setText(str(text))
        elif kind in ("error", "cancelled"):
            self.status.setText(str(doc.get("message", kind)))
        elif kind == "done":
            self.done_doc = doc
            self.status.setText(f"Exported to {doc.get('out')}.")
        elif kind == "stored" and self.done_doc is not None:
            self.done_doc = {**self.done_doc, "run_id": doc.get("run_id")}

    def _on_finished(self, status: str, sentence: str) -> None:
        self._set_running(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(1 if status == "done" else 0)
        self.progress.setFormat({"done": "done", "cancelled": "cancelled"}.get(status, "failed"))
        self.status.setText(sentence)
        self.message.emit(sentence)
        if status == "done" and self.done_doc is not None:
            self.trained.emit(self.done_doc)


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
