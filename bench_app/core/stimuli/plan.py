"""Stimulus plans: what to play, as small typed records that round-trip through JSON.

A `Plan` is a seed, a sample rate and an ordered list of segments; rendering the same plan
always gives the same samples, and the JSON form is what a run stores next to its results so
that the stimulus can be re-made exactly. Each segment kind is its own frozen dataclass.

Levels are in dBFS, full scale being 32767: a tone's level is its peak (so a full-scale sine is
0 dBFS, as AES17 defines it); a noise's level is its RMS; a sweep's, chirp's and multi-tone's
level is their peak.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any, ClassVar

from bench_app.core.errors import ConfigError

NOISE_COLORS = ("white", "pink")
_TEXT_FIELDS = frozenset({"text", "voice", "path", "label", "color", "method"})
_INT_FIELDS = frozenset({"pitch", "speed_wpm"})


@dataclass(frozen=True)
class Silence:
    """Digital silence (all zeros)."""

    kind: ClassVar[str] = "silence"
    duration_s: float
    label: str = ""


@dataclass(frozen=True)
class Tone:
    """A sine burst at ``frequency_hz`` whose peak is ``level_dbfs``, with raised-cosine ramps.

    ``channel`` records which filterbank channel the tone is centred on (None if none), so
    that analysis can find each channel's burst in the timeline.
    """

    kind: ClassVar[str] = "tone"
    frequency_hz: float
    level_dbfs: float
    duration_s: float
    ramp_ms: float = 5.0
    channel: int | None = None
    label: str = ""


@dataclass(frozen=True)
class Sweep:
    """A sine sweep from ``start_hz`` to ``end_hz`` ("log": exponential, or "linear")."""

    kind: ClassVar[str] = "sweep"
    start_hz: float
    end_hz: float
    level_dbfs: float
    duration_s: float
    method: str = "log"
    ramp_ms: float = 5.0
    label: str = ""


@dataclass(frozen=True)
class Noise:
    """Gaussian noise, "white" or "pink" (-3 dB/octave), whose RMS is ``level_dbfs``."""

    kind: ClassVar[str] = "noise"
    color: str
    level_dbfs: float
    duration_s: float
    label: str = ""


@dataclass(frozen=True)
class MultiTone:
    """Several sines at once with seeded random phases; the mix's peak is ``level_dbfs``."""

    kind: ClassVar[str] = "multitone"
    frequencies_hz: tuple[float, ...]
    level_dbfs: float
    duration_s: float
    ramp_ms: float = 5.0
    label: str = ""


@dataclass(frozen=True)
class Speech:
    """An utterance spoken by espeak-ng; ``level_dbfs`` (if given) sets its peak."""

    kind: ClassVar[str] = "speech"
    text: str
    voice: str = "en-us"
    pitch: int = 50
    speed_wpm: int = 175
    level_dbfs: float | None = None
    label: str = ""


@dataclass(frozen=True)
class AudioFile:
    """Samples from an audio file (read with `read_audio`); ``level_dbfs`` (if given) sets
    its peak. A relative ``path`` is taken relative to the folder the plan is rendered from."""

    kind: ClassVar[str] = "file"
    path: str
    channel: int | None = None
    level_dbfs: float | None = None
    label: str = ""


Segment = Silence | Tone | Sweep | Noise | MultiTone | Speech | AudioFile

SEGMENT_TYPES: dict[str, type] = {
    t.kind: t for t in (Silence, Tone, Sweep, Noise, MultiTone, Speech, AudioFile)
}


