"""The board protocol's data-stream messages: FRAME, PCM, RESULT and INJECT_PCM.

Same conventions as `messages` (``TYPE``, ``STREAM``, ``payload()``, ``from_payload``); these
carry numpy arrays, so their equality compares arrays by dtype and content.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bench_app.core.device.protocol.messages import (
    MsgType,
    PcmSource,
    Stream,
    array_fields_equal,
    need_bytes,
)
from bench_app.core.errors import ProtocolError

# Wire dtypes (little-endian); on a little-endian host a copy of a view is native-order.
_U16 = np.dtype("<u2")
_I16 = np.dtype("<i2")

_FRAME = struct.Struct("<QQIIHH")


@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """Board -> host: one front-end frame (uint16 features, one per filterbank channel).

    `sample_index` is the first sample of the frame's window (same counter as PCM); `tag` the
    INJECT tag of that sample (0 for the microphone), so the frames of an injected clip are
    exactly those carrying its tag.
    """

    TYPE: ClassVar[int] = MsgType.FRAME
    STREAM: ClassVar[Stream] = Stream.FRAMES

    timestamp_us: int
    frame_index: int
    features: np.ndarray
    sample_index: int = 0
    tag: int = 0

    __eq__ = array_fields_equal
    __hash__ = None  # type: ignore[assignment]

    def payload(self) -> bytes:
        f = np.ascontiguousarray(self.features, dtype=_U16)
        head = _FRAME.pack(
            self.timestamp_us, self.sample_index, self.frame_index, self.tag, f.size, 0
        )
        return head + f.tobytes()

    @classmethod
    def from_payload(cls, buf: bytes, off: int, n: int) -> Frame:
        need_bytes(n, 28, "FRAME")
        ts, sample, index, tag, nch, _ = _FRAME.unpack_from(buf, off)
        need_bytes(n, 28 + 2 * nch, "FRAME")
        feats = np.frombuffer(buf, dtype=_U16, count=nch, offset=off + 28).copy()
        return cls(ts, index, feats, sample, tag)


_PCM = struct.Struct("<QQHBB")


@dataclass(frozen=True, slots=True, eq=False)
class Pcm:
    """Board -> host: raw audio as the front end saw it (int16 samples)."""

    TYPE: ClassVar[int] = MsgType.PCM
    STREAM: ClassVar[Stream] = Stream.PCM

    timestamp_us: int
    sample_index: int
    samples: np.ndarray
    source: int = PcmSource.MICROPHONE

    __eq__ = array_fields_equal
    __hash__ = None  # type: ignore[assignment]

    def payload(self) -> bytes:
        s = np.ascontiguousarray(self.samples, dtype=_I16)
        head = _PCM.pack(self.timestamp_us, self.sample_index, s.size, self.source, 0)
        return head + s.tobytes()

    @classmethod
    def from_payload(cls, buf: bytes, off: int, n: int) -> Pcm:
        need_bytes(n, 20, "PCM")
        ts, index, count, source, _ = _PCM.unpack_from(buf, off)
        need_bytes(n, 20 + 2 * count, "PCM")
        samples = np.frombuffer(buf, dtype=_I16, count=count, offset=off + 20).copy()
        return cls(ts, index, samples, source)


_RESULT = struct.Struct("<QQQIIIIIIfiHBB")
SCORE_INT8 = 1
SCORE_FLOAT32 = 2
_SCORE_DTYPES = {SCORE_INT8: np.dtype("i1"), SCORE_FLOAT32: np.dtype("<f4")}


@dataclass(frozen=True, slots=True, eq=False)
class Result:
    """Board -> host: one inference over one window, with the board's latency split.

    `scores` are the model's raw outputs (int8, or float32 for a float model);
    `probabilities` dequantizes them with `scale` and `zero_point`. Sample indices count
    every sample that entered the front end since boot; `tag_first` / `tag_last` are the
    host-chosen tags of the injected chunks holding the window's first and last samples (0 for
    the microphone), so a result can be attributed to an injected clip.
    """

    TYPE: ClassVar[int] = MsgType.RESULT
    STREAM: ClassVar[Stream] = Stream.RESULTS

    timestamp_us: int
    window_index: int
    window_start_sample: int
    window_end_sample: int
    scores: np.ndarray
    frontend_us: int = 0
    invoke_us: int = 0
    total_us: int = 0
    scale: float = 1.0
    zero_point: int = 0
    tag_first: int = 0
    tag_last: int = 0

    __eq__ = array_fields_equal
    __hash__ = None  # type: ignore[assignment]

    @property
    def probabilities(self) -> np.ndarray:
        """Scores as float: ``scale * (q - zero_point)`` for int8, unchanged for float32."""
        if self.scores.dtype == np.int8:
            return (self.scores.astype(np.float32) - self.zero_point) * np.float32(self.scale)
        return self.scores.astype(np.float32)

    def payload(self) -> bytes:
        s = np.ascontiguousarray(self.scores)
        if s.dtype == np.int8:
            kind = SCORE_INT8
        elif s.dtype == np.float32:
            kind = SCORE_FLOAT32
            s = s.astype("<f4")
        else:
            raise ProtocolError(f"RESULT scores must be int8 or float32, not {s.dtype}.")
        head = _RESULT.pack(
            self.timestamp_us, self.window_start_sample, self.window_end_sample,
            self.window_index, self.tag_first, self.tag_last,
            self.frontend_us, self.invoke_us, self.total_us,
            self.scale, self.zero_point, s.size, kind, 0,
        )  # fmt: skip
        return head + s.tobytes()

    @classmethod
    def from_payload(cls, buf: bytes, off: int, n: int) -> Result:
        need_bytes(n, _RESULT.size, "RESULT")
        (ts, start, end, index, tag_first, tag_last, fe_us, inv_us, tot_us,
         scale, zp, count, kind, _) = _RESULT.unpack_from(buf, off)  # fmt: skip
        dtype = _SCORE_DTYPES.get(kind)
        if dtype is None:
            raise ProtocolError(f"A RESULT has an unknown score type {kind}.")
        need_bytes(n, _RESULT.size + dtype.itemsize * count, "RESULT")
        scores = np.frombuffer(buf, dtype=dtype, count=count, offset=off + _RESULT.size)
        scores = scores.astype(dtype.newbyteorder("="))
        return cls(ts, index, start, end, scores, fe_us, inv_us, tot_us, scale, zp,
                   tag_first, tag_last)  # fmt: skip


_INJECT = struct.Struct("<IHH")
#: INJECT_PCM flag: this chunk ends the clip (the board flushes its partial window).
END_OF_CLIP = 0x0001


@dataclass(frozen=True, slots=True, eq=False)
class InjectPcm:
    """Host -> board: int16 audio that bypasses the microphone, tagged by the host."""

    TYPE: ClassVar[int] = MsgType.INJECT_PCM
    STREAM: ClassVar[Stream] = Stream.INJECT

    tag: int
    samples: np.ndarray
    end_of_clip: bool = False

    __eq__ = array_fields_equal
    __hash__ = None  # type: ignore[assignment]

    def payload(self) -> bytes:
        s = np.ascontiguousarray(self.samples, dtype=_I16)
        flags = END_OF_CLIP if self.end_of_clip else 0
        return _INJECT.pack(self.tag, flags, s.size) + s.tobytes()

    @classmethod
    def from_payload(cls, buf: bytes, off: int, n: int) -> InjectPcm:
        need_bytes(n, _INJECT.size, "INJECT_PCM")
        tag, flags, count = _INJECT.unpack_from(buf, off)
        need_bytes(n, _INJECT.size + 2 * count, "INJECT_PCM")
        samples = np.frombuffer(buf, dtype=_I16, count=count, offset=off + _INJECT.size)
        return cls(tag, samples.copy(), bool(flags & END_OF_CLIP))


