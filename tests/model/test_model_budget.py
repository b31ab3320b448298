"""The 1.8 MB budget verdict: weights + arena, each part shown, at the edge."""

from __future__ import annotations

import pytest

from bench_app.core.model import MEMORY_BUDGET_BYTES, budget_verdict, read_model


def test_the_budget_is_the_papers_1_8_mb_in_si_bytes():
    assert MEMORY_BUDGET_BYTES == 1_800_000  # "1.8 MB" (paper 000), not 1.8 MiB = 1,887,436


@pytest.mark.parametrize("model, arena, fits", [
    (1_000_000, 800_000, True),        # exactly at the budget
    (1_000_000, 800_001, False),       # one byte over, in the arena
    (1_000_001, 799_999, True),        # the same total, split otherwise
    (1_800_001, 0, False),             # the weights alone are over
    (1_800_000, 0, True),
])  # fmt: skip
def test_verdict_at_the_edge(model, arena, fits):
    v = budget_verdict(model, arena)
    assert v.fits is fits and v.total_bytes == model + arena
    text = v.text()
    assert f"model {model:,} B" in text and f"arena {arena:,} B" in text
    assert f"= {model + arena:,} B" in text and "1,800,000 B budget" in text
    assert ("fits" in text) is fits and ("OVER" in text) is (not fits)


def test_unknown_arena():
    assert budget_verdict(1_000_000, None).fits is None  # cannot say: the arena counts
    assert "arena unknown" in budget_verdict(1_000_000, None).text()
    assert budget_verdict(1_800_001, None).fits is False  # the weights alone are over


def test_the_shipped_model_is_over(model_path, sidecar):
    v = read_model(model_path).budget
    assert (v.model_bytes, v.arena_bytes) == (1_082_384, 861_552)  # FACTS.md
    assert v.total_bytes == 1_943_936 and v.fits is False and v.share == pytest.approx(1.08, 1e-2)
