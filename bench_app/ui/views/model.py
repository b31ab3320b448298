"""The Model view: the board's model, training (a subprocess), the models folder, card and check.

Left, the training form with live loss / val-F1 curves (`TrainingPanel`: ``bench-app train`` in
a child process, so TensorFlow never loads in the window). Right, the models in ``models/``;
selecting one shows its card and its check (`ModelCheckPanel`, `core.model.check` in a worker
thread), and "Load onto the virtual board" restarts the virtual board running it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bench_app.core.model import BUDGET_TEXT, MODELS_DIR, list_models
from bench_app.core.model import untrained as model_untrained

from ..widgets.model_check_panel import ModelCheckPanel
from ..widgets.training_panel import TrainingPanel

COLUMNS = ("file", "size", "budget: model + arena (1.8 MB)", "arena", "op count", "trained",
           "sha256", "operators")


def _kib(n: int | None) -> str:
    return "—" if n is None else f"{n / 1024:,.0f} KiB"


class ModelView(QWidget):
    """Board model hash, training, the models folder as a table, the selected model's check.

    ``load_on_sim(path)`` restarts the virtual board with a model (the device bar's
    `use_sim_model`); without it the load button is hidden.
    """

    def __init__(self, ctx, parent: QWidget | None = None, folder: Path = MODELS_DIR,
                 load_on_sim: Callable[[str], bool] | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.ctx = ctx
        self.folder = folder
        self.entries = []
        self.load_on_sim = load_on_sim
        self.board_label = QLabel("No board connected.")
        self.board_label.setWordWrap(True)
        self.board_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        board_box = QGroupBox("Model on the board")
        QVBoxLayout(board_box).addWidget(self.board_label)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)  # one line a model; the operators in the tooltip
        self.table.verticalHeader().setVisible(False)
        self.table.itemSelectionChanged.connect(self._on_selected)
        self.note = QLabel(
            f"Models in {folder}. Model file + smallest TFLM arena against the paper's memory "
            f"budget of {BUDGET_TEXT}. Select a model for its card and check.")
        self.note.setWordWrap(True)
        refresh = QPushButton("Reload models")
        refresh.clicked.connect(self.refresh)
        self.load_button = QPushButton("Load onto the virtual board")
        self.load_button.setToolTip("Restart the virtual board (sim) running the selected model")
        self.load_button.setEnabled(False)
        self.load_button.setVisible(load_on_sim is not None)
        self.load_button.clicked.connect(self.load_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(refresh)
        buttons.addStretch(1)
        buttons.addWidget(self.load_button)
        self.check_panel = ModelCheckPanel()
        files_box = QGroupBox("Models folder")
        fl = QVBoxLayout(files_box)
        fl.addWidget(self.note)
        fl.addWidget(self.table, 2)
        fl.addLayout(buttons)
        fl.addWidget(self.check_panel, 3)
        self.training = TrainingPanel(  # the store the window uses now (File > Open may change it)
            folder, store_dir=lambda: getattr(getattr(self.ctx, "store", None), "store_dir", None))
        self.training.trained.connect(self._on_trained)
        self.training.message.connect(lambda text: self.ctx.status(text))
        train_box = QGroupBox("Train a model (in a separate process)")
        QVBoxLayout(train_box).addWidget(self.training)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(train_box)
        split.addWidget(files_box)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(board_box)
        layout.addWidget(split, 1)

    def selected_path(self) -> Path | None:
        """The model file of the selected row."""
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()].path if rows else None

    def select_path(self, path: Path) -> bool:
        """Select the row of ``path`` (True if listed)."""
        for i, e in enumerate(self.entries):
            if e.path.resolve() == Path(path).resolve():
                self.table.selectRow(i)
                return True
        return False

    def _on_selected(self) -> None:
        path = self.selected_path()
        self.load_button.setEnabled(path is not None)
        if path is not None and path != self.check_panel.path:
            self.check_panel.show_model(path)

    def _on_trained(self, done: dict) -> None:
        card = done.get("card") or {}
        tflite = (card.get("files") or {}).get("tflite", "model.tflite")
        self.refresh()
        self.select_path(Path(done["out"]) / tflite)

    def load_selected(self) -> None:
        """Restart the virtual board running the selected model."""
        path = self.selected_path()
        if path is None or self.load_on_sim is None:
            return
        if self.load_on_sim(str(path)) is False:
            self.ctx.status("A board is connecting; load the model when it is up.")
            return
        self.ctx.status(f"Restarting the virtual board with {path.name}…")

    def on_board(self, session) -> None:
        """A board connected (or None: disconnected): say which model it runs."""
        self.set_board_info(None if session is None else session.info)

    def shutdown(self) -> None:
        """The window closes: stop a training still going."""
        self.training.shutdown()

    def refresh(self) -> None:
        """Read the models folder into the table (the selection is kept)."""
        keep = self.selected_path()
        try:
            self.entries = list_models(self.folder)
        except Exception as exc:
            self.ctx.report_error(exc)
            return
        self.table.setRowCount(len(self.entries))
        for i, e in enumerate(self.entries):
            budget = e.budget
            fits = {True: "fits", False: "TOO LARGE", None: "arena unknown"}[budget.fits]
            share = fits if budget.share is None else f"{fits} ({100 * budget.share:.0f} %)"
            trained = {True: "untrained", False: "trained", None: "unknown"}[e.untrained]
            ops = e.error or ", ".join(e.ops)
            name = e.path.relative_to(self.folder) if e.path.is_relative_to(self.folder) else (
                e.path.name)  # fmt: skip
            cells = (str(name), f"{e.size_bytes:,} B", share, _kib(e.arena_bytes),
                     str(e.op_count), trained, e.sha256[:16], ops)
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == 2:
                    item.setForeground(QColor({True: "#15803D", False: "#B91C1C"}.get(
                        budget.fits, "#B45309")))
                    item.setToolTip(budget.text())
                if j == len(cells) - 1:
                    item.setToolTip(e.description or ops)
                self.table.setItem(i, j, item)
        if keep is not None:
            self.select_path(keep)
        self.set_board_info(getattr(self.ctx, "board_info", lambda: None)())

    def set_board_info(self, info) -> None:
        """Show what the board says it runs (None: not connected)."""
        if info is None:
            self.board_label.setText("No board connected.")
            return
        sha = info.model_sha256
        if not sha:
            self.board_label.setText(f"{info.board} (firmware {info.firmware_version}) "
                                     "runs no model: it streams features only.")
            return
        match = next((e for e in self.entries if e.sha256 == sha), None)
        said = model_untrained(info)
        if match is None:
            kind = {True: "the board says UNTRAINED", False: "the board says trained"}.get(
                said, "trained or not: unknown")
            which = f"not one of the files in models/ ({kind})"
        else:
            kind = "UNTRAINED: its scores mean nothing" if match.untrained else "trained"
            which = f"= {match.path.name} ({kind})"
        self.board_label.setText(f"{info.board} (firmware {info.firmware_version}) runs model "
                                 f"sha256 {sha[:16]}… {which}.")
