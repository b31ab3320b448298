"""One clip through the board: play or inject it, then take its RESULTs and microphone PCM.

`BoardPass` holds the board's streams for a whole corpus run (RESULTS, PCM and FRAMES; FRAMES
tell at which front-end frame a clip starts, hence how many of the board's windows fall
inside it). A clip's windows are the RESULTs whose window lies inside the clip's samples on
the board's counter (and, when injected, whose ``tag_first`` and ``tag_last`` are the clip's
tag). The board runs its windows on its own grid: every ``hop_frames`` frames since its model
started (docs/protocol.md). So the run pads each clip with silence to at least one window
plus one hop, which guarantees a window inside it.

Injected path: the clips are injected back to back with no END_OF_CLIP (a new tag starts a
new clip, with a fresh front end), after a silent *primer* clip whose length puts the first
clip's first frame on the board's hop grid. A board that waits for the host's next chunk (the
virtual board with ``--fast``) then gives every clip the same windows (at clip frames 0, hop,
2 hop, ...) whatever happened before: answers do not depend on the clip's place in the run,
and a resumed run ends with the same figures. Each clip's length is a whole number of steps
and of hops in frames, so the grid stays aligned from clip to clip.

Acoustic path: a short silent clip is injected first (when the board can take one), so the
microphone run restarts at a known sample; the host front end then runs on every PCM sample
from there, and its frames at any window of the board are the board's own (if no PCM was
lost): the twin on the board's PCM sees exactly what the board saw.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Generator

import numpy as np

from bench_app.core.errors import ConfigError, LinkError
from bench_app.core.runs.engine.procedure import RunContext
from bench_app.core.runs.procedures.board_io.board_session import (
    BoardSession,
    StreamBuffer,
    join_pcm,
)

#: INJECT tags: the primer, the acoustic path's front-end restart, and clips (base + n).
PRIMER_TAG, RESTART_TAG, CLIP_TAG_BASE = 0xC0A1, 0xC0A2, 0xC1000000
#: Hop assumed when the board's INFO states none (the paper's 1 s at 10 ms frames).
DEFAULT_HOP_FRAMES = 100
#: Microphone audio awaited after an acoustic clip, seconds (the padding already holds the
#: channel's delay and echo).
DEFAULT_TAIL_S = 0.0


@dataclasses.dataclass
class Capture:
    """What the board gave for one clip.

    ``onset``: board sample of the clip's first sample; ``raw``: raw window scores (windows,
    classes); ``starts``: each window's first board sample; ``scale`` / ``zero_point``: the
    output quantisation of the RESULTs; ``pcm``: the board's PCM over the clip's padded length
    (the injected samples, or the microphone); ``missing``: PCM samples lost on the link;
    ``host_frames`` / ``host_first``: the host front end's frames of the board's microphone
    run and the board sample of the first one (acoustic path only).
    """

    onset: int
    raw: np.ndarray
    starts: list[int]
    scale: float
    zero_point: int
    pcm: np.ndarray
    missing: int
    host_frames: np.ndarray | None = None
    host_first: int = 0


def clip_frames_needed(window_frames: int, hop_frames: int) -> int:
    """Fewest frames a clip is padded to: one window plus one hop, rounded up to whole hops."""
    n = window_frames + hop_frames
    return -(-n // hop_frames) * hop_frames


def padded_length(n_samples: int, frontend, window_frames: int, hop_frames: int) -> int:
    """Samples a clip of ``n_samples`` is padded to: whole steps, whole hops of frames, and at
    least `clip_frames_needed` frames."""
    step, win = frontend.step_samples, frontend.window_samples
    extra = -(-win // step) - 1  # steps of a clip that make no frame of their own
    frames = max(frontend.frames_for(n_samples), clip_frames_needed(window_frames, hop_frames))
    frames = -(-frames // hop_frames) * hop_frames
    length = (frames + extra) * step
    while frontend.frames_for(length) < frames or length < n_samples:  # odd window/step ratios
        length += step
    return length


class BoardPass:
    """The board's side of a corpus run (see the module docstring)."""

    def __init__(self, session: BoardSession, frontend, *, path: str, output: str,
                 timeout_s: float, tail_s: float = DEFAULT_TAIL_S) -> None:
        from bench_app.core.device.protocol import Stream

        self.s, self.fe, self.path, self.output = session, frontend, path, output
        self.timeout_s, self.tail_s = timeout_s, tail_s
        self.client = session.client
        self.buffer = StreamBuffer(self.client, timeout_s)
        self.window_frames = int(session.info.model_window_frames or 0)
        self.hop_frames = int(session.info.model_hop_frames or 0)
        self.streams = [Stream.PCM, Stream.FRAMES] + (
            [Stream.RESULTS] if session.has("results") else [])
        if not session.has("pcm"):
            raise ConfigError("This board sends no PCM, so the twin on its microphone audio "
                              "cannot run and the clips' ends cannot be found.")
        if path == "injected" and not session.has("inject_pcm"):
            raise ConfigError("This board cannot take injected audio (no inject_pcm).")
        self.notes: list[str] = []
        self._host_fe = None
        self._host_frames: list[np.ndarray] = []
        self._host_first = 0
        self._fed_to = 0
        self._started = False

    # -- the run's streams ---------------------------------------------------------------
    def start(self) -> None:
        """Start the streams, then prime the injected path or restart the microphone run."""
        self.client.start(self.streams)
        self._started = True
        if self.path == "injected":
            self._prime()
        else:
            self._restart_microphone()

    def stop(self) -> None:
        """Stop the streams (never raises)."""
        if self._started and self.client.connected:
            with contextlib.suppress(Exception):
                self.client.stop(self.streams)
        self._started = False

    def _frames_with_tag(self, tag: int, wait_s: float) -> list:
        deadline = time.perf_counter() + wait_s
        while True:
            self.buffer.poll(0.01)
            got = [f for f in self.buffer.frames if f.tag == tag]
            if got or time.perf_counter() > deadline:
                return got

    def _prime(self) -> None:
        """Inject silence that ends exactly on the board's hop grid (module docstring)."""
        if not self.hop_frames:
            return
        win, step = self.fe.window_samples, self.fe.step_samples
        self.client.inject(np.zeros(win, np.int16), tag=PRIMER_TAG, end_of_clip=False)
        frames = self._frames_with_tag(PRIMER_TAG, self.timeout_s)
        if not frames:
            self.notes.append("The board sent no frame of the primer clip, so its windows "
                              "may fall anywhere in each clip.")
            return
        f0 = int(frames[0].frame_index)
        more = (-(f0 + 1)) % self.hop_frames  # frames so that the next clip starts on the grid
        if more:
            self.client.inject(np.zeros(more * step, np.int16), tag=PRIMER_TAG,
                               end_of_clip=False)

    def _restart_microphone(self) -> None:
        """Inject one silent step so the microphone run (and its front end) restarts."""
        from bench_app.core.frontend import MicroFrontend

        if not self.s.has("inject_pcm"):
            self.notes.append("The board cannot take injected audio, so its microphone run "
                              "was not restarted: the twin on its PCM starts from a state "
                              "the host does not know.")
            deadline = time.perf_counter() + self.timeout_s
            while self.buffer.pcm_end() is None and time.perf_counter() < deadline:
                self.buffer.poll(0.02)
            start = self.buffer.pcm_end() or 0
        else:
            clip = np.zeros(self.fe.step_samples, np.int16)
            report = self.client.inject(clip, tag=RESTART_TAG)
            start = int(report.first_sample_index) + len(clip)
        self._host_fe = MicroFrontend(self.fe)
        self._host_first = self._fed_to = start

    # -- one clip --------------------------------------------------------------------------
    def begin(self, samples: np.ndarray, tag: int):
        """Start playing or injecting ``samples`` (already padded); return the player.

        The host may work (the previous clip's twin) while the board takes the clip; then
        `finish` waits for the board's answer.
        """
        from bench_app.core.audio.player import open_player

        self._trim()
        if self.path == "injected":
            return _Injection(self.client, samples, tag)
        address = self.s.speaker_address() if self.output == "virtual" else None
        if self.output == "virtual" and not address:
            raise ConfigError("This board has no virtual speaker; give --output DEVICE.")
        return open_player(self.output, samples, self.s.sample_rate, virtual_address=address,
                           board_step=self.fe.step_samples, lead_in_s=0.0, gap_s=0.0)

    def finish(self, ctx: RunContext, player, length: int, tag: int
               ) -> Generator[None, None, Capture]:  # fmt: skip
        """Wait for the clip ``player`` plays; yield while waiting; return its Capture."""
        try:
            while not player.done:
                self.buffer.poll(0.005)
                player.check()
                yield None
            player.check()
            onset = player.onset_sample
            if onset is None:
                raise LinkError("The board did not say where the clip began (no onset).")
            onset = int(onset)
            yield from self._wait_for_clip(ctx, onset, length, tag)
        finally:
            if not player.done:
                with contextlib.suppress(Exception):
                    player.stop()
        return self._capture(onset, length, tag)

    def play(self, ctx: RunContext, samples: np.ndarray, tag: int
             ) -> Generator[None, None, Capture]:  # fmt: skip
        """`begin` then `finish`: one clip with nothing to do meanwhile."""
        player = self.begin(samples, tag)
        return (yield from self.finish(ctx, player, len(samples), tag))

    def _in_clip(self, r, onset: int, length: int, tag: int) -> bool:
        inside = onset <= int(r.window_start_sample) and int(r.window_end_sample) <= onset + length
        if self.path == "injected":
            return inside and r.tag_first == tag and r.tag_last == tag
        return inside

    def _expected_windows(self, onset: int, length: int, tag: int) -> int | None:
        """Board windows inside an injected clip, from its first frame's index (None if no
        frame of it has come yet, or the board states no model window)."""
        first = next((f for f in self.buffer.frames if f.tag == tag), None)
        if first is None or not self.hop_frames or not self.window_frames:
            return None
        f0, n = int(first.frame_index), self.fe.frames_for(length)
        g = -(-f0 // self.hop_frames) * self.hop_frames
        last = f0 + n - self.window_frames
        return 0 if g > last else (last - g) // self.hop_frames + 1

    def _wait_for_clip(self, ctx: RunContext, onset: int, length: int, tag: int
                       ) -> Generator[None, None, None]:  # fmt: skip
        """Wait until the clip's PCM and every RESULT inside it have arrived."""
        fs = self.s.sample_rate
        end = onset + length
        tail = 0 if self.path == "injected" else int(self.tail_s * fs)
        deadline = None
        has_results = self.s.has("results")
        while True:
            self.buffer.poll(0.005)
            pcm_end = self.buffer.pcm_end() or 0
            if pcm_end >= end + tail:
                if self.path != "injected" or not has_results:
                    if pcm_end >= end + tail + self.fe.step_samples:
                        self.buffer.poll(0.0)
                        return
                else:
                    expected = self._expected_windows(onset, length, tag)
                    got = sum(self._in_clip(r.message, onset, length, tag)
                              for r in self.buffer.results)
                    if expected is not None and got >= expected:
                        return
                    if pcm_end >= end + self.fe.step_samples:  # the board moved on
                        self.buffer.poll(0.0)
                        return
                deadline = deadline or time.perf_counter() + self.timeout_s
                if time.perf_counter() > deadline:
                    self.notes.append(f"A clip's RESULTs were still incomplete {self.timeout_s:g}"
                                      " s after its audio; the run took what had come.")
                    return
            if ctx.cancel_requested:
                yield None
            yield None

    def _capture(self, onset: int, length: int, tag: int) -> Capture:
        results = [r.message for r in self.buffer.results
                   if self._in_clip(r.message, onset, length, tag)]
        results.sort(key=lambda r: int(r.window_start_sample))
        raw = (np.stack([np.asarray(r.scores) for r in results]) if results
               else np.zeros((0, 0)))
        scale = float(results[0].scale) if results else 1.0
        zero = int(results[0].zero_point) if results else 0
        pcm, missing = join_pcm(self._pcm_chunks(), onset, onset + length)
        cap = Capture(onset, raw, [int(r.window_start_sample) for r in results], scale, zero,
                      pcm, missing)
        if self._host_fe is not None:
            self._feed_host(onset + length + int(self.tail_s * self.s.sample_rate))
            cap.host_frames = (np.concatenate(self._host_frames) if self._host_frames
                               else np.zeros((0, self.fe.filterbank_n_channels), np.uint16))
            cap.host_first = self._host_first
        return cap

    def _pcm_chunks(self) -> list:
        from bench_app.core.device.protocol import PcmSource

        want_injected = self.path == "injected"
        return [c for c in self.buffer.pcm
                if (c.message.source == PcmSource.INJECTED) == want_injected]

    def _feed_host(self, upto: int) -> None:
        """Run the host front end on the microphone PCM from where it stopped to ``upto``."""
        end = min(upto, self.buffer.pcm_end() or 0)
        if end <= self._fed_to:
            return
        pcm, missing = join_pcm(self._pcm_chunks(), self._fed_to, end)
        if missing and "lost" not in " ".join(self.notes):
            self.notes.append("Microphone PCM was lost on the link, so the twin on the board's "
                              "PCM saw zeros where the board heard sound.")
        self._host_frames.append(self._host_fe.process(pcm))
        self._fed_to = end

    def _trim(self) -> None:
        """Forget messages of clips already captured (a long corpus would fill memory)."""
        b = self.buffer
        if self._host_fe is not None:
            self._feed_host(b.pcm_end() or 0)
            keep = 2 * (self.window_frames + self.hop_frames) + 64
            total = sum(len(f) for f in self._host_frames)
            if total > 4 * keep:
                frames = np.concatenate(self._host_frames)
                drop = len(frames) - keep
                self._host_frames = [frames[drop:]]
                self._host_first += drop * self.fe.step_samples
        cut = (b.pcm_end() or 0) - 4 * self.s.sample_rate
        b.pcm = [c for c in b.pcm if int(c.message.sample_index) >= cut]
        b.results = [r for r in b.results if int(r.message.window_end_sample) >= cut]
        b.frames = b.frames[-4 * (self.window_frames + self.hop_frames):]


class _Injection:
    """A clip injected with no END_OF_CLIP (its tag starts it), as a player in a thread."""

    def __init__(self, client, samples: np.ndarray, tag: int) -> None:
        import threading

        self.report = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, args=(client, samples, tag),
                                        daemon=True, name="corpus-inject")
        self._thread.start()

    def _work(self, client, samples, tag) -> None:
        try:
            self.report = client.inject(samples, tag=tag, end_of_clip=False)
        except BaseException as exc:  # re-raised by check() in the run's thread
            self._error = exc

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    @property
    def onset_sample(self) -> int | None:
        return None if self.report is None else self.report.first_sample_index

    def check(self) -> None:
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        return None
