"""`MicroFrontend` (streaming, state across chunks) and the whole-signal / batch entry points.

TFLM consumes samples into a window buffer and emits a frame each time it is full, then keeps
the last ``window - step`` samples; the noise estimate is the only other state. `MicroFrontend`
keeps exactly that (the unconsumed tail of the signal and the estimate), so pushing a signal in
chunks of any size gives the same frames as pushing it whole.
"""

from __future__ import annotations

import numpy as np

from bench_app.core.errors import BenchError
from bench_app.core.frontend.config import FrontendConfig
from bench_app.core.frontend.pipeline import STAGE_NAMES, frontend_plan, run_frames


class PcmFormatError(BenchError, ValueError):
    """Samples handed to the front end are not int16 PCM of the expected shape."""


def _as_pcm(samples, ndim: int) -> np.ndarray:
    """Accept int16 (or integer arrays within int16 range) PCM with ``ndim`` dimensions."""
    arr = np.asarray(samples)
    if arr.ndim != ndim:
        raise PcmFormatError(f"Expected PCM with {ndim} dimension(s), got shape {arr.shape}.")
    if arr.dtype != np.int16:
        if arr.size and (arr.dtype.kind not in "iu" or arr.min() < -32768 or arr.max() > 32767):
            raise PcmFormatError("PCM samples must be int16 (or integers within the int16 range).")
        arr = arr.astype(np.int16)
    return arr


class MicroFrontend:
    """Streaming MicroFrontend: push int16 PCM chunks, get the frames they complete.

    Parameters
    ----------
    config : FrontendConfig, optional
        Settings; the paper's defaults when omitted.

    Examples
    --------
    >>> fe = MicroFrontend()
    >>> frames = fe.process(np.zeros(16000, np.int16))  # (98, 32) uint16
    """

    def __init__(self, config: FrontendConfig | None = None) -> None:
        self.config = config or FrontendConfig()
        self._plan = frontend_plan(self.config)
        self.reset()

    def reset(self) -> None:
        """Forget buffered samples and the noise estimate (as TFLM's ``FrontendReset``)."""
        self._pending = np.zeros(0, dtype=np.int16)
        self._estimate = np.zeros((1, self.config.filterbank_n_channels), dtype=np.int64)
        self.frames_out = 0

    @property
    def pending_samples(self) -> int:
        """Samples buffered towards the next frame."""
        return int(self._pending.size)

    def process(self, chunk, stages: bool = False) -> np.ndarray | dict[str, np.ndarray]:
        """Push a chunk (any length, even 0) and return the frames it completes.

        Returns uint16 (n_new_frames, channels); with ``stages=True`` a dict of every stage's
        output for those frames (names in `pipeline.STAGE_NAMES`, frames first).
        """
        chunk = _as_pcm(chunk, 1)
        buf = np.concatenate([self._pending, chunk]) if self._pending.size else chunk
        cfg = self.config
        n = cfg.frames_for(buf.size)
        result = run_frames(self._plan, buf[None, :], n, self._estimate, stages=stages)
        self._pending = buf[n * cfg.step_samples:].copy()
        self.frames_out += n
        if stages:
            return {name: result[name][0] for name in STAGE_NAMES}
        return result[0]


def compute_features(pcm, cfg: FrontendConfig | None = None, stages: bool = False,
                     ) -> np.ndarray | dict[str, np.ndarray]:
    """Features of a whole int16 signal from a fresh front end: uint16 (frames, channels).

    With ``stages=True``, a dict of every stage's per-frame output instead.
    """
    return MicroFrontend(cfg).process(pcm, stages=stages)


def compute_features_batch(clips, cfg: FrontendConfig | None = None) -> np.ndarray:
    """Features of equal-length clips (n_clips, samples), each from a fresh front end.

    Returns uint16 (n_clips, frames, channels); vectorised over clips (and run on all cores).
    """
    cfg = cfg or FrontendConfig()
    clips = _as_pcm(clips, 2)
    estimate = np.zeros((clips.shape[0], cfg.filterbank_n_channels), dtype=np.int64)
    return run_frames(frontend_plan(cfg), clips, cfg.frames_for(clips.shape[1]), estimate)
