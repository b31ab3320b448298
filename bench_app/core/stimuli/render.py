"""Render a `Plan` to int16 samples plus the timeline that says where each segment lies.

Analysis reads the timeline, not the audio, to find segments: the noise floor from the
silent ones, each filterbank channel's response from that channel's burst, the sync chirp to
align a recording. Each segment draws its randomness from its own generator seeded by
``(plan.seed, segment index)``, so editing one segment never changes another's samples.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench_app.core.stimuli import signals
from bench_app.core.stimuli.plan import (
    AudioFile,
    MultiTone,
    Noise,
    Plan,
    Segment,
    Silence,
    Speech,
    Sweep,
    Tone,
)


@dataclass(frozen=True)
class TimelineEntry:
    """Where one segment lies in the rendered signal: samples ``start`` to ``end`` (exclusive).

    ``frequency_hz`` is a tone's frequency or a sweep's start (``end_frequency_hz`` its end);
    ``channel`` is the filterbank channel a tone is centred on; fields that do not apply to a
    kind are None.
    """

    index: int
    kind: str
    start: int
    end: int
    label: str = ""
    frequency_hz: float | None = None
    end_frequency_hz: float | None = None
    level_dbfs: float | None = None
    channel: int | None = None
    color: str | None = None

    @property
    def n_samples(self) -> int:
        """Length of the segment in samples."""
        return self.end - self.start

    def to_dict(self) -> dict[str, Any]:
        """The entry as plain JSON types."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Rendering:
    """A rendered plan: int16 ``samples``, the ``segments`` timeline, notes and clip count."""

    samples: np.ndarray
    sample_rate: int
    segments: tuple[TimelineEntry, ...]
    notes: tuple[str, ...]
    clipped: int
    plan: Plan

    def find(
        self, kind: str | None = None, label: str | None = None, channel: int | None = None
    ) -> list[TimelineEntry]:
        """The timeline entries matching every criterion given."""
        return [
            e
            for e in self.segments
            if (kind is None or e.kind == kind)
            and (label is None or e.label == label)
            and (channel is None or e.channel == channel)
        ]

    def segment_samples(self, entry: TimelineEntry) -> np.ndarray:
        """The samples of one timeline entry."""
        return self.samples[entry.start : entry.end]

    def timeline_dict(self) -> dict[str, Any]:
        """The timeline with the plan that made it, as plain JSON types."""
        return {
            "sample_rate": self.sample_rate,
            "n_samples": int(len(self.samples)),
            "clipped": self.clipped,
            "notes": list(self.notes),
            "plan": self.plan.to_dict(),
            "segments": [e.to_dict() for e in self.segments],
        }

    def timeline_json(self) -> str:
        """`timeline_dict` as indented JSON text."""
        return json.dumps(self.timeline_dict(), indent=2)


def timeline_from_dict(data: dict[str, Any]) -> tuple[TimelineEntry, ...]:
    """Read back the ``segments`` of a `Rendering.timeline_dict`."""
    return tuple(TimelineEntry(**e) for e in data["segments"])


def _check_plan_length(plan: Plan) -> None:
    """Refuse, before rendering, a plan whose stated durations exceed the bench's audio limit."""
    from bench_app.core.input_limits import (
        MAX_AUDIO_RATE_HZ,
        MAX_AUDIO_S,
        MIN_AUDIO_RATE_HZ,
        InputLimitError,
    )

    if not MIN_AUDIO_RATE_HZ <= plan.sample_rate <= MAX_AUDIO_RATE_HZ:
        raise InputLimitError(f"The plan's sample_rate {plan.sample_rate} Hz is outside "
                              f"{MIN_AUDIO_RATE_HZ:,} to {MAX_AUDIO_RATE_HZ:,} Hz.")
    stated = sum(float(getattr(s, "duration_s", 0.0) or 0.0) for s in plan.segments)
    if stated > MAX_AUDIO_S:
        shown = f"{stated:,.3f}".rstrip("0").rstrip(".")  # 3,600.5 s is not "3,600 s"
        raise InputLimitError(f"The plan lasts {shown} s with its silences; the bench renders "
                              f"at most {MAX_AUDIO_S:,.0f} s of audio.")


