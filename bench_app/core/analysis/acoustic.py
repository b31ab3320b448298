"""Acoustic path: the board's PCM and frames against the clean stimulus.

Kept apart from pipeline parity in every output: these figures describe the speaker, the room
and the microphone (delay, level, noise, band) and how far the board's features are from the
*stimulus's* features, which the acoustic path alone makes large (PCAN normalises by a noise
estimate that the clean stimulus does not have: see `verdict.PCAN_NOTE`). Definitions are in
``docs/metrics.md``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from bench_app.core.analysis import acoustic_measures as am
from bench_app.core.analysis.frontend_fn import FeatureFn, resolve
from bench_app.core.analysis.jsonable import clean
from bench_app.core.analysis.relerr import (
    DEFAULT_FLOOR_ABS,
    DEFAULT_FLOOR_FRACTION,
    ErrorStats,
    mean_relative_error,
)
from bench_app.core.analysis.timeline import Span, bursts, silences

#: Channels whose response is this far below the median channel are "most attenuated" (the
#: conventional -3 dB band edge).
DEFAULT_ATTENUATED_DB = 3.0


@dataclass(frozen=True)
class AcousticResult:
    """Acoustic-path figures; None where the input did not allow the measurement."""

    delay_samples: int | None = None
    delay_samples_fine: float | None = None
    delay_correlation: float | None = None
    lag_frames: float | None = None
    gain_db: float | None = None
    gain_per_burst_db: tuple[float, ...] = ()
    noise_floor_dbfs: float | None = None
    noise_samples: int = 0
    response_db: tuple[float, ...] = ()
    response_method: str = ""
    most_attenuated: tuple[dict, ...] = ()
    stimulus: ErrorStats | None = None
    matched: ErrorStats | None = None
    reference_delay: int | None = None
    pcan_enable: bool = False
    sample_rate_hz: int = 16000
    step_samples: int = 160
    notes: tuple[str, ...] = ()
    arrays: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def stimulus_mre(self) -> float:
        """Mean relative error of the board's frames vs the delayed clean stimulus's features."""
        return self.stimulus.mean if self.stimulus else math.nan

    @property
    def matched_mre(self) -> float:
        """The same against the channel-matched reference (delay, gain, noise floor)."""
        return self.matched.mean if self.matched else math.nan

    def to_dict(self) -> dict:
        """JSON-ready figures (NaN as null)."""
        ms = 1000.0 / self.sample_rate_hz

        def stats(prefix: str, s: ErrorStats | None) -> dict:
            return {
                prefix: s.mean if s else None,
                f"{prefix}_median": s.median if s else None,
                f"{prefix}_p95": s.p95 if s else None,
                f"{prefix}_cells": s.n_cells if s else 0,
            }

        return clean(
            {
                "delay_samples": self.delay_samples,
                "delay_samples_fine": self.delay_samples_fine,
                "delay_ms": None if self.delay_samples is None else self.delay_samples * ms,
                "delay_correlation": self.delay_correlation,
                "lag_frames": self.lag_frames,
                "lag_ms": None
                if self.lag_frames is None
                else self.lag_frames * self.step_samples * ms,
                "gain_db": self.gain_db,
                "gain_per_burst_db": list(self.gain_per_burst_db),
                "noise_floor_dbfs": self.noise_floor_dbfs,
                "noise_samples": self.noise_samples,
                "response_db": list(self.response_db),
                "response_method": self.response_method,
                "most_attenuated": list(self.most_attenuated),
                **stats("stimulus_mre", self.stimulus),
                **stats("matched_mre", self.matched),
                "reference_delay_samples": self.reference_delay,
                "pcan_enable": self.pcan_enable,
                "notes": list(self.notes),
            }
        )


def _shift_spans(spans: list[Span], by: int) -> list[Span]:
    return [dataclasses.replace(s, start=s.start + by, end=s.end + by) for s in spans]


def _attenuated(response: np.ndarray, config, threshold_db: float) -> tuple[dict, ...]:
    if not np.isfinite(response).any():
        return ()
    rel = response - np.nanmedian(response)
    centres = am.channel_centres_hz(config)
    picked = [c for c in np.argsort(rel) if np.isfinite(rel[c]) and rel[c] < -threshold_db]
    return tuple(
        {
            "channel": int(c),
            "centre_hz": float(centres[c]) if c < len(centres) else None,
            "response_db": float(response[c]),
            "relative_db": float(rel[c]),
        }
        for c in picked
    )


def acoustic_path(
    stimulus: np.ndarray,
    board_frames: np.ndarray,
    config,
    *,
    board_pcm: np.ndarray | None = None,
    spans: tuple[Span, ...] = (),
    pcm_trim: int = 0,
    frame_offset: int = 0,
    floor_fraction: float = DEFAULT_FLOOR_FRACTION,
    floor_abs: float = DEFAULT_FLOOR_ABS,
    margin_ms: float = 20.0,
    max_delay_s: float | None = None,
    attenuated_db: float = DEFAULT_ATTENUATED_DB,
    seed: int = 0,
    delay: tuple[int, float, float] | None = None,
    frontend: FeatureFn | None = None,
) -> AcousticResult:
    """Measure the acoustic path (see the module docstring and ``docs/metrics.md``).

    Parameters
    ----------
    stimulus
        The clean int16 stimulus as played (its sample 0 is the timeline's 0).
    board_frames
        The board's features, (frames, channels).
    config
        The host `FrontendConfig` (used for every host-side reference).
    board_pcm
        The board's microphone PCM, if it sent any; without it only the lag and the raw
        stimulus-referenced error are measured.
    spans
        The stimulus timeline (`timeline.segments_from`).
    pcm_trim, frame_offset
        Placement of the PCM against the frames, as found by pipeline parity: board frame
        ``i`` covers PCM samples ``pcm_trim + (i + frame_offset) * step`` onwards.
    margin_ms
        Trimmed from both ends of every burst and silence before measuring levels.
    max_delay_s
        Largest delay searched (default: the whole capture).
    attenuated_db
        Threshold below the median channel response for `most_attenuated`.
    seed
        Seed of the matched reference's white noise.
    delay
        ``acoustic_measures.pcm_delay``'s result, if the caller has it already.
    frontend
        Feature callable (default: the bench's reference front end).
    """
    fe = resolve(frontend)
    board = np.asarray(board_frames)
    fs, step = int(config.sample_rate_hz), int(config.step_samples)
    margin = int(round(margin_ms * fs / 1000))
    tones, quiet = bursts(spans), silences(spans)
    notes: list[str] = []
    out: dict = {
        "pcan_enable": bool(config.pcan_enable),
        "sample_rate_hz": fs,
        "step_samples": step,
    }
    if board.ndim != 2 or board.shape[0] == 0 or board.shape[1] != config.filterbank_n_channels:
        notes.append("The board's frames do not have the host's channel count, so no feature-"
                     "based acoustic figure was computed.")
        board = None
    max_delay = None if max_delay_s is None else int(max_delay_s * fs)
    if board is not None:
        max_lag = None if max_delay is None else max_delay // step + 1
        out["lag_frames"] = am.frame_lag(board, stimulus, config, fe, max_lag=max_lag)
    arrays: dict = {}
    gain = noise_power = None
    if board_pcm is not None and np.size(board_pcm) > 0:
        pcm = np.asarray(board_pcm, dtype=np.int16)
        delay, fine, corr = delay or am.pcm_delay(pcm, stimulus, 0, max_delay)
        out.update(delay_samples=delay, delay_samples_fine=fine, delay_correlation=corr)
        if not quiet:
            quiet = [Span(-delay, -margin, "lead-in")] if delay > 3 * margin else []
            notes.append("The timeline has no silence; the noise floor is measured on the "
                         "PCM before the stimulus starts.")
        dbfs, noise_power, n_noise = am.noise_floor(pcm, delay, quiet, margin)
        out.update(noise_floor_dbfs=dbfs, noise_samples=n_noise)
        gains = am.burst_gains_db(pcm, stimulus, delay, tones, margin, noise_power)
        out["gain_per_burst_db"] = tuple(gains)
        if gains and np.isfinite(gains).any():
            gain = float(np.nanmedian(gains))
            out["gain_db"] = gain
        if board is not None:
            ref_delay = delay - pcm_trim - frame_offset * step
        meas = config.replace(noise_reduction_enable=False, pcan_enable=False,
                              log_scale_enable=True)
        if len(pcm) - pcm_trim >= meas.window_samples:
            mic = np.asarray(fe(pcm[pcm_trim:], meas))
            ref = am.reference_frames(stimulus, meas, fe, delay - pcm_trim, len(mic))
            response = am.channel_response_db(mic, ref, _shift_spans(tones, delay - pcm_trim), meas)
            out.update(response_method="pcm, noise reduction and PCAN off")
    elif board is not None:
        ref_delay = int(round(out["lag_frames"] * step))
        notes.append("The board sent no PCM: delay, level and noise floor are not measured, and "
                     "the stimulus is placed by the frame lag.")
    if board is not None:
        out["reference_delay"] = ref_delay
        raw = am.reference_frames(stimulus, config, fe, ref_delay, len(board))
        out["stimulus"] = mean_relative_error(board, raw, floor_fraction, floor_abs)
        arrays["stimulus_reference"] = raw
        if gain is not None and noise_power is not None and math.isfinite(noise_power):
            matched = am.reference_frames(stimulus, config, fe, ref_delay, len(board),
                                          10 ** (gain / 20), math.sqrt(noise_power), seed)
            out["matched"] = mean_relative_error(board, matched, floor_fraction, floor_abs)
            arrays["matched_reference"] = matched
        if "response_method" not in out:
            response = am.channel_response_db(board, raw, _shift_spans(tones, ref_delay), config)
            out["response_method"] = "frames vs stimulus features" + (
                " (compressed by noise reduction / PCAN)"
                if config.pcan_enable or config.noise_reduction_enable else "")
    if "response_method" in out:
        out["response_db"] = tuple(float(v) for v in response)
        out["most_attenuated"] = _attenuated(np.asarray(response), config, attenuated_db)
    return AcousticResult(**out, notes=tuple(notes), arrays=arrays)
