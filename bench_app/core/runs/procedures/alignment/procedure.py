"""The alignment run: play a stimulus to the board, capture its frames and PCM, analyse.

Steps (each an event stream of the run; definitions in ``docs/metrics.md``):

1. ``lint``: the board's INFO front-end config against the host's, before anything plays.
2. ``stimulus`` / ``timeline``: the exact samples played or injected, and their segments.
3. The path: ``acoustic`` plays through the virtual speaker (``output="virtual"``) or a sound
   device; ``injected`` sends INJECT_PCM. Meanwhile ``frames`` and ``pcm`` chunks (~0.5 s) and
   ``progress`` are emitted, and with them the live pipeline parity (``reference`` frames of
   the host front end on the board's PCM, and running ``metrics``: see `live_parity`), which
   the store keeps and the window draws. On the acoustic path a short silent clip is injected
   first (when the board can take one): the board restarts its front end when the microphone
   takes over again, so the host front end run on the PCM from that sample on sees exactly the
   board's state, and pipeline parity can be exactly 0.
4. ``summary``: `analyse_alignment` (lint, pipeline parity on the board's own PCM, acoustic
   path against the clean stimulus, verdict) with the final arrays (reference frames, board
   frames, difference, error maps, per-channel and over-time error, channel response).

A board that vanishes ends the run "interrupted": the chunks already emitted are kept, and the
analysis of what arrived is emitted as the summary when it can be computed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Generator, Mapping
from typing import Any

import numpy as np

from bench_app.core.errors import ConfigError, LinkError
from bench_app.core.runs.engine.documents import Event, progress
from bench_app.core.runs.engine.procedure import RunContext, analyse_interrupted
from bench_app.core.runs.procedures.alignment.stimulus import build_stimulus
from bench_app.core.runs.procedures.board_io.board_session import (
    BoardSession,
    HoldsBoard,
    StreamBuffer,
    clock_anchor,
    sim_arguments,
)
from bench_app.core.runs.procedures.board_io.chunks import ChunkEmitter

PATHS = ("acoustic", "injected")
#: With a sound device, how long past the stimulus's estimated end to wait for quiet (seconds).
MAX_LATE_S = 30.0
#: INJECT tags: the silent clip that restarts the board's front end, and the injected stimulus.
ANCHOR_TAG, CLIP_TAG = 0xA11C, 0xA11D


@dataclasses.dataclass(frozen=True)
class AlignmentParams:
    """Parameters of an alignment run (all stored in the run's start document).

    Attributes
    ----------
    device
        ``"sim"`` (start a virtual board for the run), a port path or a pyserial URL.
    sim
        Arguments for `bench-app emulate` when ``device`` is ``"sim"``.
    path
        ``"acoustic"`` (speaker -> microphone) or ``"injected"`` (INJECT_PCM).
    output
        Acoustic path output: ``"virtual"`` (the virtual board's speaker) or a sound device.
    level_dbfs
        Peak level of the stimulus in dBFS (None: as rendered, bursts at -12 and -24).
    stimulus
        ``tonal-bursts``, ``sweep``, ``speech`` or an audio file path.
    stimulus_channel
        The channel of a multi-channel stimulus file to play (from 0; None: a mono file).
    burst_s
        Length of each tonal burst and of the silence after it.
    host_frontend
        The host front-end config (``fe.*`` dict; None: the paper's).
    threshold
        Pipeline-parity pass threshold on the mean relative error.
    tail_s
        Board audio kept after the stimulus has been handed over (the path's delay and echo).
    chunk_s
        Duration of the ``frames`` / ``pcm`` chunks.
    timeout_s
        Seconds the board may be silent or gone before the run is interrupted.
    """

    device: str = "sim"
    sim: str = ""
    path: str = "acoustic"
    output: str = "virtual"
    level_dbfs: float | None = None
    stimulus: str = "tonal-bursts"
    stimulus_channel: int | None = None
    burst_s: float = 0.25
    host_frontend: dict | None = None
    threshold: float = 0.05
    tail_s: float = 0.5
    chunk_s: float = 0.5
    timeout_s: float = 2.0

    def __post_init__(self) -> None:
        if self.path not in PATHS:
            raise ConfigError(f"The path must be one of {', '.join(PATHS)}, not {self.path!r}.")
        if not self.burst_s > 0 or not self.chunk_s > 0 or self.tail_s < 0:
            raise ConfigError("burst_s and chunk_s must be positive and tail_s not negative.")


class AlignmentProcedure(HoldsBoard):
    """Alignment run (see the module docstring); use as a context manager or call `close`.

    ``session``: a connected board to run on (the window's), left connected afterwards;
    without one the run connects to ``params.device`` and lets go when it ends.
    """

    name = "alignment"

    def __init__(self, params: AlignmentParams, session: BoardSession | None = None) -> None:
        from bench_app.core.frontend import FrontendConfig

        self.params = params
        self.host_config = (FrontendConfig.from_dict(params.host_frontend)
                            if params.host_frontend else FrontendConfig())
        self.session = session
        # Rendered now: a bad file or level is reported before any board is started.
        self.stimulus = build_stimulus(params.stimulus, self.host_config,
                                       level_dbfs=params.level_dbfs, burst_s=params.burst_s,
                                       channel=params.stimulus_channel)

    def board_info(self) -> Mapping[str, Any]:
        """Connect (starting the virtual board for ``sim``) and return the board's INFO."""
        p = self.params
        return self.open_session(p.device, sim_arguments(p.sim), p.timeout_s).describe()

    def execute(self, ctx: RunContext) -> Generator[Event | None, None, Mapping[str, Any]]:
        """Lint, play and capture, analyse; return the summary."""
        from bench_app.core.analysis.config_lint import lint_frontend

        s = self.session
        if s is None:
            raise LinkError("The alignment run has no board: board_info() was not called.")
        try:
            p, host = self.params, self.host_config
            yield progress(0.0, 1.0, "lint")
            board_fe = dict(s.info.frontend or {})
            findings = [f.to_dict() for f in lint_frontend(host, board_fe)]
            yield Event("lint", {"findings": findings, "host": host.to_dict(),
                                 "board": board_fe,
                                 "errors": sum(f["severity"] == "error" for f in findings)})
            stim = self.stimulus
            yield Event("timeline", {"name": stim.name, "sample_rate": stim.sample_rate,
                                     "segments": stim.timeline_dicts(), "notes": list(stim.notes)})
            for i in range(0, len(stim.samples), int(p.chunk_s * stim.sample_rate)):
                piece = stim.samples[i : i + int(p.chunk_s * stim.sample_rate)]
                yield Event("stimulus", {"first_sample": i}, {"stimulus": piece})
            run = _StimulusPass(s, host, p, stim)
            try:
                yield from run.collect(ctx)
            except LinkError as exc:
                yield from run.flush()
                analysed = analyse_interrupted(run.analyse, exc)
                summary, arrays = analysed if isinstance(analysed, tuple) else (analysed, {})
                summary["interrupted"] = str(exc)
                yield Event("summary", summary, arrays)
                raise
            yield from run.flush()
            yield progress(0.97, 1.0, "analysis")
            summary, arrays = run.analyse()
            yield Event("summary", summary, arrays)
            yield progress(1.0, 1.0, "done")
            return summary
        finally:
            self.close()


class _StimulusPass:
    """One pass of stimulus -> board -> frames + PCM, and its analysis."""

    def __init__(self, session: BoardSession, host, params: AlignmentParams, stim) -> None:
        self.s, self.host, self.p, self.stim = session, host, params, stim
        self.buffer = StreamBuffer(session.client, params.timeout_s)
        self.emitter = ChunkEmitter(self.buffer, stim.sample_rate, host.step_samples,
                                      params.chunk_s)
        self.player = None
        self.live = None  # LiveParity once the board is known to send PCM
        self.run_start: int | None = None
        self.onset: int | None = None
        self.notes: list[str] = []
        self.streams: list = []

    def collect(self, ctx: RunContext) -> Generator[Event | None, None, None]:
        from bench_app.core.device.protocol import Stream

        client, fs = self.s.client, self.stim.sample_rate
        self.streams = [Stream.FRAMES] + ([Stream.PCM] if self.s.has("pcm") else [])
        if Stream.PCM not in self.streams:
            self.notes.append("The board sends no PCM, so pipeline parity cannot be checked.")
        else:
            from bench_app.core.runs.procedures.alignment.live_parity import LiveParity

            self.live = LiveParity(self.host)
        client.start(self.streams)
        try:
            yield from self._play(ctx, fs)
        finally:
            if self.player is not None and not self.player.done:
                with contextlib.suppress(Exception):
                    self.player.stop()
            if client.connected:
                with contextlib.suppress(Exception):
                    client.stop(self.streams)

    def _play(self, ctx: RunContext, fs: int) -> Generator[Event | None, None, None]:
        from bench_app.core.audio.inject_player import InjectPlayer
        from bench_app.core.audio.player import open_player
        from bench_app.core.device.protocol import PcmSource

        p, client = self.p, self.s.client
        if p.path == "injected":
            if not self.s.has("inject_pcm"):
                raise ConfigError("This board cannot take injected audio (no inject_pcm).")
            self.emitter.select(lambda f: f.tag == CLIP_TAG,
                                lambda m: m.source == PcmSource.INJECTED)
            self.player = InjectPlayer(client, self.stim.samples, CLIP_TAG, fs)
        else:
            start = self._restart_frontend(fs)
            self.run_start = start
            self.emitter.select(lambda f: f.tag == 0 and f.sample_index >= start,
                                lambda m: m.source != PcmSource.INJECTED
                                and m.sample_index >= start)
            address = self.s.speaker_address() if p.output == "virtual" else None
            if p.output == "virtual" and not address:
                raise ConfigError("This board has no virtual speaker; give --output DEVICE.")
            self.player = open_player(p.output, self.stim.samples, fs, virtual_address=address,
                                      board_step=self.host.step_samples)
        _warm_up_analysis(self.host)  # while the audio plays, the host has time to spare
        total = self.player.span_samples + int(p.tail_s * fs)
        played_at = None
        shown = 0.0
        while True:
            self.buffer.poll(0.02)
            self.player.check()
            yield from self._chunks()
            if time.perf_counter() - shown > 0.1:
                shown = time.perf_counter()
                got = sum(len(c.message.samples) for c in self.emitter.pcm)
                yield progress(0.05 + 0.9 * min(1.0, got / total), 1.0, "capturing")
            if ctx.cancel_requested:
                yield None
            if not self.player.done:
                continue
            played_at = played_at or time.perf_counter()
            if self._captured_all(fs, played_at):
                break

    def _restart_frontend(self, fs: int) -> int:
        """Inject a short silent clip so the microphone run (and the front end) restarts."""
        client = self.s.client
        if not self.s.has("inject_pcm"):
            self.notes.append("The board cannot take injected audio, so its front end was not "
                              "restarted: parity starts from a state the host does not know.")
            deadline = time.perf_counter() + self.p.timeout_s
            while self.buffer.pcm_end() is None and time.perf_counter() < deadline:
                self.buffer.poll(0.02)
            return self.buffer.pcm_end() or 0
        clip = np.zeros(self.host.step_samples, np.int16)
        report = client.inject(clip, tag=ANCHOR_TAG)
        return int(report.first_sample_index) + len(clip)

    def _captured_all(self, fs: int, played_at: float) -> bool:
        """After the player finished: has the board's audio passed the stimulus plus tail?"""
        p = self.p
        if p.path == "injected":
            self.player.check()
            start = self.player.onset_sample
            end = start + len(self.stim.samples)
            expected = self.host.frames_for(len(self.stim.samples))
            have_pcm = (self.buffer.pcm_end() or 0) >= end or not self.s.has("pcm")
            complete = len(self.emitter.frames) >= expected and have_pcm
            return complete or time.perf_counter() - played_at > p.timeout_s
        onset = self._onset(fs)
        end_needed = (onset if onset is not None else self.run_start) + (
            self.player.span_samples + int(p.tail_s * fs))
        pcm_end = self.buffer.pcm_end() or 0
        if not self.s.has("pcm"):  # frames only: wait out the tail on the host clock
            return time.perf_counter() - played_at > p.tail_s + 0.5
        if pcm_end < end_needed:
            return False
        if self.player.onset_sample is not None:  # the board reported the onset: exact
            return True
        # Placed by host clocks: a board whose audio lags (an input buffer, a slow board) may
        # still be playing the stimulus; wait until its last tail_s is as quiet as the start.
        if pcm_end >= end_needed + int(MAX_LATE_S * fs):
            self.notes.append(f"The board's audio was still not quiet {MAX_LATE_S:g} s after "
                              "the stimulus should have ended; the capture was cut there.")
            return True
        return self._quiet_tail(fs)

    def _quiet_tail(self, fs: int) -> bool:
        """Whether the last ``tail_s`` of PCM is within 6 dB of the first 0.2 s after restart."""
        from bench_app.core.runs.procedures.board_io.board_session import join_pcm

        start = self.run_start or 0
        head, _ = join_pcm(self.emitter.pcm[:64], start, start + int(0.2 * fs))
        end = self.buffer.pcm_end() or 0
        tail, _ = join_pcm(self.emitter.pcm[-(int(self.p.tail_s * fs) // 160 + 2):],
                           end - int(self.p.tail_s * fs), end)

        def rms(x: np.ndarray) -> float:
            return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0

        return rms(tail) <= 2.0 * rms(head) + 2.0

    def _onset(self, fs: int) -> int | None:
        """Board sample index of the stimulus's first sample (estimated for a real speaker)."""
        if self.player.onset_sample is not None:
            return int(self.player.onset_sample)
        anchor, t = clock_anchor(self.buffer.pcm, fs) or (None, None)
        if anchor is None or self.player.onset_time is None:
            return None
        if "clock" not in " ".join(self.notes):
            self.notes.append("The stimulus onset on the board's sample clock is estimated from "
                              "the host clock (PCM arrival times), so the delay includes the "
                              "sound device's and the link's timing error.")
        return int(round(anchor + (self.player.onset_time - t) * fs))

    def flush(self) -> Generator[Event, None, None]:
        """Emit whatever chunks are still pending."""
        with contextlib.suppress(LinkError):
            self.buffer.poll(0.0)
        yield from self._chunks(final=True)

    def _chunks(self, final: bool = False) -> Generator[Event, None, None]:
        """The capture's ``frames`` / ``pcm`` chunks, each followed by its live parity events."""
        for event in self.emitter.events(final=final):
            yield event
            if self.live is not None:
                yield from self.live.take(event)

    def analyse(self) -> tuple[dict, dict]:
        """Run `analyse_alignment` on the capture; return the summary and the final arrays."""
        from bench_app.core.runs.procedures.alignment.summary import analyse_pass

        return analyse_pass(self)


def _warm_up_analysis(host) -> None:
    """Load what the analysis needs (scipy's FFT, the front end's compiled kernels) now.

    Done in the run's thread while the player works in its own, so the analysis after the
    capture starts warm (about 2 s sooner on a minute of audio). Data keep queueing meanwhile.
    """
    from scipy import signal

    from bench_app.core.analysis import alignment  # noqa: F401 - imports scipy.stats & co.
    from bench_app.core.frontend import compute_features

    signal.correlate(np.ones(64), np.ones(16), mode="full", method="fft")
    quiet = np.zeros(2 * host.window_samples, np.int16)
    for cfg in (host, host.replace(noise_reduction_enable=False, pcan_enable=False)):
        compute_features(quiet, cfg)
