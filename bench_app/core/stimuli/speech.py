"""Speech from espeak-ng, as int16 samples at the bench's rate.

espeak-ng (Debian package ``espeak-ng``) is deterministic for a given version, voice and
text, and takes ~13 ms an utterance, so a plan can carry speech as text rather than audio.
It writes a 22,050 Hz WAV; `read_audio` resamples it, so the conversion is the same one any
other file goes through.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from bench_app.core.audio_files import read_audio
from bench_app.core.errors import BenchError

ESPEAK = "espeak-ng"


class SpeechError(BenchError):
    """espeak-ng is missing or failed."""


def speak(
    text: str,
    sample_rate: int = 16000,
    voice: str = "en-us",
    pitch: int = 50,
    speed_wpm: int = 175,
    amplitude: int = 100,
    word_gap: int = 0,
    ssml: bool = False,
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Speak ``text`` with espeak-ng; return int16 samples at ``sample_rate`` and notes.

    Amplitude 100 is espeak-ng's default and does not clip (200 does). ``word_gap`` adds
    pauses between words (units of 10 ms); with ``ssml`` the text is SSML (``<prosody
    range="x-high">``, ``<break time="300ms"/>``), which the synthetic corpus uses to style
    emotions.

    Raises
    ------
    SpeechError
        If espeak-ng is not installed, or it fails (for instance, an unknown voice).
    """
    exe = shutil.which(ESPEAK)
    if exe is None:
        raise SpeechError(
            "espeak-ng is not installed, so speech stimuli cannot be made "
            "(install the Debian package espeak-ng)."
        )
    with tempfile.TemporaryDirectory(prefix="bench-speech-") as tmp:
        out = Path(tmp) / "speech.wav"
        cmd = [exe, "-v", voice, "-p", str(pitch), "-s", str(speed_wpm), "-a", str(amplitude)]
        if word_gap:
            cmd += ["-g", str(word_gap)]
        if ssml:
            cmd.append("-m")
        cmd += ["-w", str(out), "--", text]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SpeechError(f"espeak-ng could not be run ({exc}).") from None
        message = (done.stderr or done.stdout).strip().splitlines()
        if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            why = message[0] if message else f"exit status {done.returncode}"
            raise SpeechError(f"espeak-ng failed to speak with voice {voice!r} ({why}).")
        clip = read_audio(out, sample_rate=sample_rate)
    notes = tuple(n.replace("speech.wav", "espeak-ng's output") for n in clip.notes)
    return clip.samples, notes
