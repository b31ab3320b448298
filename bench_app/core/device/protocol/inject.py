"""Host side of INJECT_PCM (docs/protocol.md 6.3) as pure state machines: no I/O, no clock.

`InjectSender` cuts a clip into chunks, hands out the frames the window allows, and moves on
ACKs, NAKs and silences (go-back-N). `BoardClient.inject` drives it with the link and the
clock. `select_clip_frames` finds the frames of one injected clip (how many a clip gives is
`FrameGeometry.frames_for`, from the board's ``fe.*`` settings).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench_app.core.device.protocol.codec import encode
from bench_app.core.device.protocol.data import Frame, InjectPcm
from bench_app.core.device.protocol.messages import ErrorCode, Nak
from bench_app.core.errors import ConfigError, DeviceError

_MOD = 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class InjectReport:
    """What one injection delivered."""

    tag: int
    samples: int
    chunks: int
    first_sample_index: int | None
    resends: int
    busy_waits: int


def error_text(code: int, reason: str) -> str:
    """``NAME: reason`` for a NAK / ERROR code."""
    try:
        name = ErrorCode(code).name
    except ValueError:
        name = f"error code {code}"
    return f"{name}: {reason}" if reason else name


class InjectSender:
    """Go-back-N sender of one clip.

    Parameters
    ----------
    pcm : 1-D int16 array
    tag : int
        Host-chosen clip tag (u32), echoed by the board in FRAME and RESULT.
    base_seq : int
        INJECT sequence number of the first chunk (the client reserves one per chunk).
    window, chunk : int
        Most unacknowledged chunks, samples per chunk (from INFO).
    end_of_clip : bool
        Flag the last chunk END_OF_CLIP.
    """

    def __init__(self, pcm: np.ndarray, tag: int, base_seq: int, window: int, chunk: int,
                 end_of_clip: bool = True) -> None:  # fmt: skip
        samples = np.asarray(pcm)
        if samples.ndim != 1 or samples.dtype != np.int16:
            raise ConfigError(
                f"Injected audio must be a 1-D int16 array, not {samples.ndim}-D {samples.dtype}."
            )
        if not 0 <= int(tag) <= _MOD:
            raise ConfigError(f"An inject tag must fit in 32 bits, not {tag}.")
        self.tag, self.base, self.window, self.chunk = int(tag), base_seq, max(1, window), chunk
        self.samples = len(samples)
        pieces = [samples[i : i + chunk] for i in range(0, len(samples), chunk)]
        last = len(pieces) - 1
        self.wire = [
            encode(InjectPcm(self.tag, p, end_of_clip and i == last), (base_seq + i) & _MOD)
            for i, p in enumerate(pieces)
        ]
        self.acked = -1  # index of the last chunk acknowledged (cumulative)
        self.next = 0  # index of the next chunk to send
        self.first_sample_index: int | None = None
        self.resends = 0
        self.busy_waits = 0

    @property
    def done(self) -> bool:
        """Every chunk acknowledged."""
        return self.acked >= len(self.wire) - 1

    def due(self) -> list[bytes]:
        """Frames the window allows to send now (each is then counted as sent)."""
        out = []
        while self.next < len(self.wire) and self.next - self.acked <= self.window:
            out.append(self.wire[self.next])
            self.next += 1
        return out

    def _index(self, seq: int) -> int:
        return (seq - self.base) & _MOD

    def on_ack(self, seq: int, value: int) -> bool:
        """Take a (cumulative) ACK; return True if it acknowledged new chunks."""
        i = self._index(seq)
        if i >= len(self.wire):
            return False  # from an earlier injection
        if self.first_sample_index is None:
            self.first_sample_index = value - i * self.chunk
        if i <= self.acked:
            return False
        self.acked = i
        self.next = max(self.next, i + 1)
        return True

    def on_nak(self, nak: Nak) -> bool:
        """Take a NAK; return True if the board is busy (the caller pauses before re-sending).

        Raises `DeviceError` for a refusal that re-sending cannot fix.
        """
        i = self._index(nak.acked_seq)
        if i >= len(self.wire):
            return False
        if nak.code == ErrorCode.SEQ_GAP:
            j = self._index(nak.value)
            self._rewind(j if j < len(self.wire) else self.acked + 1)
            return False
        if nak.code == ErrorCode.BUSY:
            self.busy_waits += 1
            self._rewind(i)
            return True
        raise DeviceError(
            f"The board refused injected audio chunk {i} of {len(self.wire)}: "
            f"{error_text(nak.code, nak.reason)}."
        )

    def on_silence(self) -> None:
        """No ACK for a whole ACK timeout: re-send every unacknowledged chunk."""
        self._rewind(self.acked + 1)

    def _rewind(self, index: int) -> None:
        index = max(index, self.acked + 1)
        if index < self.next:
            self.next = index
            self.resends += 1

    def report(self) -> InjectReport:
        return InjectReport(self.tag, self.samples, len(self.wire), self.first_sample_index,
                            self.resends, self.busy_waits)  # fmt: skip


def select_clip_frames(
    frames: list[Frame], tag: int, first_sample_index: int | None, n_samples: int,
    window: int | None = None,
) -> list[Frame]:  # fmt: skip
    """The frames of one injected clip, in sample order, without duplicates.

    Frames carrying the clip's tag (all frames, for a board that does not tag them) whose
    window lies inside the clip's samples (from the first chunk's ACK, when known): so
    frames over the silence a board pads a clip with are left out.
    """
    chosen = [f for f in frames if f.tag == tag] or [f for f in frames if f.tag == 0]
    if first_sample_index is not None:
        end = first_sample_index + n_samples - (window or 1)
        chosen = [f for f in chosen if first_sample_index <= f.sample_index <= end]
    unique = {(f.sample_index, f.frame_index): f for f in chosen}
    return [unique[key] for key in sorted(unique)]
