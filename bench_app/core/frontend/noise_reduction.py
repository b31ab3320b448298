"""Stage 4, noise reduction: subtract a slowly tracking per-channel noise estimate (TFLM).

TFLM (noise_reduction.c): per channel, ``estimate = (scaled * s + estimate * (16384 - s)) >> 14``
with ``scaled = signal << smoothing_bits`` (uint32, wraps) and ``s`` the even/odd channel's
smoothing in Q14; the output is ``max((scaled - min(estimate, scaled)) >> smoothing_bits,
(signal * min_signal_remaining_q14) >> 14)``. The estimate is state carried from frame to frame
(so this stage is sequential over frames) and PCAN reads it.

``noise_reduction_enable = False`` skips the stage, as MLTK does: the signal passes unchanged
and the estimate stays zero. (TensorFlow's op has no switch; it runs the stage always, and
``min_signal_remaining = 1.0`` makes it pass the signal while still updating the estimate.)
"""

from __future__ import annotations

import dataclasses

import numpy as np

NOISE_REDUCTION_BITS = 14


@dataclasses.dataclass(frozen=True)
class NoiseReductionParams:
    """The Q14 integers TFLM derives from the float settings."""

    enable: bool
    smoothing_bits: int
    even_smoothing: int
    odd_smoothing: int
    min_signal_remaining: int


def _q14(value: float) -> int:
    # C: uint16_t field = float_setting * (1 << 14), in single precision, truncated
    return int(np.float32(np.float32(value) * np.float32(1 << NOISE_REDUCTION_BITS))) & 0xFFFF


def noise_reduction_params(cfg) -> NoiseReductionParams:
    """Integer parameters for a `FrontendConfig`."""
    return NoiseReductionParams(
        enable=cfg.noise_reduction_enable,
        smoothing_bits=cfg.noise_reduction_smoothing_bits,
        even_smoothing=_q14(cfg.noise_reduction_even_smoothing),
        odd_smoothing=_q14(cfg.noise_reduction_odd_smoothing),
        min_signal_remaining=_q14(cfg.noise_reduction_min_signal_remaining),
    )


def apply_noise_reduction(signal: np.ndarray, estimate: np.ndarray, params: NoiseReductionParams,
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Run frames ``signal`` (clips, frames, channels) uint32 through noise reduction.

    ``estimate`` (clips, channels) int64 is the state before the first frame; it is updated in
    place to the state after the last. Returns (output uint32, estimate after each frame
    (clips, frames, channels) uint32, which PCAN reads).
    """
    if not params.enable:
        return signal, np.broadcast_to(estimate[:, None, :], signal.shape).astype(np.uint32)
    from bench_app.core.frontend._nr_kernel import noise_reduction_frames

    out = np.empty(signal.shape, dtype=np.uint32)
    estimates = np.empty(signal.shape, dtype=np.uint32)
    if signal.shape[1]:
        noise_reduction_frames(
            np.ascontiguousarray(signal), estimate, params.smoothing_bits,
            params.even_smoothing, params.odd_smoothing, params.min_signal_remaining,
            out, estimates,
        )
    return out, estimates
