"""From an alignment capture to its summary and arrays: placement, analysis, figures' data.

Placement. The PCM handed to the analysis starts at the board sample where the board's front
end (re)started (``run_start``): the first sample of the injected clip, or the first microphone
sample after the silent restart clip. Board frame ``i`` covers board samples from its FRAME
``sample_index``, so it matches host frame ``i + frame_offset`` with ``pcm_trim + frame_offset
* step = sample_index(0) - run_start``. The stimulus is placed on the same counter: the
analysis gets it preceded by ``onset - run_start`` zeros (the timeline shifted alike), so the
measured delay is the delay after the stimulus's first sample entered the board's path (the
acoustic channel for the virtual speaker, the front end when injected).
"""

from __future__ import annotations

import time

import numpy as np

from bench_app.core.runs.procedures.board_io.board_session import join_pcm, pcm_coverage, pcm_end
from bench_app.core.runs.procedures.board_io.chunks import contiguous_frames


def _shift_timeline(entries, by: int) -> list[dict]:
    out = []
    for e in entries:
        d = e.to_dict() if hasattr(e, "to_dict") else dict(e)
        d["start"], d["end"] = int(d["start"]) + by, int(d["end"]) + by
        out.append(d)
    return out


def analyse_pass(cap) -> tuple[dict, dict]:
    """Analyse a `alignment._StimulusPass`; return (summary, arrays) as the run stores them."""
    from bench_app.core.analysis.alignment import AlignmentOptions, analyse_alignment

    t0 = time.perf_counter()
    p, host, stim, s = cap.p, cap.host, cap.stim, cap.s
    fs, step = stim.sample_rate, host.step_samples
    notes = list(cap.notes)
    onset = cap.player.onset_sample if cap.player is not None else None
    if p.path == "acoustic" and cap.player is not None:
        onset = cap._onset(fs)
    start = cap.run_start if cap.run_start is not None else onset
    if start is None:  # nothing was placed (the board vanished before the stimulus began)
        start = min((c.message.sample_index for c in cap.emitter.pcm), default=0)
    pcm, missing = join_pcm(cap.emitter.pcm, int(start)) if cap.emitter.pcm else (None, 0)
    usable = cap.emitter.frames
    if missing and p.path == "injected" and onset is not None:
        # The board was fed exactly the injected samples (it acknowledged consuming them):
        # what the link lost of its PCM echo is known.
        pcm = _fill_from_stimulus(cap.emitter.pcm, pcm, int(start), int(onset), stim.samples)
        notes.append(f"{missing} PCM samples were lost on the link; they were taken from the "
                     "injected stimulus, which is what the board's front end was fed.")
    elif missing:
        # The front end's state carries on: after a lost chunk the host's state is not the
        # board's, so the analysis stops at the first one.
        gap = _first_gap(cap.emitter.pcm, int(start))
        pcm = pcm[:gap]
        usable = [f for f in usable if f.sample_index + host.window_samples <= start + gap]
        notes.append(f"{missing} PCM samples were lost on the link; the analysis uses the "
                     f"{gap / fs:.2f} s before the first loss.")
    frames, first_sample, cut = contiguous_frames(usable, step)
    if cut:
        notes.append(f"The FRAME stream had gaps (frames lost on the link); parity uses its "
                     f"longest unbroken run and leaves {cut} frames out.")
    offset = int(first_sample) - int(start) if len(frames) else 0
    frame_offset, pcm_trim = offset // step, offset % step
    if pcm_trim:
        notes.append("The board's frames are not on the PCM's frame grid; parity is computed "
                     "on the nearest grid and cannot be exact.")
    pad = 0 if onset is None else int(onset) - int(start)
    stimulus = stim.samples
    if pad >= 0:
        stimulus = np.concatenate([np.zeros(pad, np.int16), stim.samples])
    else:
        stimulus, pad = stim.samples[-pad:], 0
        notes.append("The stimulus started before the captured PCM; its start was cut.")
    report = analyse_alignment(
        stimulus, frames, host, board_pcm=pcm, board_config=dict(s.info.frontend or {}),
        timeline=_shift_timeline(stim.timeline, pad), frame_offset=frame_offset,
        pcm_trim=pcm_trim, options=AlignmentOptions(threshold=p.threshold),
        expected_frames=max(0, (len(stim.samples) - host.window_samples) // step + 1),
    )
    summary = report.to_dict()
    continuous = _continuity(pcm, stimulus, pad, summary.get("delay_samples"))
    underflows = getattr(cap.player, "underflows", None)
    if underflows:
        notes.append(f"The sound device reported {underflows} output underflows: silence was "
                     "inserted into the stimulus, which shifts everything after it.")
    if continuous is False:
        notes.append("The stimulus did not reach the board in one piece: its end "
                     "arrived at another delay than the whole (audio was lost or inserted on "
                     "the way, e.g. a speaker underrun), so the figures after the break are "
                     "not trustworthy.")
    summary["notes"] = list(summary.get("notes", [])) + notes
    summary.update(
        path=p.path,
        output=p.output if p.path == "acoustic" else None,
        stimulus=stim.name,
        stimulus_seconds=stim.duration_s,
        level_dbfs=p.level_dbfs,
        host_frontend=host.to_dict(),
        board_frontend=dict(s.info.frontend or {}),
        placement={"run_start_sample": int(start), "stimulus_onset_sample": onset,
                   "stimulus_pad_samples": pad, "frame_offset": frame_offset,
                   "pcm_trim": pcm_trim},
        frames_received=int(len(frames)),
        pcm_samples=0 if pcm is None else int(len(pcm)),
        pcm_missing_samples=missing,
        stimulus_continuous=continuous,
        playback_underflows=getattr(cap.player, "underflows", None),
        link=s.client.stats.as_dict(),
        analysis_seconds=time.perf_counter() - t0,
    )
    return summary, _arrays(report)


def _continuity(pcm, stimulus: np.ndarray, pad: int, delay, window: int = 4000) -> bool | None:
    """Whether the stimulus's last fifth arrived at the delay of the whole (within 2 samples).

    Audio lost or inserted anywhere before it shifts the end, so the end alone tells. It is
    cross-correlated with the PCM around the measured delay only (``+-window`` samples; a
    larger shift is a failure too). None when it cannot be checked (no PCM, no delay, a silent
    or missing end).
    """
    from scipy import signal

    if pcm is None or delay is None or len(stimulus) - pad < 2:
        return None
    half = pad + (len(stimulus) - pad) * 4 // 5
    tail = np.asarray(stimulus[half:], np.float64)
    lo = half + int(delay) - window
    seg = np.asarray(pcm[max(0, lo) : half + int(delay) + window + len(tail)], np.float64)
    if not tail.any() or lo < 0 or len(seg) < len(tail) + 2 * window:
        return None
    c = np.abs(signal.correlate(seg, tail, mode="valid", method="fft"))
    return abs(int(np.argmax(c)) - window) <= 2


def _fill_from_stimulus(chunks, pcm: np.ndarray, start: int, onset: int,
                        stimulus: np.ndarray) -> np.ndarray:
    """``pcm`` with the samples no chunk holds taken from the injected ``stimulus``."""
    idx = np.flatnonzero(~pcm_coverage(chunks, start, len(pcm)))
    src = idx + start - onset
    ok = (src >= 0) & (src < len(stimulus))
    out = pcm.copy()
    out[idx[ok]] = stimulus[src[ok]]
    return out


def _first_gap(chunks, start: int) -> int:
    """Samples from ``start`` up to the first one no PCM chunk holds."""
    have = pcm_coverage(chunks, start, pcm_end(chunks, start) - start)
    return int(np.argmin(have)) if not have.all() else len(have)


def _arrays(report) -> dict[str, np.ndarray]:
    """The arrays the report and the window draw (names as `report.model` expects)."""
    par, ac = report.parity, report.acoustic
    out: dict[str, np.ndarray] = {}
    if par.arrays:
        host = np.asarray(par.arrays["host"])
        board = np.asarray(par.arrays["board"])
        out["reference_frames"] = host.astype(np.uint16)
        out["board_frames"] = board.astype(np.uint16)
        out["difference"] = board.astype(np.int32) - host.astype(np.int32)
        out["parity_rel_error"] = np.asarray(par.arrays["rel_error"], np.float64)
        out["parity_per_channel"] = np.asarray(par.per_channel, np.float64)
        out["parity_over_time"] = np.asarray(par.per_frame, np.float64)
    if ac.response_db:
        out["acoustic_response_db"] = np.asarray(ac.response_db, np.float64)
    for key, value in ac.arrays.items():
        out[key] = np.asarray(value)
    return out

