"""The MicroFrontend pipeline over many frames at once: window -> FFT -> filterbank -> noise
reduction -> PCAN -> log scale, exactly as TFLM's frontend.c runs it frame by frame.

`FrontendPlan` holds everything derived from a `FrontendConfig` (tables, shifts); `run_frames`
runs equal-length clips, carrying the noise estimate in and out so `streaming.MicroFrontend`
can continue where the last chunk stopped. Two numba kernels do the work: `_frame_kernel` runs
the frame-local stages (window, FFT, filterbank) on blocks of frames of all clips in parallel;
`_channel_kernel` runs noise reduction, PCAN and log scale, in frame order (the noise estimate
is carried) and in parallel over channels and clips. With ``stages=True`` the same kernels also
write out every intermediate result, so the debug output is the computation that ran.
"""

from __future__ import annotations

import dataclasses
import functools
import threading

import numpy as np

from bench_app.core.frontend.config import FrontendConfig
from bench_app.core.frontend.fft import FftPlan, fft_plan
from bench_app.core.frontend.filterbank import FilterbankPlan, filterbank_plan, power_spectrum
from bench_app.core.frontend.log_scale import LOG_LUT, correction_bits
from bench_app.core.frontend.noise_reduction import NoiseReductionParams, noise_reduction_params
from bench_app.core.frontend.pcan import PCAN_SNR_BITS, gain_lut
from bench_app.core.frontend.window import window_coefficients

#: numba's parallel kernels are not safe to enter from two threads at once with every threading
#: layer (its "workqueue" fallback aborts), so calls are serialised; each call uses all cores.
_KERNEL_LOCK = threading.Lock()
#: Loop iterations handed to a worker at a time: dynamic scheduling, so that a core busy with
#: another process does not hold the whole call back (numba's default splits work statically).
_CHUNK = 4


class _KernelCall:
    """Context for one parallel kernel call: the lock plus numba's dynamic chunk size."""

    def __enter__(self):
        import numba

        _KERNEL_LOCK.acquire()
        self._old = numba.set_parallel_chunksize(_CHUNK)

    def __exit__(self, *exc):
        import numba

        numba.set_parallel_chunksize(self._old)
        _KERNEL_LOCK.release()

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
    fft: FftPlan
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
        coefficients=window_coefficients(cfg.window_samples, cfg.window_variant).astype(np.int64),
        fft=fft_plan(cfg.fft_size),
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
    from bench_app.core.frontend._channel_kernel import channels_to_features
    from bench_app.core.frontend._frame_kernel import frames_to_channels

    cfg, fft, fb, nr = plan.config, plan.fft, plan.filterbank, plan.noise_reduction
    n_clips, n_ch = pcm.shape[0], cfg.filterbank_n_channels
    rows = n_clips * n_frames
    channels = np.empty((rows, n_ch), dtype=np.uint32)
    if stages:
        win_out = np.empty((rows, cfg.window_samples), dtype=np.int16)
        shift_out = np.empty(rows, dtype=np.int64)
        fft_out = np.empty((rows, cfg.fft_size // 2 + 1, 2), dtype=np.int16)
    else:
        win_out = np.empty((0, 0), np.int16)
        shift_out = np.empty(0, np.int64)
        fft_out = np.empty((0, 0, 2), np.int16)
    if rows:
        with _KernelCall():
            frames_to_channels(
                np.ascontiguousarray(pcm, dtype=np.int16), n_frames, cfg.step_samples,
                plan.coefficients, fft.perm, fft.stages, fft.tw_r, fft.tw_i, fft.stw_r,
                fft.stw_i, fb.start, fb.end, fb.band, fb.weights, fb.unweights, channels,
                stages, win_out, shift_out, fft_out,
            )
    channels = channels.reshape(n_clips, n_frames, n_ch)
    outs = [np.empty(channels.shape, dtype=np.uint32) for _ in range(3)]
    features = np.empty(channels.shape, dtype=np.uint16)
    lut = plan.pcan_lut if plan.pcan_lut is not None else np.zeros((33, 3), np.int64)
    if rows:
        with _KernelCall():
            channels_to_features(
                channels, estimate, nr.enable, nr.smoothing_bits, nr.even_smoothing,
                nr.odd_smoothing, nr.min_signal_remaining, cfg.pcan_enable, lut,
                plan.snr_shift, cfg.log_scale_enable, cfg.log_scale_shift,
                plan.correction_bits, LOG_LUT, *outs, features,
            )
    if not stages:
        return features
    per_clip = (n_clips, n_frames)
    return {
        "window": win_out.reshape(*per_clip, cfg.window_samples),
        "fft_shift": shift_out.reshape(per_clip),
        "fft": fft_out.reshape(*per_clip, *fft_out.shape[1:]),
        "energy": power_spectrum(fft_out).reshape(*per_clip, fft_out.shape[1]),
        "filterbank": channels,
        "noise_reduction": outs[0],
        "noise_estimate": outs[1],
        "pcan": outs[2],
        "features": features,
    }
