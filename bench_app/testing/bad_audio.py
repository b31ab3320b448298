"""Damaged audio files of every kind a user brings, and the sentence the bench must answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from bench_app.core.audio_files import write_wav


def bad_audio_files(folder: Path) -> dict[str, str]:
    """Write one file of each bad kind into ``folder``; map its name to the expected words."""
    (folder / "text.wav").write_text("not audio at all\n" * 4)
    (folder / "empty.wav").write_bytes(b"")
    write_wav(folder / "full.wav", np.arange(4000, dtype=np.int16))
    data = (folder / "full.wav").read_bytes()
    (folder / "cut.wav").write_bytes(data[: len(data) - 1000])
    sf.write(folder / "st.wav", np.zeros((100, 2), dtype=np.int16), 16000)
    return {
        "text.wav": "is not a readable audio file (format not recognised).",
        "empty.wav": "is empty (0 bytes), so it holds no audio.",
        "cut.wav": "is truncated: its WAV header announces 8000 bytes",
        "st.wav": "has 2 channels; choose one with --channel N (numbered from 0 to 1).",
        "missing.wav": "does not exist.",
    }
