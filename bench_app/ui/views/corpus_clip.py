"""The Corpus view's flipped clips: the list, the chosen clip's spectrograms, and playing it.

Clicking a clip whose board answer differs from the twin's reads its clean audio (from the
corpus folder) and the board's PCM (from the run), computes both spectrograms with the
reference front end in a background job, and shows them on one time axis. Play sends the clip
to the host's sound output when there is one, else says in one line that there is none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..widgets.spectrogram import FEATURE_MAP, SpectrogramStack
from ..workers import Job

#: What the view hands the panel: clip index -> (clean PCM, board PCM, notes), read lazily.
AudioSource = Callable[[int], tuple[np.ndarray | None, np.ndarray | None, list[str]]]
SAMPLE_RATE = 16000
STEP_S = 0.010  # the paper's hop (the reference front end's default config)


def clip_line(row: Mapping[str, Any]) -> str:
    """One list line: index, clip, and the answers from label to board."""
    return (f"#{row.get('index')} {row.get('clip_id')}: {row.get('label')} → twin "
            f"{row.get('twin_clean')} → PCM {row.get('twin_board_pcm')} → board "
            f"{row.get('board')}")


class FlippedClips(QWidget):
    """The flipped clips list above the chosen clip's clean and board-PCM spectrograms."""

    def __init__(self, audio_source: AudioSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.audio_source = audio_source
        self.list = QListWidget()
        self.list.setMinimumHeight(90)
        self.list.currentItemChanged.connect(self._on_current)
        self.title = QLabel("Flipped clips (board ≠ twin on the clean clip): none yet")
        self.play_clean = QPushButton("Play clean clip")
        self.play_board = QPushButton("Play board PCM")
        self.play_clean.clicked.connect(lambda: self.play("clean"))
        self.play_board.clicked.connect(lambda: self.play("board"))
        self.status = QLabel("Click a clip to see its spectrograms.")
        self.status.setWordWrap(True)
        self.spectra = SpectrogramStack([
            ("clean clip (reference front end)", FEATURE_MAP, "feature", False),
            ("board PCM (reference front end)", FEATURE_MAP, "feature", False)])
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_clean)
        buttons.addWidget(self.play_board)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.spectra, 3)
        self.outputs: list | None = None  # None until the window has listed the sound outputs
        self.audio: dict[str, np.ndarray | None] = {"clean": None, "board": None}
        self.shown_index: int | None = None
        self._job: Job | None = None
        self._player = None
        self._set_play_enabled()

    def set_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """List ``rows`` (the run's ``flipped`` entries), keeping the chosen clip chosen."""
        chosen = self.shown_index
        self.list.blockSignals(True)
        self.list.clear()
        for row in rows:
            item = QListWidgetItem(clip_line(row))
            item.setData(Qt.ItemDataRole.UserRole, int(row.get("index", -1)))
            self.list.addItem(item)
            if row.get("index") == chosen:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.title.setText(f"Flipped clips (board ≠ twin on the clean clip): {len(rows)}")

    def clear(self) -> None:
        """Forget the list and the shown clip."""
        self.set_rows([])
        self.shown_index = None
        self.audio = {"clean": None, "board": None}
        for s in self.spectra.plots:
            s.set_frames(np.zeros((0, 0)), 0.0, STEP_S)
        self._set_play_enabled()
        self.status.setText("Click a clip to see its spectrograms.")

    def _on_current(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is not None:
            self.show_clip(int(item.data(Qt.ItemDataRole.UserRole)))

    def show_clip(self, index: int) -> Job:
        """Read clip ``index``'s audio and compute its spectrograms in the background."""
        from bench_app.core.report.corpus_audio import spectrograms

        self.shown_index = index
        self.status.setText(f"Reading clip #{index}…")
        source = self.audio_source

        def work():
            clean, board, notes = source(index)
            return index, clean, board, notes, spectrograms({"clean": clean, "board": board})

        self._job = Job(work, self, serial=True)
        self._job.done.connect(self._on_spectra)
        self._job.failed.connect(lambda exc, _tb: self.status.setText(str(exc)))
        return self._job.start()

    def _on_spectra(self, result) -> None:
        index, clean, board, notes, frames = result
        if index != self.shown_index:
            return  # the user chose another clip meanwhile
        self.audio = {"clean": clean, "board": board}
        for plot, key in zip(self.spectra.plots, ("clean", "board"), strict=True):
            plot.set_frames(frames.get(key, np.zeros((0, 0))), 0.0, STEP_S)
        longest = max((len(f) for f in frames.values()), default=0) * STEP_S
        if longest:
            self.spectra.show_window(longest, longest)
        self._set_play_enabled()
        self.status.setText(" ".join(notes) or f"Clip #{index}: clean clip and board PCM.")

    def _set_play_enabled(self) -> None:
        self.play_clean.setEnabled(self.audio["clean"] is not None)
        self.play_board.setEnabled(self.audio["board"] is not None)

    def play(self, which: str) -> bool:
        """Play the shown clip's clean audio or board PCM; say in one line when it cannot."""
        pcm = self.audio.get(which)
        if pcm is None:
            self.status.setText("Choose a clip first.")
            return False
        if not self.outputs:
            self.status.setText("This computer has no sound output, so the clip cannot be "
                                "played here (its spectrograms are below)." if
                                self.outputs is not None else
                                "The sound outputs are still being listed; try again shortly.")
            return False
        from bench_app.core.audio.playback import play

        try:
            if self._player is not None:
                self._player.stop()
            self._player = play(np.asarray(pcm, np.int16), SAMPLE_RATE, blocking=False,
                                lead_in_s=0.0, gap_s=0.0)
        except Exception as exc:  # a device that refuses: one line, the view goes on
            self.status.setText(f"The clip cannot be played: {exc}")
            return False
        self.status.setText(f"Playing the {'clean clip' if which == 'clean' else 'board PCM'} "
                            f"of #{self.shown_index} on the default sound output.")
        return True

    def shutdown(self) -> None:
        """Stop any playback."""
        if self._player is not None:
            self._player.stop()
