"""The MicroFrontend pipeline over many frames at once: window -> FFT -> filterbank -> noise
reduction -> PCAN -> log scale, exactly as TFLM's frontend.c runs it frame by frame.

`FrontendPlan` holds everything derived from a `FrontendConfig` (tables, shifts); `run_frames`
runs equal-length clips, carrying the noise estimate in and out so `streaming.MicroFrontend`
can continue where the last chunk stopped. Every stage but noise reduction is frame-local and is
run on all frames of all clips together.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from bench_app.core.frontend.config import FrontendConfig
from bench_app.core.frontend.fft import compute_fft
from bench_app.core.frontend.filterbank import (
    FilterbankPlan,
    compute_filterbank,
    filterbank_plan,
    power_spectrum,
)
from bench_app.core.frontend.log_scale import apply_log_scale, correction_bits
from bench_app.core.frontend.noise_reduction import (
    NoiseReductionParams,
    apply_noise_reduction,
    noise_reduction_params,
)
from bench_app.core.frontend.pcan import PCAN_SNR_BITS, apply_pcan, gain_lut
from bench_app.core.frontend.window import apply_window, frame_signal, window_coefficients

#: Names of the per-stage outputs, in pipeline order (``stages=True``).
STAGE_NAMES = (
    "window",  # (frames, window_samples) int16 windowed samples
    "fft_shift",  # (frames,) input shift applied before the FFT
    "fft",  # (frames, fft_size / 2 + 1, 2) int16 (re, im)
    "energy",  # (frames, fft_size / 2 + 1) int32 power, as TFLM stores it
    "filterbank",  # (frames, channels) uint32 sqrt of channel energy, shifted back
    "noise_estimate",  # (frames, channels) uint32 noise estimate after each frame
    "noise_reduction",  # (frames, channels) uint32
    "pcan",  # (frames, channels) uint32 (equal to noise_reduction when PCAN is off)
    "features",  # (frames, channels) uint16 final output
)


@dataclasses.dataclass(frozen=True)
class FrontendPlan:
    """Tables and integer parameters for one config (built once, cached)."""

    config: FrontendConfig
    coefficients: np.ndarray
    filterbank: FilterbankPlan
    noise_reduction: NoiseReductionParams
    pcan_lut: np.ndarray | None
    snr_shift: int
    correction_bits: int


@functools.cache
def frontend_plan(cfg: FrontendConfig) -> FrontendPlan:
    """Build the plan for ``cfg`` (ConfigError if the filterbank does not fit the FFT)."""
    corr = correction_bits(cfg.fft_size)
    lut = None
    if cfg.pcan_enable:
        lut = gain_lut(cfg.pcan_strength, cfg.pcan_offset, cfg.pcan_gain_bits,
                       cfg.noise_reduction_smoothing_bits - corr)
    return FrontendPlan(
        config=cfg,
        coefficients=window_coefficients(cfg.window_samples, cfg.window_variant),
        filterbank=filterbank_plan(
            cfg.filterbank_n_channels, cfg.filterbank_lower_band_limit,
            cfg.filterbank_upper_band_limit, cfg.sample_rate_hz, cfg.fft_size // 2 + 1,
        ),
        noise_reduction=noise_reduction_params(cfg),
        pcan_lut=lut,
        snr_shift=cfg.pcan_gain_bits - corr - PCAN_SNR_BITS,
        correction_bits=corr,
    )


def run_frames(plan: FrontendPlan, pcm: np.ndarray, n_frames: int, estimate: np.ndarray,
               stages: bool = False) -> np.ndarray | dict[str, np.ndarray]:
    """Compute ``n_frames`` frames of each clip in ``pcm`` (clips, samples) int16.

    ``estimate`` (clips, channels) int64 is the noise estimate before the first frame and is
    updated in place. Returns uint16 (clips, n_frames, channels), or with ``stages`` a dict of
    every stage's output (see `STAGE_NAMES`), each with a leading clips axis.
    """
    cfg = plan.config
    n_clips = pcm.shape[0]
    frames = frame_signal(pcm, cfg.window_samples, cfg.step_samples, n_frames)
    windowed, shifts = apply_window(frames, plan.coefficients)
    windowed = windowed.reshape(n_clips * n_frames, cfg.window_samples)
    shifts = shifts.reshape(-1)
    spectrum = compute_fft(windowed, shifts, cfg.fft_size)
    channels = compute_filterbank(spectrum, shifts, plan.filterbank)
    channels = channels.reshape(n_clips, n_frames, cfg.filterbank_n_channels)
    reduced, estimates = apply_noise_reduction(channels, estimate, plan.noise_reduction)
    if plan.pcan_lut is not None:
        gained = apply_pcan(reduced, estimates, plan.pcan_lut, plan.snr_shift)
    else:
        gained = reduced
    features = apply_log_scale(gained, cfg.log_scale_enable, cfg.log_scale_shift,
                               plan.correction_bits)
    if not stages:
        return features
    per_clip = (n_clips, n_frames)
    return {
        "window": windowed.reshape(*per_clip, cfg.window_samples),
        "fft_shift": shifts.reshape(per_clip),
        "fft": spectrum.reshape(*per_clip, *spectrum.shape[1:]),
        "energy": power_spectrum(spectrum).reshape(*per_clip, spectrum.shape[1]),
        "filterbank": channels,
        "noise_estimate": estimates,
        "noise_reduction": reduced,
        "pcan": gained,
        "features": features,
    }
