"""A corpus run's clip as sound: the clean clip from its corpus folder, the board's PCM from
the run store, and the reference front end's spectrograms of both.

The window's Corpus view plays a flipped clip and shows what the twin heard on each path; this
module finds and reads the audio (Qt-free, so it is tested without a window). A clip record's
``path`` is the clip's audio file, absolute or relative to the corpus folder of the run's
``corpus`` parameter (``kind:DIR``). An IEMOCAP segment of a longer file is read from its
start (the record keeps no offset) and cut to the clip's duration.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from bench_app.core.errors import BenchError

SAMPLE_RATE = 16000


class ClipAudioError(BenchError):
    """A clip's audio cannot be found or read."""


def clean_clip_path(parameters: Mapping[str, Any], record: Mapping[str, Any]) -> Path:
    """Where the clean clip of ``record`` is: its path, or its path inside the corpus folder."""
    path = Path(str(record.get("path") or ""))
    if not str(path) or str(path) == ".":
        raise ClipAudioError(f"Clip {record.get('clip_id', '?')} names no audio file.")
    if path.is_absolute():
        return path
    spec = str(parameters.get("corpus") or "")
    folder = Path(spec.partition(":")[2] if ":" in spec else spec)
    return folder / path


def read_clean_clip(parameters: Mapping[str, Any], record: Mapping[str, Any]) -> np.ndarray:
    """The clean clip as int16 at 16 kHz, cut to its recorded duration."""
    from bench_app.core.audio_files import read_audio

    path = clean_clip_path(parameters, record)
    if not path.is_file():
        raise ClipAudioError(f"The clean clip {path} is not there any more (the corpus folder "
                             "moved?).")
    try:
        samples = read_audio(path, channel=0 if _multichannel(path) else None).samples
    except BenchError as exc:
        raise ClipAudioError(f"The clean clip {path} cannot be read: {exc}") from exc
    duration = float(record.get("duration_s") or 0.0)
    if duration > 0:
        samples = samples[: int(round(duration * SAMPLE_RATE))]
    return samples


def _multichannel(path: Path) -> bool:
    from bench_app.core.audio_files import probe_audio

    try:
        return probe_audio(path).channels > 1
    except Exception:  # read_audio says what is wrong with the file
        return False


def spectrograms(clips: Mapping[str, np.ndarray | None], config: Any = None,
                 ) -> dict[str, np.ndarray]:
    """The reference front end's uint16 frames (frames, channels) of each PCM given."""
    from bench_app.core.frontend import FrontendConfig, compute_features

    cfg = config or FrontendConfig()
    return {name: np.asarray(compute_features(np.asarray(pcm, dtype=np.int16), cfg))
            for name, pcm in clips.items() if pcm is not None and len(pcm)}
