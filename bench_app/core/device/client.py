"""`BoardClient`: the bench's typed API to a Coral Dev Board Micro (or the virtual board).

It owns one `SerialLink` and one protocol `Decoder`. The link's reader thread decodes bytes
into packets and files them into one queue per stream (FRAME, PCM, RESULT) plus the control
replies; the caller's thread sends requests and waits, always with a timeout. Bad bytes never
raise: they are counted in `stats`. A board gone for longer than the timeout raises
`LinkError` (one sentence) from the call that needed it; what was received before stays queued.
"""

from __future__ import annotations

import collections
import contextlib
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from bench_app.core.device.link import SerialLink
from bench_app.core.device.protocol import (
    Ack,
    Decoder,
    ErrorReport,
    Frame,
    Heartbeat,
    Hello,
    Info,
    Log,
    MsgType,
    Nak,
    Packet,
    Pcm,
    Result,
    Start,
    Stop,
    Stream,
    encode,
)
from bench_app.core.device.protocol.inject import (
    InjectReport,
    InjectSender,
    error_text,
    select_clip_frames,
)
from bench_app.core.errors import DeviceError, LinkError
from bench_app.core.frontend.geometry import FrameGeometry

#: Seconds the board has to answer HELLO / START / STOP before one retry (docs 6.4).
REPLY_TIMEOUT_S = 1.0
REPLY_TRIES = 3
_DATA_TYPES = {Frame: Stream.FRAMES, Pcm: Stream.PCM, Result: Stream.RESULTS}


def _seconds(s: float) -> str:
    """A wait for a message: to 0.1 s ("6.1", not "6.05659"); short ones to 2 digits."""
    return f"{s:.1f}" if s >= 0.1 else f"{s:.2g}"


@dataclass(frozen=True, slots=True)
class LinkStats:
    """A snapshot of everything the client counted on its link (see `DecoderStats`)."""

    bytes_in: int
    bytes_out: int
    packets: int
    frames: int
    pcm_chunks: int
    results: int
    crc_errors: int
    broken_frames: int
    unknown_types: int
    resyncs: int
    garbage_bytes: int
    drops: dict[str, int]
    restarts: dict[str, int]
    stale: int
    disconnects: int
    reconnect_attempts: int
    reconnects: int
    queue_overflows: int
    logs: int
    board_errors: int
    heartbeats: int
    board_audio_overruns: int
    board_tx_overflows: int
    inject_resends: int

    @property
    def total_drops(self) -> int:
        """Frames lost on the link over all streams (sequence gaps)."""
        return sum(self.drops.values())

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy, with ``total_drops``."""
        return {**asdict(self), "total_drops": self.total_drops}


@dataclass(frozen=True, slots=True)
class ClipFrames:
    """The FRAMEs a board computed from one injected clip, in order."""

    frames: list[Frame]
    expected: int | None
    inject: InjectReport | None
    error: str | None = None  # why the capture ended early (its frames are still here)
    first_sample_index: int | None = None
    step: int | None = None

    @property
    def positions(self) -> list[int] | None:
        """Each frame's position in the clip's frame sequence (None if the board's sample
        indices or the step are unknown)."""
        if self.first_sample_index is None or not self.step:
            return None
        return [(f.sample_index - self.first_sample_index) // self.step for f in self.frames]

    @property
    def missing_positions(self) -> list[int] | None:
        """Positions of the clip's frames that did not arrive (lost on the link)."""
        pos = self.positions
        if pos is None or self.expected is None:
            return None
        return sorted(set(range(self.expected)) - set(pos))

    @property
    def features(self) -> np.ndarray:
        """The frames' features as uint16 (frames, channels)."""
        if not self.frames:
            return np.zeros((0, 0), np.uint16)
        return np.stack([f.features for f in self.frames]).astype(np.uint16)

    @property
    def missing(self) -> int | None:
        """Frames the front-end config predicts but that did not arrive."""
        return None if self.expected is None else max(0, self.expected - len(self.frames))


