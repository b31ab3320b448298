"""Ready-made plans: tonal bursts on every filterbank channel, sweeps, noise and speech.

The channel centres are placed as TFLM's MicroFrontend places them
(``filterbank_util.c``, ``CalculateCenterFrequencies``): the band from the lower to the upper
limit is cut into ``n_channels + 1`` equal steps on the mel scale ``1127 ln(1 + f/700)``, and
channel ``k`` (0-based) peaks at the ``k + 1``-th step, its triangle reaching down to the
``k``-th and up to the ``k + 2``-th. The C code does this in single precision; so do we.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from bench_app.core.errors import ConfigError
from bench_app.core.stimuli.plan import Noise, Plan, Segment, Silence, Speech, Sweep, Tone

#: The sync chirp that leads a tonal-burst plan: short, loud and broadband, so that
#: cross-correlation finds it in a recording even through a speaker and a room.
SYNC_LABEL = "sync"


class FilterbankBand(Protocol):
    """The front end settings that decide where the filterbank channels lie.

    `bench_app.core.frontend.FrontendConfig` has these fields (MLTK's ``fe.*`` names).
    """

    sample_rate_hz: int
    filterbank_n_channels: int
    filterbank_lower_band_limit: float
    filterbank_upper_band_limit: float


def centre_frequencies(n_channels: int, lower_hz: float, upper_hz: float) -> np.ndarray:
    """Centre frequency in Hz of each filterbank channel, as TFLM's filterbank computes it."""
    if n_channels < 1 or not 0 <= lower_hz < upper_hz:
        raise ConfigError(
            f"A filterbank needs at least one channel and 0 <= lower < upper band limit, "
            f"not {n_channels} channels over {lower_hz}-{upper_hz} Hz."
        )
    f32 = np.float32
    mel_low = f32(1127.0 * np.log1p(lower_hz / 700.0))
    mel_high = f32(1127.0 * np.log1p(upper_hz / 700.0))
    spacing = f32(f32(mel_high - mel_low) / f32(n_channels + 1))
    steps = np.arange(1, n_channels + 1, dtype=np.float32)
    centres_mel = (mel_low + spacing * steps).astype(np.float32)
    return 700.0 * np.expm1(centres_mel.astype(np.float64) / 1127.0)


def sync_chirp(level_dbfs: float = -12.0) -> Sweep:
    """The 100 ms linear 200-6000 Hz chirp that marks the start of a plan."""
    return Sweep(200.0, 6000.0, level_dbfs, 0.1, method="linear", ramp_ms=2.0, label=SYNC_LABEL)


def tonal_bursts_plan(
    band: FilterbankBand | None = None,
    *,
    n_channels: int = 32,
    lower_hz: float = 80.0,
    upper_hz: float = 7600.0,
    sample_rate: int = 16000,
    levels_dbfs: Sequence[float] = (-12.0, -24.0),
    burst_s: float = 0.25,
    gap_s: float = 0.25,
    lead_s: float = 0.5,
    seed: int = 0,
) -> Plan:
    """One tone burst at each filterbank channel's centre, at each level, silence between.

    The plan opens with ``lead_s`` of silence (the noise floor), the sync chirp and a gap; then,
    level by level, one burst per channel (lowest channel first), each followed by ``gap_s`` of
    silence. Each burst's timeline entry carries its channel index and level.

    Parameters
    ----------
    band : FilterbankBand, optional
        A front end config; when given, its channels, band and rate replace ``n_channels``,
        ``lower_hz``, ``upper_hz`` and ``sample_rate``.
    """
    if band is not None:
        n_channels = int(band.filterbank_n_channels)
        lower_hz = float(band.filterbank_lower_band_limit)
        upper_hz = float(band.filterbank_upper_band_limit)
        sample_rate = int(band.sample_rate_hz)
    centres = centre_frequencies(n_channels, lower_hz, upper_hz)
    segments: list[Segment] = [Silence(lead_s, label="lead"), sync_chirp(), Silence(gap_s)]
    for level in levels_dbfs:
        for channel, f in enumerate(centres):
            segments.append(Tone(float(f), float(level), burst_s, channel=channel))
            segments.append(Silence(gap_s))
    name = f"tonal bursts, {n_channels} channels {lower_hz:g}-{upper_hz:g} Hz"
    return Plan(tuple(segments), seed=seed, sample_rate=sample_rate, name=name)


def sweep_plan(
    start_hz: float = 80.0,
    end_hz: float = 7600.0,
    level_dbfs: float = -12.0,
    duration_s: float = 5.0,
    *,
    gap_s: float = 0.25,
    sample_rate: int = 16000,
) -> Plan:
    """A logarithmic sweep between two silences."""
    sweep = Sweep(start_hz, end_hz, level_dbfs, duration_s, method="log")
    segments = (Silence(gap_s, label="lead"), sweep, Silence(gap_s, label="tail"))
    name = f"log sweep {start_hz:g}-{end_hz:g} Hz"
    return Plan(segments, sample_rate=sample_rate, name=name)


def noise_plan(
    color: str = "white",
    level_dbfs: float = -30.0,
    duration_s: float = 5.0,
    *,
    gap_s: float = 0.25,
    seed: int = 0,
    sample_rate: int = 16000,
) -> Plan:
    """White or pink noise at an RMS level, between two silences."""
    noise = Noise(color, level_dbfs, duration_s)
    segments = (Silence(gap_s, label="lead"), noise, Silence(gap_s, label="tail"))
    name = f"{color} noise at {level_dbfs:g} dBFS RMS"
    return Plan(segments, seed=seed, sample_rate=sample_rate, name=name)


def speech_plan(
    text: str,
    level_dbfs: float | None = None,
    *,
    voice: str = "en-us",
    gap_s: float = 0.25,
    sample_rate: int = 16000,
) -> Plan:
    """An espeak-ng utterance between two silences."""
    speech = Speech(text, voice=voice, level_dbfs=level_dbfs)
    segments = (Silence(gap_s, label="lead"), speech, Silence(gap_s, label="tail"))
    return Plan(segments, sample_rate=sample_rate, name=f"speech: {text[:40]}")
