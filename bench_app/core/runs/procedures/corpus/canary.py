"""The drift guard of a corpus run: a canary clip replayed every N clips.

Each replay's board answer and level (dBFS of the board's PCM over the clip) are compared
with the first replay's; a change of answer, or of level beyond the tolerance, is a drift: a
``canary`` event says so, the run's notes too, and with ``pause_on_drift`` the run asks its
controller to pause (`RunContext.request_pause`).
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np

from bench_app.core.runs.engine.documents import Event
from bench_app.core.runs.engine.procedure import RunContext
from bench_app.core.runs.procedures.corpus.board_pass import (
    CLIP_TAG_BASE,
    DEFAULT_HOP_FRAMES,
    BoardPass,
    padded_length,
)
from bench_app.core.runs.procedures.corpus.params import CorpusParams
from bench_app.core.runs.procedures.corpus.twin import HostTwin, decide, dequantize

STREAM_CANARY = "canary"


def level_dbfs(pcm: np.ndarray) -> float | None:
    """RMS level of int16 audio in dBFS (None for silence)."""
    rms = float(np.sqrt(np.mean(np.square(pcm, dtype=np.float64)))) if len(pcm) else 0.0
    return float(20.0 * np.log10(rms / 32768.0)) if rms > 0 else None



class Canary:
    """The drift guard: one clip replayed every N clips, its answer and level compared."""

    def __init__(self, params: CorpusParams, twin: HostTwin) -> None:
        from bench_app.core.audio_files import read_audio

        self.p = params
        self.samples = read_audio(params.canary, sample_rate=twin.frontend.sample_rate_hz).samples
        self.twin = twin
        self.seen: list[dict] = []
        self.notes: list[str] = []

    def check(self, ctx: RunContext, bp: BoardPass, before: int, names: list[str]
              ) -> Generator[Event | None, None, None]:  # fmt: skip
        hop = bp.hop_frames or DEFAULT_HOP_FRAMES
        length = padded_length(len(self.samples), self.twin.frontend, self.twin.window_frames,
                               hop)
        padded = np.zeros(length, np.int16)
        padded[: len(self.samples)] = self.samples
        cap = yield from bp.play(ctx, padded, CLIP_TAG_BASE + 0xFFFFF0 + len(self.seen) % 8)
        answer = None
        if len(cap.raw):
            answer = names[decide(dequantize(cap.raw, cap.scale, cap.zero_point),
                                  self.p.decision)[0]]
        level = level_dbfs(cap.pcm[: len(self.samples)])
        level = None if level is None else float(level)
        reasons = []
        if self.seen:
            ref = self.seen[0]
            if answer != ref["board"]:
                reasons.append(f"its board answer moved from {ref['board']} to {answer}")
            if (level is None) != (ref["level_dbfs"] is None) or (
                    level is not None and abs(level - ref["level_dbfs"]) > self.p.canary_level_db):
                reasons.append(f"its level moved from {_db(ref['level_dbfs'])} to {_db(level)} "
                               f"(tolerance {self.p.canary_level_db:g} dB)")
        entry = {"before_clip": before, "board": answer, "level_dbfs": level,
                 "drift": bool(reasons), "reasons": reasons, "paused": False}
        if reasons:
            self.notes.append(f"Drift: before clip {before}, the canary's "
                              + " and ".join(reasons) + ".")
            if self.p.pause_on_drift:
                entry["paused"] = ctx.request_pause()
                if not entry["paused"]:
                    self.notes.append("The run could not pause on drift (its controller "
                                      "offers no pause).")
        self.seen.append(entry)
        yield Event(STREAM_CANARY, entry)

    def summary(self) -> dict:
        drifts = [e for e in self.seen if e["drift"]]
        return {"replays": len(self.seen), "drifts": len(drifts), "entries": self.seen}


def _db(value: float | None) -> str:
    return "silence" if value is None else f"{value:.2f} dBFS"
