"""The alignment run: play a stimulus, capture the board's frames and PCM, analyse them."""

from bench_app.core.runs.procedures.alignment.procedure import AlignmentParams, AlignmentProcedure
from bench_app.core.runs.procedures.alignment.stimulus import build_stimulus

__all__ = ["AlignmentParams", "AlignmentProcedure", "build_stimulus"]
