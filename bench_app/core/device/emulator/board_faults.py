"""Faults *inside* the virtual board: a broken board the conformance suite must catch.

`faults.py` breaks the link (bytes corrupted, messages lost on the way, resets); these break
what the board computes while its INFO still states the correct settings, as buggy firmware
would. Each is one ``--fault KEY=VALUE`` of `bench-app emulate`:

- ``frontend-band=LO-HI``: the front end runs with filterbank band edges LO..HI Hz instead of
  the ones INFO states, so injected audio gives frames that differ from the reference (L1);
- ``drop-frames=P``: each computed frame is left unsent with probability P; its frame index is
  used up, so FRAME indices jump (a firmware that loses frames, not the link: no sequence gap);
- ``result-offset=N``: N is added to every RESULT score (clipped to the output type), so the
  scores differ from the host twin's TFLM run on the same frames (L2);
- ``seed=N``: seed of the drop-frames generator.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from bench_app.core.errors import ConfigError
from bench_app.core.frontend import FrontendConfig

#: The keys ``--fault`` takes (what each does: module docstring).
KEYS = ("frontend-band", "drop-frames", "result-offset", "seed")


@dataclasses.dataclass(frozen=True)
class BoardFaults:
    """The ``--fault`` settings of a virtual board; all off by default."""

    frontend_band: tuple[float, float] | None = None
    drop_frames: float = 0.0
    result_offset: int = 0
    seed: int = 0

    @classmethod
    def parse(cls, items: list[str] | tuple[str, ...] | None) -> BoardFaults:
        """Parse ``["frontend-band=300-3000", "drop-frames=0.01"]``; one-sentence errors."""
        values: dict[str, object] = {}
        for item in items or ():
            key, sep, raw = (part.strip() for part in item.partition("="))
            if not sep or key not in KEYS:
                raise ConfigError(f"Unknown --fault {item!r} (known keys: {', '.join(KEYS)}).")
            try:
                if key == "frontend-band":
                    lo, dash, hi = raw.partition("-")
                    if not dash:
                        raise ValueError
                    band = (float(lo), float(hi))
                    if not all(math.isfinite(v) for v in band) or not 0 <= band[0] < band[1]:
                        raise ValueError
                    values["frontend_band"] = band
                elif key == "drop-frames":
                    p = float(raw)
                    if not 0 <= p < 1:
                        raise ValueError
                    values["drop_frames"] = p
                else:
                    values[key.replace("-", "_")] = int(raw)
            except ValueError:
                what = {"frontend-band": "LO-HI in Hz with 0 <= LO < HI",
                        "drop-frames": "a probability from 0 to below 1"}.get(key, "an integer")
                raise ConfigError(f"Bad --fault {item!r}: the value must be {what}.") from None
        return cls(**values)

    @property
    def active(self) -> bool:
        return self != BoardFaults(seed=self.seed)

    def to_dict(self) -> dict:
        """JSON-ready form (for INFO's emulator block: a test can see what was broken)."""
        return {"frontend_band": list(self.frontend_band) if self.frontend_band else None,
                "drop_frames": self.drop_frames, "result_offset": self.result_offset,
                "seed": self.seed}  # fmt: skip

    def computing_frontend(self, stated: FrontendConfig) -> FrontendConfig:
        """The config the board really computes with (``stated`` is what INFO says).

        Raises `ConfigError` when the band does not fit the board's sample rate.
        """
        if self.frontend_band is None:
            return stated
        lo, hi = self.frontend_band
        return stated.replace(filterbank_lower_band_limit=lo, filterbank_upper_band_limit=hi)


class FrameDropper:
    """Decides which computed frames a ``drop-frames`` board leaves unsent, and counts them."""

    def __init__(self, faults: BoardFaults) -> None:
        self.p = faults.drop_frames
        self._rng = np.random.default_rng([faults.seed, 0xD4])
        self.dropped = 0

    def keep(self) -> bool:
        if self.p > 0 and self._rng.random() < self.p:
            self.dropped += 1
            return False
        return True


def offset_scores(scores: np.ndarray, offset: int) -> np.ndarray:
    """``scores + offset`` in the scores' own type (integers clipped to its range)."""
    scores = np.asarray(scores)
    if not offset:
        return scores
    if np.issubdtype(scores.dtype, np.integer):
        info = np.iinfo(scores.dtype)
        return np.clip(scores.astype(np.int64) + offset, info.min, info.max).astype(scores.dtype)
    return (scores + offset).astype(scores.dtype)
