"""Stage 4, noise reduction: subtract a slowly tracking per-channel noise estimate (TFLM).

TFLM (noise_reduction.c): per channel, ``estimate = (scaled * s + estimate * (16384 - s)) >> 14``
with ``scaled = signal << smoothing_bits`` (uint32, wraps) and ``s`` the even/odd channel's
smoothing in Q14; the output is ``max((scaled - min(estimate, scaled)) >> smoothing_bits,
(signal * min_signal_remaining_q14) >> 14)``. The estimate is state carried from frame to frame
(so this stage is sequential over frames) and PCAN reads it.

``noise_reduction_enable = False`` skips the stage, as MLTK does: the signal passes unchanged
and the estimate stays zero. (TensorFlow's op has no switch; it runs the stage always, and
``min_signal_remaining = 1.0`` makes it pass the signal while still updating the estimate.)
MLTK refuses PCAN without noise reduction, and so does `FrontendConfig`. The Q14 parameters
are derived here; the per-value code is in `_channel_kernel`.
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

