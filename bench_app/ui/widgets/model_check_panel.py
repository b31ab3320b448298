"""A model's card and its check (`bench_app.core.model.check`), the check run off the GUI thread.

The check loads the model in TFLM (in a child process), measures the arena and runs LiteRT:
about a second for the paper-size model, so it runs in a `Job` and the panel says "checking"
meanwhile. The card is the one `bench_app.core.model.card` finds beside the model, summarised:
what it was trained on, classes, scores, sizes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ..workers import Job
from .notes_label import WARN_STYLE

OK_STYLE = "color: #15803D; font-weight: bold;"


def find_card(model_path: Path) -> dict | None:
    """The card beside a model file (`bench_app.core.model.card_for`), or None."""
    from bench_app.core.errors import ModelFileError
    from bench_app.core.model import card_for

    try:
        card = card_for(model_path)
    except ModelFileError as exc:
        return {"error": str(exc)}
    return None if card is None else dict(card.doc)


def card_lines(card: dict | None) -> list[str]:
    """The card's headline facts as text lines."""
    if card is None:
        return ["card      none beside the model file"]
    if "error" in card:
        return [f"card      {card['error']}"]
    out = [f"card      {card.get('name') or card.get('file') or '?'}"]
    if card.get("description"):
        out.append(f"about     {card['description']}")
    if card.get("untrained"):
        out.append("trained   NO: UNTRAINED, random weights; its scores mean nothing")
    if card.get("class_names"):
        out.append(f"classes   {', '.join(map(str, card['class_names']))}")
    data = card.get("data") or {}
    if data.get("source"):
        out.append(f"data      {data['source']} ({data.get('train_windows', '?')} train / "
                   f"{data.get('val_windows', '?')} validation windows)")
    fvi = (card.get("metrics") or {}).get("float_vs_int8") or {}
    if fvi:
        f, q = fvi.get("float") or {}, fvi.get("int8") or {}
        out.append(f"val F1    float {f.get('macro_f1', float('nan')):.3f}, INT8 "
                   f"{q.get('macro_f1', float('nan')):.3f} (macro)")
    training = card.get("training") or {}
    if training:
        keys = ("variant", "epochs", "seed", "hrf_ratio", "ds_subsampling", "pre_normalizer")
        out.append("training  " + ", ".join(f"{k} {training[k]}" for k in keys if k in training))
    return out


class ModelCheckPanel(QWidget):
    """The verdict line, then the card and the check of one model as text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.verdict = QLabel("Select a model to check it.")
        self.verdict.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.verdict)
        layout.addWidget(self.text, 1)
        self.path: Path | None = None
        self.check = None
        self._job: Job | None = None

    @property
    def busy(self) -> bool:
        """True while a check runs."""
        return self._job is not None

    def show_model(self, path: Path | str) -> None:
        """Show the card of ``path`` now and its check when it is done (in a worker thread)."""
        from bench_app.core.model.check import check_model

        self.path, self.check = Path(path), None
        # models/NAME/model.tflite is known by its folder's name
        self.label = (f"{self.path.parent.name}/{self.path.name}" if self.path.parent.name
                      and self.path.stem == "model" else self.path.name)  # fmt: skip
        card = find_card(self.path)
        self._card = card_lines(card)
        self.verdict.setStyleSheet("")
        self.verdict.setText(f"Checking {self.label}…")
        self.text.setPlainText("\n".join(self._card + ["", "checking…"]))
        job = Job(lambda p=self.path: check_model(p), self)
        self._job = job
        job.done.connect(lambda result, j=job: self._on_checked(j, result))
        job.failed.connect(lambda exc, details, j=job: self._on_failed(j, exc))
        job.start()

    def _on_checked(self, job: Job, check) -> None:
        if job is not self._job:  # another model was selected meanwhile
            return
        from bench_app.core.model.check import check_lines

        self._job, self.check = None, check
        if check.ok:
            self.verdict.setStyleSheet(OK_STYLE)
            self.verdict.setText(f"{self.label}: ready for the board (no findings).")
        else:
            self.verdict.setStyleSheet(WARN_STYLE)
            self.verdict.setText(f"{self.label}: {len(check.findings)} finding(s). "
                                 + " ".join(check.findings))  # fmt: skip
        self.text.setPlainText("\n".join(self._card + [""] + check_lines(check)))

    def _on_failed(self, job: Job, exc) -> None:
        if job is not self._job:
            return
        self._job = None
        self.verdict.setStyleSheet(WARN_STYLE)
        self.verdict.setText(f"The check of {self.label} failed: {exc}")
