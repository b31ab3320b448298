"""The corpus run: every clip of a labelled corpus through the board, beside the host twin.

For each clip (`clips`): pad it with silence (`board_pass.padded_length`), play it through
the acoustic path or inject it (`board_pass.BoardPass`), take the board's RESULTs inside it,
run the host twin (`twin.HostTwin`) on the board's own PCM and on the clean clip over the
same windows, decide each answer by the run's rule, and emit a ``clips`` event (a
`ClipRecord`, arrays of the decided scores and the board PCM) and a ``metrics`` event
(`corpus_metrics` of the clips so far, plus ``setting``). The summary is `corpus_metrics`
with a 1000-resample bootstrap, plus ``skipped`` (clips left out and why), ``notes``,
``canary`` and, for a sweep, ``sweep``. A sweep (virtual board only) runs the corpus once
per channel setting, restarting the virtual board with that ``--channel`` each time.

Resume: ``resume_records`` (the ``clips`` events of an earlier run, read by the caller) are
re-emitted first and their clips are not played again, so the run ends with the same clip set
and figures as one that was never interrupted.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from typing import Any

import numpy as np

from bench_app.core.analysis.corpus_metrics import corpus_metrics
from bench_app.core.analysis.corpus_records import STREAM_CLIPS, ClipRecord
from bench_app.core.errors import ConfigError, LinkError
from bench_app.core.runs.engine.documents import Event, progress
from bench_app.core.runs.engine.procedure import RunContext, analyse_interrupted
from bench_app.core.runs.procedures.board_io.board_session import (
    BoardSession,
    HoldsBoard,
    default_model_path,
    sim_arguments,
)
from bench_app.core.runs.procedures.corpus.board_pass import (
    CLIP_TAG_BASE,
    DEFAULT_HOP_FRAMES,
    BoardPass,
    Capture,
    padded_length,
)
from bench_app.core.runs.procedures.corpus.canary import Canary
from bench_app.core.runs.procedures.corpus.clips import (
    class_names_for,
    load_corpus,
    read_clip,
    skipped,
)
from bench_app.core.runs.procedures.corpus.params import CorpusParams
from bench_app.core.runs.procedures.corpus.twin import HostTwin, decide, dequantize

STREAM_METRICS = "metrics"


class CorpusProcedure(HoldsBoard):
    """The corpus run (see the module docstring); a context manager, or call `close`."""

    name = "corpus"

    def __init__(self, params: CorpusParams, session: BoardSession | None = None,
                 resume_records: Sequence[tuple[dict, dict]] = ()) -> None:  # fmt: skip
        self.params = params
        self.session = session
        self.resume_records = list(resume_records)
        # Read now: a missing folder or bad spec is refused before any board starts.
        self.corpus = load_corpus(params.corpus, params.label_map, params.sessions,
                                  params.limit, 16000)
        if not self.corpus.clips:
            raise ConfigError(f"The corpus {params.corpus} has no clip to play "
                              f"({len(self.corpus.problems)} problems).")
        if params.device != "sim" and not params.model and not _sim_model(params):
            raise ConfigError("For a board on a port, give --model M.tflite (the file the "
                              "board runs), so the host twin can run it too.")
        self.model_path = params.model or _sim_model(params) or (
            default_model_path() if params.device == "sim" else None)
        if self.model_path is None:
            raise ConfigError("No model for the virtual board: give --model M.tflite.")
        if params.rerecord:
            from bench_app.core.runs.procedures.corpus.rerecord import check_folder

            check_folder(params.rerecord)
            if params.sweep:
                raise ConfigError("--rerecord and --sweep do not go together (one recording "
                                  "per clip).")
        self.twin: HostTwin | None = None
        self.class_names: list[str] = []
        self.notes: list[str] = []

    # -- board ---------------------------------------------------------------------------------
    def _sim_args(self, setting: str) -> list[str]:
        args = sim_arguments(self.params.sim, model=self.model_path)
        if setting:
            if "--channel" in args:
                i = args.index("--channel") + 1
                args[i] = f"{args[i]},{setting}"
            else:
                args += ["--channel", setting]
        return args

    def board_info(self) -> Mapping[str, Any]:
        """Connect (starting the virtual board for ``sim``), check the model, return INFO."""
        from bench_app.core.frontend import FrontendConfig

        p = self.params
        first = p.sweep[0] if p.sweep else ""
        self.open_session(p.device, self._sim_args(first), p.timeout_s)
        info = self.session.info
        if not self.session.has("results"):
            raise ConfigError("This board runs no model (INFO lists no results), so it has no "
                              "answers to score.")
        fe = FrontendConfig.from_dict(dict(info.frontend or {}))
        self.twin = HostTwin(self.model_path, fe)
        self.twin.start_worker()
        sha = (info.model_sha256 or "").lower()
        if sha and sha != self.twin.model.sha256:
            raise ConfigError(f"{self.model_path} (sha256 {self.twin.model.sha256[:12]}) is not "
                              f"the model the board runs (sha256 {sha[:12]}).")
        if not sha:
            self.notes.append("The board's INFO gives no model sha256, so the twin's model "
                              "could not be checked against the board's.")
        self.class_names, source = class_names_for(self.model_path, self.corpus,
                                                   self.twin.n_classes)
        self.notes.append(f"Class names from the {source}.")
        doc = self.session.describe()
        doc["class_names"] = list(self.class_names)
        return doc

    def close(self) -> None:
        """Let go of the board (if this run connected it) and stop the twin's worker."""
        super().close()
        if self.twin is not None:
            self.twin.close()

    def _reopen(self, setting: str) -> None:
        """A fresh virtual board with the sweep's channel setting."""
        super().close()
        self.session, self._opened = None, False
        self.open_session("sim", self._sim_args(setting), self.params.timeout_s)

    # -- run -----------------------------------------------------------------------------------
    def execute(self, ctx: RunContext) -> Generator[Event | None, None, Mapping[str, Any]]:
        """Every clip (per sweep setting), live metrics, then the summary."""
        try:
            return (yield from self._run(ctx))
        finally:
            self.close()

    def _run(self, ctx: RunContext) -> Generator[Event | None, None, Mapping[str, Any]]:
        p = self.params
        if self.twin is None:
            raise LinkError("The corpus run has no board: board_info() was not called.")
        records: list[ClipRecord] = []
        done: set[tuple[str, str]] = set()
        for data, arrays in self.resume_records:
            records.append(data)  # type: ignore[arg-type]
            done.add((data["clip_id"], data.get("setting", "")))
            yield Event(STREAM_CLIPS, data, arrays)
        if self.resume_records:
            self.notes.append(f"Resumed run {p.resume_from}: its {len(records)} clips were "
                              "copied, not played again.")
        skips = skipped(self.corpus)
        settings = p.sweep or ("",)
        clips = self.corpus.clips
        total = len(clips) * len(settings)
        writer = self._rerecord_writer()
        sweep: list[dict] = []
        canary = Canary(p, self.twin) if p.canary else None
        try:
            for s_i, setting in enumerate(settings):
                if s_i > 0:
                    self._reopen(setting)
                bp = BoardPass(self.session, self.twin.frontend, path=p.path, output=p.output,
                               timeout_s=p.timeout_s)
                snrs: list[float] = []
                pending = None  # a clip the board has answered, its twin still to run
                try:
                    bp.start()
                    for i, clip in enumerate(clips):
                        index = s_i * len(clips) + i
                        if (clip.clip_id, setting) in done:
                            continue
                        if canary is not None and i % p.canary_every == 0:
                            if pending is not None:
                                yield from self._emit(pending, records, writer, snrs)
                                pending = None
                            yield from canary.check(ctx, bp, index, self.class_names)
                        try:
                            clean = read_clip(clip, self.session.sample_rate)
                        except Exception as exc:  # damaged after listing: skip, say why
                            skips.append({"path": str(clip.path), "line": None, "skipped": True,
                                          "reason": f"{clip.clip_id} left out: {exc}"})
                            continue
                        padded = self._padded(clean, bp)
                        player = bp.begin(padded, CLIP_TAG_BASE + index)
                        if pending is not None:  # the twin works while the board takes this clip
                            yield from self._emit(pending, records, writer, snrs)
                        cap = yield from bp.finish(ctx, player, len(padded), CLIP_TAG_BASE + index)
                        pending = _Answered(index, clip, clean, padded, cap, setting, bp)
                        yield progress(index + 1, total, f"clip {index + 1} of {total}")
                    if pending is not None:
                        yield from self._emit(pending, records, writer, snrs)
                finally:
                    bp.stop()
                    self.notes.extend(n for n in bp.notes if n not in self.notes)
                if setting:
                    sweep.append(_sweep_entry(setting, snrs, records, self.class_names))
        except LinkError as exc:  # the board vanished: keep what was measured, say so
            if writer is not None:
                writer.finish(self.session, p)
            analysed = analyse_interrupted(
                lambda: corpus_metrics(records, self.class_names), exc)
            yield Event("summary", {**analysed, "skipped": skips, "notes": list(self.notes),
                                    "interrupted": str(exc)})
            raise
        if writer is not None:
            writer.finish(self.session, p)
        summary = corpus_metrics(records, self.class_names, bootstrap_resamples=1000)
        summary["skipped"] = skips
        if skips:
            self.notes.append(f"{len(skips)} clips were left out (damaged files or label "
                              "lines); 'skipped' lists which and why.")
        if _untrained(self.session):
            self.notes.insert(0, "The board's model is UNTRAINED (random weights with the "
                                 "paper's layer shapes): its answers and F1 mean nothing; the "
                                 "board-vs-twin comparison still holds.")
        summary.update({"notes": list(self.notes), "decision": p.decision, "path": p.path,
                        "model_sha256": self.twin.model.sha256, "twin_invokes": self.twin.invokes,
                        "model_untrained": _untrained(self.session)})
        if canary is not None:
            summary["canary"] = canary.summary()
            summary["notes"] += canary.notes
        if sweep:
            summary["sweep"] = sweep
        if p.rerecord:
            summary["rerecord"] = {"folder": p.rerecord, "clips": writer.count if writer else 0}
        yield Event("summary", summary)
        return summary

    def _rerecord_writer(self):
        if not self.params.rerecord:
            return None
        from bench_app.core.runs.procedures.corpus.rerecord import RerecordWriter

        return RerecordWriter(self.params.rerecord, self.corpus)

    def _padded(self, clean: np.ndarray, bp: BoardPass) -> np.ndarray:
        """The clip with silence after it, to the length `padded_length` gives."""
        length = padded_length(len(clean), self.twin.frontend, self.twin.window_frames,
                               bp.hop_frames or DEFAULT_HOP_FRAMES)
        padded = np.zeros(length, np.int16)
        padded[: len(clean)] = clean
        return padded

    def _emit(self, a: _Answered, records: list, writer, snrs: list
              ) -> Generator[Event, None, None]:  # fmt: skip
        """Run the twin on a clip the board answered; emit its ``clips`` and ``metrics``."""
        record, arrays = self._twin_record(a)
        records.append(record)
        snr = _snr_db(a.cap, a.clean, self.params.path)
        if snr is not None:
            snrs.append(snr)
        if writer is not None:
            writer.add(a.clip, a.cap.pcm[: len(a.clean)])
        yield Event(STREAM_CLIPS, record, arrays)
        now = [r for r in records if r["setting"] == a.setting]
        figures = self.twin.submit(corpus_metrics, now, self.class_names)
        yield Event(STREAM_METRICS, {**figures, "setting": a.setting})

    def _twin_record(self, a: _Answered) -> tuple[ClipRecord, dict]:
        twin, cap, padded = self.twin, a.cap, a.padded
        fs = self.session.sample_rate
        hop = a.hop
        step = twin.frontend.step_samples
        n_frames = twin.frontend.frames_for(len(padded))
        last = n_frames - twin.window_frames
        if cap.starts:
            rel = [min(max(0, round((s - cap.onset) / step)), last) for s in cap.starts]
        else:
            rel = twin.grid(n_frames, hop)
        clean_raw = twin.pcm_scores(padded, rel)
        if self.params.path == "injected":
            if np.array_equal(cap.pcm, padded):
                pcm_raw = clean_raw  # the same audio gives the same answer: not run twice
            else:
                pcm_raw = twin.pcm_scores(cap.pcm, rel)
        else:
            first = cap.host_first
            offs = ([round((s - first) / step) for s in cap.starts] if cap.starts else
                    [round((cap.onset - first) / step) + k for k in rel])
            usable = [k for k in offs if 0 <= k <= len(cap.host_frames) - twin.window_frames]
            pcm_raw = twin.window_scores(cap.host_frames, usable) if usable else None
        names = self.class_names

        def answer(raw, scale, zero):
            if raw is None or len(raw) == 0:
                return None, np.full(len(names), np.nan, np.float32)
            k, scores = decide(dequantize(raw, scale, zero), self.params.decision)
            return names[k], scores.astype(np.float32)

        board, board_scores = answer(cap.raw, cap.scale, cap.zero_point)
        t_clean, clean_scores = answer(clean_raw, twin.scale, twin.zero_point)
        t_pcm, pcm_scores = answer(pcm_raw, twin.scale, twin.zero_point)
        clip, clean = a.clip, a.clean
        record: ClipRecord = {
            "index": a.index, "clip_id": clip.clip_id, "path": str(clip.path),
            "utterance": clip.clip_id, "speaker": clip.speaker or "",
            "session": clip.session or "", "label": clip.label,
            "twin_clean": t_clean, "twin_board_pcm": t_pcm, "board": board,
            "windows": int(len(cap.raw)), "padded_s": (len(padded) - len(clean)) / fs,
            "duration_s": len(clean) / fs, "setting": a.setting,
        }
        arrays = {"board_scores": board_scores, "twin_clean_scores": clean_scores,
                  "twin_board_pcm_scores": pcm_scores}
        if self.params.keep_pcm:
            arrays["board_pcm"] = cap.pcm
        return record, arrays


