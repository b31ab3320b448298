"""Re-recording: the board's microphone PCM of every clip, written as a new corpus.

The layout follows the input's: an IEMOCAP layout (``SessionN/sentences/wav/<dialog>/<utt>.wav``
with ``dialog/EmoEvaluation`` label lines and ``dialog/transcriptions``) for ``iemocap`` and
``synthetic`` corpora, ``labels.csv`` (``path,label,speaker,session``) for ``csv`` ones, with
the original label codes and transcripts. ``NOTE.json`` and ``README.md`` name the board, the
sound device, the level and the channel. The IEMOCAP layout holds utterances only: a corpus's
no-emotion clips are cut from dialog recordings, which a re-recording does not have, so they
are listed in ``NOTE.json`` as not written (``bench-app corpus inspect`` reads back every clip
that was written).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from bench_app.core.corpora import Clip, Corpus
from bench_app.core.errors import ConfigError


def check_folder(out: str | Path) -> Path:
    """The re-record folder, refused when it exists with something in it."""
    path = Path(out)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise ConfigError(f"The re-record folder {path} exists and is not empty.")
    return path


class RerecordWriter:
    """Collects the re-recorded clips and writes them in the input corpus's layout."""

    def __init__(self, out: str | Path, corpus: Corpus) -> None:
        self.out = check_folder(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.corpus = corpus
        self.iemocap = corpus.kind in ("iemocap", "synthetic")
        self.count = 0
        self.not_written: list[str] = []
        self._rows: list[list[str]] = []
        self._labels: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._transcripts: dict[tuple[str, str], list[str]] = defaultdict(list)

    def add(self, clip: Clip, pcm: np.ndarray) -> None:
        """Write one clip's board PCM (int16)."""
        from bench_app.core.audio_files import write_wav

        if not self.iemocap:
            name = Path(clip.clip_id).name
            rel = Path("wav") / (name if name.lower().endswith(".wav") else f"{name}.wav")
            (self.out / rel).parent.mkdir(parents=True, exist_ok=True)
            write_wav(self.out / rel, pcm, 16000)
            self._rows.append([str(rel), clip.code, clip.speaker or "", clip.session or ""])
            self.count += 1
            return
        if clip.source != "utterance" or not clip.dialog or not clip.session:
            self.not_written.append(clip.clip_id)
            return
        wav = self.out / clip.session / "sentences" / "wav" / clip.dialog / f"{clip.clip_id}.wav"
        wav.parent.mkdir(parents=True, exist_ok=True)
        write_wav(wav, pcm, 16000)
        start = 0.0 if not self._labels[(clip.session, clip.dialog)] else float(
            self._labels[(clip.session, clip.dialog)][-1].split("\t")[0].split(" - ")[1][:-1])
        end = start + len(pcm) / 16000
        vad = ", ".join(f"{v:.4f}" for v in (clip.vad or (2.5, 2.5, 2.5)))
        self._labels[(clip.session, clip.dialog)].append(
            f"[{start:.4f} - {end:.4f}]\t{clip.clip_id}\t{clip.code}\t[{vad}]")
        if clip.transcript:
            self._transcripts[(clip.session, clip.dialog)].append(
                f"{clip.clip_id} [{start:08.4f}-{end:08.4f}]: {clip.transcript}")
        self.count += 1

    def finish(self, session, params) -> None:
        """Write the label files, NOTE.json and README.md."""
        if not self.iemocap:
            with open(self.out / "labels.csv", "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(["path", "label", "speaker", "session"])
                w.writerows(self._rows)
        for (sess, dialog), lines in self._labels.items():
            d = self.out / sess / "dialog" / "EmoEvaluation"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"{dialog}.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
        for (sess, dialog), lines in self._transcripts.items():
            d = self.out / sess / "dialog" / "transcriptions"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"{dialog}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        info = session.info
        emulator = info.extra.get("emulator") if isinstance(info.extra, dict) else None
        note = {
            "source_corpus": params.corpus, "kind": self.corpus.kind,
            "layout": "iemocap" if self.iemocap else "csv", "clips": self.count,
            "not_written": self.not_written,
            "board": {"name": info.board, "firmware": info.firmware_version,
                      "device": params.device, "model_sha256": info.model_sha256},
            "path": params.path,
            "sound_device": params.output if params.path == "acoustic" else None,
            "level": "as in the corpus files (no gain applied by the bench)",
            "channel": (emulator or {}).get("channel") if emulator else "a real room",
            "sample_rate_hz": 16000,
        }
        (self.out / "NOTE.json").write_text(json.dumps(note, indent=2) + "\n", encoding="utf-8")
        (self.out / "README.md").write_text(
            f"# Re-recorded corpus\n\n{self.count} clips of `{params.corpus}` recorded by the "
            f"board's microphone ({info.board}, device `{params.device}`, path {params.path}, "
            f"sound device `{note['sound_device']}`). Channel: {note['channel']}. "
            "Details in NOTE.json.\n", encoding="utf-8")
