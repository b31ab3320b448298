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
the percentiles in milliseconds at its top level. While it runs, ``metrics`` events carry the
running percentiles of each series (`live_stats`), which the window's table draws.
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
from bench_app.core.runs.engine.procedure import RunContext, analyse_interrupted
from bench_app.core.runs.procedures.board_io.board_session import (
    BoardSession,
    HoldsBoard,
    StreamBuffer,
    clock_anchor,
    default_model_path,
    sim_arguments,
)
from bench_app.core.runs.procedures.latency.live_stats import LiveLatency

#: What a latency run assumes of a board whose INFO does not state its model's window and hop
#: (the paper's 5 s window, 1 s hop); the summary's notes then say so.
DEFAULT_WINDOW_S, DEFAULT_HOP_S = 5.0, 1.0


@dataclasses.dataclass(frozen=True)
class LatencyParams:
    """Parameters of a latency run.

    Attributes
    ----------
    device, sim
        As for the alignment run; ``sim`` gets ``--model`` (the default model) if missing.
    count
        Number of inferences (RESULTs) to collect.
    model
        Model for the virtual board (default: ``models/demo/model.tflite``).
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
    """Latency run (see the module docstring); use as a context manager or call `close`.

    ``session``: a connected board to run on (the window's), left connected afterwards;
    without one the run connects to ``params.device`` and lets go when it ends.
    """

    name = "latency"

    def __init__(self, params: LatencyParams, session: BoardSession | None = None) -> None:
        self.params = params
        self.session = session

    def board_info(self) -> Mapping[str, Any]:
        """Connect if not given a board (a virtual board gets the model); return INFO, saying
        if the model is untrained."""
        p = self.params
        if self.session is None:
            model = p.model or default_model_path() if p.device == "sim" else None
            if p.device == "sim" and model is None:
                raise ConfigError("The virtual board needs a model for latency: give --model.")
            self.open_session(p.device, sim_arguments(p.sim, model=model), 2.0)
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
        live = LiveLatency()
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
                metrics = live.event(records, final=len(records) >= p.count)
                if metrics is not None:
                    yield metrics
                if ctx.cancel_requested:
                    yield None
                if time.perf_counter() - last > p.timeout_s + _window_s(s):
                    raise LinkError(f"The board sent no RESULT for {p.timeout_s:g} s after "
                                    f"{len(records)} of {p.count} inferences.")
        except LinkError as exc:
            summary = analyse_interrupted(lambda: self._summary(records, s), exc)
            yield Event("summary", {**summary, "interrupted": str(exc)})
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
                           board_step=_board_geometry(s).step_samples)

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
        if not _states_model_span(s):
            notes.append(f"The board's INFO does not state its model's window and hop (INFO "
                         f"'model', docs/protocol.md), so the run assumed a {DEFAULT_WINDOW_S:g} "
                         f"s window and a {DEFAULT_HOP_S:g} s hop for how long to play and wait.")
        speed = s.info.clock_speed
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
    """The one untrained rule (`bench_app.core.model.untrained`): the board's word, then cards."""
    from bench_app.core.model import untrained

    return bool(untrained(info))


def _most_common(values) -> str | None:
    """The most frequent non-None value (None if there is none)."""
    counts = Counter(v for v in values if v is not None)
    return counts.most_common(1)[0][0] if counts else None


def _board_geometry(s: BoardSession):
    """The board's frame grid from INFO, else the paper's (16 kHz, 25 ms / 10 ms) at its rate."""
    from bench_app.core.frontend.geometry import FrameGeometry

    return s.geometry or FrameGeometry.from_ms(s.sample_rate or 16000, 25, 10)


def _states_model_span(s: BoardSession) -> bool:
    """Whether INFO states the model's window and hop (``model``) on a known frame grid."""
    info = s.info
    return bool(s.geometry and info.model_window_frames > 0 and info.model_hop_frames > 0)


def _hop_s(s: BoardSession) -> float:
    """Seconds between inferences (INFO ``model.hop_frames``; else `DEFAULT_HOP_S`, noted)."""
    if not _states_model_span(s):
        return DEFAULT_HOP_S
    return s.info.model_hop_frames * s.geometry.step_s


def _window_s(s: BoardSession) -> float:
    """Seconds of audio in the model's input window (INFO ``model.window_frames``; else
    `DEFAULT_WINDOW_S`, noted)."""
    if not _states_model_span(s):
        return DEFAULT_WINDOW_S
    g = s.geometry
    return g.samples_for(s.info.model_window_frames) / g.sample_rate_hz
