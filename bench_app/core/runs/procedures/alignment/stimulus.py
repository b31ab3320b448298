"""The stimulus a run plays: a named kind or a WAV file, rendered with its timeline and level.

``tonal-bursts`` (default) puts one burst at each of the host front end's filterbank channel
centres (so every channel is exercised and the per-channel response can be read), ``sweep`` a
log sweep over the host's band, ``speech`` an espeak-ng sentence, anything else is read as an
audio file. Every kind is framed by silences, which the analysis uses for the noise floor. The
level (``--level-dbfs``, peak) is applied here, so the samples the analysis compares against are
exactly the samples played or injected.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench_app.core.errors import AudioFileError, BenchError, ConfigError

KINDS = ("tonal-bursts", "sweep", "speech")
DEFAULT_SPEECH = "The quick brown fox jumps over the lazy dog while the bench listens."


@dataclass(frozen=True)
class RunStimulus:
    """The samples to play (int16, level applied), their rate, timeline and a name."""

    samples: np.ndarray
    sample_rate: int
    timeline: tuple
    name: str
    level_dbfs: float | None
    notes: tuple[str, ...] = ()

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate

    def timeline_dicts(self) -> list[dict]:
        """The timeline entries as plain dicts (for the run's documents)."""
        return [e.to_dict() for e in self.timeline]


def build_stimulus(
    kind: str,
    host_config,
    *,
    level_dbfs: float | None = None,
    burst_s: float = 0.25,
    duration_s: float | None = None,
    seed: int = 0,
    channel: int | None = None,
) -> RunStimulus:
    """Render the stimulus ``kind`` (a name in `KINDS` or an audio file path).

    Parameters
    ----------
    kind
        ``tonal-bursts``, ``sweep``, ``speech`` or the path of a WAV / FLAC file.
    host_config
        The host `FrontendConfig` (channel centres and band of the bursts and sweep).
    level_dbfs
        Peak level of the whole stimulus in dBFS (None: as rendered).
    burst_s
        Length of each tonal burst and of the silence after it.
    duration_s
        Length of the sweep (default 5 s), or of a file cut to this length.
    seed
        Seed of the burst phases.
    channel
        The channel of a multi-channel file to play, from 0 (``--stimulus-channel``); a file
        with several channels needs it, a named kind takes none.

    Raises
    ------
    BenchError
        An unreadable file, a level that would clip, an unknown kind (as a missing file).
    """
    from bench_app.core.audio.levels import gain_for_level
    from bench_app.core.stimuli import (
        AudioFile,
        Plan,
        Silence,
        render,
        speech_plan,
        sweep_plan,
        tonal_bursts_plan,
    )

    fs = int(host_config.sample_rate_hz)
    if channel is not None and kind in KINDS:
        raise ConfigError(f"--stimulus-channel chooses a channel of a stimulus file; the "
                          f"{kind} stimulus is rendered in one channel.")  # fmt: skip
    if kind == "tonal-bursts":
        plan = tonal_bursts_plan(host_config, burst_s=burst_s, gap_s=burst_s, seed=seed)
    elif kind == "sweep":
        plan = sweep_plan(float(host_config.filterbank_lower_band_limit),
                          float(host_config.filterbank_upper_band_limit),
                          duration_s=duration_s or 5.0, gap_s=0.5, sample_rate=fs)
    elif kind == "speech":
        plan = speech_plan(DEFAULT_SPEECH, gap_s=0.5, sample_rate=fs)
    else:
        path = Path(kind).expanduser()
        _check_channel(path, channel)
        segments = (Silence(0.5, label="lead"), AudioFile(str(path.resolve()), channel=channel),
                    Silence(0.5, label="tail"))
        plan = Plan(segments, sample_rate=fs, name=f"file {path.name}")
    rendering = render(plan)
    samples = rendering.samples
    if duration_s is not None and kind not in KINDS:
        samples = samples[: int(duration_s * fs)]
    gain = gain_for_level(samples, level_dbfs)
    if gain != 1.0:
        samples = np.clip(np.rint(samples * gain), -32768, 32767).astype(np.int16)
    return RunStimulus(samples.astype(np.int16), fs, rendering.segments, plan.name or kind,
                       level_dbfs, tuple(rendering.notes))


def _check_channel(path: Path, channel: int | None) -> None:
    """Refuse a multi-channel file without ``--stimulus-channel`` in one sentence naming that
    option (`read_audio`'s own advice names the ``--channel`` of the commands that read one
    file); a missing or damaged file is left to `read_audio`'s sentence."""
    from bench_app.core.audio_files import probe_audio

    try:
        n = probe_audio(path).channels
    except BenchError:
        return
    if n > 1 and channel is None:
        raise AudioFileError(f"{path} has {n} channels; choose one with --stimulus-channel N "
                             f"(numbered from 0 to {n - 1}).")  # fmt: skip
