"""Levels 1 and 2: injected golden PCM gives bit-exact FRAMEs, echoed PCM, and TFLM's scores.

One injection run serves both levels: the golden clips (`stimuli`) go in one after another,
each with its own tag, while FRAME, PCM and (when the board has a model) RESULT stream. L1
compares each clip's frames with the reference front end run on that clip with the board's own
INFO settings, and the echoed PCM with what was sent. L2 runs the host twin (the same .tflite in
the TFLM interpreter, `TflmModel`) on exactly the frames the board streamed for each RESULT's
window and wants identical scores: it checks the board's model runtime, not its front end.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from bench_app.core.conformance.report import FAIL, NA, PASS, Report
from bench_app.core.conformance.stimuli import first_difference, golden_clips, reference_frames
from bench_app.core.device.protocol import PcmSource, Stream
from bench_app.core.frontend import FrontendConfig, to_int8
from bench_app.core.runs.procedures.board_io.board_session import join_pcm

#: Tags of the golden clips (first one; each next clip adds 1) and of the L2 filler audio.
FIRST_TAG = 1201
FILLER_TAG = 1299
#: RESULT windows L2 wants to check.
WANT_WINDOWS = 2


@dataclass
class InjectionRun:
    """What one injection run collected."""

    clips: dict[str, np.ndarray]
    starts: dict[str, int | None] = field(default_factory=dict)
    frames: list = field(default_factory=list)
    pcm: list = field(default_factory=list)
    results: list = field(default_factory=list)


def run_injection(client, config: FrontendConfig, streams: list[Stream], filler_samples: int,
                  quiet_s: float) -> InjectionRun:  # fmt: skip
    """Inject every golden clip (plus ``filler_samples`` of speech), collecting ``streams``."""
    run = InjectionRun(golden_clips())
    for s in streams:
        client.drain(s)
    client.start(streams)
    try:
        end = None
        for i, (name, pcm) in enumerate(run.clips.items()):
            first = client.inject(pcm, tag=FIRST_TAG + i).first_sample_index
            run.starts[name] = first
            end = None if first is None else first + len(pcm)
        if filler_samples > 0:
            speech = run.clips["speech"]
            filler = np.tile(speech, -(-filler_samples // len(speech)))[:filler_samples]
            first = client.inject(filler, tag=FILLER_TAG).first_sample_index
            end = None if first is None else first + filler_samples
        _collect(client, streams, run, config, end, quiet_s)
    finally:
        if client.connected:
            client.stop(streams)
    return run


def _collect(client, streams: list[Stream], run: InjectionRun, config: FrontendConfig,
             end: int | None, quiet_s: float) -> None:
    """Take messages until the board's frames are past the injected audio (and, with RESULT
    on, its results are in), or nothing of the clips came for ``quiet_s`` seconds.

    The microphone's frames keep coming after the clips, so silence alone cannot end this.
    """
    want = {FIRST_TAG + i: config.frames_for(len(p)) for i, p in enumerate(run.clips.values())}
    have: dict[int, int] = {}
    last_new = time.monotonic()
    past_end = False
    while time.monotonic() - last_new < quiet_s:
        got = {s: client.drain(s) for s in streams}
        frames = got.pop(Stream.FRAMES)
        run.frames += frames
        run.pcm += got.get(Stream.PCM, [])
        run.results += got.get(Stream.RESULTS, [])
        for f in frames:
            have[f.tag] = have.get(f.tag, 0) + 1
            past_end = past_end or (end is not None and f.sample_index >= end)
        if any(f.tag for f in frames) or got.get(Stream.RESULTS):
            last_new = time.monotonic()
        done_frames = past_end or all(have.get(t, 0) >= n for t, n in want.items())
        if done_frames and (Stream.RESULTS not in streams or past_end
                            or len(run.results) >= WANT_WINDOWS):  # fmt: skip
            time.sleep(0.1)  # RESULTs of the clip's last window trail its frames
            run.results += client.drain(Stream.RESULTS) if Stream.RESULTS in streams else []
            run.frames += client.drain(Stream.FRAMES)
            run.pcm += client.drain(Stream.PCM) if Stream.PCM in streams else []
            return
        time.sleep(0.01)


def check_frames(run: InjectionRun, config: FrontendConfig, report: Report, lost: int) -> None:
    """L1 frames: each clip's frames, at their grid positions, equal the reference's."""
    step = config.step_samples
    total = missing = differing = 0
    first_missing = first_diff = None
    for i, (name, pcm) in enumerate(run.clips.items()):
        ref = reference_frames(pcm, config)
        total += len(ref)
        start = run.starts[name]
        mine = [f for f in run.frames if f.tag == FIRST_TAG + i]
        if start is None and mine:
            start = mine[0].sample_index
        got = {}
        for f in mine:
            pos, off = divmod(f.sample_index - (start or 0), step)
            if off or not 0 <= pos < len(ref):
                report.add("L1", "frames-bit-exact", FAIL,
                           f"clip {name!r}: a frame at sample {f.sample_index} is off the "
                           f"{step}-sample grid that starts at the clip's sample {start}.")
                return  # fmt: skip
            got[pos] = np.asarray(f.features)
        for pos in range(len(ref)):
            if pos not in got:
                missing += 1
                first_missing = first_missing or (name, pos)
                continue
            if got[pos].shape != ref[pos].shape:
                report.add("L1", "frames-bit-exact", FAIL,
                           f"clip {name!r} frame {pos} has {got[pos].size} channels, the "
                           f"reference {ref[pos].size}.")
                return  # fmt: skip
            where = first_difference(got[pos][None, :], ref[pos][None, :])
            if where is not None:
                differing += 1
                if first_diff is None:
                    ch = where[1]
                    first_diff = (f"clip {name!r} frame {pos} channel {ch}: board "
                                  f"{int(got[pos][ch])}, reference {int(ref[pos][ch])}")
    clips = len(run.clips)
    if first_diff:
        report.add("L1", "frames-bit-exact", FAIL,
                   f"{first_diff} ({differing} of {total - missing} frames that arrived "
                   f"differ from the reference front end).")  # fmt: skip
    if missing:
        name, pos = first_missing
        report.add("L1", "frames-complete", FAIL,
                   f"{missing} of {total} frames never arrived (first: clip {name!r} frame "
                   f"{pos}; the link counted {lost} lost in sequence gaps).")  # fmt: skip
    else:
        report.add("L1", "frames-complete", PASS, f"all {total} frames of {clips} clips arrived.")
    if not first_diff:
        report.add("L1", "frames-bit-exact", PASS,
                   f"{total - missing} frames of {clips} golden clips equal the reference "
                   f"front end bit for bit.")  # fmt: skip


def check_echo(run: InjectionRun, report: Report) -> None:
    """L1 PCM: the PCM stream echoes each injected clip sample for sample."""
    echoed = [c for c in run.pcm if c.source == PcmSource.INJECTED]
    for name, pcm in run.clips.items():
        start = run.starts[name]
        if start is None:
            report.add("L1", "pcm-echo", FAIL,
                       f"clip {name!r}: the board's ACKs gave no sample index to find it by.")
            return
        got, lost = join_pcm(echoed, start, start + len(pcm))
        if lost:
            report.add("L1", "pcm-echo", FAIL, f"clip {name!r}: {lost} of {len(pcm)} injected "
                       f"samples were not echoed on the PCM stream.")  # fmt: skip
            return
        bad = np.flatnonzero(got != pcm)
        if len(bad):
            k = int(bad[0])
            report.add("L1", "pcm-echo", FAIL, f"clip {name!r} sample {k}: echoed {int(got[k])}, "
                       f"sent {int(pcm[k])} ({len(bad)} samples differ).")  # fmt: skip
            return
    n = sum(len(p) for p in run.clips.values())
    report.add("L1", "pcm-echo", PASS, f"all {n} injected samples echoed unchanged.")


def check_scores(run: InjectionRun, twin, config: FrontendConfig, report: Report) -> None:
    """L2: every RESULT whose window frames all arrived has the host twin's exact scores."""
    window = twin.input_shape[1]
    frames = sorted(run.frames, key=lambda f: f.frame_index)
    by_sample = {f.sample_index: i for i, f in enumerate(frames)}
    checked = differ = skipped = 0
    first = None
    for r in run.results:
        i = by_sample.get(r.window_start_sample)
        span = frames[i : i + window] if i is not None else []
        if len(span) < window or span[-1].frame_index - span[0].frame_index != window - 1:
            skipped += 1
            continue
        if r.window_end_sample != span[-1].sample_index + config.window_samples:
            report.add("L2", "result-scores", FAIL,
                       f"RESULT {r.window_index} ends at sample {r.window_end_sample}, its "
                       f"{window}-frame window at {span[-1].sample_index + config.window_samples}.")
            return  # fmt: skip
        want = twin.invoke(to_int8(np.stack([f.features for f in span])))
        got = np.asarray(r.scores)
        checked += 1
        if got.shape != want.shape or not np.array_equal(got, want):
            differ += 1
            if first is None:
                k = 0 if got.shape != want.shape else int(np.flatnonzero(got != want)[0])
                first = (f"RESULT {r.window_index} score {k}: board {got.reshape(-1)[k]}, "
                         f"host twin {want[k]}" if got.shape == want.shape else
                         f"RESULT {r.window_index} has {got.size} scores, the twin {want.size}")
    if differ:
        report.add("L2", "result-scores", FAIL,
                   f"{first} ({differ} of {checked} windows differ from TFLM).")
    elif not run.results:
        report.add("L2", "result-scores", FAIL, "the board sent no RESULT for the injected "
                   "audio although it lists 'results'.")  # fmt: skip
    elif not checked:
        report.add("L2", "result-scores", NA,
                   f"cannot check: all {skipped} RESULT windows miss some of their {window} "
                   f"FRAMEs (see L1).")  # fmt: skip
    else:
        report.add("L2", "result-scores", PASS,
                   f"{checked} RESULT windows equal the host twin's TFLM scores exactly.")


def not_applicable(report: Report, level_checks: dict[str, tuple[str, ...]], why: str) -> None:
    """Mark each named check of each level n/a with the same reason."""
    for level, names in level_checks.items():
        for name in names:
            report.add(level, name, NA, why)
