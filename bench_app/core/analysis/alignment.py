"""The alignment run's analysis: config lint, pipeline parity, acoustic path and verdict.

`analyse_alignment` is what a run calls once it has the board's frames (and PCM, if the board
sends it): it returns an `AlignmentReport` whose parts stay apart in every output. Pipeline
parity decides the verdict (with the lint); the acoustic path informs. ``to_dict()`` carries the
keys the CLI prints at the top level (``mean_relative_error`` is pipeline parity's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from bench_app.core.analysis import acoustic_measures as am
from bench_app.core.analysis.acoustic import DEFAULT_ATTENUATED_DB, AcousticResult, acoustic_path
from bench_app.core.analysis.config_lint import LintFinding, lint_frontend
from bench_app.core.analysis.frontend_fn import FeatureFn
from bench_app.core.analysis.jsonable import clean
from bench_app.core.analysis.parity import (
    DEFAULT_MAX_OFFSET,
    DEFAULT_THRESHOLD,
    ParityResult,
    pipeline_parity,
)
from bench_app.core.analysis.relerr import DEFAULT_FLOOR_ABS, DEFAULT_FLOOR_FRACTION
from bench_app.core.analysis.timeline import segments_from
from bench_app.core.analysis.verdict import Verdict, decide, pcan_note
from bench_app.core.errors import BenchError


@dataclass(frozen=True)
class AlignmentOptions:
    """Settings of the analysis (each one is stored with the run and shown in the report)."""

    threshold: float = DEFAULT_THRESHOLD
    floor_fraction: float = DEFAULT_FLOOR_FRACTION
    floor_abs: float = DEFAULT_FLOOR_ABS
    max_frame_offset: int = DEFAULT_MAX_OFFSET
    margin_ms: float = 20.0
    max_delay_s: float | None = None
    attenuated_db: float = DEFAULT_ATTENUATED_DB
    seed: int = 0

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return clean(self.__dict__)


@dataclass(frozen=True)
class AlignmentReport:
    """Lint, pipeline parity and acoustic path, kept apart, with the verdict and notes."""

    lint: tuple[LintFinding, ...]
    parity: ParityResult
    acoustic: AcousticResult
    verdict: Verdict
    notes: tuple[str, ...]
    options: AlignmentOptions

    @property
    def passed(self) -> bool:
        """The verdict."""
        return self.verdict.passed

    def to_dict(self) -> dict:
        """Headline keys (as the CLI prints them) plus each part in full under its own key."""
        a = self.acoustic
        return clean(
            {
                "mean_relative_error": self.parity.mean_relative_error,
                "stimulus_mre": a.stimulus_mre,
                "matched_mre": a.matched_mre,
                "delay_samples": a.delay_samples,
                "lag_frames": a.lag_frames,
                "gain_db": a.gain_db,
                "noise_floor_dbfs": a.noise_floor_dbfs,
                "lint": [f.to_dict() for f in self.lint],
                "pass": self.verdict.passed,
                "reasons": list(self.verdict.reasons),
                "notes": list(self.notes),
                "parity": self.parity.to_dict(),
                "acoustic": a.to_dict(),
                "options": self.options.to_dict(),
            }
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """The aligned spectrograms and error maps, for the store's .npy artifacts."""
        out = {f"parity_{k}": v for k, v in self.parity.arrays.items()}
        out.update({f"acoustic_{k}": v for k, v in self.acoustic.arrays.items()})
        return out


def analyse_alignment(
    stimulus: np.ndarray,
    board_frames: np.ndarray,
    host_config,
    *,
    board_pcm: np.ndarray | None = None,
    board_config: object = None,
    timeline: Iterable | None = None,
    frame_offset: int | None = None,
    pcm_trim: int = 0,
    options: AlignmentOptions | None = None,
    frontend: FeatureFn | None = None,
    expected_frames: int | None = None,
) -> AlignmentReport:
    """Analyse one alignment capture.

    Parameters
    ----------
    stimulus
        The clean int16 stimulus as played (timeline sample 0 is its sample 0).
    board_frames
        The board's uint16 features, (frames, channels), in FRAME index order.
    host_config
        The host's `FrontendConfig`.
    board_pcm
        The board's microphone PCM from the same capture (None if it sent none).
    board_config
        The board's INFO front-end config (an ``fe.*`` dict), for the lint; None skips it.
    timeline
        The stimulus timeline (renderer entries or their dicts).
    frame_offset, pcm_trim
        Placement of the PCM against the frames (`parity.placement_from_indices`); a None
        offset is searched.
    options
        Thresholds, floors and margins (`AlignmentOptions`).
    frontend
        Feature callable (default: the bench's reference front end).
    expected_frames
        Frames the whole stimulus spans; parity over less than `verdict.MIN_COVERAGE` of them
        gives no verdict. None: no coverage rule.
    """
    opts = options or AlignmentOptions()
    spans = segments_from(timeline)
    lint = tuple(lint_frontend(host_config, board_config)) if board_config is not None else ()
    has_pcm = board_pcm is not None and np.size(board_pcm) > 0
    delay = None
    if has_pcm:
        max_delay = None if opts.max_delay_s is None else int(
            opts.max_delay_s * host_config.sample_rate_hz)
        delay = am.pcm_delay(np.asarray(board_pcm, dtype=np.int16), stimulus, 0, max_delay)
    parity = pipeline_parity(
        board_frames,
        board_pcm,
        host_config,
        frame_offset=frame_offset,
        pcm_trim=pcm_trim,
        max_offset=opts.max_frame_offset,
        threshold=opts.threshold,
        floor_fraction=opts.floor_fraction,
        floor_abs=opts.floor_abs,
        spans=spans,
        timeline_shift=delay[0] if delay else 0,
        frontend=frontend,
    )
    try:
        acoustic = acoustic_path(
            stimulus,
            board_frames,
            host_config,
            board_pcm=board_pcm,
            spans=spans,
            pcm_trim=pcm_trim,
            frame_offset=parity.frame_offset or 0,
            floor_fraction=opts.floor_fraction,
            floor_abs=opts.floor_abs,
            margin_ms=opts.margin_ms,
            max_delay_s=opts.max_delay_s,
            attenuated_db=opts.attenuated_db,
            seed=opts.seed,
            delay=delay,
            frontend=frontend,
        )
    except (BenchError, ValueError, IndexError) as exc:
        # Keep the lint and parity already computed; say what failed.
        acoustic = AcousticResult(notes=(f"The acoustic-path analysis failed: {exc}",))
    note = pcan_note(bool(host_config.pcan_enable), board_config, acoustic.stimulus_mre)
    notes = (note,) if note else ()
    verdict = decide(list(lint), parity, acoustic, expected_frames)
    return AlignmentReport(lint, parity, acoustic, verdict,
                           notes, opts)
