"""The bench's bit-exact reference of the TFLM MicroFrontend (the board's audio front end).

Stages, one module each: window -> fixed-point FFT -> filterbank -> noise reduction -> PCAN ->
log scale, in numpy with numba kernels for the per-butterfly and per-frame loops (compiled lazily
on first use, cached on disk, so importing this package stays light). `MicroFrontend` streams
(state carried across chunks); `compute_features` / `compute_features_batch` run whole signals.
"""

from bench_app.core.frontend.config import FrontendConfig
from bench_app.core.frontend.quantize import to_int8

__all__ = ["FrontendConfig", "to_int8"]
