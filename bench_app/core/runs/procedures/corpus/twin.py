"""The host twin of a corpus run, and how a clip's window scores become one answer.

The twin is the board's INT8 model run by the TFLM interpreter (`TflmModel`) on the host's
reference front end (`bench_app.core.frontend`), window by window, on the same window grid
as the board: given the front-end frames of some audio and the frame offsets of the windows,
it returns one raw score vector per window, exactly as firmware would compute them (frames ->
`to_int8` -> invoke). Run on the board's own PCM with the board's window offsets it must
give the board's RESULT scores bit for bit; run on the clean clip it tells what the model
would answer without the acoustic path.

Decision rules over a clip's windows (dequantised scores ``scale * (q - zero_point)``):
``mean`` (argmax of the mean score, the default), ``majority`` (the most frequent per-window
argmax; ties go to the higher mean score, then the lower class index) and ``max`` (argmax of
the per-class maximum over windows).

The interpreter runs in a worker process: ``tflite_micro``'s invoke holds the GIL for its
whole length (~80 ms for the paper-shape model), which would starve the threads that feed the
board (INJECT_PCM flow control) and read its link while the twin of the previous clip runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bench_app.core.errors import ConfigError

DECISIONS = ("mean", "majority", "max")


def dequantize(raw: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """Raw model outputs (windows, classes) as float scores: ``scale * (q - zero_point)``."""
    return (np.asarray(raw, np.float64) - float(zero_point)) * float(scale)


def decide(scores: np.ndarray, rule: str) -> tuple[int, np.ndarray]:
    """The class index a clip's window scores (windows, classes) decide, and the clip scores.

    The clip scores are what the rule compared: the mean, the vote fractions or the maxima.
    """
    scores = np.asarray(scores, np.float64)
    if scores.ndim != 2 or scores.shape[0] == 0:
        raise ValueError("a decision needs at least one window of scores")
    if rule == "mean":
        clip = scores.mean(axis=0)
        return int(np.argmax(clip)), clip
    if rule == "max":
        clip = scores.max(axis=0)
        return int(np.argmax(clip)), clip
    if rule == "majority":
        votes = np.bincount(scores.argmax(axis=1), minlength=scores.shape[1])
        clip = votes / scores.shape[0]
        tied = np.flatnonzero(votes == votes.max())
        mean = scores.mean(axis=0)
        return int(tied[np.argmax(mean[tied])]), clip
    raise ConfigError(f"The decision rule must be one of {', '.join(DECISIONS)}, not {rule!r}.")


_WORKER: HostTwin | None = None


def _worker_init(model_path: str, arena_size: int, frontend: dict) -> None:
    """Load the model in the worker process (the arena size is known: no search).

    The worker ignores SIGINT: Ctrl-C at a terminal reaches the whole process group, and the
    run, not its helper, decides what a cancel means (the run ends "cancelled").
    """
    global _WORKER
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from bench_app.core.frontend import FrontendConfig

    _WORKER = HostTwin(model_path, FrontendConfig.from_dict(frontend), arena_size)


def _worker_warm() -> None:
    """Compile the front end's kernels and import scikit-learn before the first clip."""
    import scipy.stats  # noqa: F401
    import sklearn.metrics  # noqa: F401

    _WORKER.features(np.zeros(4 * _WORKER.frontend.window_samples, np.int16))


def _worker_pcm_scores(pcm: np.ndarray, offsets: list[int]) -> np.ndarray:
    """`HostTwin.pcm_scores` in the worker process."""
    return _WORKER.window_scores(_WORKER.features(pcm), offsets)


def _worker_frames_scores(frames: np.ndarray, offsets: list[int]) -> np.ndarray:
    """`HostTwin.window_scores` in the worker process."""
    return _WORKER.window_scores(frames, offsets)


class HostTwin:
    """The model under TFLM on the host front end (see the module docstring).

    Parameters
    ----------
    model_path : path
        The ``.tflite`` the board runs (its sha256 is checked by the caller).
    frontend : FrontendConfig
        The board's front-end settings (from INFO).
    """

    def __init__(self, model_path, frontend, arena_size: int | None = None) -> None:
        from bench_app.core.model import TflmModel

        self.model = TflmModel(model_path, arena_size)
        self.frontend = frontend
        shape = self.model.input_shape
        if self.model.input_dtype != np.int8 or len(shape) < 3:
            raise ConfigError(f"{model_path} must take an int8 (1, frames, channels) input.")
        self.window_frames, self.channels = int(shape[1]), int(shape[2])
        self.scale = self.model.output_scale
        self.zero_point = self.model.output_zero_point
        self.invokes = 0
        self._pool = None

    def start_worker(self) -> None:
        """Run the interpreter in a worker process from now on (see the module docstring)."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init,
                initargs=(str(self.model.path), self.model.arena_size, self.frontend.to_dict()))
            self._pool.submit(_worker_warm).result()  # started and warm before the first clip

    def submit(self, fn, *args):
        """Run ``fn(*args)`` in the worker process (here without one); return its result.

        For the run's other heavy pure-Python work (the live metrics), so that it too leaves
        the GIL to the threads that feed and read the board.
        """
        if self._pool is None:
            return fn(*args)
        return self._pool.submit(fn, *args).result()

    def pcm_scores(self, pcm: np.ndarray, offsets: list[int]) -> np.ndarray:
        """Raw scores of the windows at frame ``offsets`` of ``pcm``'s own front-end run."""
        self.invokes += len(offsets)
        if self._pool is None:
            self.invokes -= len(offsets)
            return self.window_scores(self.features(pcm), offsets)
        return self._pool.submit(_worker_pcm_scores, np.asarray(pcm, np.int16),
                                 list(offsets)).result()

    def close(self) -> None:
        """Stop the worker process (idempotent)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    @property
    def n_classes(self) -> int:
        """Outputs of the model (one score per class)."""
        return int(np.prod(self.model.output_shape))

    def features(self, pcm: np.ndarray) -> np.ndarray:
        """Front-end frames (uint16) of ``pcm`` from a fresh front end (a clip's own run)."""
        from bench_app.core.frontend import compute_features

        return compute_features(np.asarray(pcm, np.int16), self.frontend)

    def window_scores(self, frames: np.ndarray, offsets: Sequence[int]) -> np.ndarray:
        """Raw scores (windows, classes) of the windows starting at frame ``offsets``.

        A window reaching past the frames given is completed with the frames of silence the
        caller should have padded; here it is an error (the caller pads the audio instead).
        """
        from bench_app.core.frontend import to_int8

        if self._pool is not None:
            self.invokes += len(offsets)
            return self._pool.submit(_worker_frames_scores, np.asarray(frames),
                                     list(offsets)).result()
        windows = []
        for k in offsets:
            window = frames[int(k) : int(k) + self.window_frames]
            if int(k) < 0 or len(window) < self.window_frames:
                raise ValueError(f"window at frame {k} is outside the {len(frames)} frames")
            windows.append(to_int8(window))
        self.invokes += len(windows)
        if not windows:
            return np.zeros((0, self.n_classes))
        return np.array([self.model.invoke(w) for w in windows]).reshape(len(windows), -1)

    def grid(self, n_frames: int, hop: int) -> list[int]:
        """Window offsets every ``hop`` frames from 0 that fit in ``n_frames`` frames."""
        return list(range(0, max(0, n_frames - self.window_frames) + 1, max(1, hop)))
