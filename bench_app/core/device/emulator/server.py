"""The virtual Coral Micro's main loop: serve the board protocol on a pty, as firmware would.

One thread does everything a board's main loop does, in order: read and answer the host's
messages, take the next block of audio (an injected clip, else the microphone), run the front
end and the model, send FRAME / PCM / RESULT / ACK, send HEARTBEAT every 500 ms, and pace
itself on the board clock. Faults (resets, stalls, drops, corruption) are applied here and
recorded in the stats file.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench_app import __version__
from bench_app.core.device.emulator.board import MAX_STEPS, BoardCore
from bench_app.core.device.emulator.board_faults import BoardFaults
from bench_app.core.device.emulator.channel import Channel, ChannelConfig
from bench_app.core.device.emulator.clock import BoardClock
from bench_app.core.device.emulator.faults import FaultConfig, FaultInjector, FaultStats
from bench_app.core.device.emulator.inject import InjectBuffer
from bench_app.core.device.emulator.model_runner import ModelRunner
from bench_app.core.device.emulator.process import ANNOUNCE_DIR
from bench_app.core.device.emulator.pty_port import PtyPort
from bench_app.core.device.emulator.sources import Microphone, SoundDeviceInput, SpeakerServer
from bench_app.core.device.emulator.transmitter import Transmitter
from bench_app.core.device.port_owner import process_start
from bench_app.core.device.protocol import (
    Ack,
    Decoder,
    ErrorCode,
    Heartbeat,
    Hello,
    Info,
    InjectPcm,
    Log,
    LogLevel,
    Nak,
    PcmSource,
    Start,
    Stop,
    Stream,
)
from bench_app.core.errors import ModelFileError
from bench_app.core.frontend import FrontendConfig
from bench_app.core.model import card_for
from bench_app.core.model.servable import check_servable

HEARTBEAT_S = 0.5
#: While no stream is started, the board computes its microphone's frames this far behind.
IDLE_BLOCK_S = 0.1
STATS_PERIOD_S = 0.5
INJECT_WINDOW, INJECT_MAX_SAMPLES = 8, 4096
#: With --fast, how long the board waits for the rest of a clip before it counts an underrun
#: (longer than a host's ACK timeout plus a reconnect, so a reset does not split a clip).
FAST_DRY_WAIT_S = 10.0


@dataclasses.dataclass
class EmulatorOptions:
    """Everything `bench-app emulate` can set."""

    model: str | None = None
    frontend: FrontendConfig = dataclasses.field(default_factory=FrontendConfig)
    channel: ChannelConfig = dataclasses.field(default_factory=ChannelConfig)
    faults: FaultConfig = dataclasses.field(default_factory=FaultConfig)
    #: A broken board (``--fault``): what it computes differs from what its INFO states.
    board_faults: BoardFaults = dataclasses.field(default_factory=BoardFaults)
    speed: float = 1.0
    fast: bool = False
    capture: str | None = None
    stats_file: str | None = None
    hop_s: float = 1.0
    arena_size: int | None = None
    #: Set by `start_emulator`: the host's pid; the board stops when its parent is another.
    parent_pid: int | None = None
    #: Set by `start_emulator`: the host's temp folder, removed when the board outlives the host.
    owned_dir: str | None = None


class VirtualBoard:
    """A virtual Coral Dev Board Micro serving the protocol on a pty (see module docstring)."""

    def __init__(self, options: EmulatorOptions):
        self.options = opts = options
        fe = opts.frontend
        self.sample_rate = fe.sample_rate_hz
        self.runner = None
        self.model_note = None
        if opts.model:  # refused in one sentence before TFLM loads it, not when audio flows
            check_servable(opts.model, fe)
            hop = max(1, round(opts.hop_s * fe.sample_rate_hz / fe.step_samples))
            self.runner = ModelRunner(opts.model, hop, opts.arena_size)
            self.model_note = _sidecar(opts.model)
        capture = SoundDeviceInput(opts.capture, self.sample_rate) if opts.capture else None
        self._dir = Path(tempfile.mkdtemp(prefix="bench_app_emu_"))
        self.clock = BoardClock(self.sample_rate, opts.speed, opts.fast)
        self.stats = FaultStats()
        self.faults = FaultInjector(opts.faults, self.stats)
        # a --fast board waits for room in the pty without limit, but not once it is stopping
        # or orphaned (nobody would ever read it again)
        self.port = PtyPort(self._dir / "port",
                            give_up=lambda: self.stop_event.is_set() or self.orphaned())
        self.tx = Transmitter(self.port, self.faults, None if opts.fast else 0.2)
        self.speaker = SpeakerServer()
        self.mic = Microphone(Channel(opts.channel, self.sample_rate), self.speaker, capture)
        self.core = BoardCore(opts.board_faults.computing_frontend(fe), self.runner, self.clock,
                              opts.board_faults)  # INFO still states `fe`
        self.inject = InjectBuffer(INJECT_WINDOW, INJECT_MAX_SAMPLES)
        self.decoder = Decoder()
        self.streams: frozenset[Stream] = frozenset()
        #: Without --stats-file the ledger lives in the temp dir, removed at exit.
        self.stats_file = Path(opts.stats_file) if opts.stats_file else self._dir / "stats.json"
        self.stop_event = threading.Event()
        self._stats_failed = False
        self._announce = ANNOUNCE_DIR / f"{os.getpid()}.json"
        self._announced = False

    # -- identity ------------------------------------------------------------------------
    @property
    def port_path(self) -> str:
        """The stable port path to announce (a symlink to the current pty)."""
        return str(self.port.path)

    def info(self) -> Info:
        """This board's INFO."""
        caps = ["frames", "pcm", "inject_pcm", "speaker_socket", "microphone"]
        if self.runner is not None:
            caps.insert(2, "results")
        o = self.options
        emulator = {
            "virtual": True,
            "pid": os.getpid(),
            "port": self.port_path,
            "stats_file": str(self.stats_file),
            "channel": o.channel.to_dict(),
            "faults": o.faults.to_dict(),
            "board_faults": o.board_faults.to_dict(),
            "speed": "fast" if o.fast else o.speed,
            "capture": o.capture,
            "model": None if self.runner is None else {
                **self.runner.describe(), "path": str(o.model), **(self.model_note or {})},
        }  # fmt: skip
        return Info(
            firmware_version=f"virtual-{__version__}",
            board="virtual-coral-dev-board-micro",
            model_sha256=None if self.runner is None else self.runner.sha256,
            sample_rate_hz=self.sample_rate,
            cpu_clock_hz=800_000_000,
            capabilities=tuple(caps),
            frontend=self.options.frontend.to_dict(),
            inject_window=INJECT_WINDOW,
            inject_max_samples=INJECT_MAX_SAMPLES,
            model_window_frames=0 if self.runner is None else self.runner.window_frames,
            model_hop_frames=0 if self.runner is None else self.runner.hop_frames,
            clock_speed="fast" if o.fast else o.speed,
            extra={"speaker": self.speaker.describe(), "emulator": emulator,
                   "model_untrained": bool((self.model_note or {}).get("untrained"))},
        )  # fmt: skip

    def announcement(self) -> dict:
        """What the emulator prints after the port line and writes for device discovery."""
        return {"port": self.port_path, "speaker": self.speaker.describe(), "pid": os.getpid(),
                "start": process_start(os.getpid()),
                "stats_file": str(self.stats_file),
                "model_sha256": None if self.runner is None else self.runner.sha256}  # fmt: skip

    def announce(self) -> dict:
        """Write the announcement for device discovery and return it.

        Called before the port is printed, so that whoever reads the port can also find the
        board by discovery; written whole (a temp file renamed), so a reader never sees half.
        """
        doc = self.announcement()
        ANNOUNCE_DIR.mkdir(exist_ok=True)
        tmp = self._announce.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc))
        os.replace(tmp, self._announce)
        self._announced = True
        return doc

    # -- main loop -----------------------------------------------------------------------
    def serve(self) -> None:
        """Serve until `stop_event` is set; always leaves the stats file and cleans up."""
        if not self._announced:
            self.announce()
        next_hb = next_stats = time.monotonic()
        down_until = None
        dry_since = None
        try:
            while not self.stop_event.is_set():
                now = time.monotonic()
                if down_until is not None and now >= down_until:
                    self.port.come_up()
                    self.decoder = Decoder()
                    down_until = None
                self._read_host()
                self.speaker.poll()
                if now >= next_hb:
                    next_hb = now + HEARTBEAT_S
                    self.tx.send(Heartbeat(self.clock.now_us, self.inject.underruns,
                                           self.stats.tx_overflows))  # fmt: skip
                if now >= next_stats:
                    next_stats = now + STATS_PERIOD_S
                    self.write_stats(final=False)
                    if self.orphaned():
                        break
                if self.faults.reset_due(self.clock.seconds):
                    self._drain(1.0)
                    self.port.go_down()
                    self.stats.resets += 1
                    down_until = time.monotonic() + self.options.faults.reset_down_ms / 1000
                stall = self.faults.stall_due(self.clock.seconds)
                if stall:
                    time.sleep(stall)
                # Which audio comes next, and must the board wait for it?
                if self.inject.queued:
                    dry_since, paced = None, not self.options.fast
                elif self.inject.in_clip and self.options.fast:
                    dry_since = dry_since or now
                    if now - dry_since < FAST_DRY_WAIT_S:
                        self.port.wait_readable(0.005)
                        continue
                    self.inject.abandon_clip()
                    paced = True
                else:
                    if self.inject.in_clip:
                        self.inject.abandon_clip()
                    if (self.options.fast and self.speaker.available < self.core.step
                            and self.mic.speaker_streaming()):
                        time.sleep(0.0005)  # --fast: wait for the host's next speaker chunk
                        continue
                    paced = not self.mic.speaker_has_audio
                wait = self.clock.wait_s(paced)
                if paced and not self.streams and wait <= 0:
                    # Nobody is streaming: let the microphone's front end fall IDLE_BLOCK_S
                    # behind and catch up in blocks, instead of waking every 10 ms.
                    wait = IDLE_BLOCK_S - self.clock.behind_s()
                if wait > 0:
                    self.port.wait_readable(min(wait, 0.02))
                    continue
                self._step(self._block_steps(paced))
        finally:
            self.close()

    def _block_steps(self, paced: bool) -> int:
        """Steps in the next block: one on schedule, more when unpaced or behind."""
        if not paced:
            if self.inject.queued or self.inject.in_clip:
                return MAX_STEPS
            # Speaker audio: only whole steps the host has already sent (no gaps of silence).
            return max(1, min(MAX_STEPS, self.speaker.available // self.core.step))
        behind = self.clock.behind_s() * self.clock.speed * self.sample_rate / self.core.step
        return int(min(MAX_STEPS, 1 + behind))

    def _step(self, steps: int) -> None:
        """Process one block of ``steps`` front end steps and send what it produced."""
        step = self.core.step * steps
        block = self.inject.take(step, self.clock.samples)
        if block is not None:
            msgs = self.core.process(block.samples, PcmSource.INJECTED, block.tag,
                                     block.clip_start, self.streams)  # fmt: skip
            for ack in block.acks:
                self.tx.send(ack)
        else:
            audio = self.mic.read(step, self.clock.samples)
            msgs = self.core.process(audio, PcmSource.MICROPHONE, 0, False, self.streams)
        for msg in msgs:
            self.tx.send(msg)

    def _read_host(self) -> None:
        data = self.port.read()
        if not data:
            return
        for packet in self.decoder.feed(data):
            self._handle(packet.message, packet.seq)

    def _handle(self, msg, seq: int) -> None:
        if isinstance(msg, Hello):
            self.tx.send(self.info())
        elif isinstance(msg, InjectPcm):
            for reply in self.inject.on_chunk(seq, msg):
                self.tx.send(reply)
        elif isinstance(msg, Start):
            if Stream.RESULTS in msg.streams and self.runner is None:
                self.tx.send(Nak(int(msg.TYPE), seq, int(ErrorCode.UNSUPPORTED), 0,
                                 "this virtual board has no model (start it with --model)"))
                return  # fmt: skip
            self.tx.send(Ack(int(msg.TYPE), seq))
            self.streams = self.streams | msg.streams
            self.core.enable_results(Stream.RESULTS in self.streams)
        elif isinstance(msg, Stop):
            self.tx.send(Ack(int(msg.TYPE), seq))
            self.streams = self.streams - msg.streams
            self.core.enable_results(Stream.RESULTS in self.streams)
        elif isinstance(msg, Info | Ack | Nak | Heartbeat):
            return
        else:
            self.tx.send(Log(int(LogLevel.WARNING), self.clock.now_us,
                             f"ignored a {type(msg).__name__} from the host"))  # fmt: skip

    def _drain(self, timeout: float) -> None:
        """Before a reset: let the host read what was already sent, so losses are countable."""
        import fcntl
        import struct
        import termios

        # FIONREAD counts only what reached the line discipline, not bytes still in the tty's
        # flip buffers: the queue must stay empty for a while, not just once.
        deadline = time.monotonic() + timeout
        empty_since = None
        while self.port.up and time.monotonic() < deadline:
            pending = fcntl.ioctl(self.port.slave, termios.FIONREAD, b"\0\0\0\0")
            if struct.unpack("i", pending)[0]:
                empty_since = None
            elif empty_since is None:
                empty_since = time.monotonic()
            elif time.monotonic() - empty_since >= 0.05:
                return
            time.sleep(0.005)

    def write_stats(self, final: bool = True) -> None:
        """Write the fault ledger and board counters to the stats file.

        Periodic writes (``final=False``) carry the counts; the final one, at exit, also the
        lost sequence numbers. A write that fails (the folder removed, the disk full) is
        reported once on stderr and never stops the board; the file keeps its last complete
        contents (the write is atomic).
        """
        try:
            self._write_stats(final)
        except OSError as exc:
            if not self._stats_failed:
                print(f"virtual board: cannot write the stats file {self.stats_file} "
                      f"({exc.strerror or exc}); serving on without it.", file=sys.stderr)
            self._stats_failed = True

    def _write_stats(self, final: bool) -> None:
        self.stats.write(self.stats_file, {
            "port": self.port_path,
            "board_time_s": self.clock.seconds,
            "frames_total": self.core.frames_total,
            "results_total": self.core.windows_total,
            "inject_samples": self.inject.samples_received,
            "inject_underruns": self.inject.underruns,
            "speaker_samples": self.speaker.total_samples,
            "final": final,
        }, seqs=final)  # fmt: skip

    def orphaned(self) -> bool:
        """True when started by a host (`EmulatorOptions.parent_pid`) that is gone.

        A host killed with SIGKILL cannot stop its board; the board then belongs to init (or a
        subreaper), so its parent pid changes.
        """
        return self.options.parent_pid is not None and os.getppid() != self.options.parent_pid

    def close(self) -> None:
        """Final stats, then release the pty, the sockets and the announcement."""
        self.write_stats()
        self.port.close()
        self.speaker.close()
        if self.mic.capture is not None:
            self.mic.capture.close()
        self._announce.unlink(missing_ok=True)
        # The temp dir (port link, default stats file) goes; a --stats-file stays.
        shutil.rmtree(self._dir, ignore_errors=True)
        if self.options.owned_dir and self.orphaned():
            shutil.rmtree(self.options.owned_dir, ignore_errors=True)


def _sidecar(model_path: str) -> dict | None:
    """What the model's card (sidecar ``M.json`` or the folder's ``card.json``) says of it."""
    try:
        card = card_for(model_path)
    except ModelFileError:
        return None
    if card is None:
        return None
    return {"untrained": bool(card.untrained), "sidecar": str(card.path)}