class BoardClient:
    """Talk to one board over any pyserial URL; see `open`.

    Parameters
    ----------
    url : str
        ``/dev/ttyACM0``, a pty path, ``socket://10.10.10.1:PORT``, ``loop://``...
    timeout : float
        Seconds a call waits for a board that is silent or reconnecting before it raises
        `LinkError`.
    queue_limit : int
        Most messages kept per stream queue; older ones beyond it are dropped and counted
        (``queue_overflows``). The default keeps over an hour of every stream.
    silent_after_s : float
        A board that has sent HEARTBEATs and then nothing at all for this long is treated as
        gone (docs/protocol.md 6.4), even if its port is still open.
    """

    def __init__(self, url: str, *, timeout: float = 2.0, queue_limit: int = 2_000_000,
                 silent_after_s: float = 2.0) -> None:  # fmt: skip
        self.url = url
        self.timeout = timeout
        self.silent_after_s = silent_after_s
        self._last_rx = time.monotonic()
        self.last_info: Info | None = None
        self.last_heartbeat: Heartbeat | None = None
        self.logs: collections.deque[Log] = collections.deque(maxlen=10_000)
        self.board_errors: collections.deque[ErrorReport] = collections.deque(maxlen=10_000)
        self._queue_limit = queue_limit
        self._queues = {s: collections.deque() for s in _DATA_TYPES.values()}
        self._counts = dict.fromkeys(["frames", "pcm", "results", "logs", "errors", "beats"], 0)
        self._overflows = 0
        self._inject_resends = 0
        self._replies: collections.deque[Packet] = collections.deque(maxlen=64)
        self._inject_acks: collections.deque[tuple[int, int]] = collections.deque(maxlen=4096)
        self._inject_naks: collections.deque[Nak] = collections.deque(maxlen=4096)
        self._cond = threading.Condition()
        self._rx_lock = threading.Lock()
        self._decoder = Decoder()
        self._seq = {Stream.CONTROL: 0, Stream.INJECT: 0}
        self._running: set[Stream] = set()
        self._link = SerialLink(url, self._on_data, on_state=self._on_state)

    @classmethod
    def open(cls, url: str, timeout: float = 2.0, **kwargs: Any) -> BoardClient:
        """Open the link to the board at `url`; raise `LinkError` if the port cannot be opened."""
        client = cls(url, timeout=timeout, **kwargs)
        client._link.open()
        return client

    def __enter__(self) -> BoardClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the link. Queued messages stay readable with `drain`."""
        self._link.close()

    @property
    def connected(self) -> bool:
        """True while the port is open (False while reconnecting)."""
        return self._link.connected

    @property
    def silent_for_s(self) -> float:
        """Seconds since the board last sent any byte."""
        return time.monotonic() - self._last_rx

    # ------------------------------------------------------------------ commands

    def info(self, timeout: float | None = None) -> Info:
        """Ask the board who it is (HELLO -> INFO)."""
        packet = self._request(Hello(), lambda p: isinstance(p.message, Info), timeout)
        self.last_info = packet.message
        return packet.message

    def start(self, streams: Iterable[Stream], timeout: float | None = None) -> None:
        """Start streams (FRAMES, PCM, RESULTS); raise `DeviceError` if the board refuses."""
        wanted = frozenset(Stream(s) for s in streams)
        self._command(Start(wanted), timeout)
        self._running |= wanted

    def stop(self, streams: Iterable[Stream], timeout: float | None = None) -> None:
        """Stop streams; what they sent before stays queued."""
        wanted = frozenset(Stream(s) for s in streams)
        self._command(Stop(wanted), timeout)
        self._running -= wanted

    def inject(
        self,
        pcm: np.ndarray,
        *,
        tag: int = 1,
        chunk_samples: int | None = None,
        end_of_clip: bool = True,
        timeout: float | None = None,
    ) -> InjectReport:
        """Send int16 audio as INJECT_PCM, flow-controlled by the board's ACK window.

        Blocks until the board has acknowledged every chunk (docs/protocol.md 6.3): at most
        ``inject.window`` chunks are unacknowledged; lost chunks are re-sent (go-back-N on NAK
        SEQ_GAP or after the ACK timeout); a board that makes no progress for `timeout` (default:
        the client's, at least three ACK timeouts) raises `LinkError`.
        """
        info = self.last_info or self.info(timeout)
        chunk = max(1, info.inject_max_samples)
        if chunk_samples is not None:
            chunk = min(max(1, int(chunk_samples)), chunk)
        n_chunks = -(-len(pcm) // chunk)
        sender = InjectSender(pcm, tag, self._seq[Stream.INJECT], info.inject_window, chunk,
                              end_of_clip)  # fmt: skip
        self.next_seq(Stream.INJECT, n_chunks)
        seconds = REPLY_TIMEOUT_S + sender.window * chunk / max(1, info.sample_rate_hz)
        give_up = max(self.timeout if timeout is None else timeout, 3 * seconds)
        self._take_inject_news(0.0)  # forget news from earlier injections
        last_progress = last_resend = time.monotonic()
        while not sender.done:
            if time.monotonic() - last_progress > give_up:
                raise LinkError(
                    f"The board stopped acknowledging injected audio after {sender.acked + 1} "
                    f"of {n_chunks} chunks ({_seconds(give_up)} s without progress)."
                )
            for data in sender.due():
                try:
                    self.write(data, max(0.0, give_up - (time.monotonic() - last_progress)))
                except LinkError:
                    if self._link.closed or time.monotonic() - last_progress > give_up:
                        raise
                    sender.on_silence()  # the port vanished mid-write: re-send when back
                    break
            resends = sender.resends
            acks, naks = self._take_inject_news(min(0.1, seconds))
            for seq, value in acks:
                if sender.on_ack(seq, value):
                    last_progress = time.monotonic()
            for nak in naks:
                if sender.on_nak(nak):
                    time.sleep(min(0.05, chunk / max(1, info.sample_rate_hz) / 2))
            now = time.monotonic()
            if not sender.done and min(now - last_progress, now - last_resend) > seconds:
                sender.on_silence()
                last_resend = now
            self._inject_resends += sender.resends - resends
        return sender.report()

    def capture(
        self, pcm: np.ndarray, *, tag: int = 1, timeout: float | None = None
    ) -> ClipFrames:
        """Inject a clip and collect the FRAMEs the board computed from it; never loses them.

        Starts the FRAME stream if it is not running (and stops it again), injects `pcm`
        with `tag`, then collects frames until the count the board's front-end config
        predicts has arrived or none came for `timeout` s. Frames are selected by tag (or,
        for a board that does not tag frames, by sample range from the first chunk's ACK).
        A board lost midway does not raise: the frames that came are returned with `error`.
        """
        info = self.last_info or self.info(timeout)
        wait = self.timeout if timeout is None else timeout
        geometry = FrameGeometry.from_settings(info.frontend)
        expected = geometry.frames_for(len(pcm)) if geometry else None
        started = Stream.FRAMES not in self._running
        self.drain(Stream.FRAMES)
        if started:
            self.start([Stream.FRAMES], timeout)
        collected: list[Frame] = []
        report, error = None, None
        try:
            report = self.inject(pcm, tag=tag, timeout=timeout)
            # The board ACKs a chunk once consumed, so its frames are computed by now: collect
            # until they are all here, the board is past the clip, or `wait` s have passed.
            clip_end = None
            if report.first_sample_index is not None:
                clip_end = report.first_sample_index + len(pcm)
            deadline = time.monotonic() + wait
            tagged = 0
            for frame in self.frames(timeout=wait):
                collected.append(frame)
                if frame.tag == tag:
                    tagged += 1
                    if expected is not None and tagged >= expected:
                        break
                elif clip_end is not None and frame.sample_index >= clip_end:
                    break
                if time.monotonic() > deadline:
                    break
        except (LinkError, DeviceError) as exc:
            error = str(exc)  # keep what arrived; the caller decides what the error means
            collected.extend(self.drain(Stream.FRAMES))
        finally:
            if started and self.connected:
                # The frames already collected are what matters; a failed STOP loses nothing.
                with contextlib.suppress(LinkError, DeviceError):
                    self.stop([Stream.FRAMES], timeout)
        first = report.first_sample_index if report else None
        window = geometry.window_samples if geometry else None
        frames = select_clip_frames(collected, tag, first, len(pcm), window)
        step = geometry.step_samples if geometry else None
        return ClipFrames(frames, expected, report, error, first, step)

    # ------------------------------------------------------------------ receiving

    def frames(self, timeout: float = 1.0) -> Iterator[Frame]:
        """Yield FRAMEs as they arrive; stop after `timeout` s without one."""
        return self._iter(Stream.FRAMES, timeout)

    def pcm(self, timeout: float = 1.0) -> Iterator[Pcm]:
        """Yield PCM chunks as they arrive; stop after `timeout` s without one."""
        return self._iter(Stream.PCM, timeout)

    def results(self, timeout: float = 1.0) -> Iterator[Result]:
        """Yield RESULTs as they arrive; stop after `timeout` s without one."""
        return self._iter(Stream.RESULTS, timeout)

    def drain(self, stream: Stream) -> list:
        """Everything queued on a data stream, without waiting."""
        with self._cond:
            q = self._queues[Stream(stream)]
            items = list(q)
            q.clear()
        return items

    @property
    def stats(self) -> LinkStats:
        """A snapshot of the link statistics."""
        with self._rx_lock:
            d = self._decoder.stats
            link = self._link.counters
            beat = self.last_heartbeat
            c = self._counts
            return LinkStats(
                bytes_in=link.bytes_in, bytes_out=link.bytes_out, packets=d.packets,
                frames=c["frames"], pcm_chunks=c["pcm"], results=c["results"],
                crc_errors=d.crc_errors, broken_frames=d.broken_frames,
                unknown_types=d.unknown_types, resyncs=d.resyncs, garbage_bytes=d.garbage_bytes,
                drops=dict(d.drops), restarts=dict(d.restarts), stale=d.stale,
                disconnects=link.disconnects, reconnect_attempts=link.reconnect_attempts,
                reconnects=link.reconnects, queue_overflows=self._overflows,
                logs=c["logs"], board_errors=c["errors"], heartbeats=c["beats"],
                board_audio_overruns=beat.audio_overruns if beat else 0,
                board_tx_overflows=beat.tx_overflows if beat else 0,
                inject_resends=self._inject_resends,
            )  # fmt: skip

    # ------------------------------------------------------------------ internals: sending

    def send(self, msg: Any) -> int:
        """Encode `msg` with the next sequence number of its stream and write it; return seq.

        Waits up to `timeout` for a reconnecting link, then raises `LinkError`.
        """
        return self._send_waiting(msg, None)

    def write(self, data: bytes, timeout: float | None = None) -> None:
        """Write encoded bytes, waiting up to `timeout` for a reconnecting link."""
        wait = self.timeout if timeout is None else timeout
        if not self._link.wait_connected(wait):
            raise LinkError(
                f"The board at {self.url!r} has been gone for over {_seconds(wait)} s "
                f"({self._link.last_error or 'port closed'})."
            )
        self._link.write(data)

    def next_seq(self, stream: Stream, count: int) -> int:
        """Reserve `count` consecutive sequence numbers on `stream`; return the first."""
        with self._cond:
            first = self._seq[stream]
            self._seq[stream] = (first + count) & 0xFFFFFFFF
        return first

    def _command(self, msg: Start | Stop, timeout: float | None) -> None:
        def answers(p: Packet, seq_box: list) -> bool:
            m = p.message
            return isinstance(m, Ack | Nak) and m.acked_type == msg.TYPE and m.acked_seq in seq_box

        seqs: list[int] = []
        packet = self._request(msg, lambda p: answers(p, seqs), timeout, seqs)
        if isinstance(packet.message, Nak):
            nak = packet.message
            name = type(msg).__name__.upper()
            raise DeviceError(
                f"The board refused {name} {sorted(s.name for s in msg.streams)}: "
                f"{error_text(nak.code, nak.reason)}."
            )

    def _request(self, msg, match, timeout: float | None, seqs: list | None = None) -> Packet:
        """Send `msg` and wait for a reply `match` accepts: tries of `REPLY_TIMEOUT_S` each,
        at least `REPLY_TRIES` of them and more until `timeout` is spent (docs/protocol.md 6.4),
        so a noisy link that garbles a long INFO still gets through; a link that is down is
        waited for up to `timeout` per try. Raises `LinkError` when no reply comes."""
        wait = self.timeout if timeout is None else timeout
        give_up = time.monotonic() + wait
        tries = 0
        while tries < REPLY_TRIES or time.monotonic() < give_up:
            tries += 1
            try:
                seq = self._send_waiting(msg, timeout)
            except LinkError:
                # The port vanished under the write: try again once it is back.
                if self._link.closed or not self._link.wait_connected(wait):
                    raise
                continue
            if seqs is not None:
                seqs.append(seq)
            reply_by = time.monotonic() + REPLY_TIMEOUT_S
            with self._cond:
                while True:
                    for p in self._replies:
                        if match(p):
                            self._replies.remove(p)
                            return p
                    left = reply_by - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
        name = type(msg).__name__.upper()
        state = "connected" if self.connected else "disconnected"
        raise LinkError(
            f"The board at {self.url!r} did not answer {name} in {tries} tries of "
            f"{REPLY_TIMEOUT_S:g} s (link {state})."
        )

    def _send_waiting(self, msg, timeout: float | None) -> int:
        stream = type(msg).STREAM
        with self._cond:
            seq = self._seq[stream]
            self._seq[stream] = (seq + 1) & 0xFFFFFFFF
        self.write(encode(msg, seq), timeout)
        return seq

    # ------------------------------------------------------------------ internals: receiving

    def _iter(self, stream: Stream, timeout: float) -> Iterator:
        q = self._queues[stream]
        while True:
            with self._cond:
                deadline = time.monotonic() + timeout
                while not q:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                item = q.popleft() if q else None
            if item is None:
                if self._link.closed:
                    return
                if not self.connected:
                    raise LinkError(
                        f"The board at {self.url!r} vanished and did not come back within "
                        f"{_seconds(timeout)} s ({self._link.last_error or 'no reason given'})."
                    )
                silent = self.silent_for_s
                if self._counts["beats"] and silent > self.silent_after_s:
                    raise LinkError(
                        f"The board at {self.url!r} has sent nothing, not even a heartbeat, "
                        f"for {silent:.1f} s."
                    )
                return
            yield item

    def _take_inject_news(self, timeout: float) -> tuple[list[tuple[int, int]], list[Nak]]:
        """Wait up to `timeout` for inject ACK/NAK news; return (acks, naks) since last call."""
        with self._cond:
            if not self._inject_acks and not self._inject_naks:
                self._cond.wait(timeout)
            acks, naks = list(self._inject_acks), list(self._inject_naks)
            self._inject_acks.clear()
            self._inject_naks.clear()
        return acks, naks

    def _on_state(self, up: bool) -> None:
        if not up:
            with self._rx_lock:
                self._dispatch(self._decoder.flush())
            return
        # Reopened: the board may have rebooted; ask again for what was running.
        if self._running:
            with contextlib.suppress(LinkError):
                self.send(Start(frozenset(self._running)))

    def _on_data(self, data: bytes) -> None:
        self._last_rx = time.monotonic()
        with self._rx_lock:
            self._dispatch(self._decoder.feed(data))

    def _dispatch(self, packets: list[Packet]) -> None:
        if not packets:
            return
        counts = self._counts
        with self._cond:
            for p in packets:
                m = p.message
                kind = type(m)
                stream = _DATA_TYPES.get(kind)
                if stream is not None:
                    q = self._queues[stream]
                    if len(q) >= self._queue_limit:
                        q.popleft()
                        self._overflows += 1
                    q.append(m)
                    counts["frames" if kind is Frame else "pcm" if kind is Pcm else "results"] += 1
                elif kind is Heartbeat:
                    self.last_heartbeat = m
                    counts["beats"] += 1
                elif kind is Log:
                    self.logs.append(m)
                    counts["logs"] += 1
                elif kind is ErrorReport:
                    self.board_errors.append(m)
                    counts["errors"] += 1
                elif kind in (Ack, Nak) and m.acked_type == MsgType.INJECT_PCM:
                    self._on_inject_reply(m)
                else:
                    self._replies.append(p)
            self._cond.notify_all()

    def _on_inject_reply(self, m: Ack | Nak) -> None:
        if isinstance(m, Nak):
            self._inject_naks.append(m)
        else:
            self._inject_acks.append((m.acked_seq, m.value))
