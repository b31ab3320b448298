"""The Corpus view: a labelled corpus played to the board, scored live beside the host twin.

A corpus run (procedure ``corpus``) emits one ``clips`` event per clip and, after each, a
``metrics`` event with every figure so far (`corpus_metrics`, computed by the procedure); the
view draws those as they arrive (a 40 ms timer redraws when something changed) and draws a
stored run the same way from the run store. Controls on the left start a run (corpus folder,
acoustic or injected path, clip limit) when this build has the corpus procedure; without it
the view still shows stored corpus runs. Flipped clips can be played and their spectrograms
seen (`corpus_clip.FlippedClips`).
"""

from __future__ import annotations

import shlex
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from bench_app.core.errors import BenchError

from ..run_documents import CurrentRunDocuments
from ..widgets.run_controls import RunControls
from .corpus_clip import FlippedClips
from .corpus_plots import CorpusPlots

PROCEDURE = "corpus"
REFRESH_MS = 40
def _figure(value: Any, pct: bool = False) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "-"
    return f"{100 * value:.1f} %" if pct else f"{value:.3f}"


class CorpusView(QWidget):
    """Controls, stored runs, figures and flipped clips on the left; live plots on the right."""

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._run_uid: str | None = None      # the live run this view follows
        self.shown_uid: str | None = None     # the run whose figures are shown (live or stored)
        self.records: list[dict] = []
        self.history: list[dict] = []
        self.parameters: dict[str, Any] = {}
        self.summary: dict[str, Any] = {}
        self.class_names: list[str] = []
        self.live_pcm: dict[int, np.ndarray] = {}
        self.pcm_artifacts: dict[int, str] = {}
        self._version = 0
        self._drawn = -1
        self._build_controls()
        self.plots = CorpusPlots()
        self.flipped = FlippedClips(self.clip_audio)
        left = QWidget()
        left.setMaximumWidth(500)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(self.form)
        ll.addWidget(self.run_controls)
        ll.addLayout(self.stored_row)
        ll.addWidget(self.figures_label)
        ll.addWidget(self.flipped, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.plots)
        split.setStretchFactor(1, 1)
        split.setSizes([460, 820])
        QHBoxLayout(self).addWidget(split)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.redraw)
        self._on_document = _CorpusDocuments(self, lambda: self._run_uid)
        ctx.bridge.document.connect(self._on_document)
        ctx.bridge.started.connect(self._on_started)

    def _build_controls(self) -> None:
        self.corpus_edit = QLineEdit()
        self.corpus_edit.setPlaceholderText("iemocap:DIR, synthetic:DIR, csv:DIR or a folder")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.choose_corpus)
        corpus_row = QHBoxLayout()
        corpus_row.addWidget(self.corpus_edit, 1)
        corpus_row.addWidget(browse)
        self.path_combo = QComboBox()
        self.path_combo.addItem("acoustic (speaker → board microphone)", "acoustic")
        self.path_combo.addItem("injected (PCM sent to the board)", "injected")
        self.limit = QSpinBox()
        self.limit.setRange(0, 1_000_000)
        self.limit.setSpecialValueText("all clips")
        self.form = QFormLayout()
        self.form.addRow("Corpus", corpus_row)
        self.form.addRow("Path", self.path_combo)
        self.form.addRow("Limit", self.limit)
        self.run_controls = RunControls(self.ctx, PROCEDURE, self.make_procedure)
        self.stored = QComboBox()
        self.stored.setMinimumContentsLength(24)
        show = QPushButton("Show")
        show.clicked.connect(lambda: self.show_stored(self.stored.currentData()))
        self.stored_row = QHBoxLayout()
        self.stored_row.addWidget(QLabel("Stored run"))
        self.stored_row.addWidget(self.stored, 1)
        self.stored_row.addWidget(show)
        self.figures_label = QLabel("No corpus run shown yet.")
        self.figures_label.setWordWrap(True)
        self.figures_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    # ---- starting a run ----------
    def choose_corpus(self) -> None:
        """Pick the corpus folder."""
        folder = QFileDialog.getExistingDirectory(self, "Corpus folder", self.corpus_edit.text())
        if folder:
            self.corpus_edit.setText(folder)

    def run_settings(self) -> dict[str, Any]:
        """What the controls ask of a corpus run (the procedure's parameters)."""
        corpus = self.corpus_edit.text().strip()
        if not corpus:
            raise BenchError("Choose a corpus folder first (iemocap:DIR, synthetic:DIR or "
                             "csv:DIR).")
        return {"corpus": corpus, "path": self.path_combo.currentData(),
                "limit": int(self.limit.value()) or None}

    def make_procedure(self):
        """The corpus procedure on the window's board (its model is the host twin's)."""
        from bench_app.core.runs.procedures.corpus.params import CorpusParams
        from bench_app.core.runs.procedures.corpus.procedure import CorpusProcedure

        settings = self.run_settings()
        session = self.ctx.session()
        sim = shlex.join(getattr(session, "sim_args", []) or [])
        return CorpusProcedure(CorpusParams(device=session.device, sim=sim, **settings), session)

    # ---- stored runs ----------
    def refresh(self) -> None:
        """List the stored corpus runs, newest first."""
        try:
            runs = self.ctx.store.list_runs(procedure=PROCEDURE)
        except BenchError as exc:
            self.ctx.report_error(exc)
            return
        current = self.stored.currentData()
        self.stored.clear()
        for r in runs:
            f1 = (r.summary or {}).get("macro_f1")
            self.stored.addItem(f"{r.short_uid}  {r.status}  macro F1 {_figure(f1)}", r.uid)
        if current is not None and (i := self.stored.findData(current)) >= 0:
            self.stored.setCurrentIndex(i)

    def show_stored(self, uid: str | None) -> bool:
        """Show a stored corpus run's figures (not while one runs here)."""
        if not uid:
            return False
        if self._run_uid is not None:
            self.ctx.report_error("A corpus run is going; its figures are shown until it ends.")
            return False
        from bench_app.core.report.corpus_run import load_corpus_run

        try:
            run = load_corpus_run(self.ctx.store, uid, load_scores=False)
        except BenchError as exc:
            self.ctx.report_error(exc)
            return False
        self._reset(run.uid, run.parameters)
        self.records = [dict(r) for r in run.records]
        self.history = run.metrics
        self.summary = run.summary
        self.class_names = run.class_names
        self.pcm_artifacts = {int(r["index"]): a for r, a in zip(run.records, run.pcm_artifacts,
                                                                 strict=True) if a}
        self._version += 1
        self.redraw()
        return True

    # ---- live documents ----------
    def _reset(self, uid: str, parameters: dict[str, Any]) -> None:
        self.shown_uid = uid
        self.parameters = dict(parameters)
        self.class_names = [str(c) for c in parameters.get("class_names") or []]
        self.records, self.history, self.summary = [], [], {}
        self.live_pcm, self.pcm_artifacts = {}, {}
        self.plots.clear()
        self.flipped.clear()
        self._drawn = -1

    def _on_started(self, uid: str, procedure: str) -> None:
        if procedure != PROCEDURE:
            return
        self._run_uid = uid
        self._reset(uid, {})
        self.figures_label.setText(f"Corpus run {uid[:8]} started…")
        self.timer.start()

    def set_parameters(self, parameters: dict[str, Any]) -> None:
        """The live run's parameters (corpus folder, class names) from its start document."""
        self.parameters = dict(parameters)
        names = parameters.get("class_names")
        if isinstance(names, list) and names:
            self.class_names = [str(c) for c in names]

    def add_clip(self, doc: dict) -> None:
        """One clip's record (and its board PCM, kept for playing) from a live run."""
        record = dict(doc.get("data") or {})
        self.records.append(record)
        pcm = (doc.get("arrays") or {}).get("board_pcm")
        if pcm is not None:
            self.live_pcm[int(record.get("index", len(self.records) - 1))] = np.asarray(pcm)
        self._version += 1

    def add_metrics(self, data: dict) -> None:
        """The run's figures after its latest clip."""
        self.history.append(dict(data))
        if not self.class_names:
            self.class_names = [str(c) for c in data.get("class_names") or []]
        self._version += 1

    def _on_stop(self, doc: dict) -> None:
        self.summary = dict(doc.get("summary") or {})
        self.timer.stop()
        self._run_uid = None
        self._version += 1
        self.redraw()
        self.refresh()

    def redraw(self) -> None:
        """Draw what changed since the last tick."""
        if self._version == self._drawn:
            return
        self._drawn = self._version
        self.plots.show_metrics(self.history, self.class_names, self.summary)
        self.plots.show_sweep(self.summary.get("sweep") or [])
        latest = self.summary if self.summary.get("answers") else (
            self.history[-1] if self.history else {})
        self.flipped.set_rows(latest.get("flipped") or [])
        self.figures_label.setText(self.figures_text(latest))

    def figures_text(self, m: dict) -> str:
        """The headline figures of the shown run, one short paragraph."""
        if not m:
            return f"Corpus run {str(self.shown_uid)[:8]}: no clip scored yet."
        ci = m.get("macro_f1_ci95")
        ci_text = f" (95 % CI {_figure(ci[0])}–{_figure(ci[1])})" if ci else ""
        drop = m.get("f1_drop") or {}
        return (f"Run {str(self.shown_uid)[:8]}: {m.get('clips', 0)} clips. Board macro F1 "
                f"{_figure(m.get('macro_f1'))}{ci_text}, micro {_figure(m.get('micro_f1'))}, "
                f"weighted {_figure(m.get('weighted_f1'))}; UA {_figure(m.get('ua'), True)}, "
                f"WA {_figure(m.get('wa'), True)}. Twin macro F1 "
                f"{_figure(m.get('twin_macro_f1'))}; drop {_figure(drop.get('total'))} = "
                f"acoustic path {_figure(drop.get('acoustic_path'))} + firmware "
                f"{_figure(drop.get('firmware'))}; board = twin on its PCM for "
                f"{_figure(m.get('agreement'), True)} of clips.")

    # ---- flipped clips' audio ----------
    def clip_audio(self, index: int) -> tuple[np.ndarray | None, np.ndarray | None, list[str]]:
        """Clean clip and board PCM of clip ``index`` (runs in a background job)."""
        from bench_app.core.report.corpus_audio import read_clean_clip

        notes: list[str] = []
        record = next((r for r in self.records if r.get("index") == index), None)
        clean = board = None
        if record is None:
            return None, None, [f"Clip #{index} is not in the shown run."]
        try:
            clean = read_clean_clip(self.parameters, record)
        except BenchError as exc:
            notes.append(str(exc))
        if index in self.live_pcm:
            board = self.live_pcm[index]
        elif index in self.pcm_artifacts and self.shown_uid:
            try:
                board = self.ctx.store.load_artifact(self.shown_uid, self.pcm_artifacts[index])
            except BenchError as exc:
                notes.append(str(exc))
        else:
            notes.append("The run did not keep the board's PCM of this clip.")
        return clean, board, notes

    # ---- window hooks ----------
    def set_output_devices(self, devices: list) -> None:
        """The host's sound outputs (listed in the background at start)."""
        self.flipped.outputs = list(devices)

    def shutdown(self) -> None:
        """Stop the timer and any playback."""
        self.timer.stop()
        self.flipped.shutdown()


class _CorpusDocuments(CurrentRunDocuments):
    """The current corpus run's documents, to the view (its start too: the parameters)."""

    def __call__(self, kind: str, doc) -> None:
        if kind == "start":
            if doc.get("uid") == self._current_uid():
                self.view.set_parameters(doc.get("parameters") or {})
            return
        super().__call__(kind, doc)

    def event_clips(self, doc) -> None:
        self.view.add_clip(doc)

    def event_metrics(self, doc) -> None:
        self.view.add_metrics(doc.get("data") or {})

    def event_progress(self, doc) -> None:
        self.view.run_controls.show_progress(doc.get("data") or {})

    def stop(self, doc) -> None:
        self.view._on_stop(doc)
