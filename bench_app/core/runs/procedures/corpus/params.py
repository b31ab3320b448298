"""The parameters of a corpus run (`CorpusParams`) and the sweep spec they may hold."""

from __future__ import annotations

import dataclasses

from bench_app.core.errors import ConfigError
from bench_app.core.runs.procedures.corpus.twin import DECISIONS

PATHS = ("acoustic", "injected")
#: Channel keys of the virtual board a sweep may vary (`ChannelConfig`).
SWEEP_KEYS = ("noise_dbfs", "gain_db", "delay_ms", "room", "bandpass_hz", "clock_ppm")


def parse_sweep(text: str | None) -> tuple[str, ...]:
    """``"noise_dbfs=-70,-50,-40"`` -> ``("noise_dbfs=-70", "noise_dbfs=-50", ...)``."""
    if not text:
        return ()
    key, sep, values = text.partition("=")
    key = key.strip()
    if not sep or key not in SWEEP_KEYS:
        raise ConfigError(f"--sweep takes KEY=V1,V2,... with KEY one of {', '.join(SWEEP_KEYS)}"
                          f", not {text!r}.")
    items = [v.strip() for v in values.split(",") if v.strip()]
    if not items:
        raise ConfigError(f"--sweep {text!r} names no value.")
    return tuple(f"{key}={v}" for v in items)


@dataclasses.dataclass(frozen=True)
class CorpusParams:
    """Parameters of a corpus run (all stored in the run's start document).

    Attributes
    ----------
    device, sim
        ``"sim"``, ``"native"``, a port or a pyserial URL; arguments for the started board.
    corpus
        ``iemocap:DIR``, ``synthetic:DIR`` or ``csv:DIR``.
    sessions
        Sessions to keep (``"5"`` or ``"Session5"``); None keeps all.
    limit
        At most this many clips (after the session filter), in corpus order.
    path, output
        ``acoustic`` (through ``output``: the virtual speaker or a sound device) or
        ``injected``.
    decision
        How a clip's window scores become its answer (`twin.DECISIONS`).
    model
        The .tflite the board runs (required for a port; for ``sim`` the virtual board's).
    label_map
        A label-map JSON for the corpus (default: the paper's).
    rerecord
        Folder to write the board's microphone PCM of every clip to, as a corpus.
    sweep
        Virtual channel settings, one pass of the corpus each (`parse_sweep`).
    canary, canary_every, canary_level_db, pause_on_drift
        A clip replayed every ``canary_every`` clips; a change of its board answer, or of its
        level by more than ``canary_level_db`` dB, is noted (and pauses the run when
        ``pause_on_drift``: the window's Resume goes on; on the command line Ctrl-C cancels
        and ``--resume`` continues).
    resume_from
        The run this one continues (its clips are copied, not replayed).
    keep_pcm
        Store each clip's board PCM with its ``clips`` event.
    timeout_s
        Seconds the board may be silent or gone before the run is interrupted.
    """

    device: str = "sim"
    sim: str = ""
    corpus: str = ""
    sessions: tuple[str, ...] | None = None
    limit: int | None = None
    path: str = "injected"
    output: str = "virtual"
    decision: str = "mean"
    model: str | None = None
    label_map: str | None = None
    rerecord: str | None = None
    sweep: tuple[str, ...] = ()
    canary: str | None = None
    canary_every: int = 10
    canary_level_db: float = 1.0
    pause_on_drift: bool = False
    resume_from: str | None = None
    keep_pcm: bool = True
    timeout_s: float = 5.0

    def __post_init__(self) -> None:
        if self.path not in PATHS:
            raise ConfigError(f"The path must be one of {', '.join(PATHS)}, not {self.path!r}.")
        if self.decision not in DECISIONS:
            raise ConfigError(f"--decision must be one of {', '.join(DECISIONS)}, not "
                              f"{self.decision!r}.")
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"--limit must be at least 1, not {self.limit}.")
        if self.canary_every < 1:
            raise ConfigError(f"--canary-every must be at least 1, not {self.canary_every}.")
        if self.sweep and self.device != "sim":
            raise ConfigError("--sweep changes the virtual board's channel, so it needs "
                              "--device sim.")
        if self.sweep and self.path != "acoustic":
            raise ConfigError("--sweep varies the acoustic channel, which the injected path "
                              "bypasses: use --path acoustic.")
        if self.pause_on_drift and not self.canary:
            raise ConfigError("--pause-on-drift needs a --canary clip to watch.")
        if not self.corpus:
            raise ConfigError("A corpus run needs --corpus KIND:DIR.")
