"""The virtual board's INJECT_PCM buffer: go-back-N sequencing, clips, ACK-on-consume.

Implements docs/protocol.md section 6.3 on the board side. In-order chunks are queued (at most
``window`` of them); a chunk is ACKed (cumulatively, with the free room as ``credit`` and the
board sample index of its first sample as ``value``) when the front end has consumed all of it.
A clip starts at a chunk with seq 0, after a chunk flagged END_OF_CLIP, or when the tag changes;
`take` never returns samples of two clips in one block, so the board can reset its front end
exactly at a clip's first sample.
"""

from __future__ import annotations

import collections
import dataclasses

import numpy as np

from bench_app.core.device.protocol import Ack, ErrorCode, InjectPcm, MsgType, Nak


@dataclasses.dataclass
class _Chunk:
    seq: int
    samples: np.ndarray
    tag: int
    end_of_clip: bool
    clip_start: bool
    taken: int = 0
    first_index: int = -1


@dataclasses.dataclass
class Block:
    """Injected samples of one clip for one front end step (or less, at a clip's end)."""

    samples: np.ndarray
    tag: int
    clip_start: bool  # the block opens a clip: reset the front end before it
    clip_end: bool  # the clip's last samples
    acks: list  # ACK messages for the chunks this block finished


class InjectBuffer:
    """Board-side INJECT stream state.

    Parameters
    ----------
    window, max_chunk : int
        The INFO ``inject`` limits (chunks in flight, samples per chunk).
    """

    def __init__(self, window: int, max_chunk: int):
        self.window = window
        self.max_chunk = max_chunk
        self.capacity = window * max_chunk
        self.expected = 0
        self._chunks: collections.deque[_Chunk] = collections.deque()
        self._queued = 0
        self._nak_sent_for = -1
        self._last_ack: Ack | None = None
        self._prev: _Chunk | None = None  # the last chunk accepted (for clip boundaries)
        self.in_clip = False  # the last block taken did not end its clip
        self.samples_received = 0
        self.underruns = 0

    @property
    def queued(self) -> int:
        """Samples waiting to enter the front end."""
        return self._queued

    def on_chunk(self, seq: int, msg: InjectPcm) -> list:
        """Handle one INJECT_PCM; return the replies to send now (NAK, or a re-sent ACK)."""
        restart = seq == 0
        if restart:
            self._chunks.clear()
            self._queued, self.expected, self._nak_sent_for = 0, 0, -1
            self._prev, self.in_clip = None, False
        if seq < self.expected:
            return [self._last_ack] if self._last_ack else []
        if seq > self.expected:
            if self._nak_sent_for == self.expected:
                return []
            self._nak_sent_for = self.expected
            return [Nak(int(MsgType.INJECT_PCM), seq, int(ErrorCode.SEQ_GAP), self.expected)]
        n = len(msg.samples)
        if not 0 < n <= self.max_chunk:
            return [Nak(int(MsgType.INJECT_PCM), seq, int(ErrorCode.BAD_REQUEST), 0,
                        f"a chunk must hold 1 to {self.max_chunk} samples")]  # fmt: skip
        if len(self._chunks) >= self.window:
            return [Nak(int(MsgType.INJECT_PCM), seq, int(ErrorCode.BUSY), 0, "buffer full")]
        prev = self._prev
        start = restart or prev is None or prev.end_of_clip or prev.tag != msg.tag
        chunk = _Chunk(seq, np.asarray(msg.samples, np.int16), msg.tag, msg.end_of_clip, start)
        self._chunks.append(chunk)
        self._prev = chunk
        self._queued += n
        self.samples_received += n
        self.expected = seq + 1
        self._nak_sent_for = -1
        return []

    def take(self, step: int, board_index: int) -> Block | None:
        """Up to ``step`` samples of the head clip (None if nothing is queued).

        ``board_index`` is the board sample index the first returned sample will have.
        """
        if not self._chunks:
            return None
        parts, acks, n = [], [], 0
        head = self._chunks[0]
        tag, clip_start, clip_end = head.tag, head.clip_start and head.taken == 0, False
        while n < step and self._chunks:
            chunk = self._chunks[0]
            if n and chunk.clip_start and chunk.taken == 0:
                break  # the next clip starts: not in this block
            if chunk.first_index < 0:
                chunk.first_index = board_index + n
            k = min(step - n, len(chunk.samples) - chunk.taken)
            parts.append(chunk.samples[chunk.taken : chunk.taken + k])
            chunk.taken += k
            n += k
            if chunk.taken == len(chunk.samples):
                self._chunks.popleft()
                self._queued -= len(chunk.samples)
                self._last_ack = Ack(int(MsgType.INJECT_PCM), chunk.seq,
                                     self.capacity - self._queued, chunk.first_index)  # fmt: skip
                acks.append(self._last_ack)
                if chunk.end_of_clip:
                    clip_end = True
                    break
        self.in_clip = not clip_end
        return Block(np.concatenate(parts), tag, clip_start, clip_end, acks)

    def abandon_clip(self) -> None:
        """The clip ran dry mid-way (an underrun in real time): its next chunk starts anew."""
        self.underruns += 1
        self.in_clip = False
        if self._prev is not None and not self._chunks:
            self._prev = dataclasses.replace(self._prev, end_of_clip=True)
