"""The bench's bit-exact reference of the TFLM MicroFrontend (the board's audio front end).

Stages, one module each: `window` -> `fft` (KISS fixed-point) -> `filterbank` ->
`noise_reduction` -> `pcan` -> `log_scale`, in numpy with numba kernels for the per-butterfly
and per-frame loops (compiled lazily on first use and cached on disk, so importing this package
stays light). `MicroFrontend` streams (state carried across chunks); `compute_features` and
`compute_features_batch` run whole signals. Bit-exact (uint16) with MLTK's AudioFeatureGenerator
(window_variant "float") and TensorFlow's audio_microfrontend op ("double").
"""

from bench_app.core.frontend import _threads  # noqa: F401  (before any numba kernel runs)
from bench_app.core.frontend.config import FrontendConfig
from bench_app.core.frontend.pipeline import STAGE_NAMES
from bench_app.core.frontend.quantize import to_int8
from bench_app.core.frontend.streaming import (
    MicroFrontend,
    compute_features,
    compute_features_batch,
)

__all__ = [
    "STAGE_NAMES",
    "FrontendConfig",
    "MicroFrontend",
    "compute_features",
    "compute_features_batch",
    "to_int8",
]
