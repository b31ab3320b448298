"""The board's memory budget for a model: weights + smallest TFLM arena against 1.8 MB.

The paper (``000``: "INT8 post-training quantization enables Edge TPU deployment within 1.8 MB
memory budget") gives the budget as "1.8 MB" and never says MiB, so the bench reads it as SI
megabytes: 1,800,000 bytes (the stricter of the two readings; 1.8 MiB would be 1,887,436 B).
What counts is what the board must hold for the model: the ``.tflite`` (weights and graph, in
flash or RAM) plus the tensor arena TFLM allocates; the verdict shows each part.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The paper's memory budget for the model, in bytes (1.8 MB, SI: 1.8e6 bytes).
MEMORY_BUDGET_BYTES = 1_800_000

#: How the budget is written for people.
BUDGET_TEXT = "1.8 MB (1,800,000 bytes)"


@dataclass(frozen=True)
class BudgetVerdict:
    """Weights + arena against the budget; ``arena_bytes`` None when the arena is unknown."""

    model_bytes: int
    arena_bytes: int | None
    budget_bytes: int = MEMORY_BUDGET_BYTES

    @property
    def total_bytes(self) -> int | None:
        """Weights + arena (None when the arena is unknown)."""
        return None if self.arena_bytes is None else self.model_bytes + self.arena_bytes

    @property
    def fits(self) -> bool | None:
        """True / False; None when the arena is unknown and the weights alone fit."""
        if self.model_bytes > self.budget_bytes:
            return False
        total = self.total_bytes
        return None if total is None else total <= self.budget_bytes

    @property
    def share(self) -> float | None:
        """Fraction of the budget used (weights + arena), None when the arena is unknown."""
        total = self.total_bytes
        return None if total is None else total / self.budget_bytes

    def text(self) -> str:
        """One sentence with each part, e.g. for the CLI, the window and reports."""
        weights = f"model {self.model_bytes:,} B"
        budget = f"the {self.budget_bytes:,} B budget"
        if self.arena_bytes is None:
            word = "over" if self.fits is False else "arena unknown, so not checked against"
            return f"{weights} (arena unknown): {word} {budget}."
        total = self.total_bytes
        word = "fits" if self.fits else "OVER"
        return (f"{weights} + arena {self.arena_bytes:,} B = {total:,} B: {word} {budget} "
                f"({100 * total / self.budget_bytes:.0f} %).")

    def to_dict(self) -> dict:
        """JSON-able: each part, the total, the budget and whether it fits."""
        return {"model_bytes": self.model_bytes, "arena_bytes": self.arena_bytes,
                "total_bytes": self.total_bytes, "budget_bytes": self.budget_bytes,
                "fits": self.fits}


def budget_verdict(model_bytes: int, arena_bytes: int | None,
                   budget_bytes: int = MEMORY_BUDGET_BYTES) -> BudgetVerdict:
    """The verdict for a model of ``model_bytes`` needing ``arena_bytes`` of arena."""
    return BudgetVerdict(int(model_bytes), None if arena_bytes is None else int(arena_bytes),
                         int(budget_bytes))
