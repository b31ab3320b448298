"""What the virtual board computes from its audio: FRAME, PCM and RESULT messages.

Audio arrives in blocks of whole front end steps (one step in real time, up to `MAX_STEPS`
when running fast or catching up, since the front end is far cheaper per frame in batches; less
at a clip's end) from one source: an injected clip or the microphone. A *run* is a stretch of
audio from one source (one clip, or one microphone stretch); at the start of a run the board
resets its front end, as a fresh ``PrepareAudioFrontEnd`` would, so an injected clip's frames
are exactly the reference front end's frames of that clip. Frame and sample counters run on
since boot; the model's windows run on across runs (docs/protocol.md, 6.3).
"""

from __future__ import annotations

import time

import numpy as np

from bench_app.core.device.emulator.board_faults import BoardFaults, FrameDropper, offset_scores
from bench_app.core.device.emulator.clock import BoardClock
from bench_app.core.device.emulator.model_runner import ModelRunner
from bench_app.core.device.protocol import Frame, Pcm, Result, Stream
from bench_app.core.frontend import FrontendConfig

#: Most front end steps processed in one block.
MAX_STEPS = 10


class BoardCore:
    """Front end + model of the virtual board, turning audio blocks into messages.

    Parameters
    ----------
    frontend_config : FrontendConfig
        The board's own front end settings (may differ from the host's).
    runner : ModelRunner or None
        The model, or None for a board without one (no RESULT stream).
    clock : BoardClock
        Counts the samples that entered the front end (board time).
    faults : BoardFaults, optional
        A broken board (``--fault``): frames left unsent, RESULT scores offset. A wrong band
        is the caller's: it passes the faulty config here and states the right one in INFO.
    """

    def __init__(self, frontend_config: FrontendConfig, runner: ModelRunner | None,
                 clock: BoardClock, faults: BoardFaults | None = None):  # fmt: skip
        from bench_app.core.frontend import MicroFrontend

        self.config = frontend_config
        self.frontend = MicroFrontend(frontend_config)
        self.frontend.process(np.zeros(frontend_config.window_samples, np.int16))  # compile now
        self.frontend.reset()
        self.runner = runner
        self.clock = clock
        self.step = frontend_config.step_samples
        self.window = frontend_config.window_samples
        self.frames_total = 0
        self.windows_total = 0
        self._run_key: tuple | None = None
        self._run_start = 0
        self._run_frames = 0
        self._fe_ns = 0  # front end time since the last inference
        self.results_enabled = False
        faults = faults or BoardFaults()
        self._dropper = FrameDropper(faults)
        self._result_offset = faults.result_offset

    def enable_results(self, on: bool) -> None:
        """Run the model only while the RESULT stream is on (its buffer restarts each time)."""
        if self.runner is not None and on != self.results_enabled:
            self.runner.reset(self.frames_total)
            self._fe_ns = 0
        self.results_enabled = on and self.runner is not None

    def process(self, samples: np.ndarray, source: int, tag: int, new_run: bool,
                streams: frozenset[Stream]) -> list:  # fmt: skip
        """Feed one block; return the messages of the ``streams`` that are on.

        ``source`` is the PCM source code; ``new_run`` forces a front end reset (a clip starts).
        """
        key = (source, tag)
        if new_run or key != self._run_key:
            self.frontend.reset()
            self._run_key = key
            self._run_start = self.clock.samples
            self._run_frames = 0
        start_index = self.clock.samples
        t0 = time.perf_counter_ns()
        feats = self.frontend.process(samples)
        t_fe_end = time.perf_counter_ns()
        self._fe_ns += t_fe_end - t0
        self.clock.advance(len(samples))
        out: list = []
        n = len(feats)
        first_frame = self.frames_total
        sample_idx = self._run_start + (self._run_frames + np.arange(n)) * self.step
        self.frames_total += n
        self._run_frames += n
        if Stream.PCM in streams:  # in 10 ms messages (docs/protocol.md), whatever the block
            for i in range(0, len(samples), self.step):
                out.append(Pcm(self.clock.us_at(start_index + i), start_index + i,
                               samples[i : i + self.step], source))  # fmt: skip
        if Stream.FRAMES in streams:
            for i in range(n):
                if not self._dropper.keep():
                    continue  # --fault drop-frames: its frame index is used up
                s = int(sample_idx[i])
                out.append(Frame(self.clock.us_at(s + self.window), first_frame + i,
                                 feats[i], s, tag))  # fmt: skip
        if self.results_enabled and n:
            tags = np.full(n, tag, np.int64)
            for inf in self.runner.push(feats, sample_idx, tags, first_frame):
                out.append(self._result(inf, t_fe_end))
        return out

    def _result(self, inf, t_fe_end: int) -> Result:
        fe_us = self._fe_ns // 1000
        self._fe_ns = 0
        # The window's front end work, then everything after it: to_int8, invoke, packing.
        total_us = fe_us + max((time.perf_counter_ns() - t_fe_end) // 1000, inf.invoke_us)
        end = inf.last_frame_sample + self.window
        result = Result(
            timestamp_us=self.clock.us_at(end) + total_us,
            window_index=self.windows_total,
            window_start_sample=inf.start_sample,
            window_end_sample=end,
            scores=offset_scores(inf.scores, self._result_offset),
            frontend_us=fe_us,
            invoke_us=inf.invoke_us,
            total_us=total_us,
            scale=inf.scale,
            zero_point=inf.zero_point,
            tag_first=inf.tag_first,
            tag_last=inf.tag_last,
        )
        self.windows_total += 1
        return result