def render(plan: Plan, base_dir: str | Path | None = None) -> Rendering:
    """Render ``plan`` to int16 samples; the same plan always gives the same samples.

    Parameters
    ----------
    plan : Plan
    base_dir : path, optional
        Folder that relative `AudioFile` paths are taken from (the current folder if None).

    Raises
    ------
    BenchError
        `AudioFileError` for an unusable audio file, `SpeechError` if espeak-ng fails.
    """
    rate = plan.sample_rate
    _check_plan_length(plan)
    parts: list[np.ndarray] = []
    entries: list[TimelineEntry] = []
    notes: list[str] = []
    start = 0
    for index, segment in enumerate(plan.segments):
        rng = np.random.default_rng([plan.seed, index])
        x, extra, seg_notes = _render_segment(segment, rate, rng, base_dir)
        parts.append(x)
        notes.extend(f"segment {index} ({segment.kind}): {n}" for n in seg_notes)
        entries.append(
            TimelineEntry(
                index=index,
                kind=segment.kind,
                start=start,
                end=start + len(x),
                label=segment.label,
                level_dbfs=getattr(segment, "level_dbfs", None),
                **extra,
            )
        )
        start += len(x)
    y = np.rint(np.concatenate(parts))
    clipped = int(np.count_nonzero((y > 32767) | (y < -32768)))
    if clipped:
        notes.append(f"{clipped} samples were clipped to the int16 range")
    samples = np.clip(y, -32768, 32767).astype(np.int16)
    return Rendering(samples, rate, tuple(entries), tuple(notes), clipped, plan)


def _render_segment(
    segment: Segment, rate: int, rng: np.random.Generator, base_dir: str | Path | None
) -> tuple[np.ndarray, dict[str, Any], tuple[str, ...]]:
    """Float samples of one segment, its extra timeline fields, and notes."""
    if isinstance(segment, Silence):
        return np.zeros(signals.n_samples(segment.duration_s, rate)), {}, ()
    if isinstance(segment, Tone):
        n = signals.n_samples(segment.duration_s, rate)
        x = signals.tone(segment.frequency_hz, segment.level_dbfs, n, rate)
        extra = {"frequency_hz": segment.frequency_hz, "channel": segment.channel}
        return signals.ramp(x, segment.ramp_ms, rate), extra, ()
    if isinstance(segment, Sweep):
        n = signals.n_samples(segment.duration_s, rate)
        x = signals.sweep(
            segment.start_hz, segment.end_hz, segment.level_dbfs, n, rate, segment.method
        )
        extra = {"frequency_hz": segment.start_hz, "end_frequency_hz": segment.end_hz}
        return signals.ramp(x, segment.ramp_ms, rate), extra, ()
    if isinstance(segment, Noise):
        n = signals.n_samples(segment.duration_s, rate)
        x = signals.noise(segment.color, segment.level_dbfs, n, rng)
        return x, {"color": segment.color}, ()
    if isinstance(segment, MultiTone):
        n = signals.n_samples(segment.duration_s, rate)
        x = signals.multitone(segment.frequencies_hz, segment.level_dbfs, n, rate, rng)
        return signals.ramp(x, segment.ramp_ms, rate), {}, ()
    if isinstance(segment, Speech):
        from bench_app.core.stimuli.speech import speak

        pcm, notes = speak(segment.text, rate, segment.voice, segment.pitch, segment.speed_wpm)
        return _at_level(pcm, segment.level_dbfs), {}, notes
    if isinstance(segment, AudioFile):
        from bench_app.core.audio_files import read_audio

        path = Path(segment.path)
        if base_dir is not None and not path.is_absolute():
            path = Path(base_dir) / path
        clip = read_audio(path, channel=segment.channel, sample_rate=rate)
        return _at_level(clip.samples, segment.level_dbfs), {}, clip.notes
    raise TypeError(f"not a segment: {segment!r}")  # Plan's checks make this unreachable


def _at_level(pcm: np.ndarray, level_dbfs: float | None) -> np.ndarray:
    x = pcm.astype(np.float64)
    return x if level_dbfs is None else signals.scale_peak(x, level_dbfs)
