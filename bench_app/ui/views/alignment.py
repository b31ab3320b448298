"""The Alignment view: stimulus, path, output and level; Start / Pause / Cancel; live plots.

Live: the host reference (front end on the board's own PCM, computed by the run and sent as
its ``reference`` events), the board's frames and their difference scroll in step (one time
axis, one cursor), with the run's per-channel error and error over time (its ``metrics``);
before the start the board's front-end config is linted against the host's; at the end the
verdict and its reasons, and the plots switch to the analysis's final arrays.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..run_documents import CurrentRunDocuments
from ..widgets.run_controls import RunControls
from ..widgets.stimulus_preview import StimulusPreview, spectrogram_db
from ..workers import Job
from .alignment_plots import AlignmentPlots

STIMULI = (("tonal bursts", "tonal-bursts"), ("sweep", "sweep"), ("speech", "speech"),
           ("file…", "file"))
PATHS = (("acoustic (sound device → mic)", "acoustic"), ("virtual speaker", "virtual"),
         ("injected (digital)", "injected"))
SEVERITY_COLOURS = {"error": "#B91C1C", "warning": "#B45309", "info": "#1D4ED8"}


def output_devices() -> list[tuple[str, str]]:
    """(label, value) of the sound outputs PortAudio lists (empty when it has none)."""
    try:
        from bench_app.core.audio.devices import list_devices

        return [(f"{d.name}", d.name) for d in list_devices("output")]
    except Exception:  # no PortAudio: the acoustic path reports it when started
        return []


class AlignmentView(QWidget):
    """Controls on the left, the live plots on the right."""

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.host_config = None
        self.summary: dict | None = None
        self.verdict: bool | None = None
        self._run_uid: str | None = None
        self._start_on_connect = False
        self._preview_job: Job | None = None
        self._start_after_preview = False
        self._preview_again = False
        self._lint_job: Job | None = None
        self._build_controls()
        self.plots = AlignmentPlots()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.controls)
        split.addWidget(self.plots)
        split.setStretchFactor(1, 1)
        split.setSizes([330, 950])
        QHBoxLayout(self).addWidget(split)
        self._on_document = _AlignmentDocuments(self, lambda: self._run_uid)
        ctx.bridge.document.connect(self._on_document)
        ctx.bridge.started.connect(self._on_started)
        QTimer.singleShot(0, self.update_preview)

    # ---- layout ----------
    def _build_controls(self) -> None:
        self.controls = QWidget()
        self.controls.setMinimumWidth(300)
        self.controls.setMaximumWidth(420)
        self.stimulus = QComboBox()
        for label, value in STIMULI:
            self.stimulus.addItem(label, value)
        self.stimulus_file: str | None = None
        self.stimulus.activated.connect(self._on_stimulus)
        self.preview = StimulusPreview()
        self.preview.setMinimumHeight(130)
        self.preview.setMaximumHeight(170)
        self.preview_label = QLabel("")
        self.preview_label.setWordWrap(True)
        self.path = QComboBox()
        for label, value in PATHS:
            self.path.addItem(label, value)
        self.path.setCurrentIndex(1)
        self.output = QComboBox()
        self.output.addItem("virtual speaker", "virtual")
        self.path.currentIndexChanged.connect(self._on_path)
        self.level = QDoubleSpinBox()
        self.level.setRange(-60.0, 0.0)
        self.level.setSingleStep(1.0)
        self.level.setSuffix(" dBFS")
        self.level.setToolTip("Peak level of the stimulus")
        self.level.setValue(self.ctx.settings.level_dbfs)
        self.level.valueChanged.connect(self._on_level)
        form = QFormLayout()
        form.addRow("Stimulus", self.stimulus)
        form.addRow("Path", self.path)
        form.addRow("Output", self.output)
        form.addRow("Level", self.level)
        self.run_controls = RunControls(self.ctx, "alignment", self.make_procedure,
                                        on_start=self.start)
        self.lint = QListWidget()
        self.lint.setWordWrap(True)
        self.lint.addItem("Connect a board to lint its front-end config.")
        lint_box = QGroupBox("Lint: board vs host front end")
        QVBoxLayout(lint_box).addWidget(self.lint)
        self.verdict_label = QLabel("No verdict yet.")
        self.verdict_label.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.reasons = QLabel("")
        self.reasons.setWordWrap(True)
        self.reasons.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reasons.setAlignment(Qt.AlignmentFlag.AlignTop)
        verdict_box = QGroupBox("Verdict")
        vl = QVBoxLayout(verdict_box)
        vl.addWidget(self.verdict_label)
        vl.addWidget(self.reasons, 1)
        layout = QVBoxLayout(self.controls)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.run_controls)
        layout.addWidget(lint_box, 1)
        layout.addWidget(verdict_box, 2)
        self._on_path()

    # ---- settings ----------
    def _on_stimulus(self, _index: int) -> None:
        if self.stimulus.currentData() == "file":
            path, _ = QFileDialog.getOpenFileName(self, "Stimulus audio file", "",
                                                  "Audio (*.wav *.flac);;All files (*)")
            if not path:
                self.stimulus.setCurrentIndex(0)
            self.stimulus_file = path or None
        self.update_preview()

    def set_output_devices(self, devices: list[tuple[str, str]]) -> None:
        """Offer these sound outputs (listed in the background at start) besides the virtual one."""
        for label, value in devices:
            if self.output.findData(value) < 0:
                self.output.addItem(label, value)
        saved = self.ctx.settings.output_device
        if self.path.currentData() == "acoustic" and self.output.findData(saved) >= 0:
            self.output.setCurrentIndex(self.output.findData(saved))

    def _on_path(self, *_args) -> None:
        path = self.path.currentData()
        if path == "virtual":
            self.output.setCurrentIndex(0)
        self.output.setEnabled(path == "acoustic")

    def _on_level(self, value: float) -> None:
        self.ctx.settings.level_dbfs = value
        self.update_preview()

    def stimulus_kind(self) -> str:
        """The core's name for the chosen stimulus (a file path for ``file…``)."""
        kind = self.stimulus.currentData()
        return self.stimulus_file if kind == "file" and self.stimulus_file else (
            "tonal-bursts" if kind == "file" else kind)

    def update_preview(self) -> None:
        """Render the chosen stimulus in a worker thread and plot it."""
        kind, level = self.stimulus_kind(), self.level.value()

        def render():
            import scipy.signal  # noqa: F401 - sweeps and the analysis need it: load it here

            from bench_app.core.frontend import FrontendConfig, compute_features
            from bench_app.core.runs.procedures.alignment.stimulus import build_stimulus

            cfg = self.host_config or FrontendConfig()
            stim = build_stimulus(kind, cfg, level_dbfs=level)
            compute_features(stim.samples[:8000], cfg)  # load the kernels before any run
            # bursts read as an envelope; a sweep, speech or a file as time x frequency
            spec = None if kind == "tonal-bursts" else spectrogram_db(
                np.asarray(stim.samples, np.float32) / 32768.0, stim.sample_rate)
            return stim, spec

        if self._preview_job is not None and self._preview_job.running:
            self._preview_again = True
            return
        self._preview_again = False
        self.preview_label.setText("rendering…")
        job = Job(render, self, serial=True)
        job.done.connect(self._show_preview)
        job.failed.connect(lambda exc, details: (self.preview_label.setText(""),
                                                 self.ctx.report_error(exc, details)))
        job.done.connect(lambda _r: self._after_preview())
        job.failed.connect(lambda *_a: self._after_preview())
        self._preview_job = job.start()

    def _after_preview(self) -> None:
        if self._preview_again:  # the choice changed while rendering: render the new one
            self._preview_job = None
            self.update_preview()
            return
        self._preview_finished()

    def _show_preview(self, rendered) -> None:
        stim, spec = rendered
        self.preview.show_stimulus(stim.samples, stim.sample_rate, spec)
        self.preview_label.setText(f"{stim.name}: {stim.duration_s:.1f} s, "
                                   f"{len(stim.timeline)} segments")

    # ---- board ----------
    def on_board(self, session) -> None:
        """A board was connected (lint it; start a pending demo run) or disconnected (None)."""
        self.lint.clear()
        if session is None:
            self.lint.addItem("Connect a board to lint its front-end config.")
            return
        board_fe = dict(session.info.frontend or {})

        def lint():
            from bench_app.core.analysis.config_lint import lint_frontend
            from bench_app.core.frontend import FrontendConfig

            host = self.host_config or FrontendConfig()
            return [f.to_dict() for f in lint_frontend(host, board_fe)]

        job = Job(lint, self, serial=True)
        job.done.connect(self.show_lint)
        job.failed.connect(self.ctx.report_error)
        self._lint_job = job.start()
        if self._start_on_connect:
            self._start_on_connect = False
            self.start()

    def show_lint(self, findings: list[dict]) -> None:
        """List lint findings (or say the configs agree)."""
        self.lint.clear()
        if not findings:
            item = QListWidgetItem("✓ The board's front end matches the host's (no finding).")
            item.setForeground(QColor("#15803D"))
            self.lint.addItem(item)
        for f in findings:
            item = QListWidgetItem(f"{f['severity'].upper()}: {f['message']}")
            item.setForeground(QColor(SEVERITY_COLOURS.get(f["severity"], "#222")))
            self.lint.addItem(item)

    def start_when_connected(self, stimulus: str | None = None) -> None:
        """Start a run as soon as a board is connected (``--demo``), optionally on ``stimulus``."""
        if stimulus is not None and self.stimulus.findData(stimulus) >= 0:
            self.stimulus.setCurrentIndex(self.stimulus.findData(stimulus))
            self.update_preview()
        session = self.ctx.session()
        if session is not None:
            self.start()
        else:
            self._start_on_connect = True

    # ---- run control ----------
    def make_procedure(self):
        """The alignment procedure for the current settings, on the window's board."""
        from bench_app.core.runs.procedures.alignment.procedure import (
            AlignmentParams,
            AlignmentProcedure,
        )

        session = self.ctx.session()
        path = self.path.currentData()
        params = AlignmentParams(
            device=session.device,
            path="injected" if path == "injected" else "acoustic",
            output="virtual" if path == "virtual" else (self.output.currentData() or "virtual"),
            level_dbfs=self.level.value(),
            stimulus=self.stimulus_kind(),
        )
        self.ctx.settings.output_device = params.output
        return AlignmentProcedure(params, session)

    def start(self) -> bool:
        """Start an alignment run on the connected board (once the preview is rendered).

        The preview's rendering imports what the run imports (scipy.signal for sweeps, the
        front end's compiled kernels); doing both at once in two threads is not safe for
        scipy's lazy imports, and the run would stall on them, so the run waits for it.
        """
        job = self._preview_job
        if job is not None and job.running:
            self._start_after_preview = True
            self.ctx.status("The run starts as soon as the stimulus preview is ready…")
            return True
        return self.run_controls.start()

    def _preview_finished(self) -> None:
        self._preview_job = None
        if self._start_after_preview:
            self._start_after_preview = False
            self.run_controls.start()

    def _on_started(self, uid: str, procedure: str) -> None:
        if procedure != "alignment":
            return
        from bench_app.core.frontend import FrontendConfig

        self._run_uid = uid
        self.plots.begin(self.host_config or FrontendConfig())
        self.summary = None
        self.verdict = None
        self.verdict_label.setText("Running…")
        self.verdict_label.setStyleSheet("font-size: 15pt; font-weight: bold; color: #222;")
        self.reasons.setText("")
        self.run_controls.progress.setValue(0)

    def _on_stop(self, stop) -> None:
        self.plots.end()
        status = stop.get("status")
        if self.summary is None or status != "success":
            text = {"success": "PASS" if self.verdict else "FAIL"}.get(status, status.upper())
            colour = "#B45309" if status != "success" else "#222"
            self.verdict_label.setText(f"{text}")
            self.verdict_label.setStyleSheet(f"font-size: 15pt; font-weight: bold; "
                                             f"color: {colour};")
            reason = stop.get("reason", "")
            self.reasons.setText((self.reasons.text() + "\n\n" if self.reasons.text() else "")
                                 + f"Run {status}: {reason}")
        self._run_uid = None

    # ---- drawing ----------
    def show_summary(self, summary: dict, arrays: dict) -> None:
        """Show the verdict and switch the plots to the analysis's final arrays."""
        self.summary = summary
        passed = summary.get("pass")
        self.verdict = bool(passed) if passed is not None else None
        text = {True: "PASS", False: "FAIL", None: "NO VERDICT"}[self.verdict]
        colour = {True: "#15803D", False: "#B91C1C", None: "#B45309"}[self.verdict]
        self.verdict_label.setText(text)
        self.verdict_label.setStyleSheet(f"font-size: 15pt; font-weight: bold; color: {colour};")
        reasons = list(summary.get("reasons") or [])
        self.reasons.setText("\n\n".join(f"• {r}" for r in reasons))
        self.plots.show_final(summary, arrays)

    @property
    def live(self):
        """The live buffers of the current run."""
        return self.plots.live

    @property
    def refreshes(self) -> int:
        """Live redraws so far."""
        return self.plots.refreshes

    def shutdown(self) -> None:
        """Stop the plots' timer."""
        self.plots.shutdown()


class _AlignmentDocuments(CurrentRunDocuments):
    """The current alignment run's documents, to the view: live data, progress, lint, verdict."""

    def event_frames(self, doc) -> None:
        self.view.plots.live.on_event(doc)

    event_pcm = event_frames  # sets the time origin only
    event_reference = event_frames
    event_metrics = event_frames

    def event_progress(self, doc) -> None:
        self.view.run_controls.show_progress(doc.get("data") or {})

    def event_lint(self, doc) -> None:
        self.view.show_lint((doc.get("data") or {}).get("findings", []))

    def event_summary(self, doc) -> None:
        self.view.show_summary(doc.get("data") or {}, doc.get("arrays") or {})

    def stop(self, doc) -> None:
        self.view._on_stop(doc)