@dataclass(frozen=True)
class Plan:
    """An ordered list of segments, rendered back to back at ``sample_rate`` Hz.

    The plan is checked when it is made: a bad field raises `ConfigError` naming the segment
    and the field.
    """

    segments: tuple[Segment, ...]
    seed: int = 0
    sample_rate: int = 16000
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(self.segments))
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ConfigError(f"Plan seed must be a non-negative integer, not {self.seed!r}.")
        if not isinstance(self.sample_rate, int) or self.sample_rate <= 0:
            raise ConfigError(
                f"Plan sample_rate must be a positive integer, not {self.sample_rate!r}."
            )
        if not self.segments:
            raise ConfigError("The plan has no segments; add at least one.")
        for index, segment in enumerate(self.segments):
            check_segment(segment, index, self.sample_rate)

    def to_dict(self) -> dict[str, Any]:
        """The plan as plain JSON types; each segment carries its ``kind``."""
        return {
            "name": self.name,
            "seed": self.seed,
            "sample_rate": self.sample_rate,
            "segments": [segment_to_dict(s) for s in self.segments],
        }

    def to_json(self) -> str:
        """The plan as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """Build a plan from `to_dict`'s form; unknown keys and kinds are errors."""
        if not isinstance(data, dict):
            raise ConfigError("A plan must be a JSON object with a 'segments' list.")
        unknown = sorted(set(data) - {"name", "seed", "sample_rate", "segments"})
        if unknown:
            raise ConfigError(
                f"Unknown plan key {unknown[0]!r} (known keys: name, seed, sample_rate, segments)."
            )
        segments = data.get("segments")
        if not isinstance(segments, list):
            raise ConfigError("The plan's 'segments' must be a list of segment objects.")
        return cls(
            segments=tuple(segment_from_dict(s, i) for i, s in enumerate(segments)),
            seed=data.get("seed", 0),
            sample_rate=data.get("sample_rate", 16000),
            name=data.get("name", ""),
        )

    @classmethod
    def from_json(cls, text: str) -> Plan:
        """Parse a plan from JSON text."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"The plan is not valid JSON ({exc.msg} at line {exc.lineno})."
            ) from None
        return cls.from_dict(data)


def segment_to_dict(segment: Segment) -> dict[str, Any]:
    """A segment as a JSON object: ``kind`` first, then its fields."""
    out: dict[str, Any] = {"kind": segment.kind}
    for f in dataclasses.fields(segment):
        value = getattr(segment, f.name)
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def segment_from_dict(data: Any, index: int) -> Segment:
    """Build one segment from its JSON object; errors name the segment and the key."""
    if not isinstance(data, dict):
        raise ConfigError(f"Plan segment {index} must be a JSON object, not {data!r}.")
    kind = data.get("kind")
    seg_type = SEGMENT_TYPES.get(kind)
    if seg_type is None:
        raise ConfigError(
            f"Plan segment {index} has unknown kind {kind!r} "
            f"(known kinds: {', '.join(SEGMENT_TYPES)})."
        )
    fields = {f.name: f for f in dataclasses.fields(seg_type)}
    values = {k: v for k, v in data.items() if k != "kind"}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ConfigError(
            f"Plan segment {index} ({kind}) has unknown field {unknown[0]!r} "
            f"(its fields: {', '.join(fields)})."
        )
    required = [
        name
        for name, f in fields.items()
        if f.default is dataclasses.MISSING and name not in values
    ]
    if required:
        raise ConfigError(f"Plan segment {index} ({kind}) lacks the field {required[0]!r}.")
    if "frequencies_hz" in values and isinstance(values["frequencies_hz"], list):
        values["frequencies_hz"] = tuple(values["frequencies_hz"])
    return seg_type(**values)


def check_segment(segment: Segment, index: int, sample_rate: int) -> None:
    """Raise `ConfigError` naming the field if a segment cannot be rendered as asked."""
    where = f"Plan segment {index} ({getattr(segment, 'kind', type(segment).__name__)})"
    if type(segment) not in SEGMENT_TYPES.values():
        raise ConfigError(f"Plan segment {index} is a {type(segment).__name__}, not a segment.")
    nyquist = sample_rate / 2
    for f in dataclasses.fields(segment):
        name, value = f.name, getattr(segment, f.name)
        if name in _TEXT_FIELDS and not isinstance(value, str):
            raise ConfigError(f"{where}: {name} must be a string, not {value!r}.")
        if name in _INT_FIELDS and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigError(f"{where}: {name} must be an integer, not {value!r}.")
        if name == "duration_s":
            _check_number(where, name, value)
            if value <= 0:
                raise ConfigError(f"{where}: duration_s must be positive, not {value}.")
        elif name == "level_dbfs" and value is not None:
            _check_number(where, name, value)
            if value > 0:
                raise ConfigError(f"{where}: level_dbfs {value} is above 0 dBFS (full scale).")
        elif name in ("frequency_hz", "start_hz", "end_hz"):
            _check_frequency(where, name, value, nyquist)
        elif name == "frequencies_hz":
            if not value:
                raise ConfigError(f"{where}: frequencies_hz must list at least one frequency.")
            for v in value:
                _check_frequency(where, name, v, nyquist)
        elif name == "ramp_ms":
            _check_number(where, name, value)
            if value < 0 or 2 * value / 1000 > segment.duration_s:
                raise ConfigError(
                    f"{where}: ramp_ms {value} must be between 0 and half the duration."
                )
        elif name == "channel" and value is not None and (not isinstance(value, int) or value < 0):
            raise ConfigError(f"{where}: channel must be a non-negative integer, not {value!r}.")
    if isinstance(segment, Noise) and segment.color not in NOISE_COLORS:
        raise ConfigError(
            f"{where}: color {segment.color!r} is not one of {', '.join(NOISE_COLORS)}."
        )
    if isinstance(segment, Sweep) and segment.method not in ("log", "linear"):
        raise ConfigError(f"{where}: method {segment.method!r} is not 'log' or 'linear'.")
    if isinstance(segment, Speech) and not str(segment.text).strip():
        raise ConfigError(f"{where}: text is empty; give the words to speak.")


def _check_number(where: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{where}: {name} must be a finite number, not {value!r}.")


def _check_frequency(where: str, name: str, value: Any, nyquist: float) -> None:
    _check_number(where, name, value)
    if value <= 0:
        raise ConfigError(f"{where}: {name} {value} Hz must be above 0 Hz.")
    if value >= nyquist:
        raise ConfigError(
            f"{where}: {name} {value} Hz is at or above the Nyquist frequency {nyquist:g} Hz."
        )
