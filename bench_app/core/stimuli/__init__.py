"""Deterministic test stimuli for the bench, described by JSON-serialisable plans.

- `plan`: the segment records (`Silence`, `Tone`, `Sweep`, `Noise`, `MultiTone`, `Speech`,
  `AudioFile`) and `Plan`, with JSON round trip and checks that name the bad field.
- `render`: `render(plan)` -> `Rendering` (int16 samples + the segment timeline).
- `builders`: ready-made plans (tonal bursts at every filterbank channel centre, sweep, noise,
  speech) and `centre_frequencies`, placed as TFLM's filterbank places them.
- `signals`: the numeric generators; `speech`: espeak-ng.
"""

from bench_app.core.stimuli.builders import (
    SYNC_LABEL,
    FilterbankBand,
    centre_frequencies,
    noise_plan,
    speech_plan,
    sweep_plan,
    sync_chirp,
    tonal_bursts_plan,
)
from bench_app.core.stimuli.plan import (
    SEGMENT_TYPES,
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
from bench_app.core.stimuli.render import Rendering, TimelineEntry, render, timeline_from_dict

__all__ = [
    "SEGMENT_TYPES",
    "SYNC_LABEL",
    "AudioFile",
    "FilterbankBand",
    "MultiTone",
    "Noise",
    "Plan",
    "Rendering",
    "Segment",
    "Silence",
    "Speech",
    "Sweep",
    "TimelineEntry",
    "Tone",
    "centre_frequencies",
    "noise_plan",
    "render",
    "speech_plan",
    "sweep_plan",
    "sync_chirp",
    "timeline_from_dict",
    "tonal_bursts_plan",
]
