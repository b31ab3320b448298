"""The latency run: N inferences on the board's model, the board's split and the host's view.

Audio keeps the board's model busy: pink noise through the virtual speaker (``output``
"virtual"), a sound device, or nothing at all (``output`` "none": the microphone as it is).
For each RESULT the board reports ``frontend_us``, ``invoke_us`` and ``total_us``; the host
adds ``onset_to_result_ms``:

    onset_to_result_ms = t_rx(RESULT) - t_host(window_end_sample - 1)

``t_rx`` is the host's ``time.perf_counter()`` when the RESULT was taken from the link, and
``t_host(s)`` the host time (same clock) at which board sample ``s`` (the window's last
sample) entered the board: the virtual speaker's take time of the block holding ``s`` (from
the board's reports) when there is one, else the PCM stream's minimum one-way offset
(``board_session.clock_anchor``); see docs/metrics.md section 7 for why and for the bounds.
So it is "sound in, prediction out" as the host sees it, including the link. The budget is
the window hop (from consecutive RESULTs). The summary keeps `summarize_latency` in full plus
the percentiles in milliseconds at its top level.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections import Counter
from collections.abc import Generator, Mapping
from typing import Any

import numpy as np

from bench_app.core.audio.player import Player
from bench_app.core.errors import ConfigError, LinkError
from bench_app.core.runs.engine.documents import Event, progress
from bench_app.core.runs.engine.procedure import RunContext
from bench_app.core.runs.procedures.board_io.board_session import (
    BoardSession,
    HoldsBoard,
    StreamBuffer,
    clock_anchor,
    default_model_path,
    sim_arguments,
)


@dataclasses.dataclass(frozen=True)
class LatencyParams:
    """Parameters of a latency run.

    Attributes
    ----------
    device, sim
        As for the alignment run; ``sim`` gets ``--model`` (the untrained model) if missing.
    count
        Number of inferences (RESULTs) to collect.
    model
        Model for the virtual board (default: ``models/untrained_paper_shape.tflite``).
    output
        ``"virtual"``, a sound device, or ``"none"`` (no stimulus).
    level_dbfs
        RMS level of the pink noise played.
    timeout_s
        Seconds without any RESULT (after the first window) before the run gives up.
    """

    device: str = "sim"
    sim: str = ""
    count: int = 20
    model: str | None = None
    output: str = "virtual"
    level_dbfs: float = -30.0
    timeout_s: float = 10.0

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ConfigError(f"--count must be at least 1, not {self.count}.")


class LatencyProcedure(HoldsBoard):
    """Latency run (see the module docstring); use as a context manager or call `close`."""

    name = "latency"

    def __init__(self, params: LatencyParams) -> None:
        self.params = params
        self.session: BoardSession | None = None

    def board_info(self) -> Mapping[str, Any]:
        """Connect (a virtual board gets the model) and return INFO, saying if untrained."""
        p = self.params
        model = p.model or default_model_path() if p.device == "sim" else None
        if p.device == "sim" and model is None:
            raise ConfigError("The virtual board needs a model for latency: give --model.")
        self.session = BoardSession(p.device, sim_arguments(p.sim, model=model), 2.0).open()
        info = self.session.describe()
        info["model_untrained"] = _untrained(info)
        return info

    def execute(self, ctx: RunContext) -> Generator[Event | None, None, Mapping[str, Any]]:
        """Collect ``count`` RESULTs while audio plays; return the summary."""
        try:
            return (yield from self._collect(ctx))
        finally:
            self.close()

    def _collect(self, ctx: RunContext) -> Generator[Event | None, None, Mapping[str, Any]]:
        from bench_app.core.device.protocol import Stream

        s = self.session
        if s is None:
            raise LinkError("The latency run has no board: board_info() was not called.")
        p, client = self.params, s.client
        if not s.has("results"):
            raise ConfigError("This board runs no model (INFO lists no results), so it has no "
                              "latency to measure.")
        streams = [Stream.RESULTS] + ([Stream.PCM] if s.has("pcm") else [])
        buffer = StreamBuffer(client, 2.0)
        player = None
        records: list[dict] = []
        try:
            client.start(streams)
            player = self._player(s)
            last = time.perf_counter()
            taken = 0
            while len(records) < p.count:
                buffer.poll(0.05)
                if player is not None:
                    player.check()
                for stamped in buffer.results[taken:]:
                    rec = self._record(stamped, buffer, player, s.sample_rate)
                    records.append(rec)
                    yield Event("results", rec)
                    yield progress(len(records), p.count, f"inference {len(records)}")
                    last = time.perf_counter()
                taken = len(buffer.results)
                if ctx.cancel_requested:
                    yield None
                if time.perf_counter() - last > p.timeout_s + _window_s(s):
                    raise LinkError(f"The board sent no RESULT for {p.timeout_s:g} s after "
                                    f"{len(records)} of {p.count} inferences.")
        except LinkError as exc:
            with contextlib.suppress(Exception):
                yield Event("summary", {**self._summary(records, s), "interrupted": str(exc)})
            raise
        finally:
            if player is not None and not player.done:
                with contextlib.suppress(Exception):
                    player.stop()
            if client.connected:
                with contextlib.suppress(Exception):
                    client.stop(streams)
        summary = self._summary(records, s)
        yield Event("summary", summary)
        return summary

    def _player(self, s: BoardSession) -> Player | None:
        from bench_app.core.audio.player import open_player
        from bench_app.core.stimuli import noise_plan, render

        p = self.params
        if p.output == "none":
            return None
        seconds = _window_s(s) + (p.count + 2) * _hop_s(s) + 2.0
        plan = noise_plan("pink", p.level_dbfs, seconds, gap_s=0.05, sample_rate=s.sample_rate)
        samples = render(plan).samples
        address = s.speaker_address() if p.output == "virtual" else None
        if p.output == "virtual" and not address:
            raise ConfigError("This board has no virtual speaker; give --output DEVICE.")
        return open_player(p.output, samples, s.sample_rate, virtual_address=address,
                           board_step=int(round(s.step_ms * s.sample_rate / 1000)))

    @staticmethod
    def _record(stamped, buffer: StreamBuffer, player, rate: int) -> dict:
        r = stamped.message
        rec = {"window_index": int(r.window_index), "window_start_sample":
               int(r.window_start_sample), "window_end_sample": int(r.window_end_sample),
               "frontend_us": int(r.frontend_us), "invoke_us": int(r.invoke_us),
               "total_us": int(r.total_us), "host_time": stamped.host_time,
               "board_timestamp_us": int(r.timestamp_us), "scores": r.scores.tolist()}
        entry, source = _entry_time(int(r.window_end_sample) - 1, player, buffer, rate)
        if entry is not None:
            rec["onset_to_result_ms"] = (stamped.host_time - entry) * 1000.0
            rec["onset_source"] = source
        return rec

    def _summary(self, records: list[dict], s: BoardSession) -> dict:
        from bench_app.core.analysis.latency import summarize_latency

        ends = np.array([r["window_end_sample"] for r in records], np.int64)
        hops = np.diff(ends)
        hop_ms = (float(np.median(hops)) * 1000.0 / s.sample_rate if hops.size
                  else _hop_s(s) * 1000.0)
        summ = summarize_latency(records, hop_ms if hop_ms > 0 else 1000.0).to_dict()
        pct = {name.removesuffix("_ms"): {k: v for k, v in st.items() if k.endswith("_ms")}
               for name, st in summ["series"].items()}
        untrained = _untrained(s.describe())
        notes = list(summ.get("notes", []))
        host_med = pct.get("onset_to_result", {}).get("median_ms")
        total_med = pct.get("total", {}).get("median_ms")
        if host_med is not None and total_med is not None and host_med < total_med:
            notes.append("The board's total is longer than the host's onset-to-RESULT time: it "
                         "counts the front-end work on all of the hop's new frames "
                         "(frontend_us), most of which ran while the window's audio was still "
                         "arriving, i.e. before the window's last sample.")
        speed = (s.info.extra.get("emulator") or {}).get("speed", 1)
        if speed not in (1, 1.0):
            notes.append(f"The virtual board ran at speed {speed!r}, not in real time, so "
                         "onset_to_result_ms (which reads the board's sample clock as real "
                         "time) is not meaningful.")
        if untrained:
            notes.insert(0, "The board's model is UNTRAINED (random weights with the paper's "
                            "layer shapes): its latency is meaningful, its scores are not.")
        return {**summ, "notes": notes, "count": len(records), "percentiles_ms": pct,
                "budget_used_p99": summ["budget_used_p99"], "model_untrained": untrained,
                "model_sha256": s.info.model_sha256,
                "onset_source": _most_common(r.get("onset_source") for r in records),
                "output": self.params.output,
                "board_total_ge_invoke": all(r["total_us"] >= r["invoke_us"] for r in records),
                "link": s.client.stats.as_dict()}


def _entry_time(sample: int, player, buffer: StreamBuffer,
                rate: int) -> tuple[float | None, str | None]:
    """``(perf_counter time, source)`` at which board sample ``sample`` entered the board.

    The virtual speaker's take time of the block holding the sample, from the board's reports
    (``"speaker_report"``, `VirtualSpeaker.taken_at`) when there is one; else the PCM
    stream's clock mapping (``"pcm"``, `clock_anchor`):
    ``t_a + (sample - (s_a - 1)) / rate``; else ``(None, None)``.
    """
    taken_at = getattr(player, "taken_at", None)  # only the virtual speaker reports takes
    taken = taken_at(sample) if taken_at is not None else None
    if taken is not None:
        return taken, "speaker_report"
    anchor = clock_anchor(buffer.pcm, rate)
    if anchor is None:
        return None, None
    end, t_end = anchor
    return t_end + (sample - (end - 1)) / rate, "pcm"


def _untrained(info: Mapping[str, Any]) -> bool:
    emu = (info.get("emulator") or {}).get("model") or {}
    return bool(info.get("model_untrained") or emu.get("untrained"))


def _most_common(values) -> str | None:
    """The most frequent non-None value (None if there is none)."""
    counts = Counter(v for v in values if v is not None)
    return counts.most_common(1)[0][0] if counts else None


def _model_frames(s: BoardSession, key: str, default_s: float) -> float:
    """Seconds of a model window / hop from the virtual board's INFO (else ``default_s``)."""
    model = (s.info.extra.get("emulator") or {}).get("model") or {}
    frames = model.get(key)
    return float(frames) * s.step_ms / 1000.0 if frames else default_s


def _hop_s(s: BoardSession) -> float:
    return _model_frames(s, "hop_frames", 1.0)


def _window_s(s: BoardSession) -> float:
    return _model_frames(s, "window_frames", 5.0)
