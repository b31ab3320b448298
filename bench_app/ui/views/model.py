"""The Model view: the model the board reports, and the models in ``models/`` (read-only)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bench_app.core.model import BUDGET_TEXT, MODELS_DIR, list_models
from bench_app.core.model import untrained as model_untrained

COLUMNS = ("file", "size", "budget: model + arena (1.8 MB)", "arena", "op count", "trained",
           "sha256", "operators")


def _kib(n: int | None) -> str:
    return "—" if n is None else f"{n / 1024:,.0f} KiB"


class ModelView(QWidget):
    """Board model hash (and which file it is), the models folder as a table."""

    def __init__(self, ctx, parent: QWidget | None = None, folder: Path = MODELS_DIR) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.folder = folder
        self.entries = []
        self.board_label = QLabel("No board connected.")
        self.board_label.setWordWrap(True)
        self.board_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        board_box = QGroupBox("Model on the board")
        QVBoxLayout(board_box).addWidget(self.board_label)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.note = QLabel(
            f"Models in {folder}. The model file plus its arena (the smallest TFLM arena that "
            f"allocates, from the model's card) is checked against the paper's memory budget "
            f"of {BUDGET_TEXT}. Read-only until the training backend exists.")
        self.note.setWordWrap(True)
        refresh = QPushButton("Reload models")
        refresh.clicked.connect(self.refresh)
        files_box = QGroupBox("Models folder")
        fl = QVBoxLayout(files_box)
        fl.addWidget(self.note)
        fl.addWidget(self.table, 1)
        fl.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addWidget(board_box)
        layout.addWidget(files_box, 1)

    def refresh(self) -> None:
        """Read the models folder into the table."""
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
            cells = (e.path.name, f"{e.size_bytes:,} B", share, _kib(e.arena_bytes),
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
        self.table.resizeRowsToContents()
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