class _Answered:
    """A clip the board has answered, waiting for its twin (`CorpusProcedure._emit`)."""

    def __init__(self, index: int, clip, clean: np.ndarray, padded: np.ndarray, cap: Capture,
                 setting: str, bp: BoardPass) -> None:  # fmt: skip
        self.index, self.clip, self.clean, self.padded = index, clip, clean, padded
        self.cap, self.setting = cap, setting
        self.hop = bp.hop_frames or DEFAULT_HOP_FRAMES


def _snr_db(cap: Capture, clean: np.ndarray, path: str) -> float | None:
    """SNR of the board's PCM of a clip: its power over the clip's span against the power of
    the padding after the speech (the microphone's noise), in dB; None on the injected path."""
    if path == "injected":
        return None
    n = len(clean)
    speech = cap.pcm[:n].astype(np.float64)
    tail = cap.pcm[n + len(cap.pcm) // 8 :].astype(np.float64) if len(cap.pcm) > n else None
    if tail is None or len(tail) < 160:
        return None
    noise = float(np.mean(tail ** 2))
    signal = float(np.mean(speech ** 2)) - noise
    if noise <= 0:
        return float("inf") if signal > 0 else None
    return 10.0 * np.log10(max(signal, 1e-12) / noise)


def _sweep_entry(setting: str, snrs: list[float], records: list, names: list[str]) -> dict:
    mine = [r for r in records if r["setting"] == setting]
    m = corpus_metrics(mine, names)
    finite = [s for s in snrs if np.isfinite(s)]
    return {"setting": setting, "snr_db": float(np.median(finite)) if finite else None,
            "clips": len(mine), "board_macro_f1": m["macro_f1"],
            "twin_macro_f1": m["twin_macro_f1"],
            "twin_board_pcm_macro_f1": m["answers"]["twin_board_pcm"]["macro_f1"]}


def _sim_model(params: CorpusParams) -> str | None:
    """The model a started board is given in ``--sim "--model M"``, if any."""
    words = sim_arguments(params.sim) if params.device in ("sim", "native") else []
    if "--model" in words and words.index("--model") + 1 < len(words):
        return words[words.index("--model") + 1]
    return None


def _untrained(session: BoardSession) -> bool:
    from bench_app.core.model import untrained

    return bool(untrained(session.describe()))
