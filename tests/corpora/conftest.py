"""Builders for small corpus folders with known damage, shared by the corpora tests."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

from bench_app.core.audio_files import write_wav

RATE = 16000


def tone(seconds: float, freq: float = 440.0, rate: int = RATE, level: float = 0.3):
    """An int16 sine of ``seconds`` at ``rate``."""
    t = np.arange(int(round(seconds * rate))) / rate
    return np.round(level * 32767 * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def write_truncated(path: Path, seconds: float = 1.0) -> None:
    """A WAV whose header promises more samples than the file holds."""
    write_wav(path, tone(seconds))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


#: (start, end, utterance, code, vad text, what its audio file is)
IMPRO_LINES = [
    (1.0, 2.5, "Ses01F_impro01_F000", "neu", "2.5000, 2.5000, 2.5000", "good"),
    (3.0, 4.2, "Ses01F_impro01_M000", "exc", "4.0000, 3.5000, 3.0000", "good"),
    (5.0, 6.0, "Ses01F_impro01_F001", "fru", "2.0000, 3.5000, 3.0000", "good"),
    (6.5, 7.5, "Ses01F_impro01_M001", "zzz", "2.0000, 3.5000, 3.0000", "good"),
    (8.0, 9.0, "Ses01F_impro01_F002", "ang", "2.0000, 3.5000, 3.0000", "missing"),
    (9.5, 10.5, "Ses01F_impro01_M002", "sad", "x, 1, 2", "good"),
    (12.0, 13.0, "Ses01F_impro01_F003", "sad", "2.0000, 2.0000, 2.0000", "stereo"),
    (13.5, 14.5, "Ses01F_impro01_M003", "hap", "4.0000, 3.0000, 3.0000", "44100"),
    (15.0, 16.0, "Ses01F_impro01_F004", "neu", "3.0000, 3.0000, 3.0000", "truncated"),
    (16.5, 17.5, "Ses01F_impro01_M004", "neu", "3.0000, 3.0000, 3.0000", "empty"),
    (18.0, 19.0, "Ses01F_impro01_F005", "neu", "3.0000, 3.0000, 3.0000", "text"),
]
SCRIPT_LINES = [
    (0.5, 2.0, "Ses01M_script01_1_M000", "ang", "1.5000, 4.5000, 4.0000", "good"),
    (2.5, 4.0, "Ses01M_script01_1_F000", "sad", "1.5000, 1.5000, 2.0000", "good"),
]


def _write_audio(path: Path, kind: str, seconds: float) -> None:
    if kind == "missing":
        return
    if kind == "good":
        write_wav(path, tone(seconds))
    elif kind == "stereo":
        sf.write(str(path), np.stack([tone(seconds)] * 2, axis=1), RATE, subtype="PCM_16")
    elif kind == "44100":
        sf.write(str(path), tone(seconds, rate=44100), 44100, subtype="PCM_16")
    elif kind == "truncated":
        write_truncated(path, seconds)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("this is not audio\n")


def build_iemocap(root: Path) -> Path:
    """An IEMOCAP release folder with one session, two dialogs and every kind of damage.

    Ses01F_impro01: LF line endings, a garbled line, a dialog recording (stereo, 20 s).
    Ses01M_script01_1: BOM and CRLF, no dialog recording.
    """
    session = root / "IEMOCAP_full_release" / "Session1"
    for sub in ("dialog/EmoEvaluation", "dialog/transcriptions", "dialog/wav"):
        (session / sub).mkdir(parents=True, exist_ok=True)
    for dialog, lines, newline, bom in (("Ses01F_impro01", IMPRO_LINES, "\n", ""),
                                        ("Ses01M_script01_1", SCRIPT_LINES, "\r\n", "\ufeff")):
        wav_dir = session / "sentences" / "wav" / dialog
        wav_dir.mkdir(parents=True)
        text = ["% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]", ""]
        transcript = []
        for start, end, utt, code, vad, audio in lines:
            text += [f"[{start:.4f} - {end:.4f}]\t{utt}\t{code}\t[{vad}]",
                     "C-E1:\tNeutral;\t()", "A-E1:\tval 3; act 2; dom  2;\t()", ""]
            transcript.append(f"{utt} [{start:08.4f}-{end:08.4f}]: words of {utt}.")
            _write_audio(wav_dir / f"{utt}.wav", audio, end - start)
        if dialog == "Ses01F_impro01":
            text.insert(6, "[11.0 - 12\tgarbled line")
            transcript.append("this line is no transcript")
        (session / "dialog" / "EmoEvaluation" / f"{dialog}.txt").write_bytes(
            (bom + newline.join(text) + newline).encode("utf-8"))
        (session / "dialog" / "transcriptions" / f"{dialog}.txt").write_text(
            "\n".join(transcript) + "\n")
    stereo = np.stack([tone(20.0, 300), tone(20.0, 500)], axis=1)
    sf.write(str(session / "dialog" / "wav" / "Ses01F_impro01.wav"), stereo, RATE,
             subtype="PCM_16")
    return root


@pytest.fixture
def audio_helpers():
    """`tone` and `write_truncated` for tests (fixtures, not imports: conftest modules of
    several folders share one module name)."""
    return SimpleNamespace(tone=tone, write_truncated=write_truncated)


@pytest.fixture
def iemocap_dir(tmp_path) -> Path:
    """A damaged IEMOCAP-layout folder (see `build_iemocap`)."""
    return build_iemocap(tmp_path / "iemocap")
