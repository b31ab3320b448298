"""Where the virtual board's microphone audio comes from: the virtual speaker or a capture device.

- `SpeakerServer`: a TCP listener on 127.0.0.1 (announced in INFO as ``speaker``) that takes
  raw little-endian int16 mono audio at the board's rate from the host's `VirtualSpeaker`, and
  answers each time it takes samples with three u64 little-endian numbers: samples taken before
  (on this connection), samples taken now, and the board sample index (the PCM counter) at
  which the first of them entered the channel. The host paces itself on these counts and
  knows exactly when, in board samples, its sound started. Only what the board needs next is
  read, so TCP's own flow control holds a fast host back.
- `SoundDeviceInput`: a real input device through sounddevice (a JACK or PulseAudio loopback gives
  a real audio path without a sound card).
- `Microphone`: the board's microphone; speaker audio through the acoustic `Channel` (which
  adds the noise floor even when nothing plays), or the capture device as it is.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import struct
import time

import numpy as np

from bench_app.core.device.emulator.channel import Channel
from bench_app.core.errors import ConfigError

_REPORT = struct.Struct("<QQQ")


class SpeakerServer:
    """The board end of the virtual speaker socket (one host connection at a time)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, buffer_samples: int = 4000):
        self._listener = socket.create_server((host, port))
        self._listener.setblocking(False)
        host, port = self._listener.getsockname()[:2]
        self.address = f"{host}:{port}"
        self._conn: socket.socket | None = None
        self._pending = bytearray()
        self._buffer_bytes = 2 * buffer_samples
        self.consumed = 0  # samples consumed on the current connection
        self.last_data = -1.0  # time.monotonic() of the last bytes received
        self.total_samples = 0

    def describe(self) -> dict:
        """The INFO ``speaker`` entry."""
        return {"transport": "tcp", "address": self.address, "format": "s16le", "channels": 1}

    def poll(self) -> None:
        """Accept a new host, and read what is waiting (up to the buffer size)."""
        try:
            conn, _ = self._listener.accept()
        except BlockingIOError:
            conn = None
        if conn is not None:
            self._drop_connection()
            conn.setblocking(False)
            self._conn, self.consumed = conn, 0
            self._pending.clear()
        while self._conn is not None and len(self._pending) < self._buffer_bytes:
            try:
                data = self._conn.recv(self._buffer_bytes - len(self._pending))
            except BlockingIOError:
                break
            except OSError:
                data = b""
            if not data:
                self._drop_connection()
                break
            self._pending += data
            self.last_data = time.monotonic()

    @property
    def available(self) -> int:
        """Whole samples waiting."""
        return len(self._pending) // 2

    def take(self, n: int, board_index: int) -> np.ndarray:
        """Up to ``n`` samples the host played (fewer if it has not sent them yet).

        ``board_index`` is the board sample index at which the first of them enters the
        channel; it is reported to the host.
        """
        k = min(n, self.available)
        out = np.frombuffer(bytes(self._pending[: 2 * k]), dtype="<i2").astype(np.int16)
        del self._pending[: 2 * k]
        if k:
            self._report(self.consumed, k, board_index)
            self.consumed += k
            self.total_samples += k
        return out

    def _report(self, before: int, n: int, board_index: int) -> None:
        if self._conn is None:
            return
        # 24 bytes into an almost empty socket buffer; if it is full the host is gone.
        with contextlib.suppress(BlockingIOError, OSError):
            self._conn.sendall(_REPORT.pack(before, n, board_index))

    def _drop_connection(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.close()
        self._conn = None

    def close(self) -> None:
        self._drop_connection()
        self._listener.close()


#: Capture audio the board holds before the oldest is dropped, in seconds (a board's audio
#: service keeps a fixed ring buffer: when the firmware falls behind, old audio is lost).
CAPTURE_BUFFER_S = 2.0


class SoundDeviceInput:
    """Audio from a real sounddevice input at the board's rate (mono, int16).

    Blocks wait in a bounded queue of `CAPTURE_BUFFER_S`; when the board falls further behind,
    the oldest block is dropped and counted in ``overruns`` (reported in HEARTBEAT).
    """

    def __init__(self, device: str, sample_rate: int, blocksize: int = 160):
        try:
            import sounddevice as sd
        except OSError as exc:  # PortAudio missing
            raise ConfigError(f"Cannot capture audio: PortAudio is missing ({exc}).") from None
        self._queue: queue.Queue = queue.Queue(
            maxsize=max(1, round(CAPTURE_BUFFER_S * sample_rate / blocksize)))
        self._rest = np.zeros(0, np.int16)
        self.overruns = 0
        dev: str | int = int(device) if str(device).isdigit() else device
        try:
            self._stream = sd.InputStream(
                device=dev, samplerate=sample_rate, channels=1, dtype="int16",
                blocksize=blocksize, callback=self._callback,
            )  # fmt: skip
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            raise ConfigError(f"Cannot open capture device {device!r}: {exc}.") from None

    def _callback(self, indata, frames, time_info, status) -> None:
        if status.input_overflow:
            self.overruns += 1
        block = indata[:, 0].copy()
        while True:  # the PortAudio thread never waits: drop the oldest block instead
            try:
                self._queue.put_nowait(block)
                return
            except queue.Full:
                with contextlib.suppress(queue.Empty):
                    self._queue.get_nowait()
                    self.overruns += 1

    def read(self, n: int, timeout: float = 1.0) -> np.ndarray:
        """``n`` samples, waiting for the device (zeros for what did not arrive in time)."""
        parts, have = [self._rest], len(self._rest)
        while have < n:
            try:
                block = self._queue.get(timeout=timeout)
            except queue.Empty:
                parts.append(np.zeros(n - have, np.int16))
                self.overruns += 1
                break
            parts.append(block)
            have += len(block)
        joined = np.concatenate(parts)
        self._rest = joined[n:]
        return joined[:n]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._stream.stop()
            self._stream.close()


class Microphone:
    """The board's microphone: the virtual speaker through the channel, or a capture device."""

    def __init__(self, channel: Channel, speaker: SpeakerServer | None,
                 capture: SoundDeviceInput | None = None):  # fmt: skip
        self.channel = channel
        self.speaker = speaker
        self.capture = capture
        self._fifo = np.zeros(0, np.int16)

    @property
    def speaker_has_audio(self) -> bool:
        """Whether the host's speaker audio is waiting (the board need not pace itself)."""
        return self.speaker is not None and self.speaker.available > 0

    def speaker_streaming(self, within_s: float = 0.05) -> bool:
        """Whether the host is playing (audio waiting, or some arrived ``within_s`` ago)."""
        sp = self.speaker
        return sp is not None and (sp.available > 0 or time.monotonic() - sp.last_data < within_s)

    def read(self, n: int, board_index: int) -> np.ndarray:
        """The next ``n`` microphone samples; the first has board sample index ``board_index``."""
        if self.capture is not None:
            return self.capture.read(n)
        while len(self._fifo) < n:
            need = n - len(self._fifo)
            at = board_index + len(self._fifo)
            played = self.speaker.take(need, at) if self.speaker is not None else np.zeros(0)
            if len(played) < need:
                played = np.concatenate([played, np.zeros(need - len(played), np.int16)])
            self._fifo = np.concatenate([self._fifo, self.channel.process(played)])
        out, self._fifo = self._fifo[:n], self._fifo[n:]
        return out
