"""Fault injection on the virtual board's link, and the ledger of every fault it injected.

Keys of ``--faults k=v,...``:

- ``corrupt``: probability that any one byte the board sends is corrupted (XOR with a random
  non-zero value); a frame with at least one corrupted byte is counted once;
- ``drop``: probability that a data message (FRAME, PCM, RESULT) is never sent; its sequence
  number is still used up, so the host sees the gap;
- ``reset_after_s``: after this much board time the port disappears (the pty is closed) for
  ``reset_down_ms`` (default 300) of wall time and comes back at the same stable path; the board
  keeps running, and what it sends meanwhile is lost and counted;
- ``stall_ms``: the board stops sending for this long once every ``stall_every_s`` (default 1)
  seconds of board time (nothing is lost, it arrives late);
- ``seed``: seed of the fault generator.

`FaultStats` is the ledger tests compare the host's link statistics against: per stream, the
messages the board sent and the sequence numbers it dropped, corrupted or lost in a reset.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np

from bench_app.core.errors import ConfigError

#: At most this many lost sequence numbers are listed per stream and cause (counts go on).
MAX_LISTED = 100_000


@dataclasses.dataclass(frozen=True)
class FaultConfig:
    """The ``--faults`` settings; all off by default."""

    corrupt: float = 0.0
    drop: float = 0.0
    reset_after_s: float | None = None
    reset_down_ms: float = 300.0
    stall_ms: float = 0.0
    stall_every_s: float = 1.0
    seed: int = 0

    @classmethod
    def parse(cls, text: str) -> FaultConfig:
        """Parse ``"corrupt=1e-3,drop=0.01,reset_after_s=2"``; `ConfigError` names a bad key."""
        values: dict[str, object] = {}
        names = {f.name: f for f in dataclasses.fields(cls)}
        for item in filter(None, (p.strip() for p in (text or "").split(","))):
            key, sep, raw = item.partition("=")
            key = key.strip()
            if not sep or key not in names:
                known = ", ".join(sorted(names))
                raise ConfigError(f"Unknown fault key {key!r} (known keys: {known}).")
            try:
                value = int(raw) if key == "seed" else float(raw)
            except ValueError:
                raise ConfigError(f"Bad value {raw.strip()!r} for fault key {key!r}.") from None
            if not math.isfinite(value) or value < 0:
                raise ConfigError(f"Fault key {key!r} must be a finite number >= 0.")
            if key in ("corrupt", "drop") and value >= 1:
                raise ConfigError(f"Fault key {key!r} is a probability and must be below 1.")
            values[key] = value
        return cls(**values)

    def to_dict(self) -> dict:
        """JSON-ready form (for INFO)."""
        return dataclasses.asdict(self)


#: Why a message the board numbered never reached the host intact.
CAUSES = ("dropped", "corrupted", "lost_in_reset", "no_host", "tx_overflow")


class FaultStats:
    """Counts of what the board sent and what the faults took away, per stream name."""

    def __init__(self) -> None:
        self.sent: dict[str, int] = {}
        self.lost: dict[str, dict[str, int]] = {cause: {} for cause in CAUSES}
        self.lost_seqs: dict[str, dict[str, list[int]]] = {cause: {} for cause in CAUSES}
        self.corrupted_bytes = 0
        self.resets = 0
        self.stalls = 0
        self.tx_overflows = 0

    def note_sent(self, stream: str) -> None:
        self.sent[stream] = self.sent.get(stream, 0) + 1

    def note_lost(self, cause: str, stream: str, seq: int) -> None:
        """Record that message ``seq`` of ``stream`` was lost to ``cause`` (one of `CAUSES`)."""
        counts = self.lost[cause]
        counts[stream] = counts.get(stream, 0) + 1
        listed = self.lost_seqs[cause].setdefault(stream, [])
        if len(listed) < MAX_LISTED:
            listed.append(seq)

    def to_dict(self, seqs: bool = True) -> dict:
        """JSON-ready ledger: totals per cause and stream, then (``seqs``) the lost numbers."""
        doc = {
            "sent": dict(self.sent),
            **{cause: dict(self.lost[cause]) for cause in CAUSES},
            "corrupted_bytes": self.corrupted_bytes,
            "resets": self.resets,
            "stalls": self.stalls,
            "tx_overflows": self.tx_overflows,
        }
        if seqs:
            doc["lost_seqs"] = {cause: dict(v) for cause, v in self.lost_seqs.items()}
        return doc

    def write(self, path: str | os.PathLike, extra: dict | None = None,
              seqs: bool = True) -> None:  # fmt: skip
        """Write the ledger (plus ``extra``) as JSON, atomically (readers never see half).

        ``seqs=False`` leaves out the lost sequence numbers (the periodic writes: cheap).
        """
        path = Path(path)
        doc = {**(extra or {}), **self.to_dict(seqs)}
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".stats-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(doc, f)
            os.replace(tmp, path)
        except BaseException:  # a full disk: no half-written temporary file left behind
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


class FaultInjector:
    """Applies `FaultConfig` to the board's outgoing frames and fills a `FaultStats`."""

    def __init__(self, config: FaultConfig, stats: FaultStats):
        self.config = config
        self.stats = stats
        self._rng = np.random.default_rng([config.seed, 0xFA])
        self._next_stall_s = config.stall_every_s if config.stall_ms > 0 else math.inf
        self.reset_pending = config.reset_after_s is not None

    def should_drop(self, stream: str, seq: int, droppable: bool) -> bool:
        """Decide (and record) whether a data message is dropped before it is sent."""
        if droppable and self.config.drop > 0 and self._rng.random() < self.config.drop:
            self.stats.note_lost("dropped", stream, seq)
            return True
        return False

    def corrupt(self, frame: bytes, stream: str, seq: int) -> bytes:
        """Return ``frame`` with bytes corrupted at the configured rate (recorded)."""
        if self.config.corrupt <= 0:
            return frame
        n = int(self._rng.binomial(len(frame), self.config.corrupt))
        if n == 0:
            return frame
        buf = bytearray(frame)
        where = self._rng.choice(len(buf), size=min(n, len(buf)), replace=False)
        for i in where:
            buf[int(i)] ^= int(self._rng.integers(1, 256))
        self.stats.corrupted_bytes += len(where)
        self.stats.note_lost("corrupted", stream, seq)
        return bytes(buf)

    def reset_due(self, board_s: float) -> bool:
        """True once, when board time passes ``reset_after_s``."""
        if self.reset_pending and board_s >= self.config.reset_after_s:
            self.reset_pending = False
            return True
        return False

    def stall_due(self, board_s: float) -> float:
        """Seconds to stall now (0 if no stall is due)."""
        if board_s >= self._next_stall_s:
            self._next_stall_s += self.config.stall_every_s
            self.stats.stalls += 1
            return self.config.stall_ms / 1000.0
        return 0.0
