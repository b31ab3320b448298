"""Levels 3 and 4: the board's own microphone, live, and (optionally) for a long time.

L3 listens for a few seconds with FRAME and PCM on and no injection: the microphone must give a
non-zero level, FRAMEs must come one per hop (consecutive indices, sample indices one step
apart, board timestamps one hop apart and, on a board that runs in real time, about one hop
apart on the host's clock too) and the board's overflow counters (HEARTBEAT) and the link's
loss counters must not move. L4 does the same for ``--soak-s`` seconds keeping only counts.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from bench_app.core.conformance.report import FAIL, NA, PASS, Report
from bench_app.core.device.protocol import PcmSource, Stream
from bench_app.core.frontend import FrontendConfig

#: Host-clock frame rate tolerance for a real-time board (link batching, scheduling).
RATE_TOLERANCE = 0.2
#: Board-timestamp hop tolerance (timestamps are microseconds of the board's own clock).
HOP_TOLERANCE = 0.02


@dataclass
class StreamMonitor:
    """Counts what a live stream delivered, without keeping the messages."""

    step: int
    frames: int = 0
    missing_frames: int = 0
    first_gap: int | None = None
    off_grid: int = 0
    mic_samples: int = 0
    mic_gap_samples: int = 0
    nonzero: int = 0
    energy: float = 0.0
    results: int = 0
    _last_frame = None
    _next_pcm: int | None = None
    first_ts: int | None = None
    last_ts: int | None = None
    first_host: float | None = None
    last_host: float | None = None

    def feed(self, frames: list, pcm: list, results: list, host_time: float) -> None:
        for f in frames:
            prev = self._last_frame
            if prev is not None:
                gap = f.frame_index - prev.frame_index
                if gap > 1:
                    self.missing_frames += gap - 1
                    self.first_gap = self.first_gap if self.first_gap is not None \
                        else prev.frame_index
                if gap < 1 or f.sample_index - prev.sample_index != gap * self.step:
                    self.off_grid += 1
            else:
                self.first_ts, self.first_host = f.timestamp_us, host_time
            self._last_frame = f
            self.last_ts, self.last_host = f.timestamp_us, host_time
            self.frames += 1
        for c in pcm:
            if c.source != PcmSource.MICROPHONE:
                continue
            if self._next_pcm is not None and c.sample_index > self._next_pcm:
                self.mic_gap_samples += c.sample_index - self._next_pcm
            self._next_pcm = c.sample_index + len(c.samples)
            x = np.asarray(c.samples, np.float64)
            self.mic_samples += len(x)
            self.nonzero += int(np.count_nonzero(x))
            self.energy += float(np.dot(x, x))
        self.results += len(results)

    def level_dbfs(self) -> float:
        if not self.mic_samples or not self.energy:
            return -math.inf
        return 20 * math.log10(math.sqrt(self.energy / self.mic_samples) / 32768)


def listen(client, streams: list[Stream], seconds: float, step: int) -> tuple[StreamMonitor,
                                                                              dict]:
    """Stream ``streams`` for ``seconds`` from the microphone; the monitor and counter deltas."""
    before = _counters(client)
    for s in streams:
        client.drain(s)
    mon = StreamMonitor(step)
    client.start(streams)
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            time.sleep(0.05)
            got = {s: client.drain(s) for s in streams}
            mon.feed(got.get(Stream.FRAMES, []), got.get(Stream.PCM, []),
                     got.get(Stream.RESULTS, []), time.monotonic())  # fmt: skip
    finally:
        if client.connected:
            client.stop(streams)
    after = _counters(client)
    return mon, {k: after[k] - before[k] for k in after}


def _counters(client) -> dict[str, int]:
    s = client.stats
    return {"link drops": s.total_drops, "crc errors": s.crc_errors,
            "broken frames": s.broken_frames, "reconnects": s.reconnects,
            "queue overflows": s.queue_overflows, "board audio overruns": s.board_audio_overruns,
            "board transmit overflows": s.board_tx_overflows}  # fmt: skip


def check_live(client, config: FrontendConfig, report: Report, seconds: float) -> None:
    """The L3 checks."""
    info = client.last_info
    if "microphone" not in info.capabilities:
        for name in ("mic-level", "frame-cadence", "overflow-counters"):
            report.add("L3", name, NA, "INFO lists no 'microphone' capability.")
        return
    streams = [Stream.FRAMES] + ([Stream.PCM] if "pcm" in info.capabilities else [])
    t0 = time.monotonic()
    mon, moved = listen(client, streams, seconds, config.step_samples)
    took = time.monotonic() - t0
    if Stream.PCM not in streams:
        report.add("L3", "mic-level", NA, "INFO lists no 'pcm' capability to measure it on.")
    elif not mon.nonzero:
        report.add("L3", "mic-level", FAIL,
                   f"all {mon.mic_samples} microphone samples were zero in {seconds:g} s.")
    else:
        report.add("L3", "mic-level", PASS, f"microphone at {mon.level_dbfs():.1f} dBFS RMS "
                   f"over {mon.mic_samples} samples.", took)  # fmt: skip
    report.add("L3", "frame-cadence", *_cadence(mon, config, info.clock_speed, seconds))
    report.add("L3", "overflow-counters", *_unmoved(moved, mon))


def _cadence(mon: StreamMonitor, config: FrontendConfig, speed, seconds: float
             ) -> tuple[str, str]:  # fmt: skip
    hop_us = config.step_samples * 1e6 / config.sample_rate_hz
    if mon.frames < 3:
        return FAIL, f"only {mon.frames} FRAMEs from the microphone in {seconds:g} s."
    if mon.missing_frames:
        return FAIL, (f"{mon.missing_frames} of {mon.frames + mon.missing_frames} frames were "
                      f"never sent (frame index gaps, first after frame {mon.first_gap}).")
    if mon.off_grid:
        return FAIL, (f"{mon.off_grid} FRAMEs are not one {config.step_samples}-sample step "
                      f"after the one before.")  # fmt: skip
    board_hop = (mon.last_ts - mon.first_ts) / (mon.frames - 1)
    if abs(board_hop - hop_us) > HOP_TOLERANCE * hop_us:
        return FAIL, (f"board timestamps are {board_hop:.0f} us apart, the config's hop is "
                      f"{hop_us:.0f} us.")  # fmt: skip
    try:
        rate = float(speed)
    except (TypeError, ValueError):
        rate = None  # "fast": the board's clock is not the host's
    if rate and mon.last_host > mon.first_host:
        per_s = (mon.frames - 1) / (mon.last_host - mon.first_host)
        want = rate * 1e6 / hop_us
        if abs(per_s - want) > RATE_TOLERANCE * want:
            return FAIL, (f"{per_s:.1f} FRAMEs per second on the host's clock, the hop and "
                          f"clock speed give {want:.1f}.")  # fmt: skip
        return PASS, (f"{mon.frames} FRAMEs, {per_s:.1f}/s, board timestamps "
                      f"{board_hop:.0f} us apart (hop {hop_us:.0f} us), no gaps.")
    return PASS, (f"{mon.frames} FRAMEs, board timestamps {board_hop:.0f} us apart "
                  f"(hop {hop_us:.0f} us), no gaps.")


def _unmoved(moved: dict[str, int], mon: StreamMonitor) -> tuple[str, str]:
    bad = {k: v for k, v in moved.items() if v}
    if mon.mic_gap_samples:
        bad["microphone PCM samples missing"] = mon.mic_gap_samples
    if bad:
        return FAIL, "counters moved: " + ", ".join(f"{k} +{v}" for k, v in bad.items()) + "."
    return PASS, "no overruns, transmit overflows, link drops or CRC errors."


def check_soak(client, config: FrontendConfig, report: Report, seconds: float) -> None:
    """L4: stream everything the board has for ``seconds``; nothing may be dropped."""
    if seconds <= 0:
        report.add("L4", "soak", NA, "not asked for (--soak-s N runs it, 600 for 10 minutes).")
        return
    caps = client.last_info.capabilities
    streams = [s for s, cap in ((Stream.FRAMES, "frames"), (Stream.PCM, "pcm"),
                                (Stream.RESULTS, "results")) if cap in caps]  # fmt: skip
    t0 = time.monotonic()
    mon, moved = listen(client, streams, seconds, config.step_samples)
    status, why = _unmoved(moved, mon)
    if status == PASS and mon.missing_frames:
        status, why = FAIL, f"{mon.missing_frames} frames never sent (frame index gaps)."
    if status == PASS and mon.frames == 0:
        status, why = FAIL, "no FRAME arrived."
    if status == PASS:
        why = (f"{seconds:g} s: {mon.frames} FRAMEs, {mon.mic_samples} microphone samples, "
               f"{mon.results} RESULTs, nothing dropped.")
    report.add("L4", "soak", status, why, time.monotonic() - t0)
