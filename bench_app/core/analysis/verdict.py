"""The alignment run's verdict: pass / fail with reasons, and the PCAN explanation.

The verdict rests on what tests the board's front end: the config lint (no error) and pipeline
parity (mean relative error below the threshold) over enough of the stimulus: when parity
covers less than `MIN_COVERAGE` of the stimulus's frames (a run interrupted after 4 of 32
bursts), there is **no verdict** (``passed`` is None) and the first reason says why, since a
pass on an eighth of the evidence says nothing about the rest. The acoustic-path figures
describe the speaker, room and microphone; they are reported beside the verdict as
information and never decide it, because with PCAN on the clean-stimulus comparison is
large by design.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench_app.core.analysis.acoustic import AcousticResult
from bench_app.core.analysis.config_lint import LintFinding
from bench_app.core.analysis.parity import ParityResult
from bench_app.core.labels import db_text

#: Shown in every report whose host or board front end has PCAN on.
PCAN_NOTE = (
    "PCAN (per-channel amplitude normalisation) is on, so the errors against the stimulus are "
    "large by design and are not part of the verdict. PCAN divides each channel's energy by a "
    "slowly tracked estimate of that channel's background level: in the clean stimulus that "
    "estimate is nearly zero between bursts, while on the board it follows the room and "
    "microphone noise, so a faint noise floor alone (-60 dBFS) changes most features by tens of "
    "percent (45-57 % measured on tonal bursts at 0 dB gain), and a reference given noise of "
    "the same level still differs by 7-28 %, because the noise waveform, not only its level, "
    "drives the estimate. With PCAN off the same path gives about 1 %. The comparison "
    "that tests the board's front end is pipeline parity: the host front end run on the "
    "board's own microphone audio, noise included, against the board's frames."
)


def stimulus_error_to_explain(stimulus_mre: float | None) -> bool:
    """True when the error against the stimulus was measured and is not zero.

    On the injected path the board's audio *is* the stimulus, so both stimulus errors are 0 %
    and `PCAN_NOTE` (which explains why they are large) would contradict the figures beside it.
    """
    return stimulus_mre is not None and math.isfinite(stimulus_mre) and stimulus_mre > 0


def pcan_note(host_pcan: bool, board_config: object,
              stimulus_mre: float | None) -> str | None:
    """`PCAN_NOTE` when PCAN is on at the host or (as far as its INFO says) on the board, and
    there is a stimulus error for it to explain (`stimulus_error_to_explain`)."""
    if not stimulus_error_to_explain(stimulus_mre):
        return None
    board_on = False
    if isinstance(board_config, dict):
        value = board_config.get("fe.pcan_enable", board_config.get("pcan_enable"))
        board_on = value in (True, 1, "true", "True", "1")
    return PCAN_NOTE if host_pcan or board_on else None


#: Least fraction of the stimulus's frames pipeline parity must cover for a verdict.
MIN_COVERAGE = 0.9


@dataclass(frozen=True)
class Verdict:
    """Pass / fail / no verdict (None) and the sentences that explain it (deciding ones first)."""

    passed: bool | None
    reasons: tuple[str, ...]

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {"pass": self.passed, "reasons": list(self.reasons)}


def noise_floor_text(dbfs: float) -> str:
    """The noise floor in dBFS, or ``digital silence`` when the PCM was exactly zero there
    (its level is then -inf dBFS, which says the same thing less plainly)."""
    return f"{dbfs:.1f} dBFS" if math.isfinite(dbfs) else "digital silence"


def _pct(x: float | None) -> str:
    return "n/a" if x is None or x != x else f"{100 * x:.3g} %"


def decide(
    lint: list[LintFinding], parity: ParityResult, acoustic: AcousticResult | None,
    expected_frames: int | None = None,
) -> Verdict:
    """Pass when the lint has no error and pipeline parity is available and below threshold.

    ``expected_frames`` (the frames the whole stimulus spans) enables the evidence rule: parity
    over fewer than `MIN_COVERAGE` of them gives no verdict (None) unless it already fails.
    """
    reasons: list[str] = []
    passed: bool | None = True
    errors = [f.key for f in lint if f.severity == "error"]
    warnings = [f.key for f in lint if f.severity == "warning"]
    if errors:
        passed = False
        reasons.append(
            f"The board's front-end config differs from the host's in {len(errors)} setting(s) "
            f"({', '.join(errors)}), so the board does not compute the training pipeline's "
            "features."
        )
    if not parity.available:
        passed = False
        reasons.append(f"Pipeline parity could not be computed: {parity.reason}")
    else:
        s = parity.stats
        if parity.exact:
            what = "bit-exact"
        else:
            what = f"a mean relative error of {_pct(parity.mean_relative_error)}"
        verb = "passes" if parity.passed else "fails"
        reasons.append(
            f"Pipeline parity {verb}: the board's frames and the host front end on the board's "
            f"own audio are {what} over {parity.frames_compared} frames "
            f"({s.n_cells if s else 0} cells above the floor; bar {_pct(parity.threshold)})."
        )
        passed = passed and parity.passed
    if passed and expected_frames and parity.available:
        coverage = parity.frames_compared / expected_frames
        if coverage < MIN_COVERAGE:
            passed = None
            reasons.insert(0, (
                f"No verdict: pipeline parity covers only {parity.frames_compared} of the "
                f"{expected_frames} frames the stimulus spans ({coverage:.0%}; at least "
                f"{MIN_COVERAGE:.0%} are needed), too little evidence to pass the board."))
    if warnings:
        reasons.append(
            f"{len(warnings)} front-end setting(s) could not be checked ({', '.join(warnings)})."
        )
    if acoustic is not None and acoustic.stimulus is not None:
        parts = []
        if acoustic.delay_samples is not None:
            parts.append(f"delay {acoustic.delay_samples} samples")
        if acoustic.lag_frames is not None:
            parts.append(f"lag {acoustic.lag_frames:.2f} frames")
        if acoustic.gain_db is not None:
            parts.append(f"level offset {db_text(acoustic.gain_db)} dB")
        if acoustic.noise_floor_dbfs is not None:
            parts.append(f"noise floor: {noise_floor_text(acoustic.noise_floor_dbfs)}")
        reasons.append(
            "Acoustic path (information, not part of the verdict): "
            + ", ".join(parts + [f"error vs stimulus {_pct(acoustic.stimulus_mre)}",
                                 f"vs channel-matched reference {_pct(acoustic.matched_mre)}"])
            + "."
        )
    return Verdict(passed, tuple(reasons))
